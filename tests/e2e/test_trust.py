"""No loops, no backscatter, no forged answers, nothing leaked: against real servers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import mails
import pytest
from baton import Baton, body_text, make_baton, parse
from servers import MailServer

from mailbaton.transport.imap import Inbox

pytestmark = pytest.mark.e2e

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    b = make_baton(mail_server, tmp_path)
    yield b
    b.close()


def open_one(baton: Baton, title: str = "Acme") -> EmailMessage:
    baton.server.deliver(mails.handoff(title=title))
    baton.run_pass(T0)
    return next(
        parse(r) for r in baton.server.wait_for("jane@example.com", 1) if title.encode() in r
    )


MACHINE_HEADERS = [
    {"Auto-Submitted": "auto-replied"},
    {"X-Autoreply": "yes"},
    {"X-Autorespond": "Out of office"},
    {"Precedence": "bulk"},
    {"Precedence": "junk"},
    {"List-Id": "<team.lists.example.com>"},
    {"Return-Path": "<>"},
]


def test_auto_replies_on_a_ticket_thread_never_change_it_or_get_an_answer(baton: Baton) -> None:
    request = open_one(baton)
    before = len(baton.server.messages("jane@example.com"))
    for headers in MACHINE_HEADERS:
        raw = mails.reply(request, "Got it")  # would accept, were it a person
        head, _, rest = raw.partition(b"\n")
        extra = "".join(f"{k}: {v}\n" for k, v in headers.items()).encode()
        baton.server.deliver(head + b"\n" + extra + rest)
    baton.server.deliver(mails.reply(request, "Got it", sender="MAILER-DAEMON@example.com"))
    baton.server.deliver(mails.reply(request, "Got it", sender="baton@example.com"))
    report = baton.run_pass(T0 + timedelta(minutes=5))

    assert [o.outcome for o in report.outcomes] == ["ignored"] * (len(MACHINE_HEADERS) + 2)
    assert baton.ticket("MB-1")["state"] == "pending"
    assert len(baton.server.messages("jane@example.com")) == before
    assert baton.server.messages("mailer-daemon@example.com") == []
    assert report.mail.sent == 0


def test_a_bounced_request_tells_the_thrower_once(baton: Baton) -> None:
    request = open_one(baton)
    baton.server.deliver(mails.dsn_for(request))
    baton.server.deliver(mails.dsn_for(request))  # a second report about the same mail
    report = baton.run_pass(T0 + timedelta(minutes=2))

    assert [o.outcome for o in report.outcomes] == ["ignored", "ignored"]
    assert "bounce of MB-1's request" in report.outcomes[0].reason
    notices = baton.saying("alice@example.com", "could not be delivered to")
    assert len(notices) == 1
    assert "5.1.1" in body_text(notices[0]) and "jane@example.com" in body_text(notices[0])
    assert baton.server.messages("mailer-daemon@mx.partner.org") == []
    events = [e["kind"] for e in baton.ticket("MB-1")["events"]]
    assert events.count("undeliverable") == 2


def test_every_handoff_gets_its_own_rejection_up_to_the_hourly_ceiling(
    mail_server: MailServer, tmp_path: Path
) -> None:
    baton = make_baton(mail_server, tmp_path, protocol="max_answers_per_sender = 3")
    try:
        for n in range(4):  # the same mistake in four different handoffs
            baton.server.deliver(mails.handoff(catcher=None, title=f"Case {n}"))
        baton.run_pass(T0)
        assert len(baton.server.wait_for("alice@example.com", 3)) == 3
        assert [t["state"] for t in baton.tickets(include_closed=True)] == ["rejected"] * 4
        # The fourth answer is held, not sent: a loop with another robot ends here.
        assert len(baton.server.messages("alice@example.com")) == 3
    finally:
        baton.close()


def test_unclear_is_answered_once_a_day_per_text(baton: Baton) -> None:
    request = open_one(baton)
    # An auto-responder that does not say so, repeating itself: answered once.
    for _ in range(3):
        baton.server.deliver(mails.reply(request, "What is this?"))
    baton.run_pass(T0 + timedelta(minutes=1))
    unclear = baton.saying("jane@example.com", "did not say whether you take it")
    assert len(unclear) == 1
    # A person who writes something new the same day is answered again.
    baton.server.deliver(mails.reply(request, "Which contract do you mean?"))
    baton.run_pass(T0 + timedelta(minutes=2))
    unclear = baton.saying("jane@example.com", "did not say whether you take it")
    assert len(unclear) == 2


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The UIDs fetched whole (a message over the size cap must never be)."""
    uids: list[int] = []
    real_fetch = Inbox.fetch

    def spy(self: Inbox, wanted: list[int]) -> Iterator[tuple[int, bytes]]:
        uids.extend(wanted)
        return real_fetch(self, wanted)

    monkeypatch.setattr(Inbox, "fetch", spy)
    return uids


