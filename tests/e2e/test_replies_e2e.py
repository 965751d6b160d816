"""End to end: catchers answer from real-client-shaped replies; tickets change hands."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import mails
import pytest
from baton import Baton, body_text, make_baton, parse
from servers import MailServer

pytestmark = pytest.mark.e2e

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    b = make_baton(mail_server, tmp_path)
    yield b
    b.close()


def open_tickets(baton: Baton, titles: list[str]) -> dict[str, EmailMessage]:
    """Alice throws one handoff per title to Jane; returns Jane's request per title."""
    for title in titles:
        baton.server.deliver(mails.handoff(title=title))
    baton.run_pass(T0)
    requests = [parse(raw) for raw in baton.server.wait_for("jane@example.com", len(titles))]
    return {t: next(r for r in requests if str(r["Subject"]).endswith(f"] {t}")) for t in titles}


def _thread_root(message: EmailMessage) -> bytes:
    import base64

    return base64.b64decode(str(message["Thread-Index"]))[:22]


def states(baton: Baton) -> dict[str, str]:
    return {t["title"]: t["state"] for t in baton.tickets(include_closed=True)}


ACCEPTS = [
    ("Got it", "plain", "en"),
    ("OK, got it.", "bottom", "en"),
    ("Got it, thanks", "iphone", "en"),
    ("Accepted", "gmail_html", "en"),
    ("GOT IT!", "outlook_html", "en"),
    ("got it", "outlook_plain", "de"),
    ("Got it", "plain", "de"),
    ("Got it.", "plain", "fr"),
    ("Got it", "outlook_plain", "fr"),
    ("Got it", "plain", "es"),
    ("accept", "outlook_plain", "es"),
    ("Got it", "plain", "nl"),
    ("Got it", "outlook_plain", "nl"),
    ("Got it, thanks!", "gmail_html", "de"),
    ("Got it", "outlook_html", "nl"),
]


def test_got_it_from_every_client_shape_and_language_accepts(baton: Baton) -> None:
    titles = [f"Accept case {i}" for i in range(len(ACCEPTS))]
    requests = open_tickets(baton, titles)
    for title, (text, style, lang) in zip(titles, ACCEPTS, strict=True):
        baton.server.deliver(mails.reply(requests[title], text, style=style, lang=lang))
    report = baton.run_pass(T0 + timedelta(hours=1, minutes=12))

    assert all(o.outcome == "processed" for o in report.outcomes)
    wrong = {t: s for t, s in states(baton).items() if s != "accepted"}
    assert not wrong, f"not accepted: {[ACCEPTS[titles.index(t)] for t in wrong]}"
    accepted = baton.saying("alice@example.com", "accepted MB-")
    assert len(accepted) == len(ACCEPTS)
    assert "Jane Doe accepted MB-1 after 1 h 12 min" in body_text(
        next(m for m in accepted if str(m["Subject"]).startswith("[MB-1]"))
    )
    first = next(m for m in accepted if str(m["Subject"]).startswith("[MB-1]"))
    request_one = next(r for r in requests.values() if str(r["Subject"]).startswith("[MB-1]"))
    # Outlook threads by Thread-Index: Alice's and Jane's mails share MB-1's root.
    assert _thread_root(first) == _thread_root(request_one)
    assert first["Thread-Topic"] == request_one["Thread-Topic"] == "Accept case 0"
    one = baton.ticket("MB-1")
    assert one["state"] == "accepted" and one["owner"] == "jane@example.com"
    assert one["accepted_at"] == "2026-11-23T10:12:00Z"
    assert any(e["kind"] == "accepted" and "jane@example.com" in e["detail"] for e in one["events"])
    assert "jane@example.com" in baton.cli_inline("status", "--all").stdout.split("accepted")[1]


REFUSALS = [
    ("REFUSE: no capacity this week, ask Bob", "plain", "en", "no capacity this week, ask Bob"),
    ("Refused - wrong team, this is Finance", "outlook_html", "en", "wrong team, this is Finance"),
    ("REJECT\nWe do not handle renewals.", "gmail_html", "de", "We do not handle renewals."),
    ("Sorry Alice, REFUSE: on leave until May", "outlook_plain", "fr", "on leave until May"),
]


def test_refuse_sends_it_back_to_the_thrower_with_the_reason(baton: Baton) -> None:
    titles = [f"Refuse case {i}" for i in range(len(REFUSALS))]
    requests = open_tickets(baton, titles)
    for title, (text, style, lang, _) in zip(titles, REFUSALS, strict=True):
        baton.server.deliver(mails.reply(requests[title], text, style=style, lang=lang))
    baton.run_pass(T0 + timedelta(minutes=30))

    tickets = {t["title"]: t for t in baton.tickets(include_closed=True)}
    for title, (_, _, _, reason) in zip(titles, REFUSALS, strict=True):
        assert tickets[title]["state"] == "refused", title
        assert tickets[title]["owner"] == "alice@example.com"
        assert tickets[title]["refusal_reason"] == reason
        assert tickets[title]["refused_at"] == "2026-11-23T09:30:00Z"
    refused = [body_text(m) for m in baton.saying("alice@example.com", "refused MB-")]
    assert len(refused) == len(REFUSALS)
    assert any("no capacity this week, ask Bob" in text for text in refused)


