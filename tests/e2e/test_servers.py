"""The test harness itself: both real servers deliver, store, fold and clear mail as promised."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP, default

import pytest
from servers import DovecotServer, MailServer

pytestmark = pytest.mark.e2e


def _mail(to: str, subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "alice@example.com"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{subject.replace(' ', '-')}@example.com>"
    msg.set_content(f"Body of {subject}.\n")
    return msg


def _subject(raw: bytes) -> str:
    return str(BytesParser(policy=default).parsebytes(raw)["Subject"])


def _send(server: MailServer, msg: EmailMessage) -> None:
    with smtplib.SMTP(server.host, server.smtp_port, timeout=10) as smtp:
        smtp.send_message(msg)


def test_deliver_then_messages_round_trip_in_uid_order(mail_server: MailServer) -> None:
    first = _mail("baton@example.com", "first").as_bytes(policy=SMTP)
    second = _mail("baton@example.com", "second").as_bytes(policy=SMTP)
    mail_server.deliver(first)
    mail_server.deliver(second)
    mail_server.deliver(_mail("baton@example.com", "filed").as_bytes(), folder="Baton/Done")

    assert mail_server.messages("baton@example.com") == [first, second]
    assert [_subject(m) for m in mail_server.messages("baton@example.com", "Baton/Done")] == [
        "filed"
    ]
    assert mail_server.messages("baton@example.com", "No/Such/Folder") == []
    assert mail_server.messages("nobody@example.com") == []
    assert mail_server.flags("baton@example.com") == [set(), set()]  # reading left them unseen


def test_deliver_with_flags(mail_server: MailServer) -> None:
    mail_server.deliver(b"Subject: read\r\n\r\nx\r\n", flags=["\\Seen"])

    assert mail_server.flags("baton@example.com") == [{"\\Seen"}]


def test_smtp_delivers_into_recipients_inbox(mail_server: MailServer) -> None:
    _send(mail_server, _mail("jane@example.com", "for jane"))

    arrived = mail_server.wait_for("jane@example.com", 1, timeout=5)

    assert [_subject(m) for m in arrived] == ["for jane"]
    assert mail_server.messages("baton@example.com") == []


def test_smtp_plus_address_lands_in_base_account(mail_server: MailServer) -> None:
    _send(mail_server, _mail("baton+tok123@example.com", "token reply"))

    arrived = mail_server.wait_for("baton@example.com", 1, timeout=5)

    assert [_subject(m) for m in arrived] == ["token reply"]
    assert "baton+tok123@example.com" in arrived[0].decode()


def test_smtp_login_with_shared_password(mail_server: MailServer) -> None:
    with smtplib.SMTP(mail_server.host, mail_server.smtp_port, timeout=10) as smtp:
        smtp.login("baton@example.com", mail_server.password)
        smtp.send_message(_mail("jane@example.com", "authenticated"))

    assert [_subject(m) for m in mail_server.wait_for("jane@example.com", 1, timeout=5)] == [
        "authenticated"
    ]


def test_folders_use_slash_notation(mail_server: MailServer) -> None:
    mail_server.create_folder("baton@example.com", "Baton/Waiting")
    mail_server.deliver(b"Subject: x\r\n\r\nx\r\n", folder="Archive/2024/Q1")

    assert mail_server.folders("baton@example.com") == [
        "Archive/2024/Q1",
        "Baton/Waiting",
        "INBOX",
    ]


def test_wait_for_names_what_was_there(mail_server: MailServer) -> None:
    mail_server.deliver(_mail("baton@example.com", "only one").as_bytes())

    with pytest.raises(AssertionError, match=r"found 1: \['only one'\]"):
        mail_server.wait_for("baton@example.com", 2, timeout=0.3)


def test_clear_empties_every_account(mail_server: MailServer) -> None:
    mail_server.deliver(b"Subject: a\r\n\r\na\r\n")
    mail_server.deliver(b"Subject: c\r\n\r\nc\r\n", folder="INBOX/Sub")
    mail_server.deliver(b"Subject: b\r\n\r\nb\r\n", to="jane@example.com", folder="Deep/Er")
    _send(mail_server, _mail("boss@example.com", "escalation"))
    mail_server.wait_for("boss@example.com", 1, timeout=5)

    mail_server.clear()

    for user in ("baton@example.com", "jane@example.com", "boss@example.com"):
        assert mail_server.messages(user) == []
        assert mail_server.folders(user) == ["INBOX"]


def test_dovecot_mta_routes_by_envelope_and_logs(dovecot_server: DovecotServer) -> None:
    msg = _mail("list@example.com", "bcc copy")
    with smtplib.SMTP(dovecot_server.host, dovecot_server.smtp_port, timeout=10) as smtp:
        smtp.send_message(msg, to_addrs=["baton+abc@example.com"])

    arrived = dovecot_server.wait_for("baton@example.com", 1, timeout=5)

    assert arrived[0].startswith(b"Return-Path: <alice@example.com>\r\n")
    assert dovecot_server.messages("list@example.com") == []
    assert [m.rcpt_tos for m in dovecot_server.smtp_log] == [["baton+abc@example.com"]]
