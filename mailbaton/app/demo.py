"""`mailbaton demo`: the protocol played on an embedded sandbox mail server, no setup."""

from __future__ import annotations

import asyncio
import contextlib
import email
import smtplib
import socket
import textwrap
from dataclasses import replace
from datetime import datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

from mailbaton.app.sandbox import Sandbox, SandboxError, free_port, start_sandbox
from mailbaton.app.service import Service
from mailbaton.app.text import status_table
from mailbaton.clock import humanize, utcnow
from mailbaton.config import ConfigError, Settings, load
from mailbaton.tickets.queries import load_tickets
from mailbaton.transport.imap import Inbox

PASSWORD = "secret"
ALICE = "Alice Smith <alice@example.com>"
JANE = "Jane Doe <jane@example.com>"

DEMO_CONFIG = """\
# Written by `mailbaton demo`: the sandbox mail server it started, SQLite in this folder.
[mailbox]
host = "127.0.0.1"
port = {imap}
security = "none"
username = "baton@example.com"
password = "{password}"
address = "baton@example.com"
poll_interval = "30s"

[smtp]
host = "127.0.0.1"
port = {smtp}
security = "none"

[database]
url = "sqlite:///mailbaton.db"

[protocol]
allowed_domains = ["example.com"]
group_addresses = ["ops@example.com", "*-team@example.com"]

[escalation]
after = "4h"
managers = ["managers@example.com"]

[departments.sales]
members = ["alice@example.com", "*@sales.example.com"]
managers = ["head-of-sales@example.com"]

[departments.ops]
members = ["jane@example.com", "*@ops.example.com"]
managers = ["head-of-ops@example.com"]

# No [templates] dir: the mails use the templates shipped inside the package.
"""


def _port(preferred: int) -> int:
    """The usual sandbox port when free (so ./config.toml works too), else any free one."""
    with socket.socket() as probe:
        # As the servers themselves do: a port in TIME_WAIT is free for a listener.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            return free_port()
    return preferred


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def bad_handoff() -> EmailMessage:
    message = EmailMessage()
    message["From"] = ALICE
    message["To"] = "baton@example.com"
    message["Subject"] = "HANDOFF: Acme Corp contract"
    message.set_content(
        "Catcher: sales@example.com\nTitle: Acme Corp - $50,000 contract ready to countersign\n"
        "Due: 2026-11-27\n\nCan someone take this?\n"
    )
    return message


def good_handoff(title: str = "Acme Corp - $50,000 contract ready to countersign") -> EmailMessage:
    message = EmailMessage()
    message["From"] = ALICE
    message["To"] = "baton@example.com"
    message["Subject"] = "HANDOFF: Acme Corp contract"
    message.set_content(
        f"Catcher: {JANE}\nAttached: yes\n"
        f"Title: {title}\n"
        "Due: 2026-11-27\nNotes: customer expects a call on Friday\n\nThanks, Alice\n"
    )
    message.add_attachment(
        _pdf(), maintype="application", subtype="pdf", filename="acme-contract.pdf"
    )
    return message


def got_it(request: EmailMessage) -> EmailMessage:
    """Jane's answer as a mail client writes it: new text on top, the request quoted."""
    body = request.get_body(("plain",))
    quoted = "\n".join("> " + line for line in (body.get_content() if body else "").splitlines())
    message = EmailMessage()
    message["From"] = JANE
    message["To"] = str(request.get("Reply-To") or request["From"])
    message["Subject"] = "Re: " + str(request["Subject"])
    message["In-Reply-To"] = str(request["Message-ID"])
    message["References"] = str(request["Message-ID"])
    message.set_content(f"Got it, thanks!\n\nOn Mon, mailbaton wrote:\n{quoted}\n")
    return message


def _send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp.host, settings.smtp.port, timeout=10) as client:
        client.send_message(message)


def _inbox_of(settings: Settings, user: str) -> list[EmailMessage]:
    mailbox = replace(settings.mailbox, username=user, password=PASSWORD, folder="INBOX")
    with Inbox(mailbox) as inbox:
        inbox.select()
        found = []
        for _uid, raw in inbox.fetch(inbox.uids()):
            parsed = email.message_from_bytes(raw, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            found.append(parsed)
        return found


def _show(message: EmailMessage, lines: int = 14) -> None:
    print(f"    To:      {message['To']}")
    print(f"    Subject: {message['Subject']}")
    files = [part.get_filename() for part in message.iter_attachments()]
    if files:
        print(f"    Files:   {', '.join(str(f) for f in files)}")
    body = message.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    shown = text.splitlines()[:lines]
    print(textwrap.indent("\n".join(shown), "    | ", lambda _line: True))
    print("    | ...")


def _step(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 70 - len(title)))


