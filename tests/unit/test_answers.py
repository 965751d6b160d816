"""Replies on a ticket, no sockets: who may move it, and who hears about it."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import mails
import pytest
from desk_bench import Bench

from mailbaton.mail.parse import parse_message
from mailbaton.outbound.notices import Notice
from mailbaton.store.models import Ticket
from mailbaton.tickets import answers
from mailbaton.tickets.states import Move
from mailbaton.tickets.turn import Turn

BOB = "Bob Roe <bob@example.com>"
JANE_ADDR, ALICE_ADDR = "jane@example.com", "alice@example.com"


@pytest.fixture
def bench(tmp_path: Path) -> Bench:
    return Bench(tmp_path)


def catcher_says(
    bench: Bench, text: str, sender: str = mails.JANE, request_kind: str = "request"
) -> str:
    request = bench.outbox(request_kind)[-1].message
    return bench.deliver(mails.reply(request, text, sender=sender)).reason


def thrower_says(bench: Bench, text: str) -> str:
    receipt = bench.outbox("receipt")[-1].message
    return bench.deliver(mails.reply(receipt, text, sender=mails.ALICE)).reason


def test_opening_sends_the_request_to_the_catcher_and_the_receipt_to_the_thrower(
    bench: Bench,
) -> None:
    ref = bench.open_one()
    assert [(s.kind, s.to) for s in bench.outbox()] == [
        ("request", [JANE_ADDR]),
        ("receipt", [ALICE_ADDR]),
    ]
    request, receipt = bench.outbox()
    assert request.message.get("Auto-Submitted") == "auto-generated"
    assert [p.get_filename() for p in request.message.iter_attachments()] == ["contract.pdf"]
    assert receipt.message.get("Auto-Submitted") == "auto-replied"
    assert receipt.message["In-Reply-To"]
    assert bench.kinds(ref) == ["received", "mail queued", "mail queued"]
    assert bench.ticket(ref)["state"] == "pending"


def test_got_it_from_the_catcher_accepts_and_tells_the_thrower(bench: Bench) -> None:
    ref = bench.open_one()
    assert catcher_says(bench, "GOT IT") == f"{ref} accepted by {JANE_ADDR}"
    ticket = bench.ticket(ref)
    assert ticket["state"] == "accepted" and ticket["accepted_at"] == bench.now
    accepted = bench.outbox("accepted")
    assert [s.to for s in accepted] == [[ALICE_ADDR]]
    assert ("accepted", f"by {JANE_ADDR}: GOT IT") in ticket["events"]
    # The ACK of the ACK: Jane sees at once that her words were read as taking it,
    # in the thread of her own reply.
    confirmed = bench.outbox("confirmed")
    assert [s.to for s in confirmed] == [[JANE_ADDR]]
    assert confirmed[0].message["In-Reply-To"]
    assert confirmed[0].message["Subject"].startswith(f"[{ref}]")
    # Nobody was warned, so nobody hears an all clear.
    assert bench.outbox("all_clear") == []


def test_refuse_records_the_reason_and_tells_the_thrower(bench: Bench) -> None:
    ref = bench.open_one()
    assert catcher_says(bench, "REFUSE: no capacity this week") == f"{ref} refused by {JANE_ADDR}"
    ticket = bench.ticket(ref)
    assert (ticket["state"], ticket["refusal_reason"]) == ("refused", "no capacity this week")
    refused = bench.outbox("refused")
    assert [s.to for s in refused] == [[ALICE_ADDR]]
    assert "no capacity this week" in refused[0].text
    confirmed = bench.outbox("confirmed")
    assert [s.to for s in confirmed] == [[JANE_ADDR]]
    assert "Alice" in confirmed[0].text


@pytest.mark.parametrize("text", ["Should I refuse?", "If I refuse, who gets it?"])
def test_a_question_about_refusing_keeps_the_ticket_and_asks_again(bench: Bench, text: str) -> None:
    ref = bench.open_one()
    assert catcher_says(bench, text) == f"{ref}: unclear reply; asked again"
    assert bench.ticket(ref)["state"] == "pending" and bench.outbox("refused") == []


def test_someone_elses_refusal_beside_an_acceptance_accepts(bench: Bench) -> None:
    ref = bench.open_one()
    text = "Thanks, I'll take it. Note: Legal rejected clause 4."
    assert catcher_says(bench, text) == f"{ref} accepted by {JANE_ADDR}"


def test_the_refusal_reason_stops_at_the_closing(bench: Bench) -> None:
    ref = bench.open_one()
    catcher_says(bench, "REFUSE\nWrong team, ask Kim.\nBest regards,\nJane")
    assert bench.ticket(ref)["refusal_reason"] == "Wrong team, ask Kim."


def test_the_thrower_cancels_and_the_catcher_hears_in_the_request_thread(bench: Bench) -> None:
    ref = bench.open_one()
    assert thrower_says(bench, "CANCEL") == f"{ref} cancelled by {ALICE_ADDR}"
    assert bench.ticket(ref)["state"] == "cancelled"
    cancelled = bench.outbox("cancelled")
    assert [s.to for s in cancelled] == [[JANE_ADDR]]
    request_id = bench.outbox("request")[0].message["Message-ID"]
    assert cancelled[0].message["In-Reply-To"] == request_id


def test_a_refused_ticket_is_rerouted_to_a_new_catcher(bench: Bench) -> None:
    ref = bench.open_one()
    catcher_says(bench, "REFUSE: ask Bob")
    later = bench.now + timedelta(hours=1)
    receipt = bench.outbox("receipt")[-1].message
    reason = bench.deliver(mails.reply(receipt, f"Catcher: {BOB}", sender=mails.ALICE), later)
    assert reason.reason == f"{ref} re-routed to bob@example.com"
    ticket = bench.ticket(ref)
    assert (ticket["state"], ticket["catcher"], ticket["refusal_reason"]) == (
        "pending",
        "bob@example.com",
        None,
    )
    requests = bench.outbox("request")
    assert [s.to for s in requests] == [[JANE_ADDR], ["bob@example.com"]]
    # Bob hears who gave it back and why, by name.
    assert "Jane Doe" in requests[1].text and "ask Bob" in requests[1].text
    assert [s.to for s in bench.outbox("receipt")] == [[ALICE_ADDR], [ALICE_ADDR]]
    assert ("re-routed", f"from {JANE_ADDR} to bob@example.com") in ticket["events"]
    # Bob may now accept it.
    assert catcher_says(bench, "got it", sender=BOB) == f"{ref} accepted by bob@example.com"


def test_a_reroute_to_an_outside_address_is_refused(bench: Bench) -> None:
    ref = bench.open_one()
    catcher_says(bench, "REFUSE: not mine")
    reason = thrower_says(bench, "Catcher: Eve <eve@elsewhere.org>")
    assert reason.startswith(f"{ref}: re-route refused: ")
    assert bench.ticket(ref)["state"] == "refused"
    answer = bench.outbox("not_pending")
    assert [s.to for s in answer] == [[ALICE_ADDR]]
    assert "eve@elsewhere.org" in answer[0].text


def test_a_reply_on_a_closed_ticket_changes_nothing_and_says_so(bench: Bench) -> None:
    ref = bench.open_one()
    catcher_says(bench, "GOT IT")
    assert catcher_says(bench, "REFUSE: changed my mind", request_kind="confirmed") == (
        f"{ref} is accepted; reply changed nothing"
    )
    assert bench.ticket(ref)["state"] == "accepted"
    assert [s.to for s in bench.outbox("not_pending")] == [[JANE_ADDR]]


def test_the_thrower_chatting_is_a_note_without_mail(bench: Bench) -> None:
    ref = bench.open_one()
    before = len(bench.outbox())
    assert thrower_says(bench, "Thanks a lot!") == f"{ref}: note from the thrower recorded"
    assert len(bench.outbox()) == before
    assert ("note", f"from {ALICE_ADDR}: Thanks a lot!") in bench.ticket(ref)["events"]


def test_not_the_catcher_is_told_once_a_day_for_the_same_words(bench: Bench) -> None:
    ref = bench.open_one()
    for _ in range(2):
        reason = catcher_says(bench, "GOT IT", sender=BOB)
        assert reason == f"{ref}: bob@example.com is not the catcher; told so"
    assert bench.ticket(ref)["state"] == "pending"
    assert [s.to for s in bench.outbox("not_catcher")] == [["bob@example.com"]]
    assert ("mail not sent", "not_catcher: already sent today") in bench.ticket(ref)["events"]
    # Other words from Bob, the same day, are answered: he is a person, not a loop.
    catcher_says(bench, "Sorry, I meant: I can help Jane with it", sender=BOB)
    assert len(bench.outbox("not_catcher")) == 2
    # A day later the same confusion is answered again.
    request = bench.outbox("request")[-1].message
    bench.deliver(
        mails.reply(request, "GOT IT", sender=BOB), bench.now + timedelta(days=1, minutes=1)
    )
    assert len(bench.outbox("not_catcher")) == 3


def test_an_unclear_answer_is_asked_again_unless_it_repeats_itself(bench: Bench) -> None:
    ref = bench.open_one()
    assert catcher_says(bench, "Let me check with finance") == f"{ref}: unclear reply; asked again"
    # Something new from a person is answered the same day...
    catcher_says(bench, "Still checking")
    assert [s.to for s in bench.outbox("unclear")] == [[JANE_ADDR], [JANE_ADDR]]
    # ...the same words again (an auto-responder that does not say so) are not.
    catcher_says(bench, "  still   CHECKING ")
    assert len(bench.outbox("unclear")) == 2
    assert ("mail not sent", "unclear: already sent today") in bench.ticket(ref)["events"]
    assert bench.ticket(ref)["state"] == "pending"


def test_an_escalated_ticket_accepted_sends_the_all_clear(bench: Bench) -> None:
    ref = bench.open_one()
    assert bench.sweep(timedelta(hours=4)).escalated == 1
    later = bench.now + timedelta(hours=5)
    request = bench.outbox("request")[-1].message
    bench.deliver(mails.reply(request, "GOT IT"), later)
    all_clear = bench.outbox("all_clear")
    assert [sorted(s.to) for s in all_clear] == [["boss@example.com", "sales-head@example.com"]]
    assert ("all clear", "to sales-head@example.com, boss@example.com") in bench.ticket(ref)[
        "events"
    ]


def test_every_rejected_handoff_gets_its_own_answer(bench: Bench) -> None:
    first = bench.deliver(mails.handoff(catcher=None))
    second = bench.deliver(mails.handoff(catcher=None, title="Globex renewal"))
    assert (first.outcome, second.outcome) == ("rejected", "rejected")
    assert second.ref is not None and second.ref.endswith("-R2")
    rejections = bench.outbox("rejection")
    assert [s.to for s in rejections] == [[ALICE_ADDR], [ALICE_ADDR]]
    assert "Globex renewal" in rejections[1].text


# An admin's request that opens with the verdict words: a bare paste of it starts "GOT IT".
REWORDED_REQUEST = (
    "Subject: [{{ ticket.ref }}] Baton for you: {{ ticket.title }}\n"
    "GOT IT -> the baton is yours, {{ ticket.catcher_first }}.\n"
    "REFUSE: why not -> it goes back to {{ ticket.thrower_first }}.\n\n"
    "Answer by {{ ticket.deadline | when }}.\n"
)


def pasted(request: EmailMessage, above: str) -> bytes:
    """Jane's client pastes the request under her words, with no quote marks at all."""
    body = request.get_body(("plain",))
    assert body is not None
    message = EmailMessage()
    message["From"] = mails.JANE
    message["To"] = str(request["Reply-To"])
    message["Subject"] = "RE: " + str(request["Subject"])
    message["Message-ID"] = make_msgid(domain="client.example.com")
    message["In-Reply-To"] = str(request["Message-ID"])
    message.set_content(f"{above}\n\n{body.get_content()}")
    return message.as_bytes()


