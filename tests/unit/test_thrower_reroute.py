"""The thrower's replies on a ticket that still waits: a new Catcher: line hands it on (the
way out of a bounced request), and an instruction nothing acts on is answered, never
swallowed. No sockets."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import mails
import pytest
from desk_bench import Bench

KIM = "Kim Lee <kim@example.com>"
KIM_ADDR, JANE_ADDR, ALICE_ADDR = "kim@example.com", "jane@example.com", "alice@example.com"


@pytest.fixture
def bench(tmp_path: Path) -> Bench:
    return Bench(tmp_path)


def bounced(bench: Bench) -> str:
    """MB-n's request to Jane came back; the thrower got `undeliverable`."""
    ref = bench.open_one()
    bench.deliver(mails.dsn_for(bench.outbox("request")[0].message))
    assert [s.to for s in bench.outbox("undeliverable")] == [[ALICE_ADDR]]
    return ref


def thrower_answers(bench: Bench, kind: str, text: str, thread: bool = True) -> str:
    """Alice replies to the last `kind` mail she got (by its subject tag alone if not thread)."""
    mail = bench.outbox(kind)[-1].message
    later = bench.now + timedelta(hours=1)
    return bench.deliver(mails.reply(mail, text, sender=mails.ALICE, thread=thread), later).reason


@pytest.mark.parametrize("thread", [True, False])
def test_a_new_catcher_line_after_a_bounce_hands_the_ticket_on(bench: Bench, thread: bool) -> None:
    ref = bounced(bench)
    reason = thrower_answers(bench, "undeliverable", f"Catcher: {KIM}", thread=thread)
    assert reason == f"{ref} re-routed to {KIM_ADDR}"
    ticket = bench.ticket(ref)
    assert (ticket["state"], ticket["catcher"]) == ("pending", KIM_ADDR)
    # Kim gets the request with the files; Alice sees it went out (a receipt naming Kim).
    request = bench.outbox("request")[-1]
    assert request.to == [KIM_ADDR]
    assert [p.get_filename() for p in request.message.iter_attachments()] == ["contract.pdf"]
    # Jane never refused: nobody is told she did.
    assert "refused" not in request.text and "turned it down" not in request.text
    receipt = bench.outbox("receipt")[-1]
    assert receipt.to == [ALICE_ADDR] and "Kim Lee" in receipt.text
    assert "refused" not in receipt.text
    # Jane's request came back: she never had it, so she is not told it moved.
    assert bench.outbox("cancelled") == []
    assert ("re-routed", f"from {JANE_ADDR} to {KIM_ADDR}") in ticket["events"]
    # Kim may now take it.
    kim_says = mails.reply(request.message, "GOT IT", sender=KIM)
    assert bench.deliver(kim_says, bench.now + timedelta(hours=2)).reason == (
        f"{ref} accepted by {KIM_ADDR}"
    )


def test_a_catcher_who_had_the_request_hears_it_went_elsewhere(bench: Bench) -> None:
    ref = bench.open_one()
    reason = thrower_answers(bench, "receipt", f"Jane is away this week.\n\nCatcher: {KIM}")
    assert reason == f"{ref} re-routed to {KIM_ADDR}"
    told = bench.outbox("cancelled")
    assert [s.to for s in told] == [[JANE_ADDR]]
    # In the thread of her request, greeted as Jane, told who has it now.
    assert told[0].message["In-Reply-To"] == bench.outbox("request")[0].message["Message-ID"]
    first = told[0].text.splitlines()[0]
    assert first.startswith("Jane,") and "Kim Lee" in first and "cancelled" not in first
    html = told[0].message.get_body(("html",))
    assert html is not None and "Kim Lee" in str(html.get_content())
    assert [s.to for s in bench.outbox("request")] == [[JANE_ADDR], [KIM_ADDR]]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("Catcher: sales@example.com", "catcher_role"),
        ("Catcher: Eve <eve@elsewhere.org>", "catcher_domain"),
        ("Catcher: Alice Smith <alice@example.com>", "catcher_self"),
        ("Catcher: Jane <Jane@Example.com>", "catcher_same"),
        ("Catcher: Jane <jane+work@example.com>", "catcher_same"),
        ("Catcher: Kim and Bob", "catcher_invalid"),
    ],
)
def test_a_new_catcher_who_cannot_be_one_is_answered_with_why(
    bench: Bench, line: str, problem: str
) -> None:
    ref = bounced(bench)
    reason = thrower_answers(bench, "undeliverable", line)
    assert reason.startswith(f"{ref}: re-route refused: ") and problem in reason
    assert bench.ticket(ref)["catcher"] == JANE_ADDR
    answer = bench.outbox("not_pending")
    assert [s.to for s in answer] == [[ALICE_ADDR]]
    assert "was not handed on" in answer[0].text
    assert [s.to for s in bench.outbox("request")] == [[JANE_ADDR]]


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Due: 2026-12-04", "Due: 2026-12-04"),
        ("Hi,\nTitle: Acme contract v2", "Title: Acme contract v2"),
        ("REFUSE: Jane is the wrong person", "REFUSE: Jane is the wrong person"),
    ],
)
def test_an_instruction_nothing_acts_on_is_answered(bench: Bench, text: str, asked: str) -> None:
    ref = bench.open_one()
    reason = thrower_answers(bench, "receipt", text)
    assert reason == f"{ref}: the thrower's reply changed nothing; told so"
    ticket = bench.ticket(ref)
    assert (ticket["state"], ticket["catcher"]) == ("pending", JANE_ADDR)
    told = bench.outbox("unclear")
    assert [s.to for s in told] == [[ALICE_ADDR]]
    assert told[0].text.startswith(
        f'Alice, your reply on {ref} changed nothing: mailbaton cannot act on "{asked}"'
    )
    assert "Catcher:" in told[0].text and "CANCEL" in told[0].text
    assert ("reply ignored", f"from the thrower {ALICE_ADDR}, not acted on: {asked}") in ticket[
        "events"
    ]


@pytest.mark.parametrize("text", ["Thanks a lot!", "Got it, thanks", "Great, see you Friday."])
def test_a_thank_you_stays_a_note_without_mail(bench: Bench, text: str) -> None:
    ref = bench.open_one()
    before = len(bench.outbox())
    assert thrower_answers(bench, "receipt", text) == f"{ref}: note from the thrower recorded"
    assert len(bench.outbox()) == before
