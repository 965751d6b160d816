"""End to end: what the mail says and when. Every handoff answered, a looping sender held
at the ceiling, the thrower's words and names carried, verdicts confirmed, managers heard,
reminders that never contradict the escalation."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import aiohttp
import mails
import pytest
from baton import Baton, body_text, make_baton, parse
from servers import MailServer

pytestmark = pytest.mark.e2e

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ALICE, JANE = "alice@example.com", "jane@example.com"
HEAD_OF_OPS = "head-of-ops@example.com"
BURST = 300
MESSAGE = "Please countersign and call them before Friday.\nThey want the PDF back signed."


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    b = make_baton(mail_server, tmp_path)
    yield b
    b.close()


def kind_of(message: EmailMessage) -> str:
    """Which mail this is: mailbaton's Message-ID is <REF.KIND.random@domain>."""
    return str(message["Message-ID"]).strip("<>").split(".")[1]


def mails_of(baton: Baton, user: str, kind: str, count: int = 1) -> list[EmailMessage]:
    """`user`'s mails of `kind`, waiting until there are `count` of them."""
    deadline = time.monotonic() + 10
    while True:
        found = [m for m in map(parse, baton.server.messages(user)) if kind_of(m) == kind]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def handoff_with_message(**fields: str) -> bytes:
    body = (
        f"Catcher: {fields.get('catcher', mails.JANE)}\nAttached: yes\n"
        f"Title: {fields.get('title', 'Acme contract')}\nDue: 2026-11-27\n\n{MESSAGE}\n\n"
        "Thanks,\nAlice\n-- \nAlice Smith | Sales | +49 30 1234\n"
    )
    return mails.handoff(body=body, sender=fields.get("sender", mails.ALICE))


def open_one(baton: Baton, raw: bytes | None = None) -> EmailMessage:
    baton.server.deliver(raw or handoff_with_message())
    baton.run_pass(T0)
    return mails_of(baton, JANE, "request")[0]


# -- every handoff gets its own answer; loops stop at the ceiling ----------------------------


def test_two_different_handoffs_with_the_same_mistake_on_one_day_each_get_a_rejection(
    baton: Baton,
) -> None:
    first = mails.handoff(catcher=None, title="Acme contract")
    baton.server.deliver(first)
    baton.server.deliver(mails.handoff(catcher=None, title="Globex renewal"))
    # The same message delivered twice is still one handoff: one answer.
    baton.server.deliver(first)
    report = baton.run_pass(T0)
    later = baton.run_pass(T0 + timedelta(hours=3))

    assert [o.outcome for o in report.outcomes] == ["rejected"] * 3
    assert later.outcomes == []
    rejections = mails_of(baton, ALICE, "rejection", 2)
    assert sorted(body_text(m).count("Globex renewal") > 0 for m in rejections) == [False, True]
    assert len(rejections) == 2
    # The example to copy is Alice's own: her title, a due date ahead, no invented person.
    globex = next(m for m in rejections if "Globex renewal" in str(m["Subject"]))
    text = body_text(globex)
    assert "Title: Globex renewal" in text
    assert "Jane Doe" not in text and "jane.doe@" not in text


def test_a_looping_sender_gets_at_most_the_ceiling_and_status_says_so(
    baton: Baton, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mailbaton")
    # Something that answers every mail with a new one and marks none as automatic.
    for n in range(BURST):
        baton.server.deliver(
            mails.handoff(
                catcher=None, title=f"Re: your mail {n}", sender="Robot <loop@example.com>"
            )
        )
    report = baton.run_pass(T0)

    assert [o.outcome for o in report.outcomes] == ["rejected"] * BURST
    assert report.mail.sent == 20
    assert len(baton.server.wait_for("loop@example.com", 20)) == 20
    assert baton.folder_counts()["mailbaton/rejected"] == 300
    held = [t for t in baton.tickets(include_closed=True) if t["mail_held"]]
    assert len(held) == 280
    events = baton.ticket(held[0]["id"])["events"]
    assert any(
        e["kind"] == "answer held" and "over 20 answers an hour" in e["detail"] for e in events
    )
    status = baton.cli_inline("status").stdout
    assert "Held: 280 answer(s) not sent" in status
    assert "held 280 answers to loop@example.com (over 20 answers an hour)" in status
    # The log says it once, when the ceiling is reached, not 280 times.
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING and "held" in r.message]
    assert len(loud) == 1 and "loop@example.com" in loud[0].getMessage()
    # An hour later the sender is answered again (the ceiling is per hour, not for ever).
    baton.server.deliver(mails.handoff(catcher=None, sender="Robot <loop@example.com>"))
    assert baton.run_pass(T0 + timedelta(hours=1, minutes=1)).mail.sent == 1


