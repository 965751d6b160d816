"""mailbaton pointed at a test mail server: config, in-process passes, the real CLI."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from servers import MailServer

from mailbaton.app.service import PassReport, Service
from mailbaton.config import Settings, load

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


@dataclass
class Baton:
    server: MailServer
    config_path: Path
    settings: Settings
    service: Service

    def run_pass(self, now: datetime | None = None) -> PassReport:
        return asyncio.run(self.service.run_once(now))

    def cli(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mailbaton", "-c", str(self.config_path), *args],
            input=stdin.decode() if stdin is not None else None,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def cli_json(self, *args: str) -> Any:
        done = self.cli(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def inbox(self, user: str) -> list[EmailMessage]:
        return [parse(raw) for raw in self.server.messages(user)]

    def folder_counts(self) -> dict[str, int]:
        names = [
            "INBOX",
            "mailbaton/processed",
            "mailbaton/rejected",
            "mailbaton/ignored",
            "mailbaton/failed",
        ]
        return {name: len(self.server.messages("baton@example.com", name)) for name in names}

    def close(self) -> None:
        self.service.close()


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
    config.write_text(
        CONFIG.format(
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
    )
    settings = load(config)
    return Baton(server, config, settings, Service.open(settings))
