"""Each watched mailbox as a pass uses it: where its mail comes in, what sends its mail,
which outbox rows are its own, and the names of its health rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mailbaton.classify.screen import base_address
from mailbaton.config import Settings, SharedMailbox
from mailbaton.mail.parse import parse_message
from mailbaton.mail.records import ParsedMail
from mailbaton.outbound.outbox import Where
from mailbaton.store.models import Outbox
from mailbaton.transport.base import Mailbox, Sender
from mailbaton.transport.imap import ImapMailbox
from mailbaton.transport.smtp import SmtpSender
from mailbaton.watch import health


@dataclass(frozen=True)
class Watching:
    box: SharedMailbox
    rows: health.Watched
    open: Callable[[], Mailbox]
    sender: Callable[[], Sender]
    # Its outbox rows (None: every row, when it is the only mailbox).
    mine: Where | None


def watching(
    settings: Settings,
    mailbox: Callable[[], Mailbox] | None = None,
    sender: Callable[[], Sender] | None = None,
) -> list[Watching]:
    """Every mailbox of the config; `mailbox` (tests, a pipe) replaces them all with one,
    `sender` every mailbox's SMTP sign-in."""
    found: list[Watching] = []
    every = health.watched(settings)
    addresses = [w.box.address for w in every]
    for index, w in enumerate(every):
        box = w.box
        found.append(
            Watching(
                box,
                w,
                mailbox or _imap(box),
                sender or _smtp(box),
                _rows(addresses, index) if len(every) > 1 else None,
            )
        )
        if mailbox is not None:
            break
    return found


def _imap(box: SharedMailbox) -> Callable[[], Mailbox]:
    return lambda: ImapMailbox(box.mailbox)


def _smtp(box: SharedMailbox) -> Callable[[], Sender]:
    return lambda: SmtpSender(box.smtp)


def _rows(addresses: Sequence[str], index: int) -> Where:
    """A mailbox's outbox rows by their envelope sender: its own address; the first also
    takes any address no mailbox has now (one since changed: mail must still leave)."""
    if index > 0:
        return Outbox.mail_from == addresses[index]
    return Outbox.mail_from.not_in(addresses[1:])


def addressed_to(mail: ParsedMail, settings: Settings) -> SharedMailbox | None:
    """The one mailbox a message was delivered or written to (Delivered-To first, then To
    and Cc), by address or address+tag; None when none or several are named."""
    for named in (list(mail.delivered_to), [a.addr for a in (*mail.to, *mail.cc)]):
        boxes = [box for box in map(lambda a: _named(a, settings), named) if box is not None]
        found = {box.name: box for box in boxes}
        if found:
            return next(iter(found.values())) if len(found) == 1 else None
    return None


def _named(address: str, settings: Settings) -> SharedMailbox | None:
    """The mailbox of this address: its own, else that of the address without its +tag.
    By the untagged address alone, baton@ and a mailbox at baton+sales@ were one."""
    untagged = base_address(address)
    for wanted in (address.lower(), untagged):
        for box in settings.mailboxes:
            if box.address.lower() == wanted:
                return box
    tagged = [box for box in settings.mailboxes if base_address(box.address) == untagged]
    return tagged[0] if len(tagged) == 1 else None


def ingested_by(settings: Settings, name: str | None, head: bytes) -> SharedMailbox:
    """The mailbox a piped message came in through: --mailbox NAME, else the one mailbox
    its Delivered-To (else To and Cc) names, else the first."""
    for box in settings.mailboxes:
        if box.name == name:
            return box
    if len(settings.mailboxes) == 1:
        return settings.mailboxes[0]
    return addressed_to(parse_message(head), settings) or settings.mailboxes[0]