# -- the thrower's words, names ---------------------------------------------------------


def test_the_thrower_s_message_reaches_the_catcher_as_written(baton: Baton) -> None:
    request = open_one(baton)
    text = body_text(request).replace("\r\n", "\n")
    assert MESSAGE.splitlines()[0] in text and MESSAGE.splitlines()[1] in text
    # The signature is Alice's business, not the catcher's.
    assert "+49 30 1234" not in text
    assert baton.ticket("MB-1")["message"].startswith("Please countersign")


def test_the_message_of_an_html_only_handoff_travels_too(baton: Baton) -> None:
    request = open_one(baton, mails.outlook_html_only())
    assert baton.ticket("MB-1")["state"] == "pending"
    message = baton.ticket("MB-1")["message"]
    assert message and message in body_text(request).replace("\r\n", "\n")


def test_a_bare_address_is_named_from_earlier_mail_or_its_local_part(baton: Baton) -> None:
    # Bob wrote to the desk once with his display name; Jane never did.
    baton.server.deliver(mails.handoff(catcher=None, sender="Robert Stone <bob@example.com>"))
    baton.server.deliver(handoff_with_message(catcher="bob@example.com", title="For Bob"))
    baton.server.deliver(
        handoff_with_message(catcher="jane.doe@example.com", title="For Jane", sender=ALICE)
    )
    baton.run_pass(T0)
    to_bob = mails_of(baton, "bob@example.com", "request")[0]
    to_jane = mails_of(baton, "jane.doe@example.com", "request")[0]
    # The greeting (the first line) uses the name, never the address.
    assert "Robert" in body_text(to_bob).splitlines()[0]
    assert "Jane" in body_text(to_jane).splitlines()[0]
    assert "@" not in body_text(to_jane).splitlines()[0].split(",")[0]
    receipts = mails_of(baton, ALICE, "receipt", 2)
    texts = " ".join(body_text(m) for m in receipts)
    assert "Robert Stone" in texts and "Jane Doe" in texts
    # Alice wrote with no display name: she is still greeted by a name.
    assert not any("Hi alice@" in body_text(m) for m in receipts)


# -- verdicts confirmed; re-route and cancel carry who and why ----------------------------


def test_got_it_is_confirmed_to_the_catcher(baton: Baton) -> None:
    request = open_one(baton)
    reply = mails.reply(request, "Got it, thanks")
    baton.server.deliver(reply)
    baton.run_pass(T0 + timedelta(minutes=5))

    assert baton.ticket("MB-1")["state"] == "accepted"
    confirmed = mails_of(baton, JANE, "confirmed")
    assert len(confirmed) == 1
    assert str(confirmed[0]["Subject"]).startswith("[MB-1]")
    assert str(confirmed[0]["In-Reply-To"]) == str(parse(reply)["Message-ID"])
    assert str(confirmed[0]["Auto-Submitted"]) == "auto-replied"


def test_refuse_is_confirmed_and_the_next_catcher_hears_who_refused_and_why(
    baton: Baton,
) -> None:
    request = open_one(baton)
    baton.server.deliver(mails.reply(request, "Can't take it, I'm out all week. REFUSE"))
    baton.server.deliver(mails.reply(request, "REFUSE: out all week, ask Bob"))
    baton.run_pass(T0 + timedelta(minutes=5))
    assert baton.ticket("MB-1")["state"] == "refused"
    confirmed = mails_of(baton, JANE, "confirmed")
    assert len(confirmed) >= 1 and "Alice" in body_text(confirmed[0])

    refused = mails_of(baton, ALICE, "refused")[0]
    baton.server.deliver(
        mails.reply(refused, "Catcher: Bob Stone <bob@example.com>", sender=mails.ALICE)
    )
    baton.run_pass(T0 + timedelta(minutes=10))
    to_bob = body_text(mails_of(baton, "bob@example.com", "request")[0])
    assert "Jane Doe" in to_bob
    assert baton.ticket("MB-1")["catcher"] == "bob@example.com"
    reason = next(
        e["detail"] for e in baton.ticket("MB-1")["events"] if e["kind"] == "refused"
    ).split(": ", 1)[1]
    assert reason in to_bob


