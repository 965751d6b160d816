"""`python -m bench [--messages N]`: mailbaton's throughput, memory, IDLE latency and a
million-ticket database, each beside its baseline measured in the same run.

The last line is one summary:
bench: ratio=R handoffs_per_s=H peak_rss_mb=M idle_p50_s=A idle_p99_s=B status_ms=S sweep_ms=W
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from bench import rig
from bench.drain import Drain, baseline, mailbaton, migrate
from bench.latency import Latency, idle_latency
from bench.scale import OPEN, Scale, measure


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="handoffs in the backlog")
    parser.add_argument("--idle", type=int, default=200, help="handoffs for the IDLE latency")
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets for part 5")
    parser.add_argument(
        "--quick", action="store_true", help="a try-out: 200 messages, 50 idle, 100,000 tickets"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--only", choices=("drain", "idle", "scale"), help="one part alone")
    parser.add_argument(
        "--profile",
        type=Path,
        help="run the drains under cProfile, one FILE.DB.PASS.prof per pass (slower figures)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the configs and logs")
    parser.add_argument(
        "--before",
        type=Path,
        metavar="CHECKOUT",
        help="also drain, and time status and the sweep, with the mailbaton of this checkout "
        "(git worktree add DIR REV), for before/after figures from one run",
    )
    args = parser.parse_args()
    if args.profile:
        args.profile.parent.mkdir(parents=True, exist_ok=True)
    if args.quick:
        args.messages, args.idle, args.tickets = 200, 50, 100_000
    return args


def main() -> int:
    args = arguments()
    folder = Path(tempfile.mkdtemp(prefix="mailbaton-bench-"))
    print(f"bench: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {machine()}")
    print(f"  files (configs, mailbaton logs) in {folder}")
    server, said = rig.start_server()
    print(f"  mail server: {said}; SMTP sink: aiosmtpd on loopback")
    nan = float("nan")
    ratio = rate = rss = p50 = p99 = status = sweep = nan
    try:
        with rig.sink() as sink:
            if args.only in (None, "drain"):
                drains = backlog(args, folder, server, sink)
                drain, ratio = min(drains.values(), key=lambda found: found[1])
                rate = drain.rate(args.messages)
                rss = max(found.peak_rss_mb for found, _ in drains.values())
            if args.only in (None, "idle"):
                latency = idle(args, folder, server, sink)
                p50, p99 = latency.quantile(0.5), latency.quantile(0.99)
            if args.only in (None, "scale"):
                scales = million(args, folder, server, sink)
                status = max(found.status_ms for found in scales.values())
                sweep = max(found.sweep_ms for found in scales.values())
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    # The worst of SQLite and PostgreSQL in each figure.
    print(
        f"bench: ratio={ratio:.2f} handoffs_per_s={rate:.1f} peak_rss_mb={rss:.0f} "
        f"idle_p50_s={p50:.2f} idle_p99_s={p99:.2f} status_ms={status:.0f} sweep_ms={sweep:.0f}"
    )
    return 0


def machine() -> str:
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, load average {load:.1f} at start"
    )


def backlog(
    args: argparse.Namespace, folder: Path, server: rig.MailServer, sink: rig.Sink
) -> dict[str, tuple[Drain, float]]:
    """Parts 1-4."""
    count = args.messages
    raws = rig.handoffs(count)
    print(f"1. raw baseline, {count} handoffs with a {rig.ATTACHMENT_BYTES // 1000} KB file")
    base = _fresh(server, sink, raws, lambda: baseline(server, sink, count))
    print(f"   {base.seconds:7.1f} s  {base.rate(count):6.1f} handoffs/s")
    drains: dict[str, tuple[Drain, float]] = {}
    print("2. mailbaton run --once draining the same backlog, to the last request and receipt")
    codes: list[tuple[str, Path | None]] = [("", None)]
    if args.before:
        codes.insert(0, (f" ({args.before.name})", args.before.resolve()))
    for number, (label, code) in enumerate(codes):
        for name, url in databases(args, folder, f"drain{number}"):
            config = rig.write_config(folder, server, sink.port, url)
            migrate(url, code)
            log = folder / f"drain{number}-{name}.log"
            profile = Path(f"{args.profile}.{name}") if args.profile and code is None else None
            run = partial(mailbaton, config, sink, count, log, profile, code)
            drain = _fresh(server, sink, raws, run)
            ratio = drain.rate(count) / base.rate(count)
            if code is None:
                drains[name] = (drain, ratio)
            print(
                f"   {name + label:16s} {drain.seconds:7.1f} s  {drain.rate(count):6.1f} "
                f"handoffs/s  ratio {ratio:.2f}  peak RSS {drain.peak_rss_mb:.0f} MB  "
                f"passes {drain.passes}"
                + (
                    f" (the first left {drain.left_by_first_pass} mails)"
                    if drain.passes > 1
                    else ""
                )
            )
    print(f"3. ratio target >= 0.8; peak RSS target < 200 MB at 10,000 (this run: {count})")
    return drains


def idle(args: argparse.Namespace, folder: Path, server: rig.MailServer, sink: rig.Sink) -> Latency:
    print(f"4. IDLE latency, {args.idle} handoffs one at a time, delivery to request at the sink")
    url = f"sqlite:///{(folder / 'idle.db').as_posix()}"
    config = rig.write_config(folder, server, sink.port, url)
    rig.clear(server)
    sink.reset()
    latency = idle_latency(server, sink, config, args.idle, folder / "idle.log")
    print(
        f"   p50 {latency.quantile(0.5):.2f} s  p99 {latency.quantile(0.99):.2f} s  "
        f"max {max(latency.delays, default=float('nan')):.2f} s  lost {latency.lost}  "
        "(target p99 < 1 s)"
    )
    return latency


def _fresh(
    server: rig.MailServer, sink: rig.Sink, raws: list[bytes], run: Callable[[], Drain]
) -> Drain:
    rig.clear(server)
    rig.deliver(server, raws)
    sink.reset()
    return run()


def databases(args: argparse.Namespace, folder: Path, tag: str) -> Iterator[tuple[str, str]]:
    """A new database on each: a SQLite file named by `tag`, a throwaway PostgreSQL one."""
    yield "SQLite", f"sqlite:///{(folder / f'{tag}.db').as_posix()}"
    if args.no_postgres:
        return
    with rig.postgres() as url:
        if url is not None:
            yield "PostgreSQL", url


def million(
    args: argparse.Namespace, folder: Path, server: rig.MailServer, sink: rig.Sink
) -> dict[str, Scale]:
    """Beside each figure its baselines from the same run: the same open tickets alone,
    and with --before the other checkout's code on a copy of the same database."""
    print(f"5. {args.tickets:,} tickets ({args.tickets - OPEN:,} closed): status, one sweep")
    codes: list[Path | None] = [None]
    if args.before:
        codes.insert(0, args.before.resolve())
    found: dict[str, Scale] = {}
    for count in (OPEN, args.tickets):
        for name, url in databases(args, folder, f"tickets{count}"):
            scales = measure(
                lambda copy: rig.write_config(folder, server, sink.port, copy), url, count, codes
            )
            print(f"   {name} {count:,} tickets (built in {scales[0].build_s:.1f} s)")
            for code, scale in zip(codes, scales, strict=True):
                label = code.name if code is not None else "this checkout"
                print(
                    f"     {label:16s} status {scale.status_ms:5.0f} ms (CPU "
                    f"{scale.status_cpu_ms:4.0f}; target 100; as a command {scale.command_ms:5.0f} "
                    f"ms), sweep {scale.sweep_ms:5.0f} ms (CPU {scale.sweep_cpu_ms:4.0f}; target "
                    f"1000) for {scale.escalated} escalations, {scale.reminded} reminders"
                )
            if count == args.tickets:
                found[name] = scales[-1]
    return found


if __name__ == "__main__":
    raise SystemExit(main())
