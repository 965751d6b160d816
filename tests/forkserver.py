"""Daemons forked from one process that has done mailbaton's imports, for tests that
start the daemon dozens of times only to kill it.

Each daemon is still a process of its own running `mailbaton -c CONFIG run`
(`cli.main`), killed with real signals; it only skips the ~2 s of CPU a fresh Python
spends importing mailbaton, SQLAlchemy and alembic before it does anything (54 such
starts made half of test_crash.py's CPU). The importing process touches no state: no
config, database, socket, thread or logging set-up, so a forked daemon starts from
what a fresh one has after its imports.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

# The fork server: reads "LOG<TAB>ARG<TAB>ARG..." lines on stdin, forks a daemon for
# each (its stdout and stderr appended to LOG, as `>>LOG 2>&1` would), answers
# "pid PID" and, when a daemon ends, "exit PID CODE" (-SIGNAL when a signal ended it).
SERVER = r"""
import os, select, signal, sys
import alembic.command  # the daemon's first step, migrating, imports it lazily
from mailbaton.app import cli, service

wake_r, wake_w = os.pipe()
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda *_: None)
pending = b""
while True:
    try:
        ready = select.select([0, wake_r], [], [])[0]
    except InterruptedError:
        continue
    if wake_r in ready:
        os.read(wake_r, 4096)
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            print("exit", pid, os.waitstatus_to_exitcode(status), flush=True)
    if 0 not in ready:
        continue
    chunk = os.read(0, 65536)
    if not chunk:
        break
    pending += chunk
    while b"\n" in pending:
        line, pending = pending.split(b"\n", 1)
        log, *args = line.decode().split("\t")
        pid = os.fork()
        if pid == 0:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.close(wake_r)
            os.close(wake_w)
            out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.close(out)
            os.close(null)
            sys.exit(cli.main(args))  # unwinds out of this loop: a normal interpreter exit
        print("pid", pid, flush=True)
"""


class Forked:
    """One forked daemon, with what the tests used of subprocess.Popen."""

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server = server
        self.pid = pid

    @property
    def returncode(self) -> int | None:
        return self.server.exits.get(self.pid)

    def poll(self) -> int | None:
        self.server.read(timeout=0)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise subprocess.TimeoutExpired(f"daemon {self.pid}", timeout)
            self.server.read(timeout=left)
        code = self.returncode
        assert code is not None
        return code


class ForkServer:
    def __init__(self, log: Path) -> None:
        with log.open("ab") as errors:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin = self.process.stdin
        self.out = self.process.stdout.fileno()
        os.set_blocking(self.out, False)
        self.partial = b""
        self.started: list[int] = []
        self.exits: dict[int, int] = {}

    def read(self, timeout: float) -> None:
        """Takes in what the server said, waiting up to `timeout` for the first of it."""
        if not select.select([self.out], [], [], timeout)[0]:
            return
        chunk = os.read(self.out, 65536)
        if not chunk:
            raise AssertionError(f"the fork server ended ({self.process.wait()})")
        self.partial += chunk
        *lines, self.partial = self.partial.split(b"\n")
        for line in lines:
            word, pid, *code = line.decode().split()
            if word == "pid":
                self.started.append(int(pid))
            else:
                self.exits[int(pid)] = int(code[0])

    def start(self, log: Path, *args: str) -> Forked:
        """`mailbaton ARGS` in a process of its own, its output appended to `log`."""
        assert not any("\t" in a or "\n" in a for a in (str(log), *args))
        count = len(self.started)
        self.stdin.write("\t".join((str(log), *args)).encode() + b"\n")
        self.stdin.flush()
        deadline = time.monotonic() + 30
        while len(self.started) == count:
            assert time.monotonic() < deadline, "the fork server did not answer"
            self.read(timeout=1)
        return Forked(self, self.started[-1])

    def close(self) -> None:
        """Kills whatever daemon is still running, then the server ends on end of input."""
        self.read(timeout=0)
        for pid in self.started:
            if pid not in self.exits:
                os.kill(pid, signal.SIGKILL)
        self.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()  # type: ignore[union-attr]
