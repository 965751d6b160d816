"""Part 5's timings, run as a script in a process of its own by whichever mailbaton is on
PYTHONPATH (another checkout's for --before): it imports nothing from `bench`, whose
version there may differ.

    python bench/timed.py CONFIG URL   ->  one JSON line

`status` in process (median of 3, after the imports and the schema check a command also
pays), then one deadlines sweep; each also in CPU time of this process, which other work
on a shared machine disturbs less than the wall clock (the database's own work is not in it)."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import time

from mailbaton.app.cli import status_command
from mailbaton.app.service import desk_for
from mailbaton.clock import utcnow
from mailbaton.config import load
from mailbaton.store.db import Database
from mailbaton.tickets.deadlines import sweep


def main(config: str, url: str) -> dict[str, float]:
    settings = load(config)
    db = Database.open(url)
    try:
        timings, cpu = [], []
        for _ in range(3):
            began, used = time.monotonic(), time.process_time()
            with contextlib.redirect_stdout(io.StringIO()):
                status_command(argparse.Namespace(all=False, json=False), settings, db)
            timings.append(time.monotonic() - began)
            cpu.append(time.process_time() - used)
        desk = desk_for(settings)
        began, used = time.monotonic(), time.process_time()
        report = sweep(db, desk, utcnow())
        sweep_s, sweep_cpu = time.monotonic() - began, time.process_time() - used
    finally:
        db.close()
    return {
        "status_ms": statistics.median(timings) * 1000,
        "status_cpu_ms": statistics.median(cpu) * 1000,
        "sweep_ms": sweep_s * 1000,
        "sweep_cpu_ms": sweep_cpu * 1000,
        "escalated": report.escalated,
        "reminded": report.reminded,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
