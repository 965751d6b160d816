"""`mailbaton demo`: the protocol played on an embedded sandbox mail server, no setup."""

from __future__ import annotations

import asyncio
import contextlib
import email
import shutil
import smtplib
import socket
import sys
import textwrap
from dataclasses import replace
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

from mailbaton.app.intake import Outcome
from mailbaton.app.sandbox import Sandbox, SandboxError, free_port, start_sandbox
from mailbaton.app.service import PassReport, Service
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


def _due() -> str:
    """A Due date a few days ahead of today, so the demo never shows a date already past."""
    return (utcnow().date() + timedelta(days=4)).isoformat()


def bad_handoff() -> EmailMessage:
    message = EmailMessage()
    message["From"] = ALICE
    message["To"] = "baton@example.com"
    message["Subject"] = "HANDOFF: Acme Corp contract"
    message.set_content(
        "Catcher: sales@example.com\nTitle: Acme Corp - $50,000 contract ready to countersign\n"
        f"Due: {_due()}\n\nCan someone take this?\n"
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
        f"Due: {_due()}\nNotes: customer expects a call on Friday\n\n"
        "Please countersign and send it back to them; they asked for a call first.\n\n"
        "Thanks, Alice\n"
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
    _outcomes(report.outcomes)


# mail-devel's web mail fills From with a random <hex>@mail-devel on Reply, and sends a
# message with From left empty: say what to do, right where the message was ignored.
WEBMAIL_HINT = (
    "      The web mail's Reply puts a random address in From. Reply again and write the\n"
    "      account you act as in From (e.g. jane@example.com), then Send."
)


def webmail_hint(outcome: Outcome) -> str | None:
    """The fix for a web-mail reply that was ignored for its From line; None otherwise."""
    if outcome.outcome != "ignored":
        return None
    if "@mail-devel:" in outcome.reason or "(no From address)" in outcome.reason:
        return WEBMAIL_HINT
    return None


def _outcomes(outcomes: list[Outcome]) -> None:
    """Each message the pass read: what became of it, and from whom when it was ignored."""
    for outcome in outcomes:
        print(f"    {outcome.outcome}: {outcome.reason}")
        hint = webmail_hint(outcome)
        if hint:
            print(hint)


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
    print("\n  And Jane sees at once how her answer was read:")
    _show(_inbox_of(settings, "jane@example.com")[-1], lines=3)

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
        print(webmail_steps(sandbox.http_port))
    print(f"  Or any mail client: IMAP/SMTP above, password {PASSWORD!r}.")
    print(f"  In another terminal: {_command()} -c {config} status --all")
    print("  The daemon is running now (IDLE on the shared mailbox). Ctrl-C stops it.\n")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(service.run_forever(_report))
    print("  Stopped: the sandbox mail server and the daemon are gone.")
    return 0


def _command() -> str:
    """How this person can run mailbaton again: the venv's script if it is not on PATH."""
    beside = Path(sys.executable).with_name("mailbaton")
    found = shutil.which("mailbaton")
    return "mailbaton" if found and Path(found) == beside else str(beside)


def _report(report: PassReport) -> None:
    if report.outcomes or report.due.escalated or report.due.reminded:
        print(f"  pass: {report.summary()}")
        _outcomes(report.outcomes)


def webmail_steps(http_port: int) -> str:
    """How a person acts as Alice, Jane or a manager in the sandbox's web mail."""
    steps = textwrap.dedent(
        f"""\
          Web mail: http://127.0.0.1:{http_port}/  (every address is an account: choose one
          in the account list at the top left to read its mail as that person)

          Act as Jane and take the Globex ticket (MB-2):
            1. Choose jane@example.com, open "[MB-2] ...", press Reply (the arrow
               button above the mail).
            2. In From, replace the random ...@mail-devel address with jane@example.com
               (the web mail makes one up; mailbaton ignores mail from outside example.com).
            3. Write GOT IT as the message and press Send (the paper plane).
          Within seconds the terminal says "processed: MB-2 accepted by jane@example.com",
          Alice (alice@example.com) has "accepted" and Jane a confirmation.

          Act as Alice: open her receipt, Reply with From alice@example.com and write
          CANCEL and a reason; or write a new mail (the paper plane at the top) From
          alice@example.com To baton@example.com, starting with the line
          "Catcher: Jane Doe <jane@example.com>" and a file attached.
          Act as a manager: choose head-of-ops@example.com, Reply to the warning with From
          head-of-ops@example.com; your words reach Alice and Jane, and a line
          "Catcher: Bob Stone <bob@example.com>" hands the ticket to Bob.
        """
    ).rstrip()
    return textwrap.indent(steps, "  ")
