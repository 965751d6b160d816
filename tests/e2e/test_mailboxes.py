"""Several shared mailboxes from one service (issue 12): each handoff's mail leaves from
the mailbox it came in through, is filed in that mailbox's folders, and one mailbox that
cannot be read never stops the other."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import mails
import pytest
from baton import Baton, make_baton, parse
from servers import MailServer, mailbox_owner

from mailbaton.app.service import PassReport, Service

pytestmark = pytest.mark.e2e

MAIN, SALES = "baton@example.com", "sales-baton@example.com"
BOB = "Bob Stone <bob@example.com>"
HANDOFFS = 10
SALES_TABLE = """
[mailboxes.sales]
host = "{host}"
port = {imap}
security = "none"
username = "{sales}"
password = "{password}"
address = "{sales}"
plus_addressing = true
timeout = 10
{extra}

[mailboxes.sales.folders]
processed = "sales/done"
rejected = "sales/turned-down"
ignored = "sales/ignored"
failed = "sales/failed"

# The sales mailbox signs in to SMTP as itself (Microsoft 365 wants that); [smtp] does not.
[mailboxes.sales.smtp]
username = "{sales}"
password = "{password}"
"""
SALES_FOLDERS = ["INBOX", "sales/done", "sales/turned-down", "sales/ignored", "sales/failed"]


def two_mailboxes(
    server: MailServer,
    folder: Path,
    *,
    sales_password: str | None = None,
    extra: str = "",
    db_url: str | None = None,
) -> Baton:
    baton = make_baton(server, folder, plus=True, db_url=db_url)
    table = SALES_TABLE.format(
        host=server.host,
        imap=server.imap_port,
        sales=SALES,
        password=sales_password or server.password,
        extra=extra,
    )
    baton.config_path.write_text(baton.config_path.read_text() + table)
    baton.reload()
    return baton


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    b = two_mailboxes(mail_server, tmp_path)
    yield b
    b.close()


def to_sales(raw: bytes) -> bytes:
    """The same mail, written to the sales mailbox."""
    message = parse(raw)
    message.replace_header("To", SALES)
    return message.as_bytes()


def deliver_reply(server: MailServer, original: EmailMessage, words: str, **kw: str) -> str:
    """`words` in answer to `original`, delivered where its Reply-To leads."""
    raw = mails.reply(original, words, **kw)
    to = mailbox_owner(str(parse(raw)["To"]))
    server.deliver(raw, to)
    return to


def sales_counts(baton: Baton) -> dict[str, int]:
    return {name: len(baton.server.messages(SALES, name)) for name in SALES_FOLDERS}


def only(messages: list[EmailMessage]) -> EmailMessage:
    assert len(messages) == 1, [m["Subject"] for m in messages]
    return messages[0]


def test_each_handoff_is_answered_filed_and_closed_through_its_own_mailbox(baton: Baton) -> None:
    server = baton.server
    server.deliver(mails.handoff(), MAIN)
    sales_handoff = mails.handoff(catcher=BOB, title="Globex renewal", subject="Globex")
    server.deliver(to_sales(sales_handoff), SALES)
    report = baton.run_pass()
    assert sorted(o.outcome for o in report.outcomes) == ["processed", "processed"]

    jane_request = parse(only(server.wait_for("jane@example.com", 1)))
    bob_request = parse(only(server.wait_for("bob@example.com", 1)))
    assert jane_request["From"].addresses[0].addr_spec == MAIN
    assert jane_request["Reply-To"].addresses[0].addr_spec.startswith("baton+")
    assert bob_request["Subject"] == "[MB-2] Globex renewal"  # one numbering, one prefix
    assert bob_request["From"].addresses[0].addr_spec == SALES
    assert bob_request["Reply-To"].addresses[0].addr_spec.startswith("sales-baton+")
    receipts = {parse(raw)["Subject"]: parse(raw) for raw in server.messages("alice@example.com")}
    assert receipts["[MB-2] Globex renewal"]["From"].addresses[0].addr_spec == SALES
    main_receipt = receipts["[MB-1] Acme Corp - $50,000 contract ready to countersign"]
    assert main_receipt["From"].addresses[0].addr_spec == MAIN
    if server.name == "dovecot":  # its MTA writes the envelope sender as Return-Path
        assert bob_request["Return-Path"] == f"<{SALES}>"
        assert jane_request["Return-Path"] == f"<{MAIN}>"

    # Each mailbox files into its own folders.
    assert baton.folder_counts()["mailbaton/processed"] == 1
    assert sales_counts(baton) == dict.fromkeys(SALES_FOLDERS, 0) | {"sales/done": 1}

    # Jane answers through the main mailbox; Bob's GOT IT lands in the main mailbox too
    # (a forward, a rule): its plus address still names his ticket.
    assert deliver_reply(server, jane_request, "GOT IT") == MAIN
    bob_reply = mails.reply(bob_request, "Got it, thanks", sender=BOB)
    server.deliver(bob_reply, MAIN)
    assert sorted(o.ticket_ref or "" for o in baton.run_pass().outcomes) == ["MB-1", "MB-2"]
    assert baton.ticket("MB-1")["state"] == baton.ticket("MB-2")["state"] == "accepted"
    assert [baton.ticket(ref)["mailbox"] for ref in ("MB-1", "MB-2")] == [MAIN, SALES]
    # `show` says it too: which department's mailbox a ticket is answered from.
    assert f"\n  mailbox:   {SALES}\n" in baton.cli_inline("show", "MB-2").stdout
    # The thrower hears of each acceptance from the ticket's own mailbox.
    accepted = [parse(raw) for raw in server.wait_for("alice@example.com", 4)[2:]]
    senders = {m["Subject"]: m["From"].addresses[0].addr_spec for m in accepted}
    assert senders == {
        "[MB-1] Acme Corp - $50,000 contract ready to countersign": MAIN,
        "[MB-2] Globex renewal": SALES,
    }


def test_a_rejection_leaves_from_the_mailbox_the_handoff_reached(baton: Baton) -> None:
    baton.server.deliver(to_sales(mails.handoff(catcher=None)), SALES)
    # Naming another of our shared addresses as catcher is naming no person.
    baton.server.deliver(mails.handoff(catcher=f"Sales desk <{SALES}>"), MAIN)
    outcomes = baton.run_pass().outcomes
    assert [o.outcome for o in outcomes] == ["rejected", "rejected"]
    rejections = [parse(raw) for raw in baton.server.wait_for("alice@example.com", 2)]
    by_sender = {m["From"].addresses[0].addr_spec: m for m in rejections}
    assert set(by_sender) == {MAIN, SALES}
    assert "no Catcher: line" in by_sender[SALES].get_body(("plain",)).get_content()
    assert [o.reasons for o in outcomes] == [("catcher_shared",), ("no_catcher",)]
    assert sales_counts(baton)["sales/turned-down"] == 1
    assert baton.folder_counts()["mailbaton/rejected"] == 1


def test_mail_from_one_shared_mailbox_to_another_is_ignored_never_answered(
    baton: Baton,
) -> None:
    looped = mails.handoff(sender=f"Sales desk <{SALES}>")
    baton.server.deliver(looped, MAIN)
    baton.server.deliver(to_sales(mails.handoff(sender=f"Baton <{MAIN}>")), SALES)
    outcomes = baton.run_pass().outcomes
    assert [o.outcome for o in outcomes] == ["ignored", "ignored"]
    assert all("shared address" in o.reason for o in outcomes)
    assert baton.tickets(include_closed=True) == []
    assert baton.server.messages(SALES) == []
    assert baton.server.messages(MAIN) == []
    assert sales_counts(baton)["sales/ignored"] == 1


def test_one_mailbox_refusing_its_sign_in_never_stops_the_other(
    sandbox_server: MailServer, tmp_path: Path
) -> None:
    # mail-devel: Dovecot holds back its answer to a wrong password for 2 s.
    baton = two_mailboxes(sandbox_server, tmp_path, sales_password="wrong")
    try:
        sandbox_server.deliver(to_sales(mails.handoff(catcher=BOB)), SALES)
        sandbox_server.deliver(mails.handoff(), MAIN)
        report = baton.run_pass()
        assert [o.outcome for o in report.outcomes] == ["processed"]
        assert report.inbox_error is not None and report.inbox_error.startswith("sales: ")
        assert "mailbox sales unavailable" in report.summary(brief=True)
        sandbox_server.wait_for("jane@example.com", 1)
        assert len(sandbox_server.messages(SALES)) == 1  # waiting, untouched

        status = baton.cli_inline("status")
        lines = {line.split()[0]: line for line in status.stdout.splitlines() if line}
        assert "mailbox:sales FAILING  sign-in refused for " in lines["mailbox:sales"]
        assert " ok " in lines["mailbox:main"]
        done = baton.cli_inline("health", "--json")
        assert done.returncode == 1  # not all is well
        health = json.loads(done.stdout)
        states = {row["component"]: row["state"] for row in health["health"]}
        assert states["mailbox:sales"] == "failing" and states["mailbox:main"] == "ok"
        assert states["smtp:main"] == "ok"
    finally:
        baton.close()


def test_check_tries_every_mailbox_and_every_sign_in(baton: Baton) -> None:
    baton.server.deliver(to_sales(mails.handoff(catcher=BOB)), SALES)
    looked = baton.cli_inline("run", "--once", "--now", "2026-11-23T10:00:00Z", "--dry-run")
    assert looked.returncode == 0, looked.stderr
    said = looked.stdout.splitlines()
    assert "  mailbox main: no mail waiting" in said
    opens = [line for line in said if line.startswith("  mailbox sales: message ")]
    assert len(opens) == 1 and "-> bob@example.com" in opens[0], said
    done = baton.cli_inline("check")
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert any(line.startswith("mailbox main: IMAP ") and " ok: " in line for line in lines)
    assert any(line.startswith("mailbox sales: IMAP ") and " ok: " in line for line in lines)
    smtp = [line for line in lines if "SMTP " in line]
    assert len(smtp) == 2 and any(f"logged in as {SALES}" in line for line in smtp), smtp


def test_ingest_files_a_piped_handoff_under_the_mailbox_it_was_written_to(baton: Baton) -> None:
    piped = to_sales(mails.handoff(catcher=BOB))
    done = baton.cli_inline("ingest", str(write(baton, piped)))
    assert done.returncode == 0, done.stderr
    request = parse(only(baton.server.wait_for("bob@example.com", 1)))
    assert request["From"].addresses[0].addr_spec == SALES
    forced = baton.cli_inline("ingest", "--mailbox", "main", str(write(baton, mails.handoff())))
    assert forced.returncode == 0, forced.stderr
    wrong = baton.cli_inline("ingest", "--mailbox", "hr", str(write(baton, mails.handoff())))
    assert wrong.returncode == 2 and "no mailbox 'hr'; the config has main, sales" in wrong.stderr


def write(baton: Baton, raw: bytes) -> Path:
    path = baton.config_path.parent / f"piped-{len(raw)}-{id(raw)}.eml"
    path.write_bytes(raw)
    return path


def test_the_daemon_idles_on_every_mailbox(dovecot_server: MailServer, tmp_path: Path) -> None:
    # A long poll interval: only IDLE on the sales mailbox explains a quick reaction.
    baton = two_mailboxes(dovecot_server, tmp_path, extra='poll_interval = "1h"')
    # The main mailbox too: the daemon passes as often as its shortest poll interval.
    text = baton.config_path.read_text().replace(
        "timeout = 10\n", 'timeout = 10\npoll_interval = "1h"\n', 1
    )
    baton.config_path.write_text(text)
    command = [sys.executable, "-m", "mailbaton", "-c", str(baton.config_path), "run"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        dovecot_server.deliver(to_sales(mails.handoff(catcher=BOB)), SALES)
        dovecot_server.wait_for("bob@example.com", 1, timeout=20)
        # By now each IDLE has started (and woken a pass on starting): the next handoff is
        # seen only through the sales mailbox's own IDLE.
        dovecot_server.deliver(to_sales(mails.handoff(catcher=BOB, title="Second")), SALES)
        dovecot_server.wait_for("bob@example.com", 2, timeout=20)
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
        baton.close()
    assert process.returncode == 0, out
    assert "mailbaton running on main INBOX (127.0.0.1), sales INBOX (127.0.0.1)" in out


def test_two_replicas_on_postgresql_take_each_mailbox_s_messages_once(
    dovecot_server: MailServer, tmp_path: Path, pg_url: str
) -> None:
    baton = two_mailboxes(dovecot_server, tmp_path, db_url=pg_url)
    other = Service.open(baton.settings)
    try:
        for i in range(HANDOFFS):
            dovecot_server.deliver(mails.handoff(title=f"Main {i}"), MAIN)
            sales = mails.handoff(catcher=BOB, title=f"Sales {i}")
            dovecot_server.deliver(to_sales(sales), SALES)
        reports: list[PassReport] = []
        passes = [
            threading.Thread(target=lambda s=s: reports.append(asyncio.run(s.run_once())))
            for s in (baton.service, other)
        ]
        for thread in passes:
            thread.start()
        for thread in passes:
            thread.join(60)
        decided = [o for r in reports for o in r.outcomes if not o.already_done]
        assert len(decided) == 2 * HANDOFFS, [r.summary() for r in reports]
        assert all(r.inbox_error is None for r in reports)
        assert len(baton.tickets()) == 2 * HANDOFFS
        assert len(dovecot_server.messages("jane@example.com")) == HANDOFFS
        assert len(dovecot_server.messages("bob@example.com")) == HANDOFFS
        assert sales_counts(baton)["sales/done"] == HANDOFFS
        assert baton.folder_counts()["mailbaton/processed"] == HANDOFFS
        assert dovecot_server.messages(SALES) == dovecot_server.messages(MAIN) == []
    finally:
        other.close()
        baton.close()


def test_a_handoff_written_to_two_mailboxes_opens_one_ticket(
    dovecot_server: MailServer, tmp_path: Path
) -> None:
    baton = two_mailboxes(dovecot_server, tmp_path)
    try:
        both = parse(mails.handoff())
        both["Cc"] = SALES
        dovecot_server.deliver(both.as_bytes(), MAIN)
        dovecot_server.deliver(both.as_bytes(), SALES)
        outcomes = baton.run_pass().outcomes
        assert [(o.outcome, o.already_done) for o in outcomes] == [
            ("processed", False),
            ("processed", True),
        ]
        assert [t["id"] for t in baton.tickets()] == ["MB-1"]
        request = parse(only(dovecot_server.wait_for("jane@example.com", 1)))
        assert request["From"].addresses[0].addr_spec == MAIN  # the first mailbox read it
        assert sales_counts(baton)["sales/done"] == 1
    finally:
        baton.close()


def test_a_mailbox_taken_out_with_open_tickets_is_named_to_the_admin(baton: Baton) -> None:
    server = baton.server
    server.deliver(to_sales(mails.handoff(catcher=BOB)), SALES)
    server.deliver(to_sales(mails.handoff(catcher=BOB, title="Globex")), SALES)
    server.deliver(mails.handoff(), MAIN)
    baton.run_pass()
    request = parse(server.wait_for("bob@example.com", 2)[0])
    sales = [t["id"] for t in baton.tickets() if t["mailbox"] == SALES]
    (main,) = [t["id"] for t in baton.tickets() if t["mailbox"] == MAIN]
    # The admin takes [mailboxes.sales] out while two tickets wait for Bob's GOT IT,
    # which their requests lead to the sales address: no pass reads it now.
    assert request["Reply-To"].addresses[0].addr_spec.startswith("sales-baton+")
    text = baton.config_path.read_text()
    baton.config_path.write_text(text[: text.index("[mailboxes.sales]")])
    baton.reload()
    said = f"open tickets {', '.join(sales)} came in through {SALES}, which no mailbox in the"
    for command in ("check", "status"):
        done = baton.cli_inline(command)
        assert done.returncode == 0, done.stdout + done.stderr
        assert said in done.stdout, done.stdout
        assert f"{main}," not in done.stdout.split(said)[1].splitlines()[0]
    ran = baton.cli("run", "--once")
    assert said in ran.stderr and f"forward its mail to {MAIN}" in ran.stderr, ran.stderr
    # Put back, nothing is said.
    baton.config_path.write_text(text)
    baton.reload()
    assert "no mailbox in the config" not in baton.cli_inline("status").stdout
    assert "no mailbox in the config" not in baton.cli_inline("check").stdout