@pytest.mark.parametrize(("above", "state"), [("", "pending"), ("Got it, thanks", "accepted")])
def test_the_request_pasted_back_is_not_read_as_the_catcher_s_answer(
    tmp_path: Path, above: str, state: str
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "request.txt").write_text(REWORDED_REQUEST)
    bench = Bench(tmp_path, templates)
    ref = bench.open_one()
    request = bench.outbox("request")[0].message
    assert request.get_body(("plain",)).get_content().startswith("GOT IT")  # type: ignore[union-attr]
    bench.deliver(pasted(request, above))
    assert bench.ticket(ref)["state"] == state


def test_a_handler_only_decides_settle_writes(bench: Bench) -> None:
    ref = bench.open_one()
    bench.sweep(timedelta(hours=4))  # the managers were warned: accepting owes an all clear
    request = bench.outbox("request")[0].message
    mail = parse_message(mails.reply(request, "GOT IT"))
    with bench.db.transaction() as session:
        ticket = session.query(Ticket).filter_by(ref=ref).one()
        turn = Turn(session, bench.desk, bench.now, mail)
        change = answers.handle_reply(turn, ticket)
        assert (ticket.state, change.move) == ("pending", Move.ACCEPT)
        notices = [s for s in change.steps if isinstance(s, Notice)]
        assert [(n.kind, [a.addr_spec for a in n.to]) for n in notices] == [
            ("accepted", ["alice@example.com"]),
            ("confirmed", ["jane@example.com"]),
            ("all_clear", ["sales-head@example.com", "boss@example.com"]),
        ]
        session.rollback()
    assert bench.ticket(ref)["state"] == "pending"
    assert bench.outbox("accepted") == []


