"""The Prometheus metrics, read from a real (SQLite) database at scrape time and parsed
back from the text format Prometheus reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import mails
import pytest
from desk_bench import START, Bench
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from mailbaton.app import intake
from mailbaton.store.ledger import Source
from mailbaton.transport.base import SignInFailed
from mailbaton.transport.metrics_http import MetricsUnavailable, address
from mailbaton.watch import health
from mailbaton.watch.metrics import registry

MINUTE = timedelta(minutes=1)


def scrape(bench: Bench, at: datetime) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample by name and labels, as Prometheus would read the page."""
    text = generate_latest(registry(bench.db, lambda: at)).decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def deliver(bench: Bench, raw: bytes, uid: int, at: datetime) -> intake.Outcome:
    return intake.process(bench.db, bench.desk, raw, Source("test", "INBOX", 1, uid), at)


def got_it(bench: Bench, ref: str, uid: int, at: datetime) -> None:
    request = next(s for s in bench.outbox("request") if s.message["Subject"].startswith(ref))
    deliver(bench, mails.reply(request.message, "GOT IT"), uid, at)


@pytest.fixture
def bench(tmp_path: Path) -> Bench:
    return Bench(tmp_path)


def test_an_empty_database_gives_every_metric_at_zero(bench: Bench) -> None:
    found = scrape(bench, START)
    assert found[("mailbaton_messages_total", (("outcome", "processed"),))] == 0
    assert found[("mailbaton_tickets", (("state", "pending"),))] == 0
    assert found[("mailbaton_mails_sent_total", ())] == 0
    assert found[("mailbaton_time_to_acknowledge_seconds_count", ())] == 0
    assert found[("mailbaton_failing", (("component", "mailbox"),))] == 0
    # Never polled: no age at all (a number would claim a poll that never happened).
    assert not any(name == "mailbaton_last_poll_age_seconds" for name, _ in found)


def test_messages_mails_tickets_and_time_to_acknowledge(bench: Bench) -> None:
    deliver(bench, mails.handoff(title="First"), 1, START)
    deliver(bench, mails.handoff(title="Second"), 2, START)
    deliver(bench, mails.handoff(catcher=None), 3, START)
    got_it(bench, "[MB-1]", 4, START + 10 * MINUTE)
    got_it(bench, "[MB-2]", 5, START + 5 * 60 * MINUTE)
    found = scrape(bench, START + 6 * 60 * MINUTE)

    def outcome(name: str) -> float:
        return found[("mailbaton_messages_total", (("outcome", name),))]

    assert (outcome("processed"), outcome("rejected"), outcome("failed")) == (4, 1, 0)
    tickets = {
        state: found[("mailbaton_tickets", (("state", state),))]
        for state in ("accepted", "pending", "rejected")
    }
    assert tickets == {"accepted": 2, "pending": 0, "rejected": 1}
    waiting = len([s for s in bench.outbox() if s.state == "queued"])
    assert found[("mailbaton_mails_waiting", ())] == waiting > 0

    def bucket(le: str) -> float:
        return found[("mailbaton_time_to_acknowledge_seconds_bucket", (("le", le),))]

    # 10 minutes and 5 hours: one by 15 min, both by 8 hours.
    assert (bucket("300.0"), bucket("900.0"), bucket("14400.0"), bucket("28800.0")) == (0, 1, 1, 2)
    assert bucket("+Inf") == 2
    assert found[("mailbaton_time_to_acknowledge_seconds_sum", ())] == 600 + 5 * 3600


def test_the_age_of_the_last_poll_and_failing_servers(bench: Bench) -> None:
    with bench.db.transaction() as session:
        health.note_ok(session, health.MAILBOX, START, signed_in=True)
    found = scrape(bench, START + 90 * MINUTE / 60)
    assert found[("mailbaton_last_poll_age_seconds", ())] == 90
    assert found[("mailbaton_last_success_timestamp_seconds", (("component", "mailbox"),))] == (
        START.timestamp()
    )
    with bench.db.transaction() as session:
        health.note_failure(session, health.MAILBOX, START + MINUTE, SignInFailed("refused"))
    found = scrape(bench, START + 10 * MINUTE)
    assert found[("mailbaton_last_poll_age_seconds", ())] == 600
    assert found[("mailbaton_failing", (("component", "mailbox"),))] == 1
    assert found[("mailbaton_failing", (("component", "smtp"),))] == 0


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("9108", ("0.0.0.0", 9108)),
        (":9108", ("0.0.0.0", 9108)),
        ("127.0.0.1:9108", ("127.0.0.1", 9108)),
        ("[::1]:9108", ("::1", 9108)),
    ],
)
def test_metrics_address(given: str, expected: tuple[str, int]) -> None:
    assert address(given) == expected


@pytest.mark.parametrize("given", ["", "http", "host:", "1:2:x", "70000", "0"])
def test_a_bad_metrics_address_is_refused_with_an_example(given: str) -> None:
    with pytest.raises(MetricsUnavailable, match=r"is not \[HOST:\]PORT, e.g. 9108"):
        address(given)
