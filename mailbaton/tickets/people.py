"""The names people go by: what a handoff gave, else what their own mail has said."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbaton.mail.records import Address
from mailbaton.outbound.people import usable_name
from mailbaton.store.models import Inbound, Ticket


def seen_name(session: Session, addr: str) -> str:
    """The newest display name seen for `addr`: on mail from it, or in a handoff that named
    it; "" if none (the templates then make one from the address)."""
    addr = addr.lower()
    queries = (
        select(Inbound.sender_name).where(Inbound.sender == addr).order_by(Inbound.id.desc()),
        select(Ticket.thrower_name).where(Ticket.thrower == addr).order_by(Ticket.id.desc()),
        select(Ticket.catcher_name).where(Ticket.catcher == addr).order_by(Ticket.id.desc()),
    )
    for query in queries:
        for name in session.scalars(query.limit(20)):
            if usable_name(name or ""):
                return usable_name(name)
    return ""


def named(session: Session, person: Address) -> Address:
    """`person` with a name: their own display name, else one seen on earlier mail."""
    name = usable_name(person.name) or seen_name(session, person.addr)
    return Address(name=name, addr=person.addr)
