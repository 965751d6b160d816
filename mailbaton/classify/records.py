"""What classify decides: the records one Decision is made of."""

from __future__ import annotations

from dataclasses import dataclass, field

from mailbaton.mail.records import Address, Attachment, Bounce


@dataclass(frozen=True)
class Returned:
    """A delivery failure report: matched against our own mail, never answered."""

    bounce: Bounce


@dataclass(frozen=True)
class Ignored:
    """Mail that gets no answer and changes nothing: loops, machines, outsiders."""

    reason: str


@dataclass(frozen=True)
class Held:
    """Possibly forged (no DMARC pass where one is required): kept for an admin, unanswered."""

    reason: str


@dataclass(frozen=True)
class Reason:
    """One problem with a handoff: a stable code and what to fill into its sentence."""

    code: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    thrower: Address
    title: str
    reasons: tuple[Reason, ...]
    fields: dict[str, str]
    # Whoever the Catcher: lines named, so the example to copy can use the thrower's own.
    catchers: tuple[Address, ...] = ()
    message: str = ""


@dataclass(frozen=True)
class NewHandoff:
    thrower: Address
    catcher: Address
    title: str
    subject: str
    due: str | None
    notes: str | None
    fields: dict[str, str]
    attachments: tuple[Attachment, ...]
    # The thrower's own words: everything in the body that is not a `Field: value` line.
    message: str = ""


@dataclass(frozen=True)
class ReplyHints:
    """Where a mail says which ticket it answers, strongest first; resolved against the db."""

    tokens: tuple[str, ...] = ()
    message_ids: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.tokens or self.message_ids or self.refs)


@dataclass(frozen=True)
class Reply:
    """Names a ticket; when no ticket matches, the mail is read as `otherwise`."""

    hints: ReplyHints
    otherwise: NewHandoff | Rejection


Decision = Returned | Ignored | Held | Reply | NewHandoff | Rejection
