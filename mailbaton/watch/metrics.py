"""Prometheus metrics, computed from the database at each scrape.

Nothing is counted in memory: every figure is read from the tables when Prometheus asks,
so it is right whichever replica is scraped, after a restart, and for work done by
`ingest` or `run --once` in other processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbaton.clock import as_utc, utcnow
from mailbaton.outbound.outbox import Channel, MailState
from mailbaton.store.db import Database
from mailbaton.store.models import Inbound, Outbox, Outcome, State, Ticket
from mailbaton.watch import health

# Seconds from a handoff to GOT IT: the protocol's promise is 4 hours, so the buckets are
# dense up to there and coarse after.
ACK_BUCKETS = (300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 259200)


class DatabaseCollector(Collector):
    """Every mailbaton metric, read in one transaction per scrape."""

    def __init__(
        self,
        db: Database,
        now: Callable[[], datetime] = utcnow,
        servers: Sequence[str] = health.COMPONENTS,
    ) -> None:
        self.db = db
        self.now = now
        # The health rows of the mailboxes configured now ("mailbox:NAME", ... when
        # several are watched), not those a former config left behind.
        self.servers = servers

    def collect(self) -> Iterator[Metric]:
        with self.db.transaction() as session:
            now = self.now()
            yield _messages(session)
            yield from _mails(session)
            yield _tickets(session)
            yield _acknowledged(session)
            yield from _servers(session, now, self.servers)


def registry(
    db: Database, now: Callable[[], datetime] = utcnow, servers: Sequence[str] = health.COMPONENTS
) -> CollectorRegistry:
    """Only mailbaton's own metrics: the process and platform collectors describe the
    replica that happens to be scraped, not the service."""
    found = CollectorRegistry(auto_describe=False)
    found.register(DatabaseCollector(db, now, servers))
    return found


def _counts(session: Session, column: Any, model: type, *where: Any) -> dict[str, int]:
    query = select(column, func.count()).select_from(model).where(*where).group_by(column)
    rows = session.execute(query)
    return {str(key): int(count) for key, count in rows}


def _messages(session: Session) -> Metric:
    family = CounterMetricFamily(
        "mailbaton_messages",
        "Inbound messages decided, by outcome (the folder each was filed in)",
        labels=["outcome"],
    )
    found = _counts(session, Inbound.outcome, Inbound)
    for outcome in Outcome:
        family.add_metric([outcome.value], found.get(outcome.value, 0))
    return family


def _mails(session: Session) -> Iterator[Metric]:
    found = _counts(session, Outbox.state, Outbox, Outbox.channel == Channel.MAIL)
    sent = CounterMetricFamily("mailbaton_mails_sent", "Mails the SMTP server took")
    sent.add_metric([], found.get(MailState.SENT, 0))
    yield sent
    waiting = GaugeMetricFamily(
        "mailbaton_mails_waiting", "Mails in the outbox waiting to be sent (or retried)"
    )
    waiting.add_metric([], found.get(MailState.QUEUED, 0))
    yield waiting
    parked = GaugeMetricFamily(
        "mailbaton_mails_parked", "Mails refused for good by the SMTP server (parked)"
    )
    parked.add_metric([], found.get(MailState.PARKED, 0))
    yield parked
    held = GaugeMetricFamily(
        "mailbaton_mails_held", "Answers not sent: over protocol.max_answers_per_sender"
    )
    held.add_metric([], found.get(MailState.HELD, 0))
    yield held


def _tickets(session: Session) -> Metric:
    family = GaugeMetricFamily("mailbaton_tickets", "Tickets by state", labels=["state"])
    found = _counts(session, Ticket.state, Ticket)
    for state in State:
        family.add_metric([state.value], found.get(state.value, 0))
    return family


def _acknowledged(session: Session) -> Metric:
    """Handoff to GOT IT, for every ticket ever accepted."""
    counts = [0] * (len(ACK_BUCKETS) + 1)
    total = 0.0
    query = select(Ticket.created_at, Ticket.accepted_at).where(Ticket.accepted_at.is_not(None))
    for created, accepted in session.execute(query.execution_options(yield_per=1000)):
        if accepted is None:
            continue
        seconds = max((as_utc(accepted) - as_utc(created)).total_seconds(), 0.0)
        total += seconds
        index = next((i for i, bound in enumerate(ACK_BUCKETS) if seconds <= bound), -1)
        counts[index] += 1
    bounds = [str(float(bound)) for bound in ACK_BUCKETS] + ["+Inf"]
    buckets = [(bound, float(sum(counts[: i + 1]))) for i, bound in enumerate(bounds)]
    family = HistogramMetricFamily(
        "mailbaton_time_to_acknowledge_seconds",
        "Time from a handoff to its catcher's GOT IT, for accepted tickets",
    )
    family.add_metric([], buckets, sum_value=total)
    return family


def _servers(session: Session, now: datetime, servers: Sequence[str]) -> Iterator[Metric]:
    rows = health.rows(session, servers)
    age = GaugeMetricFamily(
        "mailbaton_last_poll_age_seconds",
        "Seconds since the last successful poll of the mailbox, of several the one polled "
        "longest ago (absent: never)",
    )
    stamp = GaugeMetricFamily(
        "mailbaton_last_success_timestamp_seconds",
        "When each server last worked (poll, send), as a Unix time",
        labels=["component"],
    )
    failing = GaugeMetricFamily(
        "mailbaton_failing",
        "1 while a server is failing (sign-in failures included), else 0",
        labels=["component"],
    )
    # Several mailboxes ("mailbox:NAME"): the one polled longest ago; absent while one
    # never was.
    mailboxes = [rows[name] for name in servers if name.partition(":")[0] == health.MAILBOX]
    polls = [as_utc(row.last_ok_at) for row in mailboxes if row.last_ok_at is not None]
    if polls and len(polls) == len(mailboxes):
        age.add_metric([], max((now - min(polls)).total_seconds(), 0.0))
    for component in servers:
        row = rows[component]
        if row.last_ok_at is not None:
            stamp.add_metric([component], as_utc(row.last_ok_at).timestamp())
        failing.add_metric([component], 1.0 if row.failing_since is not None else 0.0)
    yield age
    yield stamp
    yield failing
