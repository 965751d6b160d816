"""The daemon: wires inbox, intake and outbox; APScheduler triggers passes, IDLE wakes them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from mailbaton.app import intake
from mailbaton.clock import utcnow
from mailbaton.config import Settings
from mailbaton.outbound.compose import Composer
from mailbaton.outbound.outbox import FlushReport, flush
from mailbaton.store import ledger
from mailbaton.store.db import Database
from mailbaton.tickets.bounces import after_parking
from mailbaton.tickets.deadlines import SweepReport, next_due, sweep
from mailbaton.tickets.opening import Desk
from mailbaton.transport.imap import Inbox, InboxError
from mailbaton.transport.smtp import SmtpSender

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    outcomes: list[intake.Outcome] = field(default_factory=list)
    refiled: int = 0
    mail: FlushReport = field(default_factory=FlushReport)
    due: SweepReport = field(default_factory=SweepReport)
    inbox_error: str | None = None

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
        seen = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no new mail"
        text = f"{seen}; mail sent {self.mail.sent}"
        if self.due.escalated or self.due.reminded:
            text += f"; escalated {self.due.escalated}, reminded {self.due.reminded}"
        if self.mail.retrying or self.mail.parked:
            text += f", waiting {self.mail.retrying}, parked {self.mail.parked}"
        if self.inbox_error:
            text += f"; inbox unavailable: {self.inbox_error}"
        return text


class Service:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.desk = Desk(settings, Composer(settings.templates_dir, settings.escalation.timezone))
        self._pass_lock = asyncio.Lock()

    @classmethod
    def open(cls, settings: Settings) -> Service:
        return cls(settings, Database.open(settings.database_url))

    def close(self) -> None:
        self.db.close()

    # -- one pass ---------------------------------------------------------------

    def intake_pass(self, now: datetime, report: PassReport) -> None:
        """Blocking: every message in the watched folder ends in exactly one outcome folder."""
        folders = self.settings.mailbox.folders
        with Inbox(self.settings.mailbox) as inbox:
            inbox.ensure_folders(
                [folders.processed, folders.rejected, folders.ignored, folders.failed]
            )
            uidvalidity = inbox.select()
            todo: list[int] = []
            for uid in inbox.uids():
                source = ledger.Source(inbox.key, self.settings.mailbox.folder, uidvalidity, uid)
                done = ledger.recorded(self.db, source)
                if done is None:
                    todo.append(uid)
                    continue
                # Decided by an earlier pass that died before filing it: file it now.
                inbox.file(uid, folders.for_outcome(done.outcome))
                ledger.mark_filed(self.db, source)
                report.refiled += 1
            limit = self.settings.protocol.max_message_size
            sizes = inbox.sizes(todo) if todo else {}
            for uid in [u for u in todo if sizes.get(u, 0) > limit]:
                source = ledger.Source(inbox.key, self.settings.mailbox.folder, uidvalidity, uid)
                header = inbox.fetch_header(uid)
                outcome = intake.process(
                    self.db, self.desk, header, source, now, oversized=sizes[uid]
                )
                self._file(inbox, uid, source, outcome, report)
            small = [u for u in todo if sizes.get(u, 0) <= limit]
            for uid, raw in inbox.fetch(small):
                source = ledger.Source(inbox.key, self.settings.mailbox.folder, uidvalidity, uid)
                outcome = intake.process(self.db, self.desk, raw, source, now)
                self._file(inbox, uid, source, outcome, report)

    def _file(
        self,
        inbox: Inbox,
        uid: int,
        source: ledger.Source,
        outcome: intake.Outcome,
        report: PassReport,
    ) -> None:
        report.outcomes.append(outcome)
        log.info("message %s: %s (%s)", uid, outcome.outcome, outcome.reason)
        # Only after the decision committed: a crash before this line re-files,
        # never re-decides.
        inbox.file(uid, self.settings.mailbox.folders.for_outcome(outcome.outcome))
        ledger.mark_filed(self.db, source)

    async def outbox_pass(self, now: datetime, report: PassReport) -> None:
        async with SmtpSender(self.settings.smtp) as sender:
            result = await flush(self.db, sender, now)
        if result.parked_ids:
            await asyncio.to_thread(after_parking, self.db, self.desk, result.parked_ids, now)
            async with SmtpSender(self.settings.smtp) as sender:  # the notices themselves
                notices = await flush(self.db, sender, now)
            result.sent += notices.sent
        report.mail.sent += result.sent
        report.mail.retrying += result.retrying
        report.mail.parked += result.parked

    async def run_once(self, now: datetime | None = None) -> PassReport:
        """Intake, due deadlines, then outbox. `now` fixed for the whole pass (and --now)."""
        async with self._pass_lock:
            moment = now or utcnow()
            report = PassReport()
            try:
                await asyncio.to_thread(self.intake_pass, moment, report)
            except InboxError as error:
                report.inbox_error = str(error)
                log.warning("inbox unavailable: %s", error)
            # Deadlines do not wait for IMAP: an outage must not hold back escalations.
            report.due = await asyncio.to_thread(sweep, self.db, self.desk, moment)
            await self.outbox_pass(moment if now else utcnow(), report)
            return report

    # -- the daemon -------------------------------------------------------------

    async def run_forever(self, on_pass: Callable[[PassReport], None] | None = None) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)

        async def one_pass() -> None:
            if stop.is_set():
                return
            try:
                report = await self.run_once()
            except Exception:
                log.exception("pass failed; the next one tries again")
                return
            finally:
                await plan_next_due()
            if on_pass is not None:
                on_pass(report)

        due_timer: asyncio.TimerHandle | None = None

        async def plan_next_due() -> None:
            # Sleep until the earliest deadline or retry instead of polling coarsely. A
            # loop timer, not a scheduler job: planned from inside the pass it wakes, a
            # job with the same id would be skipped as "already running".
            nonlocal due_timer
            if stop.is_set():
                return
            when = await asyncio.to_thread(next_due, self.db)
            if due_timer is not None:
                due_timer.cancel()
            if when is not None and not stop.is_set():
                delay = max(0.0, (when - utcnow()).total_seconds())
                due_timer = loop.call_later(delay, wake.set)

        wake = asyncio.Event()
        scheduler = AsyncIOScheduler(event_loop=loop, timezone="UTC")
        scheduler.add_job(
            one_pass,
            "interval",
            seconds=self.settings.mailbox.poll_interval.total_seconds(),
            next_run_time=utcnow(),
            id="pass",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
        scheduler.start()
        watcher = IdleWatcher(self.settings, lambda: loop.call_soon_threadsafe(wake.set))
        watcher.start()
        log.info(
            "mailbaton running on %s (%s); Ctrl-C stops",
            self.settings.mailbox.folder,
            self.settings.mailbox.host,
        )
        try:
            while not stop.is_set():
                waiter = asyncio.ensure_future(wake.wait())
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                stopper.cancel()
                if wake.is_set() and not stop.is_set():
                    wake.clear()
                    await one_pass()
        finally:
            log.info("stopping: finishing the pass in hand")
            if due_timer is not None:
                due_timer.cancel()
            watcher.stop()
            # A pass the scheduler started is one of its jobs, and shutdown() cancels
            # running jobs: let the pass in hand end first, then shut the scheduler down.
            async with self._pass_lock:
                scheduler.shutdown(wait=False)
            watcher.join(timeout=10)


class IdleWatcher(threading.Thread):
    """Holds an IMAP IDLE on the watched folder and calls `wake` when mail arrives."""

    def __init__(self, settings: Settings, wake: Callable[[], object]) -> None:
        super().__init__(name="imap-idle", daemon=True)
        self.settings = settings
        self.wake = wake
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        delay = 1.0
        while not self._stop_event.is_set():
            try:
                with Inbox(self.settings.mailbox) as inbox:
                    if "IDLE" not in inbox.capabilities:
                        log.info(
                            "server has no IDLE: polling every %s",
                            self.settings.mailbox.poll_interval,
                        )
                        return
                    inbox.select()
                    delay = 1.0
                    self.wake()  # mail may have arrived while no IDLE was listening
                    self._watch(inbox)
            except Exception as error:  # any failure: log, back off, reconnect
                log.warning("IDLE connection lost (%s); reconnecting in %.0f s", error, delay)
                self._stop_event.wait(delay)
                delay = min(delay * 2, 300)

    def _watch(self, inbox: Inbox) -> None:
        renew = self.settings.mailbox.idle_renew.total_seconds()
        while not self._stop_event.is_set():
            started = time.monotonic()
            changed = False
            inbox.idle_start()
            try:
                # Short checks so a stop request is honoured within a second or two;
                # the IDLE itself is renewed every `idle_renew` (servers drop idle ones).
                while not changed and time.monotonic() - started < renew:
                    if self._stop_event.is_set():
                        return
                    changed = inbox.idle_check(2.0)
            finally:
                inbox.idle_done()
            inbox.noop()
            if changed:
                self.wake()
