"""Who hears what about a ticket: the notices every handler builds from a ticket alone."""

from __future__ import annotations

from email.headerregistry import Address as HeaderAddress
from typing import Any

from mailbaton.mail.records import ParsedMail
from mailbaton.outbound.compose import FileToSend
from mailbaton.outbound.desk import header_address
from mailbaton.outbound.notices import Auto, Notice
from mailbaton.store.models import Ticket


def thrower_address(ticket: Ticket) -> HeaderAddress:
    return header_address(ticket.thrower_name, ticket.thrower)


def catcher_address(ticket: Ticket) -> HeaderAddress:
    return header_address(ticket.catcher_name, ticket.catcher or "")


def to_thrower(
    ticket: Ticket,
    kind: str,
    *,
    extra: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Notice:
    """A notice to the thrower, in the thread of their handoff."""
    return Notice(
        kind,
        (thrower_address(ticket),),
        in_reply_to=ticket.handoff_message_id,
        extra=dict(extra or {}),
        dedupe_key=dedupe_key,
    )


def request_and_receipt(
    ticket: Ticket,
    mail: ParsedMail,
    *,
    catcher: HeaderAddress | None = None,
    extra: dict[str, Any] | None = None,
) -> tuple[Notice, Notice]:
    """The catcher (the ticket's, or a new one) gets the files and how to answer; the
    thrower learns it is still theirs. `extra` goes to both (e.g. `previous`)."""
    request = request_to(ticket, catcher or catcher_address(ticket), extra)
    receipt = Notice(
        "receipt",
        (thrower_address(ticket),),
        in_reply_to=mail.message_id,
        references=tuple(mail.references),
        auto=Auto.REPLIED,
        extra=dict(extra or {}),
    )
    return request, receipt


def request_to(
    ticket: Ticket, catcher: HeaderAddress, extra: dict[str, Any] | None = None
) -> Notice:
    """The request: what, from whom, the thrower's words and files, how to answer."""
    files = tuple(FileToSend(a.filename, a.content_type, a.data) for a in ticket.attachments)
    return Notice("request", (catcher,), files=files, extra=dict(extra or {}))


def all_clear_to(
    warned: list[str], first_warning: str | None = None, names: dict[str, str] | None = None
) -> Notice:
    """Everyone who was warned about a stuck ticket hears that it moved."""
    to = tuple(header_address((names or {}).get(a, ""), a) for a in warned)
    thread = (first_warning,) if first_warning else ()
    return Notice("all_clear", to, in_reply_to=first_warning, references=thread)