def test_answers_to_one_sender_stop_at_the_ceiling_and_are_held(tmp_path: Path) -> None:
    bench = Bench(tmp_path, protocol={"max_answers_per_sender": 3})
    results = [bench.deliver(mails.handoff(catcher=None, title=f"Loop {n}")) for n in range(5)]
    assert [r.outcome for r in results] == ["rejected"] * 5
    # The ledger and the terminal say it, not only the timeline.
    assert results[2].reason == "no_catcher"
    assert results[4].reason == (
        "no_catcher; answer held: over 3 answers an hour to alice@example.com"
    )
    sent = [s for s in bench.outbox("rejection") if s.state == "queued"]
    held = [s for s in bench.outbox("rejection") if s.state == "held"]
    assert (len(sent), len(held)) == (3, 2)
    events = bench.ticket("MB-R5")["events"]
    assert (
        "answer held",
        "rejection to alice@example.com: over 3 answers an hour to alice@example.com",
    ) in events
    # Another person is still answered; and Alice again an hour later.
    bench.deliver(mails.handoff(catcher=None, sender="Bob Roe <bob@example.com>"))
    bench.deliver(mails.handoff(catcher=None), bench.now + timedelta(hours=1, seconds=1))
    assert [s.to for s in bench.outbox("rejection") if s.state == "queued"][-2:] == [
        ["bob@example.com"],
        [ALICE_ADDR],
    ]


