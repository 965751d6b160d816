"""The transport seam: what intake needs of a mailbox and the outbox of a sender, and errors.

Every error a transport raises is a TransportError; its `permanent` says whether trying
again could ever help::

    TransportError              a mail server cannot be used, or refused something
     +-- Transient              try later: down, slow, 4xx, a login an admin can fix
     |                          (imap.InboxError, smtp.SmtpTransient are this class)
     |   +-- SignInFailed       the server refused our login (a wrong password, a token
     |                          without the rights): health reports it as a sign-in failure
     +-- Permanent              5xx for this message: retrying sends the same refusal
                                (smtp.SmtpPermanent is this class)

The old names stay importable: smtp.SmtpError is TransportError.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from mailbaton.store.ledger import Source
from mailbaton.store.models import Outcome

__all__ = [
    "Incoming",
    "Mailbox",
    "Permanent",
    "Sender",
    "SignInFailed",
    "Source",
    "Transient",
    "TransportError",
]


class TransportError(Exception):
    """Base: `permanent` says whether trying again could ever help."""

    permanent = False


class Transient(TransportError):
    """Down, slow, 4xx, or a login problem an admin can fix: try later."""


class SignInFailed(Transient):
    """The server, or the token authority, would not let us sign in: an admin must fix it
    (still Transient: the daemon keeps trying, so it resumes by itself once it is fixed)."""


class Permanent(TransportError):
    """Refused for good (5xx for this message): retrying sends the same refusal."""

    permanent = True


# Of a message over the cap, this much is read: the header and a reply's new text, which
# mail clients put before any attachment, but never enough to pass a file on.
HEAD_BYTES = 256 * 1024


def head_size(cap: int) -> int:
    """How much of a message over `cap` is read."""
    return min(HEAD_BYTES, cap)


@dataclass(frozen=True)
class Incoming:
    """One message as a mailbox hands it over.

    `source` is its ledger key. `raw` is the whole message, or, when `oversized` is set
    (the real size), only its beginning (`head_size`): the rest of a message over the
    cap is never read."""

    source: Source
    raw: bytes
    oversized: int | None = None


class Mailbox(Protocol):
    """Where mail comes in (the watched IMAP folder, the MTA pipe). Open it with `with`."""

    @property
    def key(self) -> str:
        """Names this mailbox in the ledger."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...

    def waiting(self) -> list[Source]:
        """The ledger key of every message still waiting, oldest first; no bytes read."""
        ...

    def read(self, sources: list[Source], cap: int) -> Iterator[Incoming]:
        """These messages; for one over `cap` bytes only its beginning and its real size."""
        ...

    def file(self, source: Source, outcome: Outcome) -> bool:
        """Files the message under its outcome; False when this mailbox has nowhere to."""
        ...

    def file_all(self, filing: list[tuple[Source, Outcome]]) -> list[Source]:
        """Files each message under its outcome, one command per folder where the server
        allows it; returns those filed (none where this mailbox has nowhere to file)."""
        ...


# In a Sender's answer: what follows names the recipients the server refused while it
# took the mail for the others (sending again would double it for them).
PARTLY_REFUSED = "; refused: "


class Sender(Protocol):
    """Where mail goes out. `async with` it: one connection may carry many messages."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...

    async def send(self, raw: bytes, mail_from: str, recipients: list[str]) -> str:
        """Sends or raises Transient / Permanent; returns the server's answer (with
        PARTLY_REFUSED and who, when only some recipients were refused)."""
        ...
