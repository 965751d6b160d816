"""IMAP IDLE in a thread of its own: calls `wake` when the watched folder changes."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from mailbaton.config import MailboxSettings
from mailbaton.transport.imap import Inbox

log = logging.getLogger(__name__)

# How long one IDLE check blocks: a stop request is honoured within about this long.
CHECK_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 300.0


class IdleWatcher(threading.Thread):
    """Holds an IDLE on the watched folder; reconnects with backoff when it is lost."""

    def __init__(
        self, settings: MailboxSettings, wake: Callable[[], object], name: str = ""
    ) -> None:
        # `name`: which mailbox, in its log lines, when several are watched.
        super().__init__(name=f"imap-idle-{name}" if name else "imap-idle", daemon=True)
        self.said = f"mailbox {name}: " if name else ""
        self.settings = settings
        self.wake = wake
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        delay = 1.0
        while not self._stop_event.is_set():
            try:
                with Inbox(self.settings) as inbox:
                    if "IDLE" not in inbox.capabilities:
                        log.info(
                            "%sserver has no IDLE: polling every %s",
                            self.said,
                            self.settings.poll_interval,
                        )
                        return
                    inbox.select()
                    delay = 1.0
                    self._watch(inbox)
            except Exception as error:  # any failure: log, back off, reconnect
                if self._stop_event.is_set():
                    return  # stopping: the connection closing under us is expected
                # One hiccup (a server's untagged reply imapclient did not expect) is
                # routine and a fresh IDLE follows in a second; a failure that repeats
                # is what an admin must see.
                level = logging.INFO if delay <= 1.0 else logging.WARNING
                log.log(
                    level,
                    "%sIDLE connection lost (%s); reconnecting in %.0f s",
                    self.said,
                    error,
                    delay,
                )
                self._stop_event.wait(delay)
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)

    def _watch(self, inbox: Inbox) -> None:
        renew = self.settings.idle_renew.total_seconds()
        while not self._stop_event.is_set():
            started = time.monotonic()
            changed = False
            inbox.idle_start()
            # Only now is the server telling us of new mail: a pass from here finds what
            # came before (while connecting, or between two IDLEs), the IDLE what comes
            # after. Woken before the IDLE began, a message delivered in between waited
            # for the poll backstop.
            self.wake()
            try:
                # Short checks so a stop request is honoured within seconds; the IDLE
                # itself is renewed every `idle_renew` (servers drop idle ones).
                while not changed and time.monotonic() - started < renew:
                    if self._stop_event.is_set():
                        return
                    changed = inbox.idle_check(CHECK_SECONDS)
            finally:
                inbox.idle_done()
            inbox.noop()
