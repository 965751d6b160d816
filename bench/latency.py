"""Part 4: the daemon waiting in IDLE; from a handoff's delivery to its request at the sink."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.rig import USER, MailServer, Sink, handoffs

# A request later than this counts as lost: the bench says how many.
GIVE_UP_S = 10.0


@dataclass
class Latency:
    delays: list[float]
    lost: int
    peak_rss_mb: float

    def quantile(self, q: float) -> float:
        ordered = sorted(self.delays)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def idle_latency(server: MailServer, sink: Sink, config: Path, count: int, log: Path) -> Latency:
    """One handoff at a time, 50-250 ms after the last request arrived, so each is a fresh
    wake from IDLE (not a backlog): what a person sees after pressing Send."""
    with log.open("ab") as out:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "mailbaton", "-c", str(config), "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_idle(log)
        pause = random.Random(2)
        delays, lost = [], 0
        raws = handoffs(count, start=500_000)
        with server.imap(USER) as client:
            for number, raw in enumerate(raws, start=500_000):
                sent = time.time()
                client.append("INBOX", raw)
                arrived = _request(sink, number, sent + GIVE_UP_S)
                if arrived is None:
                    lost += 1
                else:
                    delays.append(arrived - sent)
                time.sleep(pause.uniform(0.05, 0.25))
        return Latency(delays, lost, _peak_rss_mb(daemon.pid))
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()


def _wait_for_idle(log: Path, timeout: float = 30) -> None:
    """Until the daemon's first pass is done (its log says so) and IDLE had a moment."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if b"pass:" in log.read_bytes():
            time.sleep(1.0)
            return
        time.sleep(0.05)
    raise RuntimeError(f"the daemon did not finish its first pass in {timeout:g}s; see {log}")


def _request(sink: Sink, number: int, until: float) -> float | None:
    while time.time() < until:
        found = sink.first_request(number)
        if found is not None:
            return found
        time.sleep(0.005)
    return None


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0 if os.name != "posix" else float("nan")
