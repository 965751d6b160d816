"""What every part of `python -m bench` stands on: the mail server, the SMTP sink, the
handoffs, a config, and a throwaway PostgreSQL database."""

from __future__ import annotations

import os
import random
import re
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

ROOT = Path(__file__).resolve().parents[1]
# The test suite's throwaway Dovecot (and mail-devel) live in tests/servers.py: one copy.
sys.path.insert(0, str(ROOT / "tests"))

from servers import DovecotServer, MailDevelServer, MailServer, find_dovecot  # noqa: E402

__all__ = ["MailServer", "Sink", "deliver", "handoffs", "postgres", "sink", "start_server"]

USER = "baton@example.com"
ATTACHMENT_BYTES = 30_000
POSTGRES_URL = os.environ.get(
    "MAILBATON_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TOKEN = re.compile(rb"bench(\d{6})")

CONFIG = """\
[mailbox]
host = "127.0.0.1"
port = {imap}
security = "none"
username = "{user}"
password = "{password}"
address = "{user}"
timeout = 30
poll_interval = "1h"
[smtp]
host = "127.0.0.1"
port = {smtp}
security = "none"
timeout = 30
[database]
url = "{db}"
[protocol]
ticket_prefix = "MB"
allowed_domains = ["example.com"]
[escalation]
after = "4h"
managers = ["managers@example.com"]
"""


def start_server() -> tuple[MailServer, str]:
    """Dovecot on loopback when installed, else mail-devel; and a line saying which."""
    binary = find_dovecot()
    if binary is not None:
        server: MailServer = DovecotServer.start(binary)
        return server, f"Dovecot ({binary}) on 127.0.0.1:{server.imap_port}"
    server = MailDevelServer.start()
    return server, f"mail-devel on 127.0.0.1:{server.imap_port} (Dovecot is not installed)"


def handoff(i: int, attachment: bytes) -> bytes:
    """Handoff number i: its own thrower (no answers ceiling), one of 50 catchers, a file."""
    message = EmailMessage()
    message["From"] = f"Thrower {i} <thrower{i}@example.com>"
    message["To"] = USER
    message["Subject"] = f"HANDOFF: contract bench{i:06d}"
    message["Message-ID"] = f"<bench{i:06d}.{secrets.token_hex(6)}@client.example.com>"
    message["Date"] = "Mon, 30 Nov 2026 09:00:00 +0000"
    message.set_content(
        f"Catcher: Catcher {i % 50} <catcher{i % 50}@example.com>\n"
        "Attached: yes\n"
        f"Title: Contract bench{i:06d} ready to countersign\n"
        "Due: 2026-12-04\n\nThanks!\n"
    )
    message.add_attachment(attachment, maintype="application", subtype="pdf", filename="c.pdf")
    return message.as_bytes()


def handoffs(count: int, start: int = 0) -> list[bytes]:
    attachment = random.Random(1).randbytes(ATTACHMENT_BYTES)
    return [handoff(i, attachment) for i in range(start, start + count)]


def deliver(server: MailServer, raws: list[bytes]) -> None:
    """Into the shared INBOX: MULTIAPPEND in batches where the server has it."""
    with server.imap(USER) as client:
        multi = client.has_capability("MULTIAPPEND")
        for at in range(0, len(raws), 50):
            batch = raws[at : at + 50]
            if multi:
                client.multiappend("INBOX", batch)
            else:
                for raw in batch:
                    client.append("INBOX", raw)


def clear(server: MailServer) -> None:
    """The account emptied for the next part, with room for thousands of messages: the
    harness's own clear() gives each command 10 s, which one EXPUNGE of a backlog on a
    busy machine can take."""
    with server.imap(USER) as client:
        client.socket().settimeout(600)
        for _flags, _delimiter, name in client.list_folders():
            if name.upper() != "INBOX":
                with suppress(Exception):  # a \Noselect parent gone with its children
                    client.delete_folder(name)
        client.select_folder("INBOX")
        uids = client.search("ALL")
        for at in range(0, len(uids), 500):
            client.delete_messages(uids[at : at + 500])
            client.expunge()
        client.close_folder()
    server.clear()


@dataclass
class Arrival:
    at: float
    kind: str  # "request" (to a catcher), "receipt" (to a thrower) or "other"
    number: int | None


@dataclass
class Sink:
    """An SMTP server that keeps nothing but when each mail came, what kind, for which handoff."""

    port: int = 0
    arrivals: list[Arrival] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Any = None

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        at = time.time()
        raw = envelope.original_content or b""
        head = raw.partition(b"\r\n\r\n")[0]
        found = TOKEN.search(head)
        rcpt = envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
        kind = (
            "request"
            if rcpt.startswith("catcher")
            else "receipt"
            if rcpt.startswith("thrower")
            else "other"
        )
        with self.lock:
            self.arrivals.append(Arrival(at, kind, int(found.group(1)) if found else None))
        return "250 2.0.0 OK"

    def reset(self) -> None:
        with self.lock:
            self.arrivals.clear()

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)

    def last(self) -> float:
        with self.lock:
            return max((a.at for a in self.arrivals), default=0.0)

    def first_request(self, number: int) -> float | None:
        with self.lock:
            found = [a.at for a in self.arrivals if a.kind == "request" and a.number == number]
        return min(found) if found else None


@contextmanager
def sink() -> Iterator[Sink]:
    from mailbaton.app.sandbox import free_port

    found = Sink(port=free_port())
    found.controller = Controller(found, hostname="127.0.0.1", port=found.port)
    found.controller.start()
    try:
        yield found
    finally:
        found.controller.stop()


def write_config(folder: Path, server: MailServer, smtp_port: int, db_url: str) -> Path:
    path = folder / f"bench-{secrets.token_hex(3)}.toml"
    path.write_text(
        CONFIG.format(
            imap=server.imap_port,
            user=USER,
            password=server.password,
            smtp=smtp_port,
            db=db_url,
        )
    )
    return path


@contextmanager
def postgres() -> Iterator[str | None]:
    """A fresh database on the PostgreSQL server, dropped afterwards; None when unusable."""
    from sqlalchemy import create_engine, text

    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"mailbaton_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        print(f"  PostgreSQL at {POSTGRES_URL} unusable ({type(error).__name__}): skipped")
        yield None
        return
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with suppress(Exception), admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