def _pass(service: Service, now: datetime | None = None) -> None:
    report = asyncio.run(service.run_once(now))
    print(f"  mailbaton pass: {report.summary()}")
    for outcome in report.outcomes:
        print(f"    {outcome.outcome}: {outcome.reason}")


def run_demo(folder: Path, *, wait: bool = True) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    imap, smtp, http = _port(4143), _port(4025), _port(4080)
    try:
        sandbox = start_sandbox(
            imap_port=imap,
            smtp_port=smtp,
            http_port=http,
            with_http=True,
            password=PASSWORD,
            log_path=folder / "sandbox.log",
        )
    except SandboxError as error:
        print(f"mailbaton demo: the sandbox mail server did not start: {error}")
        return 1
    with sandbox:
        config = folder / "config.toml"
        config.write_text(DEMO_CONFIG.format(imap=imap, smtp=smtp, password=PASSWORD))
        # A fresh start each time; the WAL files too, or SQLite reads a stale journal.
        for name in ("mailbaton.db", "mailbaton.db-wal", "mailbaton.db-shm"):
            (folder / name).unlink(missing_ok=True)
        try:
            settings = load(config)
        except ConfigError as error:
            print("\n".join(error.problems))
            return 1
        service = Service.open(settings)
        try:
            return _walkthrough(settings, service, sandbox, config, wait)
        finally:
            service.close()


def _walkthrough(
    settings: Settings, service: Service, sandbox: Sandbox, config: Path, wait: bool
) -> int:
    print("mailbaton demo: a sandbox mail server is running on this machine only")
    print(
        f"  IMAP 127.0.0.1:{sandbox.imap_port}  SMTP 127.0.0.1:{sandbox.smtp_port}  "
        f"any address, password {PASSWORD!r}"
    )
    _story(settings, service)
    return _try_it(service, sandbox, config, wait)


def _story(settings: Settings, service: Service) -> None:
    """Steps 1-4: a rejection, a request and receipt, a GOT IT, an escalation."""
    _step("1. Alice (Sales) throws a handoff to a team address, with no file")
    _send(settings, bad_handoff())
    _pass(service)
    print("  Alice receives ONE reply listing every problem:")
    _show(_inbox_of(settings, "alice@example.com")[-1], lines=16)

    _step("2. Alice throws it properly: Jane (Ops) named, contract attached")
    _send(settings, good_handoff())
    _pass(service)
    jane = _inbox_of(settings, "jane@example.com")
    print("  Jane receives the request, with Alice's file:")
    _show(jane[-1], lines=12)
    print("\n  Alice receives the receipt: the baton is still hers:")
    _show(_inbox_of(settings, "alice@example.com")[-1], lines=6)

    _step('3. Jane presses Reply and writes "Got it" above the quoted request')
    _send(settings, got_it(jane[-1]))
    _pass(service)
    print("  Alice is told the baton has been passed:")
    _show(_inbox_of(settings, "alice@example.com")[-1], lines=4)

    _step("4. Alice throws another one to Jane, and nobody catches it")
    _send(settings, good_handoff(title="Globex renewal - signed order form"))
    _pass(service)
    later = utcnow() + settings.escalation.after
    print(
        f"  ... the clock is advanced {humanize(settings.escalation.after)} "
        "(`mailbaton run --once --now` does the same):"
    )
    _pass(service, later)
    print("  The managers of Sales and Ops (and the default list) are warned:")
    _show(_inbox_of(settings, "head-of-ops@example.com")[-1], lines=10)


def _try_it(service: Service, sandbox: Sandbox, config: Path, wait: bool) -> int:
    _step("5. The ledger: `mailbaton status --all`")
    with service.db.transaction() as session:
        print(
            textwrap.indent(
                status_table(load_tickets(session, include_closed=True), utcnow()), "  "
            )
        )

    print("\nEvery message the service read is filed in the shared mailbox:")
    print("  mailbaton/processed, mailbaton/rejected, mailbaton/ignored, mailbaton/failed")
    if not wait:
        return 0
    _step("Try it yourself")
    if sandbox.http_port:
        print(
            f"  Web mail: http://127.0.0.1:{sandbox.http_port}/ (any account, e.g. "
            "alice@example.com; write to baton@example.com)"
        )
    print(f"  Or any mail client: IMAP/SMTP above, password {PASSWORD!r}.")
    print(f"  In another terminal: mailbaton -c {config} status --all")
    print("  The daemon is running now (IDLE on the shared mailbox). Ctrl-C stops it.\n")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            service.run_forever(lambda r: print(f"  pass: {r.summary()}") if r.outcomes else None)
        )
    return 0