def test_cancel_tells_the_catcher_the_reason(baton: Baton) -> None:
    open_one(baton)
    receipt = mails_of(baton, ALICE, "receipt")[0]
    baton.server.deliver(
        mails.reply(receipt, "CANCEL - the customer signed the old version", sender=mails.ALICE)
    )
    baton.run_pass(T0 + timedelta(minutes=5))
    assert baton.ticket("MB-1")["state"] == "cancelled"
    cancelled = mails_of(baton, JANE, "cancelled")[0]
    assert "the customer signed the old version" in body_text(cancelled)


# -- managers ---------------------------------------------------------------------------


def escalated(baton: Baton) -> EmailMessage:
    open_one(baton)
    baton.run_pass(T0 + timedelta(hours=4, minutes=1))
    return mails_of(baton, HEAD_OF_OPS, "escalation")[0]


def test_a_manager_s_answer_is_recorded_and_passed_on_not_told_off(baton: Baton) -> None:
    warning = escalated(baton)
    baton.server.deliver(
        mails.reply(
            warning, "Got it, I'll chase Jane today.", sender=f"Maria Lopez <{HEAD_OF_OPS}>"
        )
    )
    report = baton.run_pass(T0 + timedelta(hours=4, minutes=10))

    assert [o.outcome for o in report.outcomes] == ["processed"]
    ticket = baton.ticket("MB-1")
    assert ticket["state"] == "pending" and ticket["catcher"] == JANE
    assert any(
        e["kind"] == "manager note" and "chase Jane today" in e["detail"] for e in ticket["events"]
    )
    assert mails_of(baton, HEAD_OF_OPS, "not_catcher", 0) == []
    for person in (ALICE, JANE):
        note = mails_of(baton, person, "manager_note")
        assert len(note) == 1, person
        assert "I'll chase Jane today." in body_text(note[0])
        assert "Maria Lopez" in body_text(note[0])
    # Later mail to the managers names Maria as her own mail did.
    baton.server.deliver(mails.reply(mails_of(baton, JANE, "request")[0], "GOT IT"))
    baton.run_pass(T0 + timedelta(hours=4, minutes=20))
    all_clear = mails_of(baton, HEAD_OF_OPS, "all_clear")[0]
    assert f"Maria Lopez <{HEAD_OF_OPS}>" in str(all_clear["To"])


def test_a_manager_hands_the_ticket_to_another_catcher(baton: Baton) -> None:
    warning = escalated(baton)
    baton.server.deliver(
        mails.reply(
            warning,
            "Jane is on leave, Bob takes this.\nCatcher: Bob Stone <bob@example.com>",
            sender=HEAD_OF_OPS,
        )
    )
    baton.run_pass(T0 + timedelta(hours=4, minutes=10))

    ticket = baton.ticket("MB-1")
    assert (ticket["state"], ticket["catcher"]) == ("pending", "bob@example.com")
    request = mails_of(baton, "bob@example.com", "request")[0]
    assert [p.get_filename() for p in request.iter_attachments()] == ["contract.pdf"]
    assert MESSAGE.splitlines()[0] in body_text(request)
    assert "Bob takes this" in body_text(mails_of(baton, JANE, "manager_note")[0])
    # Bob can take it; Jane no longer can.
    baton.server.deliver(mails.reply(request, "GOT IT", sender="Bob Stone <bob@example.com>"))
    baton.run_pass(T0 + timedelta(hours=4, minutes=20))
    assert baton.ticket("MB-1")["state"] == "accepted"


