"""mailbaton pointed at a test mail server: config, in-process passes, the real CLI."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import testdb
from servers import MailServer

from mailbaton.app import cli
from mailbaton.app.service import PassReport, Service
from mailbaton.clock import utcnow
from mailbaton.config import Settings, load
from mailbaton.store.db import Database
from mailbaton.tickets.queries import load_ticket, load_tickets, mail_problems, ticket_json

ROOT = Path(__file__).resolve().parents[1]

CONFIG = """\
[mailbox]
host = "{host}"
port = {imap}
security = "none"
username = "baton@example.com"
password = "{password}"
address = "baton@example.com"
plus_addressing = {plus}
timeout = 10

[smtp]
host = "{host}"
port = {smtp}
security = "none"
timeout = 10

[database]
url = "{db}"

[protocol]
ticket_prefix = "MB"
{protocol}
allowed_domains = ["example.com"]
group_addresses = ["ops@example.com", "*-team@example.com"]

[escalation]
after = "4h"
managers = ["managers@example.com"]
{escalation}

[departments.sales]
members = ["alice@example.com"]
managers = ["head-of-sales@example.com"]

[departments.ops]
members = ["jane@example.com", "*@ops.example.com"]
managers = ["head-of-ops@example.com"]

[departments.finance]
members = ["*@finance.example.com"]
managers = ["cfo@example.com"]
group_addresses = ["money@example.com"]