def test_the_thrower_s_words_and_a_cancel_reason_are_kept(bench: Bench) -> None:
    body = "Catcher: Jane Doe <jane@example.com>\nAttached: yes\n\nPlease call them first.\n"
    ref = bench.deliver(mails.handoff(body=body)).ref
    assert ref is not None
    assert bench.ticket(ref)["message"] == "Please call them first."
    receipt = bench.outbox("receipt")[-1].message
    bench.deliver(mails.reply(receipt, "CANCEL: the customer signed already", sender=mails.ALICE))
    assert bench.ticket(ref)["cancel_reason"] == "the customer signed already"
    assert "the customer signed already" in bench.outbox("cancelled")[0].text


def test_a_catcher_named_by_address_only_gets_the_name_seen_on_their_mail(bench: Bench) -> None:
    bench.deliver(mails.handoff(catcher=None, sender="Robert Stone <bob@example.com>"))
    ref = bench.deliver(mails.handoff(catcher="bob@example.com")).ref
    assert ref is not None
    assert bench.ticket(ref)["catcher_name"] == "Robert Stone"
    assert bench.outbox("request")[-1].message["To"] == "Robert Stone <bob@example.com>"


def manager_says(bench: Bench, text: str, sender: str = "Sam Head <sales-head@example.com>") -> str:
    warning = bench.outbox("escalation")[-1].message
    return bench.deliver(
        mails.reply(warning, text, sender=sender), bench.now + timedelta(hours=5)
    ).reason