def test_escalations_and_the_all_clear_thread_under_the_first_warning(
    mail_server: MailServer, tmp_path: Path
) -> None:
    baton = make_baton(mail_server, tmp_path, escalation='repeat_every = "2h"')
    try:
        request = open_one(baton)
        baton.run_pass(T0 + timedelta(hours=4, minutes=1))
        baton.run_pass(T0 + timedelta(hours=6, minutes=1))
        first, second = sorted(
            mails_of(baton, HEAD_OF_OPS, "escalation", 2), key=lambda m: str(m["Date"])
        )[:2]
        baton.server.deliver(mails.reply(request, "GOT IT"))
        baton.run_pass(T0 + timedelta(hours=6, minutes=5))
        all_clear = mails_of(baton, HEAD_OF_OPS, "all_clear")[0]
        root = str(first["Message-ID"])
        assert root in str(second["References"]) and root in str(all_clear["References"])
        assert str(all_clear["In-Reply-To"]) == root
        assert str(first["Subject"]) == str(second["Subject"])
    finally:
        baton.close()


# -- reminders --------------------------------------------------------------------------


def test_a_reminder_is_never_sent_in_the_pass_of_its_escalation(
    mail_server: MailServer, tmp_path: Path
) -> None:
    baton = make_baton(mail_server, tmp_path, escalation='remind_after = "2h"')
    try:
        open_one(baton)
        # The service was down from 1 h to 5 h: both are due in the first pass back.
        report = baton.run_pass(T0 + timedelta(hours=5))
        assert (report.due.escalated, report.due.reminded) == (1, 0)
        assert mails_of(baton, JANE, "reminder", 0) == []
        events = baton.ticket("MB-1")["events"]
        assert any(e["kind"] == "reminder skipped" for e in events)
    finally:
        baton.close()


def test_a_reminder_says_what_the_work_is_and_when_managers_hear(
    mail_server: MailServer, tmp_path: Path
) -> None:
    baton = make_baton(mail_server, tmp_path, escalation='remind_after = "2h"')
    try:
        open_one(baton)
        assert baton.run_pass(T0 + timedelta(hours=2, minutes=1)).due.reminded == 1
        reminder = body_text(mails_of(baton, JANE, "reminder")[0])
        assert "Acme contract" in reminder
        assert "13:00" in reminder  # the escalation moment, 4 h after 09:00 UTC
    finally:
        baton.close()


# -- the demo's web mail ------------------------------------------------------------------


def webmail_reply(web: str, account: str, subject_part: str, body: str, sender: str | None) -> None:
    """What a person does in mail-devel's web mail at `web` (http://host:port): open the
    mail, press Reply, (maybe) put their address in From, write, Send. Driven over the
    same websocket the page uses."""

    async def act() -> None:
        url = f"{web}/websocket"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:

            async def call(command: str, **args: object) -> dict[str, object]:
                await ws.send_str(json.dumps({"command": command, **args}))
                while True:
                    reply = json.loads(await ws.receive_str())
                    if reply.get("command") == command:
                        return dict(reply["data"])

            listed = await call("list_mails", account=account, mailbox="INBOX")
            mail = next(
                m
                for m in listed["mails"]
                if subject_part in m["header"]["subject"]  # type: ignore[attr-defined]
            )
            reply = await call("reply_mail", account=account, mailbox="INBOX", uid=mail["uid"])
            header = dict(reply["mail"]["header"])  # type: ignore[index]
            # The editor's simple mode sends exactly these headers.
            fields = {k: header.get(k, "") for k in ("date", "from", "to", "cc", "bcc", "subject")}
            if sender is not None:
                fields["from"] = sender
            message = {"header": fields, "body": body, "attachments": []}
            await ws.send_str(
                json.dumps(
                    {
                        "command": "send_mail",
                        "account": account,
                        "mailbox": "INBOX",
                        "mail": message,
                    }
                )
            )
            await call("config")

    asyncio.run(act())


