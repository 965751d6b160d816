"""Review fixes: what the ledger says about one message is about that message alone."""

from __future__ import annotations

from pathlib import Path

import mails
from desk_bench import Bench

BOB = "Bob Roe <bob@example.com>"


def test_a_held_answer_is_not_reported_again_for_the_next_message_of_the_pass(
    tmp_path: Path,
) -> None:
    # One pass hands every message the same `now`: an answer held for Bob's reply must not
    # be named in the ledger line of Jane's GOT IT that follows on the same ticket.
    bench = Bench(tmp_path, protocol={"max_answers_per_sender": 1})
    assert bench.deliver(mails.handoff(catcher=None, sender=BOB)).outcome == "rejected"
    opened = bench.deliver(mails.handoff())
    assert opened.ref is not None
    request = bench.outbox("request")[-1].message
    bob = bench.deliver(mails.reply(request, "GOT IT", sender=BOB))
    assert bob.reason.endswith("answer held: over 1 answers an hour to bob@example.com")
    jane = bench.deliver(mails.reply(request, "GOT IT"))
    assert jane.reason == f"{opened.ref} accepted by jane@example.com"
    assert [s.state for s in bench.outbox("confirmed")] == ["queued"]