def test_a_manager_s_words_are_passed_on_not_told_off(bench: Bench) -> None:
    ref = bench.open_one()
    bench.sweep(timedelta(hours=4))
    reason = manager_says(bench, "Got it, I'll chase Jane today.")
    assert reason == f"{ref}: note from manager sales-head@example.com passed on"
    assert bench.ticket(ref)["state"] == "pending"
    assert bench.outbox("not_catcher") == []
    notes = bench.outbox("manager_note")
    assert sorted(s.to[0] for s in notes) == [ALICE_ADDR, JANE_ADDR]
    assert all("I'll chase Jane today." in s.text for s in notes)
    assert (
        "manager note",
        "from sales-head@example.com: Got it, I'll chase Jane today.",
    ) in bench.ticket(ref)["events"]


def test_a_department_manager_is_heard_before_any_escalation(bench: Bench) -> None:
    ref = bench.open_one()
    request = bench.outbox("request")[0].message
    bench.deliver(
        mails.reply(
            request, "Jane, please look at this one first.", sender="sales-head@example.com"
        )
    )
    assert [s.to for s in bench.outbox("manager_note")] == [[ALICE_ADDR], [JANE_ADDR]]
    assert bench.ticket(ref)["state"] == "pending"


def test_a_manager_hands_a_waiting_ticket_to_another_catcher(bench: Bench) -> None:
    ref = bench.open_one()
    bench.sweep(timedelta(hours=4))
    manager_says(bench, "Jane is away.\n\nCatcher: Bob Roe <bob@example.com>")
    ticket = bench.ticket(ref)
    assert (ticket["state"], ticket["catcher"]) == ("pending", "bob@example.com")
    request = bench.outbox("request")[-1]
    assert request.to == ["bob@example.com"]
    assert [p.get_filename() for p in request.message.iter_attachments()] == ["contract.pdf"]
    # Jane is told by the manager's note, greeted as Jane, not as Bob.
    to_jane = next(s for s in bench.outbox("manager_note") if s.to == [JANE_ADDR])
    assert "Bob" not in to_jane.text.splitlines()[0]
    # Both hear the ticket moved from Jane to Bob, not that nothing changed.
    for note in bench.outbox("manager_note"):
        html = note.message.get_body(("html",))
        assert html is not None
        for text in (note.text, str(html.get_content())):
            assert "Sam Head handed " + ref + " from Jane Doe to Bob Roe" in text
            assert "Nothing else changed" not in text
    # The manager's words are on the timeline, not only the Catcher: line.
    said = "from sales-head@example.com: Jane is away. Catcher: Bob Roe <bob@example.com>"
    assert ("manager note", said) in bench.ticket(ref)["events"]
    assert catcher_says(bench, "got it", sender=BOB) == f"{ref} accepted by bob@example.com"


def test_a_catcher_whose_request_bounced_gets_no_manager_note(bench: Bench) -> None:
    # Their address did not take the request; the thrower still hears the manager.
    ref = bench.open_one()
    bench.deliver(mails.dsn_for(bench.outbox("request")[0].message))
    bench.sweep(timedelta(hours=4))
    manager_says(bench, "Jane left the company.\n\nCatcher: Bob Roe <bob@example.com>")
    assert bench.ticket(ref)["catcher"] == "bob@example.com"
    assert [s.to for s in bench.outbox("manager_note")] == [[ALICE_ADDR]]