UNCLEAR = [
    ("Can you send the PDF again?", "plain", "en"),
    ("Thanks!", "gmail_html", "en"),
    ("", "plain", "en"),
    ("Not sure I got it, what is this about?", "outlook_html", "en"),
    ("I haven't got it yet", "plain", "de"),
    ("", "outlook_plain", "en"),  # the request, instructions and all, pasted below
]


def test_anything_else_changes_nothing_and_asks_again(baton: Baton) -> None:
    titles = [f"Unclear case {i}" for i in range(len(UNCLEAR))]
    requests = open_tickets(baton, titles)
    for title, (text, style, lang) in zip(titles, UNCLEAR, strict=True):
        baton.server.deliver(mails.reply(requests[title], text, style=style, lang=lang))
    baton.run_pass(T0 + timedelta(minutes=5))

    assert set(states(baton).values()) == {"pending"}
    unclear = baton.saying("jane@example.com", "did not say whether you take it")
    assert len(unclear) == len(UNCLEAR)
    assert all(m["Auto-Submitted"] == "auto-replied" for m in unclear)


def test_only_the_catcher_can_answer(baton: Baton) -> None:
    requests = open_tickets(baton, ["Bob tries"])
    request = requests["Bob tries"]
    baton.server.deliver(mails.reply(request, "Got it", sender="Bob <bob@example.com>"))
    baton.server.deliver(
        mails.reply(request, "Got it", sender="Jane Doe <jane@example.com.evil.net>")
    )
    report = baton.run_pass(T0 + timedelta(minutes=5))

    assert [o.outcome for o in report.outcomes] == ["processed", "ignored"]
    assert states(baton) == {"Bob tries": "pending"}
    (notice,) = [parse(r) for r in baton.server.messages("bob@example.com")]
    assert "the named catcher, can accept or refuse" in body_text(notice)
    assert baton.server.messages("jane@example.com.evil.net") == []


def test_a_late_reply_on_a_closed_ticket_gets_a_notice(baton: Baton) -> None:
    request = open_tickets(baton, ["Late"])["Late"]
    baton.server.deliver(mails.reply(request, "Got it"))
    baton.run_pass(T0 + timedelta(minutes=5))
    baton.server.deliver(mails.reply(request, "REFUSE: changed my mind"))
    baton.run_pass(T0 + timedelta(minutes=10))

    ticket = baton.ticket("MB-1")
    assert ticket["state"] == "accepted" and ticket["refusal_reason"] is None
    notices = baton.saying("jane@example.com", "so your reply changed nothing")
    assert len(notices) == 1


def test_thrower_can_cancel_from_the_receipt(baton: Baton) -> None:
    open_tickets(baton, ["To cancel"])
    (receipt,) = [parse(r) for r in baton.server.messages("alice@example.com")]
    baton.server.deliver(mails.reply(receipt, "CANCEL", sender=mails.ALICE))
    baton.run_pass(T0 + timedelta(minutes=5))

    ticket = baton.ticket("MB-1")
    assert ticket["state"] == "cancelled" and ticket["owner"] == "alice@example.com"
    cancelled = baton.saying("jane@example.com", "cancelled MB-1")
    assert len(cancelled) == 1


def test_after_a_refusal_the_thrower_reroutes_the_same_ticket(baton: Baton) -> None:
    request = open_tickets(baton, ["Reroute"])["Reroute"]
    baton.server.deliver(mails.reply(request, "REFUSE: ask Bob"))
    baton.run_pass(T0 + timedelta(minutes=5))
    (refused,) = baton.saying("alice@example.com", "refused MB-1")
    baton.server.deliver(
        mails.reply(refused, "Catcher: Bob Builder <bob@example.com>", sender=mails.ALICE)
    )
    baton.run_pass(T0 + timedelta(minutes=10))

    ticket = baton.ticket("MB-1")
    assert ticket["state"] == "pending" and ticket["catcher"] == "bob@example.com"
    assert ticket["deadline"] == "2026-11-23T13:10:00Z"
    (bob_request,) = [parse(r) for r in baton.server.messages("bob@example.com")]
    assert str(bob_request["Subject"]).startswith("[MB-1] Reroute")
    assert [p.get_filename() for p in bob_request.iter_attachments()] == ["contract.pdf"]


def test_matching_by_subject_tag_when_threading_headers_are_gone(baton: Baton) -> None:
    request = open_tickets(baton, ["Tag only"])["Tag only"]
    baton.server.deliver(mails.reply(request, "Got it", thread=False))
    baton.run_pass(T0 + timedelta(minutes=5))
    assert states(baton) == {"Tag only": "accepted"}


def test_matching_by_reply_token_with_plus_addressing(
    mail_server: MailServer, tmp_path: Path
) -> None:
    baton = make_baton(mail_server, tmp_path, plus=True)
    try:
        request = open_tickets(baton, ["Token"])["Token"]
        assert "baton+" in str(request["Reply-To"])
        raw = mails.reply(request, "Got it", thread=False)
        raw = raw.replace(b"Subject: Re: [MB-1] ", b"Subject: Re: ")  # tag gone as well
        baton.server.deliver(raw)
        baton.run_pass(T0 + timedelta(minutes=5))
        assert states(baton) == {"Token": "accepted"}
    finally:
        baton.close()