[templates]
dir = "{templates}"
"""


def parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def body_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    return part.get_content() if part is not None else ""


def text_of(message: EmailMessage) -> str:
    """What a person reads: the subject, then the plain-text body, decoded."""
    return f"{message['Subject']}\n{body_text(message)}"


@dataclass
class Baton:
    server: MailServer
    config_path: Path
    settings: Settings
    service: Service

    def run_pass(self, now: datetime | None = None) -> PassReport:
        return asyncio.run(self.service.run_once(now))

    # -- state, read the way `status --json` and `show --json` read it, without a process --

    def tickets(self, *, include_closed: bool = False) -> list[dict[str, Any]]:
        """What `mailbaton status [--all] --json` prints, read through the Python API."""
        now = utcnow()
        with self.service.db.transaction() as session:
            problems = mail_problems(session)
            return [
                ticket_json(t, now, events=False, mail=problems.get(t.id))
                for t in load_tickets(session, include_closed=include_closed)
            ]

    def ticket(self, ref: str) -> dict[str, Any]:
        """What `mailbaton show REF --json` prints, read through the Python API."""
        with self.service.db.transaction() as session:
            found = load_ticket(session, ref)
            assert found is not None, f"no ticket {ref}"
            problems = mail_problems(session).get(found.id)
            return ticket_json(found, utcnow(), events=True, mail=problems)

    # -- the command line ---------------------------------------------------------------

    def cli_inline(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Like `cli`, but the CLI code (parsing, command, printing) runs in this process:
        no second or more of interpreter start and imports for a check of its output."""
        out, err = io.StringIO(), io.StringIO()
        argv = ["-c", str(self.config_path), *args]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(argv)
        return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())

    def cli(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
        """`python -m mailbaton -c CONFIG ARGS...` as a process of its own."""
        return subprocess.run(
            [sys.executable, "-m", "mailbaton", "-c", str(self.config_path), *args],
            input=stdin.decode() if stdin is not None else None,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def cli_json(self, *args: str) -> Any:
        """The parsed output of `mailbaton ARGS --json` (run in this process)."""
        done = self.cli_inline(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def inbox(self, user: str) -> list[EmailMessage]:
        return [parse(raw) for raw in self.server.messages(user)]

    def saying(self, user: str, words: str) -> list[EmailMessage]:
        """The mail in the user's INBOX whose subject or text says ``words``."""
        return [message for message in self.inbox(user) if words in text_of(message)]

    def folder_counts(self) -> dict[str, int]:
        names = [
            "INBOX",
            "mailbaton/processed",
            "mailbaton/rejected",
            "mailbaton/ignored",
            "mailbaton/failed",
        ]
        return {name: len(self.server.messages("baton@example.com", name)) for name in names}

    def reload(self) -> None:
        """A new Service on the same database, with the config file as it now reads."""
        self.service.close()
        self.settings = load(self.config_path)
        self.service = Service.open(self.settings)

    def close(self) -> None:
        self.service.close()


_SCHEMA: list[Path] = []


def _new_database(path: Path) -> None:
    """A database at the newest schema, copied from one this process migrated once.

    Migrating a new file costs ~0.3 s, on every test; the migrations themselves are
    under test where a first start is the point (test_crash.py, test_install.py,
    test_postgres.py, the demo in test_cli.py)."""
    if not _SCHEMA:
        folder = Path(tempfile.mkdtemp(prefix="mailbaton-schema-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        Database.open(f"sqlite:///{(folder / 'migrated.db').as_posix()}").close()
        with (
            contextlib.closing(sqlite3.connect(folder / "migrated.db")) as migrated,
            contextlib.closing(sqlite3.connect(folder / "schema.db")) as copy,
        ):
            migrated.backup(copy)  # one self-contained file, whatever sits in the WAL
        _SCHEMA.append(folder / "schema.db")
    shutil.copyfile(_SCHEMA[0], path)


# mail-devel's IMAP (pymap) now and then does not report a delivery to an IDLE session: a
# daemon test with an hourly poll then waited in vain (twice in about ten whole-suite runs
# on 2026-12-01, in test_daemon and test_template_edits_e2e; never on Dovecot). Renewing
# the IDLE, which wakes a pass, bounds that wait there; production has the 60 s poll.
IDLE_RENEW = {"mail-devel": 'idle_renew = "10s"\n'}


def make_baton(
    server: MailServer,
    folder: Path,
    *,
    db_url: str | None = None,
    plus: bool = False,
    escalation: str = "",
    protocol: str = "",
) -> Baton:
    config = folder / "config.toml"
    # MAILBATON_TEST_DATABASE_URL puts every test's database on PostgreSQL.
    db_url = db_url or testdb.fresh_url()
    text = CONFIG.format(
        host=server.host,
        imap=server.imap_port,
        smtp=server.smtp_port,
        password=server.password,
        plus="true" if plus else "false",
        db=db_url or f"sqlite:///{(folder / 'mailbaton.db').as_posix()}",
        templates=(ROOT / "mailbaton" / "templates").as_posix(),
        escalation=escalation,
        protocol=protocol,
    )
    # In the [mailbox] table: its timeout is the first.
    text = text.replace("timeout = 10\n", IDLE_RENEW.get(server.name, "") + "timeout = 10\n", 1)
    config.write_text(text)
    if db_url is None:
        _new_database(folder / "mailbaton.db")
    settings = load(config)
    return Baton(server, config, settings, Service.open(settings))


# -- `mailbaton run` as a process of its own ---------------------------------------------


def start_daemon(
    config: Path, log: Path, *options: str, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`python -m mailbaton [OPTIONS] -c CONFIG run`, its output in `log`."""
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "mailbaton", *options, "-c", str(config), "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


def wait_until(
    what: str,
    done: Callable[[], bool],
    timeout: float,
    daemons: Sequence[subprocess.Popen[bytes]] = (),
    logs: Sequence[Path] = (),
    every: float = 0.05,
) -> None:
    """Until `done()`; fails saying `what` after `timeout` seconds, or at once (with the
    logs) when one of the daemons exits by itself."""
    deadline = time.monotonic() + timeout
    running = [d for d in daemons if d.poll() is None]
    while not done():
        exited = [d.returncode for d in running if d.poll() is not None]
        late = time.monotonic() > deadline
        if exited or late:
            said = "\n".join(log.read_text() for log in logs if log.exists())
            reason = f"a daemon exited ({exited})" if exited else f"not within {timeout:g} s"
            raise AssertionError(f"{reason}: {what}\n{said}")
        time.sleep(every)


def wait_for_first_passes(
    logs: Sequence[Path], daemons: Sequence[subprocess.Popen[bytes]], timeout: float = 30
) -> None:
    """Until every daemon has finished its first pass: up, its IDLE watcher started."""
    wait_until(
        "every daemon's first pass",
        lambda: all(log.exists() and "mailbaton: pass: " in log.read_text() for log in logs),
        timeout,
        daemons,
        logs,
    )