def test_a_manager_s_words_after_the_catcher_line_are_on_the_timeline(bench: Bench) -> None:
    ref = bench.open_one()
    bench.sweep(timedelta(hours=4))
    manager_says(bench, "Catcher: Bob Roe <bob@example.com>\nBob, please handle this one.")
    notes = [d for k, d in bench.ticket(ref)["events"] if k == "manager note"]
    assert notes == [
        "from sales-head@example.com: Catcher: Bob Roe <bob@example.com> "
        "Bob, please handle this one."
    ]
    to_alice = next(s for s in bench.outbox("manager_note") if s.to == [ALICE_ADDR])
    assert "Bob, please handle this one." in to_alice.text
    assert "now waits for Bob Roe to reply GOT IT, and it stays in Alice's name" in to_alice.text


def test_a_manager_cannot_hand_to_a_team_address(bench: Bench) -> None:
    ref = bench.open_one()
    bench.sweep(timedelta(hours=4))
    reason = manager_says(bench, "Catcher: sales@example.com")
    assert reason.startswith(f"{ref}: re-route refused: ")
    assert bench.ticket(ref)["catcher"] == JANE_ADDR
    assert [s.to for s in bench.outbox("not_pending")] == [["sales-head@example.com"]]


def test_a_manager_s_hand_on_tells_the_new_catcher_who_moved_it_from_whom(bench: Bench) -> None:
    ref = bench.open_one()
    bench.sweep(timedelta(hours=4))
    warning = bench.outbox("escalation")[-1].message
    mail = parse_message(
        mails.reply(
            warning,
            "Catcher: Bob Roe <bob@example.com>",
            sender="Sam Head <sales-head@example.com>",
        )
    )
    with bench.db.transaction() as session:
        ticket = session.query(Ticket).filter_by(ref=ref).one()
        change = answers.handle_reply(Turn(session, bench.desk, bench.now, mail), ticket)
        request = next(s for s in change.steps if isinstance(s, Notice) and s.kind == "request")
        session.rollback()
    assert change.move is Move.REASSIGN
    # Jane never refused, so `previous` (which says so) is not set; `handed_by` says what happened.
    assert request.extra["previous"] is None
    assert request.extra["handed_by"] == {"manager_name": "Sam Head", "catcher_name": "Jane Doe"}


def test_a_manager_s_thanks_on_a_settled_ticket_is_recorded_without_mail(bench: Bench) -> None:
    ref = bench.open_one()
    bench.sweep(timedelta(hours=4))
    catcher_says(bench, "GOT IT")
    all_clear = bench.outbox("all_clear")[-1].message
    reason = bench.deliver(
        mails.reply(all_clear, "Thanks!", sender="sales-head@example.com"),
        bench.now + timedelta(hours=5),
    ).reason
    assert reason == f"{ref}: note from manager sales-head@example.com recorded"
    assert bench.outbox("manager_note") == [] and bench.outbox("not_catcher") == []
    assert ("manager note", "from sales-head@example.com: Thanks!") in bench.ticket(ref)["events"]


@pytest.mark.parametrize("words", ["Will do", "I'll take it", "Ich übernehme das."])
def test_everyday_acceptances_count_unless_verdicts_are_strict(tmp_path: Path, words: str) -> None:
    (tmp_path / "broad").mkdir()
    (tmp_path / "strict").mkdir()
    broad = Bench(tmp_path / "broad")
    ref = broad.open_one()
    assert catcher_says(broad, words) == f"{ref} accepted by {JANE_ADDR}"

    strict = Bench(tmp_path / "strict", protocol={"strict_verdicts": True})
    ref = strict.open_one()
    assert catcher_says(strict, words) == f"{ref}: unclear reply; asked again"
    assert strict.ticket(ref)["state"] == "pending"
    assert catcher_says(strict, "GOT IT") == f"{ref} accepted by {JANE_ADDR}"
