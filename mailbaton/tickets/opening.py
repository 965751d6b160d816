"""A handoff at the door: opened as a pending ticket, or recorded as rejected and answered."""

from __future__ import annotations

import json
import secrets
from dataclasses import replace

from mailbaton.classify.handoff import NewHandoff, Rejection
from mailbaton.mail.records import Address
from mailbaton.outbound.context import rejection_context
from mailbaton.outbound.notices import answer
from mailbaton.store.models import PENDING, REJECTED, StoredAttachment, Ticket
from mailbaton.tickets.addressing import request_and_receipt
from mailbaton.tickets.numbering import next_number
from mailbaton.tickets.people import named
from mailbaton.tickets.schedule import set_deadlines
from mailbaton.tickets.turn import Note, Turn, write


def open_ticket(turn: Turn, handoff: NewHandoff) -> Ticket:
    assert turn.mail is not None
    mail, settings = turn.mail, turn.desk.settings
    thrower, catcher = named(turn.session, handoff.thrower), named(turn.session, handoff.catcher)
    number = next_number(turn.session, "ticket")
    ticket = Ticket(
        ref=f"{settings.protocol.ticket_prefix}-{number}",
        state=PENDING,
        title=handoff.title,
        subject=handoff.subject,
        thrower=thrower.addr,
        thrower_name=thrower.name,
        catcher=catcher.addr,
        catcher_name=catcher.name,
        due=handoff.due,
        notes=handoff.notes,
        message=handoff.message,
        fields_json=json.dumps(handoff.fields, ensure_ascii=False),
        reply_token=secrets.token_hex(6),
        handoff_message_id=(mail.message_id or "")[:400] or None,
        created_at=turn.now,
        mailbox=turn.desk.inbox,
        escalations=0,
        escalated_to="[]",
    )
    set_deadlines(ticket, settings, turn.now)
    turn.session.add(ticket)
    for item in handoff.attachments:
        ticket.attachments.append(
            StoredAttachment(filename=item.filename, content_type=item.content_type, data=item.data)
        )
    detail = (
        f"handoff from {handoff.thrower.addr} for {handoff.catcher.addr}, "
        f"{len(handoff.attachments)} file(s)"
    )
    write(turn, ticket, (Note("received", detail),))
    turn.session.flush()
    write(turn, ticket, request_and_receipt(ticket, mail))
    return ticket


def reject(turn: Turn, rejection: Rejection) -> Ticket:
    assert turn.mail is not None
    mail, settings = turn.mail, turn.desk.settings
    thrower = named(turn.session, rejection.thrower)
    number = next_number(turn.session, "rejected")
    codes = [reason.code for reason in rejection.reasons]
    catcher = named_catcher(rejection, codes)
    ticket = Ticket(
        ref=f"{settings.protocol.ticket_prefix}-R{number}",
        state=REJECTED,
        title=rejection.title,
        subject=mail.subject,
        thrower=thrower.addr,
        thrower_name=thrower.name,
        catcher=catcher.addr if catcher else None,
        catcher_name=catcher.name if catcher else "",
        handoff_message_id=(mail.message_id or "")[:400] or None,
        fields_json=json.dumps(rejection.fields, ensure_ascii=False),
        created_at=turn.now,
        mailbox=turn.desk.inbox,
        escalations=0,
        rejection_reasons=json.dumps(codes),
        # Known empty: its answer's context would otherwise load the files with a query.
        attachments=[],
    )
    turn.session.add(ticket)
    write(turn, ticket, (Note("rejected", ", ".join(codes)),))
    turn.session.flush()
    # Every handoff gets its own answer (silence reads as "it went through"); loops are
    # stopped by the machine-mail rules and the answers-per-sender ceiling in post().
    extra = rejection_context(
        ticket.ref, replace(rejection, thrower=thrower), settings, turn.now.date()
    )
    notices = answer(rejection.thrower, "rejection", mail, extra=extra)
    write(turn, ticket, notices)
    return ticket


def named_catcher(rejection: Rejection, codes: list[str]) -> Address | None:
    """The one catcher a rejected handoff named, when the catcher was not its problem (an
    admin's `status --all` then shows whom it was meant for)."""
    if len(rejection.catchers) != 1 or any("catcher" in code for code in codes):
        return None
    (catcher,) = rejection.catchers
    return catcher if "@" in catcher.addr else None
