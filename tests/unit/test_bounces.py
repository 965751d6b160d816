"""Bounces of our own mail, no sockets: the thrower is told once, nobody else is answered."""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import mails
from desk_bench import Bench


def test_a_bounced_request_tells_the_thrower_once(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    ref = bench.deliver(mails.handoff()).ref
    request = bench.outbox("request")[0].message
    first = bench.deliver(mails.dsn_for(request))
    second = bench.deliver(mails.dsn_for(request))
    assert (first.outcome, first.reason) == ("ignored", f"bounce of {ref}'s request; thrower told")
    assert (second.outcome, second.reason) == ("ignored", f"bounce of {ref}'s request")
    told = bench.outbox("undeliverable")
    assert [s.to for s in told] == [["alice@example.com"]]
    assert "jane@example.com" in told[0].text
    assert told[0].message["In-Reply-To"] is not None
    assert bench.kinds(str(ref)).count("undeliverable") == 2


def test_a_bounced_receipt_is_not_answered(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    ref = bench.deliver(mails.handoff()).ref
    receipt = bench.outbox("receipt")[0].message
    result = bench.deliver(mails.dsn_for(receipt, recipient="alice@example.com"))
    assert result.reason == f"bounce of {ref}'s receipt"
    assert bench.outbox("undeliverable") == []


def test_a_bounce_of_mail_we_never_sent_changes_nothing(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    stranger = message_from_bytes(mails.handoff(sender="Carol <carol@example.com>"), policy=default)
    assert isinstance(stranger, EmailMessage)
    result = bench.deliver(mails.dsn_for(stranger))
    assert result.reason == "delivery failure report for a message we did not send"
    assert bench.outbox() == []
