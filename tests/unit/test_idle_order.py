"""The IDLE thread wakes the daemon only once the server is listening for new mail.

Woken right after SELECT, a message delivered between that pass and the start of the
IDLE was announced to nobody, and waited for the poll backstop (a minute by default).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

import pytest

from mailbaton.config import MailboxSettings
from mailbaton.transport import idle


class Recording:
    """Stands for the IMAP connection: notes each call in one list with the wakes."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls
        self.stop: Callable[[], None] = lambda: None
        self.capabilities = ("IMAP4REV1", "IDLE")
        self.checks = 0

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        return None

    def select(self) -> None:
        self.calls.append("select")

    def idle_start(self) -> None:
        self.calls.append("idle_start")

    def idle_check(self, timeout: float) -> bool:
        self.checks += 1
        changed = self.checks == 2  # the second check reports new mail
        if self.checks >= 3:
            self.stop()
        return changed

    def idle_done(self) -> None:
        self.calls.append("idle_done")

    def noop(self) -> None:
        self.calls.append("noop")


def test_every_wake_comes_while_an_idle_is_listening(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    inbox = Recording(calls)

    def connect(_settings: Any) -> Recording:
        return inbox

    monkeypatch.setattr(idle, "Inbox", connect)
    monkeypatch.setattr(idle, "CHECK_SECONDS", 0.01)
    settings = MailboxSettings(username="baton@example.com", address="baton@example.com")
    watcher = idle.IdleWatcher(settings, lambda: calls.append("wake"))
    inbox.stop = watcher.stop
    watcher.run()
    # A wake after each IDLE began (the connection's first, and the one after new mail),
    # none before the first: the pass it starts sees all that came before it.
    assert calls.index("wake") > calls.index("idle_start")
    assert calls.count("wake") == calls.count("idle_start") == 2
    for at, call in enumerate(calls):
        if call == "wake":
            assert calls[at - 1] == "idle_start"
