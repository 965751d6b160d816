"""How late does an escalation leave after its due time? The daemon vs. a naive poller.

Runs against the embedded sandbox mail server, in real time, with deadlines a few
seconds out: `python bench/escalation_latency.py [--tickets 50]`. For each ticket the
delay is (escalation mail handed to SMTP) - (ticket deadline), read from the database.
Baseline, measured in the same run: the same service driven by a plain loop that runs
one pass every POLL seconds, which is what a scheduler without deadline wake-ups gives.
Target: within 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

from imapclient import IMAPClient
from sqlalchemy import select

from mailbaton.app.sandbox import start_sandbox
from mailbaton.app.service import Service
from mailbaton.config import load
from mailbaton.store.db import Database
from mailbaton.store.models import Outbox, Ticket

ROOT = Path(__file__).resolve().parents[1]
AFTER_S = 6
POLL_S = 10
TARGET_S = 5.0

CONFIG = """\
[mailbox]
host = "127.0.0.1"
port = {imap}
security = "none"
username = "{shared}"
password = "secret"
address = "{shared}"
poll_interval = "1h"
[smtp]
host = "127.0.0.1"
port = {smtp}
security = "none"
[database]
url = "sqlite:///{db}"
[protocol]
allowed_domains = ["example.com"]
[escalation]
after = "{after}s"
managers = ["managers@example.com"]
[templates]
dir = "{templates}"
"""


def handoff(shared: str, i: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Alice <alice@example.com>"
    message["To"] = shared
    message["Subject"] = f"Bench {i}"
    message.set_content("Catcher: Jane <jane@example.com>\nAttached: yes\n")
    message.add_attachment(b"%PDF-1.4\n", maintype="application", subtype="pdf", filename="f.pdf")
    return message


def throw(imap_port: int, shared: str, count: int) -> None:
    """Spread over ~10 s (APPEND wakes the daemon's IDLE), so each ticket opens in its
    own pass and gets its own deadline."""
    client = IMAPClient("127.0.0.1", port=imap_port, ssl=False, timeout=10)
    client.login(shared, "secret")
    try:
        for i in range(count):
            client.append("INBOX", handoff(shared, i).as_bytes())
            time.sleep(0.2)
    finally:
        client.logout()


DISTINCT: dict[str, int] = {}


def delays(db_url: str) -> list[float]:
    db = Database.open(db_url)
    with db.transaction() as session:
        rows = session.execute(
            select(Ticket.deadline, Outbox.sent_at)
            .join(Outbox, Outbox.ticket_id == Ticket.id)
            .where(Outbox.kind == "escalation", Outbox.state == "sent")
        ).all()
    db.close()
    DISTINCT[db_url] = len({due for due, _sent in rows})
    return [(sent - due).total_seconds() for due, sent in rows if due and sent]


def escalated(db_url: str) -> int:
    return len(delays(db_url))


def config(folder: Path, shared: str, imap: int, smtp: int) -> Path:
    path = folder / f"{shared.split('@')[0]}.toml"
    path.write_text(
        CONFIG.format(
            imap=imap,
            smtp=smtp,
            shared=shared,
            after=AFTER_S,
            db=(folder / f"{shared}.db").as_posix(),
            templates=(ROOT / "mailbaton" / "templates").as_posix(),
        )
    )
    return path


def run_daemon(path: Path, imap: int, shared: str, count: int) -> list[float]:
    settings = load(path)
    log = path.with_suffix(".log").open("wb")
    daemon = subprocess.Popen(
        [sys.executable, "-m", "mailbaton", "-c", str(path), "run"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(2)
        throw(imap, shared, count)
        deadline = time.monotonic() + AFTER_S + 60
        while escalated(settings.database_url) < count and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        log.close()
    return delays(settings.database_url)


def run_poller(path: Path, imap: int, shared: str, count: int) -> list[float]:
    settings = load(path)
    service = Service.open(settings)
    throw(imap, shared, count)
    deadline = time.monotonic() + AFTER_S + 90
    while escalated(settings.database_url) < count and time.monotonic() < deadline:
        asyncio.run(service.run_once())
        time.sleep(POLL_S)
    service.close()
    return delays(settings.database_url)


def row(name: str, values: list[float], count: int) -> str:
    if not values:
        return f"{name:<34} {0:>3}/{count}  (none escalated)"
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return (
        f"{name:<34} {len(values):>3}/{count}  median {statistics.median(values):6.2f} s  "
        f"p90 {p90:6.2f} s  worst {max(values):6.2f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, start_sandbox() as sandbox:
        folder = Path(tmp)
        ours = run_daemon(
            config(folder, "baton@example.com", sandbox.imap_port, sandbox.smtp_port),
            sandbox.imap_port,
            "baton@example.com",
            args.tickets,
        )
        naive = run_poller(
            config(folder, "naive@example.com", sandbox.imap_port, sandbox.smtp_port),
            sandbox.imap_port,
            "naive@example.com",
            args.tickets,
        )
    print(
        f"escalation delay after the due time, {args.tickets} deadlines each, "
        f"after = {AFTER_S}s, target <= {TARGET_S:.0f} s"
    )
    ours_distinct, naive_distinct = list(DISTINCT.values())[:2]
    print(
        row("mailbaton run (wakes at next due)", ours, args.tickets)
        + f"  ({ours_distinct} distinct deadlines)"
    )
    print(
        row(f"baseline: one pass every {POLL_S} s", naive, args.tickets)
        + f"  ({naive_distinct} distinct deadlines)"
    )
    ok = len(ours) == args.tickets and max(ours) <= TARGET_S
    print("result: " + ("within target" if ok else "MISSED the target"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
