"""The daemon: one wake loop; each pass drains every mailbox, sweeps deadlines, sends mail."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from mailbaton.app import intake
from mailbaton.app.mailboxes import Watching, watching
from mailbaton.clock import utcnow
from mailbaton.config import Settings
from mailbaton.outbound.compose import Composer
from mailbaton.outbound.desk import Desk
from mailbaton.outbound.outbox import Channel, FlushReport, Where, flush
from mailbaton.store.db import Database
from mailbaton.store.leases import LIVE_LEASE, Heartbeat, Worker
from mailbaton.tickets import digest
from mailbaton.tickets.bounces import after_parking
from mailbaton.tickets.deadlines import SweepReport, next_due, sweep
from mailbaton.transport.base import Mailbox, Sender, Transient, TransportError
from mailbaton.transport.idle import IdleWatcher
from mailbaton.transport.webhook import WebhookSender
from mailbaton.watch.alerts import Watch
from mailbaton.watch.health import poll_interval

log = logging.getLogger(__name__)

# Messages one daemon pass decides before it sweeps deadlines and sends what is due.
PASS_BUDGET = 100
# Never two passes closer than this, even when something is overdue: a pass that cannot
# clear it (the SMTP server is down, more is due than one pass takes) must not spin.
MIN_GAP_SECONDS = 1.0


def desk_for(settings: Settings) -> Desk:
    """The settings and templates every ticket change writes its mail with."""
    return Desk(settings, Composer(settings.templates_dir, settings.escalation.timezone))


@dataclass
class PassReport(intake.Drained):
    mail: FlushReport = field(default_factory=FlushReport)
    posts: FlushReport = field(default_factory=FlushReport)
    due: SweepReport = field(default_factory=SweepReport)
    inbox_error: str | None = None
    # The mailboxes that could not be read (their names; several mailboxes are watched).
    inboxes_down: list[str] = field(default_factory=list)
    digests: int = 0

    def summary(self, brief: bool = False) -> str:
        """One line; `brief` (the daemon's line every pass) leaves out why the inbox is
        unavailable: the health warning says that, every few minutes rather than every pass."""
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
        seen = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no new mail"
        text = f"{seen}; mail sent {self.mail.sent}"
        if self.due.escalated or self.due.reminded:
            text += f"; escalated {self.due.escalated}, reminded {self.due.reminded}"
        if self.digests:
            text += f"; digests queued {self.digests}"
        if self.mail.retrying or self.mail.parked:
            text += f", waiting {self.mail.retrying}, parked {self.mail.parked}"
        posts = self.posts
        if posts.sent or posts.retrying or posts.parked:
            text += f"; chat posts sent {posts.sent}"
            if posts.retrying or posts.parked:
                text += f", waiting {posts.retrying}, parked {posts.parked}"
        if self.inbox_error:
            down = f"mailbox {', '.join(self.inboxes_down)}" if self.inboxes_down else "inbox"
            text += f"; {down} unavailable" + ("" if brief else f": {self.inbox_error}")
        return text

    def inbox_failed(self, each: Watching, error: TransportError, several: bool) -> None:
        said = f"{each.box.name}: {error}" if several else str(error)
        self.inbox_error = f"{self.inbox_error}; {said}" if self.inbox_error else said
        if several:
            self.inboxes_down.append(each.box.name)


async def send_outbox(
    db: Database,
    desk: Desk,
    sender: Callable[[], Sender],
    now: datetime,
    worker: Worker | None = None,
    only: Where | None = None,
) -> FlushReport:
    """Sends what is due (`only` one mailbox's rows); mail refused for good is answered
    with a notice, sent right away."""
    async with sender() as connection:
        report = await flush(db, connection, now, worker=worker, only=only)
    if report.parked_ids:
        await asyncio.to_thread(after_parking, db, desk, report.parked_ids, now)
        async with sender() as connection:
            notices = await flush(db, connection, now, worker=worker, only=only)
        _add(report, notices)
    return report


def _add(report: FlushReport, more: FlushReport) -> None:
    report.sent += more.sent
    report.retrying += more.retrying
    report.parked += more.parked
    report.server_error = report.server_error or more.server_error


async def send_all(db: Database, desk: Desk, now: datetime) -> FlushReport:
    """What `ingest` sends at once: every mailbox's mail through its own sign-in."""
    report = FlushReport()
    for each in watching(desk.settings):
        _add(report, await send_outbox(db, desk, each.sender, now, only=each.mine))
    return report


async def post_webhooks(
    db: Database, settings: Settings, now: datetime, worker: Worker | None = None
) -> FlushReport:
    """Posts the chat webhooks due ([notify.NAME]), retried and parked like mail; a row
    whose hook left the config is parked, never left to wake the daemon forever."""
    urls = {hook.name: hook.url for hook in settings.hooks}
    async with WebhookSender(urls) as poster:
        return await flush(db, poster, now, channel=Channel.WEBHOOK, worker=worker)


class Service:
    """One database, every mailbox with its sender: passes on demand, or the daemon's loop."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        mailbox: Callable[[], Mailbox] | None = None,
        sender: Callable[[], Sender] | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.desk = desk_for(settings)
        # `mailbox` (tests) stands for the one mailbox; `sender` for every sign-in.
        self.watching = watching(settings, mailbox, sender)
        self.watch = Watch(db, self.desk)
        self._pass_lock = asyncio.Lock()
        # The daemon's claims, renewed by its heartbeat; a one-off pass claims for itself.
        self.worker: Worker | None = None
        self._stopping = threading.Event()
        # The daemon, several mailboxes: one that failed is tried again after its poll
        # interval, or once its IDLE connects again; not every pass, as a server that
        # swallows packets would hold every pass, and so every other mailbox, for its
        # timeout. Name -> not before (utcnow).
        self._resting: dict[str, datetime] = {}

    @classmethod
    def open(cls, settings: Settings) -> Service:
        return cls(settings, Database.open(settings.database_url))

    def close(self) -> None:
        self.db.close()

    # -- one pass ---------------------------------------------------------------

    async def run_once(self, now: datetime | None = None) -> PassReport:
        """Intake, due deadlines, then outbox. `now` fixed for the whole pass (and --now)."""
        async with self._pass_lock:
            moment = now or utcnow()
            worker = self.worker or Worker.at(moment)
            report = PassReport()
            # One mailbox down (a wrong password, its server gone) never stops the others.
            for each in self.watching:
                await self._read(each, moment, report, worker)
            # Deadlines do not wait for the mailbox: an outage must not hold back escalations.
            report.due = await asyncio.to_thread(sweep, self.db, self.desk, moment, 500, worker)
            report.digests = await asyncio.to_thread(digest.send_due, self.db, self.desk, moment)
            sent_at = moment if now else utcnow()
            for each in self.watching:
                await self._send(each, sent_at, report, worker)
            report.posts = await post_webhooks(self.db, self.settings, sent_at, worker)
            return report

    async def _read(
        self, each: Watching, moment: datetime, report: PassReport, worker: Worker
    ) -> None:
        several = len(self.watching) > 1
        name = each.box.name
        if self.worker is not None and several and self._resting.get(name, moment) > utcnow():
            report.inbox_failed(each, Transient("failing; tried again soon"), several)
            return
        failure: TransportError | None = None
        try:
            await asyncio.to_thread(self._drain, each, moment, report, worker)
            self._resting.pop(name, None)
        except TransportError as error:
            report.inbox_failed(each, error, several)
            failure = error
            self._resting[name] = utcnow() + each.box.mailbox.poll_interval
        # Before sending: an alert about the mailbox leaves in this same pass. The
        # warning is logged there, at most every few minutes while the failure lasts.
        await asyncio.to_thread(self.watch.saw, each.rows.mailbox, moment, failure, signed_in=True)

    async def _send(
        self, each: Watching, sent_at: datetime, report: PassReport, worker: Worker
    ) -> None:
        """The mail of one mailbox, through its own sign-in."""
        mail = await send_outbox(self.db, self.desk, each.sender, sent_at, worker, each.mine)
        _add(report.mail, mail)
        if mail.sent or mail.server_error:
            # Only a pass that talked to the server knows anything of it.
            said, signed_in = mail.server_error, bool(each.box.smtp.username)
            await asyncio.to_thread(
                self.watch.saw, each.rows.smtp, sent_at, said, signed_in=signed_in
            )

    def _drain(self, each: Watching, now: datetime, report: PassReport, worker: Worker) -> None:
        # The daemon decides PASS_BUDGET messages a pass from each mailbox, then sweeps and
        # sends, and goes on at once; a one-off pass (run --once) drains everything.
        budget = PASS_BUDGET if self.worker is not None else None
        desk = self.desk.reading(each.box.address)
        with each.open() as mailbox:
            intake.drain(self.db, desk, mailbox, now, report, worker, budget, self._stopping)

    # -- the daemon -------------------------------------------------------------

    async def run_forever(
        self, on_pass: Callable[[PassReport], None] | None = None, metrics: str | None = None
    ) -> None:
        """Passes until SIGTERM or SIGINT; between them it sleeps until whichever comes
        first: IDLE reports mail, the poll interval runs out, or something falls due.
        With `metrics` ([HOST:]PORT), Prometheus metrics are served there meanwhile."""
        stop_metrics = self._serve_metrics(metrics) if metrics else None
        try:
            await self._loop(on_pass)
        finally:
            if stop_metrics is not None:
                stop_metrics()

    def _serve_metrics(self, where: str) -> Callable[[], None]:
        # Imported here: prometheus_client is only needed with --metrics-port.
        from mailbaton.transport.metrics_http import serve
        from mailbaton.watch.metrics import registry

        servers = [name for each in self.watching for name in (each.rows.mailbox, each.rows.smtp)]
        stop = serve(where, registry(self.db, servers=servers))
        log.info("Prometheus metrics on %s/metrics", where)
        return stop

    async def _loop(self, on_pass: Callable[[PassReport], None] | None) -> None:
        loop = asyncio.get_running_loop()
        wake, stop = asyncio.Event(), asyncio.Event()

        def on_signal() -> None:
            log.info("stopping: finishing the pass in hand")
            stop.set()
            self._stopping.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, on_signal)
        # One IDLE per mailbox, every one waking this loop.
        several = len(self.watching) > 1
        watchers = [
            IdleWatcher(
                each.box.mailbox,
                _threadsafe(loop, self._woken(each.box.name, wake)),
                each.box.name if several else "",
            )
            for each in self.watching
        ]
        for watcher in watchers:
            watcher.start()
        # Replicas may share this database: claims last LIVE_LEASE past the last beat.
        self.worker = Worker(utcnow, LIVE_LEASE)
        heartbeat = Heartbeat(self.db, self.worker)
        heartbeat.start()
        where = ", ".join(
            f"{each.box.name + ' ' if several else ''}{each.box.mailbox.folder} "
            f"({each.box.mailbox.host})"
            for each in self.watching
        )
        log.info("mailbaton running on %s; Ctrl-C stops", where)
        try:
            while not stop.is_set():
                wake.clear()  # mail that arrives during the pass wakes the next one
                more = await self._pass(on_pass)
                if not stop.is_set() and not more:
                    await _first_of(wake, stop, timeout=await self._until_next())
        finally:
            for watcher in watchers:
                watcher.stop()
            heartbeat.stop()
            for watcher in watchers:
                await asyncio.to_thread(watcher.join, 10)
            await asyncio.to_thread(heartbeat.join, 10)
            self.worker = None
            log.info("stopped")

    def _woken(self, name: str, wake: asyncio.Event) -> Callable[[], None]:
        """What the IDLE of mailbox `name` does on news: a pass, with this mailbox in it
        (its IDLE connected again, so it may work again)."""

        def woken() -> None:
            self._resting.pop(name, None)
            wake.set()

        return woken

    async def _pass(self, on_pass: Callable[[PassReport], None] | None) -> bool:
        """One pass; True when it left messages waiting for the next one."""
        try:
            report = await self.run_once()
        except Exception:
            log.exception("pass failed; the next one tries again")
            return False
        if on_pass is not None:
            on_pass(report)
        return report.more

    async def _until_next(self) -> float:
        """Seconds to the poll backstop, or to the next deadline, outbox retry or digest if
        sooner."""
        wait = poll_interval(self.settings).total_seconds()
        try:
            due = await asyncio.to_thread(next_due, self.db)
        except Exception:
            log.exception("cannot read the next due moment; waiting for the poll instead")
            return wait
        now = utcnow()
        for moment in (due, digest.next_digest(self.settings, now)):
            if moment is not None:
                wait = min(wait, (moment - now).total_seconds())
        return max(wait, MIN_GAP_SECONDS)


def _threadsafe(loop: asyncio.AbstractEventLoop, call: Callable[[], object]) -> Callable[[], None]:
    """`call` run on the loop, from any thread; a no-op once the loop has closed."""

    def schedule() -> None:
        with contextlib.suppress(RuntimeError):  # closed: the daemon is stopping anyway
            loop.call_soon_threadsafe(call)

    return schedule


async def _first_of(wake: asyncio.Event, stop: asyncio.Event, timeout: float) -> None:
    waiters = {asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())}
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