def test_a_handoff_over_the_size_cap_is_rejected_without_being_fetched(
    mail_server: MailServer, tmp_path: Path, fetched: list[int]
) -> None:
    baton = make_baton(mail_server, tmp_path, protocol='max_message_size = "100KB"')
    try:
        big = mails.handoff(files={"scan.pdf": b"%PDF" + b"x" * 300_000}, title="Huge")
        baton.server.deliver(big)
        baton.server.deliver(mails.handoff(title="Small"))
        report = baton.run_pass(T0)
        assert sorted(o.outcome for o in report.outcomes) == ["processed", "rejected"]
        assert len(fetched) == 1  # the small one only: the big body never crossed the wire
        (rejection,) = baton.saying("alice@example.com", "was not passed on")
        assert "larger than the 0.1 MB this service accepts" in body_text(rejection)
        # The same message again through the MTA pipe is already decided: never twice.
        again = baton.cli("ingest", stdin=big)
        assert again.returncode == 0 and "already processed" in again.stdout
        other = mails.handoff(files={"scan.pdf": b"%PDF" + b"y" * 300_000}, title="Huge 2")
        done = baton.cli("ingest", stdin=other)
        assert done.returncode == 0 and "too_large" in done.stdout
    finally:
        baton.close()


def test_a_got_it_sending_the_big_file_back_still_counts_and_is_read_only_in_part(
    mail_server: MailServer, tmp_path: Path, fetched: list[int]
) -> None:
    # Catchers reply with the file still attached; one over the cap is read in part (its
    # new text comes first), so the catcher is not told off as if they had sent a handoff.
    baton = make_baton(mail_server, tmp_path, protocol='max_message_size = "100KB"')
    try:
        request = open_one(baton)
        answer = message_from_bytes(mails.reply(request, "Got it, thanks!"), policy=default)
        assert isinstance(answer, EmailMessage)
        answer.add_attachment(b"%PDF" + b"x" * 300_000, "application", "pdf", filename="a.pdf")
        fetched.clear()
        baton.server.deliver(answer.as_bytes())
        baton.run_pass(T0 + timedelta(minutes=5))
        assert fetched == []  # not fetched whole: only its first bytes crossed the wire
        assert baton.ticket("MB-1")["state"] == "accepted"
        assert baton.saying("jane@example.com", "is yours now")
        assert not baton.saying("jane@example.com", "was not passed on")
        # A big mail that answers no ticket is still a handoff, and too large.
        stray = message_from_bytes(answer.as_bytes(), policy=default)
        for name in ("In-Reply-To", "References", "Subject", "Message-ID"):
            del stray[name]
        stray["Subject"] = "Re: something else"
        stray["Message-ID"] = "<stray.1@client.example.com>"
        baton.server.deliver(stray.as_bytes())
        report = baton.run_pass(T0 + timedelta(minutes=6))
        assert [o.outcome for o in report.outcomes] == ["rejected"], report.outcomes
        assert "too_large" in report.outcomes[0].reason
    finally:
        baton.close()


