"""Open tickets whose mailbox the config no longer has: their replies go unread.

A ticket's mail names the address its handoff came in through (From, Reply-To). Once that
mailbox is taken out of the config (or its address changed), the next mail comes from the
first mailbox, but what was sent before still leads the catcher's GOT IT to an address no
pass reads: only the admin can fix that, so `check`, `status` and the daemon say so."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbaton.config import Settings
from mailbaton.store.models import PENDING, Ticket

SHOWN = 10


def unwatched(session: Session, settings: Settings) -> list[str]:
    """One line per address that open tickets came in through and no mailbox has now."""
    rows = session.execute(
        select(Ticket.mailbox, Ticket.ref)
        .where(
            Ticket.state == PENDING,
            Ticket.mailbox.is_not(None),
            func.lower(Ticket.mailbox).not_in(sorted(settings.shared_addresses)),
        )
        .order_by(Ticket.id)
    ).all()
    refs: dict[str, list[str]] = {}
    for address, ref in rows:
        refs.setdefault(str(address), []).append(ref)
    first = settings.mailboxes[0].address
    lines = []
    for address, found in refs.items():
        more = f" and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
        lines.append(
            f"open tickets {', '.join(found[:SHOWN])}{more} came in through {address}, which "
            "no mailbox in the config has now: replies written to it are read by no one "
            "unless it delivers to a watched mailbox (their new mail comes from "
            f"{first}); keep that mailbox in the config until they are closed, or forward "
            f"its mail to {first}"
        )
    return lines
