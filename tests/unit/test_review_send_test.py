"""Review fix: a reply to a `templates send-test` mail never reaches a real ticket."""

from __future__ import annotations

import json
import sqlite3
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import cast

import mails
import pytest
from small_config import small_config

from mailbaton.app import cli, send_test


def ingest(config: Path, tmp_path: Path, raw: bytes, capsys: pytest.CaptureFixture[str]) -> str:
    message = tmp_path / "message.eml"
    message.write_bytes(raw)
    assert cli.main(["-c", str(config), "ingest", str(message)]) == cli.EXIT_OK
    return capsys.readouterr().out


def test_a_got_it_to_the_test_mail_leaves_the_real_mb_42_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "baton.db"
    config = tmp_path / "config.toml"
    config.write_text(small_config(database, smtp="port = 1"))
    assert cli.main(["-c", str(config), "status"]) == cli.EXIT_OK
    capsys.readouterr()
    with sqlite3.connect(database) as connection:  # 41 tickets before: the next is MB-42
        connection.execute("INSERT INTO counters (name, value) VALUES ('ticket', 41)")
    assert ingest(config, tmp_path, mails.handoff(), capsys).startswith("processed")

    sent: list[bytes] = []

    async def catch(_settings: object, raw: bytes, _address: str) -> str:
        sent.append(raw)
        return "250 ok"

    monkeypatch.setattr(send_test, "_send", catch)
    args = ["templates", "send-test", "request", "--to", "jane@example.com"]
    assert cli.main(["-c", str(config), *args]) == cli.EXIT_OK
    (raw,) = sent
    mail = cast(EmailMessage, message_from_bytes(raw, policy=policy.default))
    # Numbering starts at 1: no ticket is ever MB-0, by its tag or its Message-ID.
    assert str(mail["Subject"]).startswith("[MB-0] ")
    assert str(mail["Message-ID"]).startswith("<MB-0.request.")
    assert mail["X-Mailbaton-Ticket"] == "MB-0"
    capsys.readouterr()

    ingest(config, tmp_path, mails.reply(mail, "GOT IT"), capsys)
    assert cli.main(["-c", str(config), "show", "MB-42", "--json"]) == cli.EXIT_OK
    ticket = json.loads(capsys.readouterr().out)
    assert ticket["state"] == "pending" and ticket["accepted_at"] is None
    assert ticket["owner"] == "alice@example.com"