def test_with_dmarc_required_unverified_replies_are_held_not_acted_on(
    mail_server: MailServer, tmp_path: Path
) -> None:
    baton = make_baton(mail_server, tmp_path, protocol='require_dmarc_pass_from = "mx.example.com"')
    verified = (
        "Authentication-Results: mx.example.com; dkim=pass; dmarc=pass header.from=example.com\n"
    )
    try:
        baton.server.deliver(verified.encode() + mails.handoff())
        baton.run_pass(T0)
        request = parse(baton.server.wait_for("jane@example.com", 1)[0])
        forged = "Authentication-Results: evil.example; dmarc=pass header.from=example.com\n"
        baton.server.deliver(mails.reply(request, "Got it"))
        baton.server.deliver(forged.encode() + mails.reply(request, "Got it"))
        report = baton.run_pass(T0 + timedelta(minutes=1))
        assert [o.outcome for o in report.outcomes] == ["failed", "failed"]
        assert "held for review" in report.outcomes[0].reason
        assert baton.ticket("MB-1")["state"] == "pending"
        assert len(baton.server.messages("baton@example.com", "mailbaton/failed")) == 2

        baton.server.deliver(verified.encode() + mails.reply(request, "Got it"))
        baton.run_pass(T0 + timedelta(minutes=2))
        assert baton.ticket("MB-1")["state"] == "accepted"
    finally:
        baton.close()


def test_a_token_from_someone_elses_ticket_changes_nothing(
    mail_server: MailServer, tmp_path: Path
) -> None:
    baton = make_baton(mail_server, tmp_path, plus=True)
    try:
        baton.server.deliver(mails.handoff(title="For Bob", catcher="Bob <bob@example.com>"))
        baton.run_pass(T0)
        bobs = parse(baton.server.wait_for("bob@example.com", 1)[0])
        # Jane answers Bob's request (its token in the address): she is not its catcher.
        baton.server.deliver(mails.reply(bobs, "Got it", sender=mails.JANE))
        baton.run_pass(T0 + timedelta(minutes=1))
        assert baton.ticket("MB-1")["state"] == "pending"
        assert baton.saying("jane@example.com", "only Bob")
    finally:
        baton.close()


def test_secrets_never_reach_logs_or_output(baton: Baton) -> None:
    open_one(baton)
    outputs = [
        baton.cli("-v", "check"),
        baton.cli("-v", "run", "--once"),
        baton.cli_inline("show", "MB-1", "--json"),  # no logging: no process needed
        baton.cli_inline("status", "--all", "--json"),
    ]
    text = "\n".join(o.stdout + o.stderr for o in outputs)
    text = text.replace(str(baton.config_path.parent), "<tmp>")  # its name says "secrets"
    assert "LOGIN" in text  # the debug log did run
    assert baton.server.password not in text


def test_starttls_that_cannot_start_is_an_error_not_plaintext(
    sandbox_server: MailServer, tmp_path: Path
) -> None:
    baton = make_baton(sandbox_server, tmp_path)
    config = baton.config_path.read_text()
    # mail-devel offers no STARTTLS on either port.
    baton.config_path.write_text(config.replace('security = "none"', 'security = "starttls"'))
    try:
        done = baton.cli_inline("check")
        assert done.returncode == 1
        assert "IMAP: FAILED" in done.stdout and "SMTP: FAILED" in done.stdout
        baton.config_path.write_text(
            config.replace(
                'security = "none"\ntimeout = 10\n\n[database]',
                'security = "starttls"\ntimeout = 10\n\n[database]',
            )
        )
        sandbox_server.deliver(mails.handoff())
        done = baton.cli_inline("run", "--once")
        assert done.returncode == 0, done.stdout + done.stderr
        assert sandbox_server.messages("jane@example.com") == []  # nothing went out in clear
        (ticket,) = baton.tickets()
        assert ticket["mail_waiting"] == 2
    finally:
        baton.close()