def test_in_the_demo_web_mail_jane_replies_got_it_and_the_ticket_is_accepted(
    sandbox_server: MailServer, tmp_path: Path
) -> None:
    from mailbaton.app.demo import webmail_hint

    baton = make_baton(sandbox_server, tmp_path)
    try:
        open_one(baton)
        # As the page leaves it: a made-up From. Ignored, and the terminal says by whom and
        # what to do.
        web = f"http://{sandbox_server.host}:{sandbox_server.sandbox.http_port}"  # type: ignore[attr-defined]
        webmail_reply(web, JANE, "[MB-1]", "GOT IT", sender=None)
        report = baton.run_pass(T0 + timedelta(minutes=5))
        [ignored] = report.outcomes
        assert ignored.outcome == "ignored"
        assert ignored.reason.startswith("mail from ") and "@mail-devel:" in ignored.reason
        assert "jane@example.com" in (webmail_hint(ignored) or "")
        # From emptied by hand: the web mail sends it without a From line at all.
        webmail_reply(web, JANE, "[MB-1]", "GOT IT", sender="")
        [ignored] = baton.run_pass(T0 + timedelta(minutes=5)).outcomes
        assert ignored.reason.startswith("mail from (no From address): the From line is empty")
        assert webmail_hint(ignored) is not None
        # With From set to the account being viewed, as the demo's steps say: accepted.
        webmail_reply(web, JANE, "[MB-1]", "GOT IT", sender=JANE)
        report = baton.run_pass(T0 + timedelta(minutes=6))
        assert [o.reason for o in report.outcomes] == ["MB-1 accepted by jane@example.com"]
        assert baton.ticket("MB-1")["state"] == "accepted"
        assert len(mails_of(baton, ALICE, "accepted")) == 1
    finally:
        baton.close()


def test_an_ignored_message_names_its_sender_on_the_terminal(baton: Baton) -> None:
    outsider = EmailMessage()
    outsider["From"] = "Eve <eve@elsewhere.org>"
    outsider["To"] = "baton@example.com"
    outsider["Subject"] = "hello"
    outsider["Message-ID"] = make_msgid(domain="elsewhere.org")
    outsider.set_content("Catcher: jane@example.com\n")
    baton.server.deliver(outsider.as_bytes())
    done = baton.cli_inline("run", "--once")
    assert "ignored: mail from eve@elsewhere.org: the sender is outside the allowed domains" in (
        done.stdout
    )


def test_from_a_fresh_start_the_demo_s_web_mail_takes_jane_s_got_it(tmp_path: Path) -> None:
    """`mailbaton demo` as a person runs it; the steps it prints, done in its web mail."""
    demo = subprocess.Popen(
        [sys.executable, "-u", "-m", "mailbaton", "demo", "--dir", str(tmp_path / "demo")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(demo.stdout.readline, "")))  # type: ignore[union-attr]
    reader.start()

    def wait_for(words: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and demo.poll() is None:
            found = [line for line in list(lines) if words in line]
            if found:
                return found[0]
            time.sleep(0.1)
        raise AssertionError(f"the demo never said {words!r}:\n" + "".join(lines))

    try:
        wait_for("Ctrl-C stops it")
        web = re.search(r"Web mail: (http://127\.0\.0\.1:\d+)/", "".join(lines))
        assert web is not None
        steps = "".join(lines)
        assert "In From, replace the random" in steps and "Write GOT IT" in steps
        webmail_reply(web.group(1), JANE, "[MB-2]", "GOT IT", sender=JANE)
        wait_for("processed: MB-2 accepted by jane@example.com", timeout=30)
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait()
        reader.join(timeout=5)
        demo.stdout.close()  # type: ignore[union-attr]


def test_on_postgres_words_names_and_the_ceiling(
    sandbox_server: MailServer, tmp_path: Path, pg_url: str
) -> None:
    baton = make_baton(
        sandbox_server, tmp_path, db_url=pg_url, protocol="max_answers_per_sender = 2"
    )
    try:
        baton.server.deliver(mails.handoff(catcher=None, sender="Robert Stone <bob@example.com>"))
        for n in range(3):
            baton.server.deliver(mails.handoff(catcher=None, title=f"Loop {n}"))
        baton.server.deliver(handoff_with_message(catcher="bob@example.com", title="For Bob"))
        report = baton.run_pass(T0)
        assert [o.outcome for o in report.outcomes] == ["rejected"] * 4 + ["processed"]
        assert "answer held: over 2 answers an hour" in report.outcomes[3].reason
        # The third rejection and the receipt: both answers to Alice past the ceiling.
        assert "held 2 answers to alice@example.com" in baton.cli_inline("status").stdout
        ticket = next(t for t in baton.tickets() if t["title"] == "For Bob")
        assert baton.ticket(ticket["id"])["message"].startswith("Please countersign")
        request = mails_of(baton, "bob@example.com", "request")[0]
        assert str(request["To"]) == "Robert Stone <bob@example.com>"
    finally:
        baton.close()
