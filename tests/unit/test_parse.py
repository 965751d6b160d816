"""Unit tests for mailbaton.parse: hand-written messages, one scenario each."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbaton.mail.parse import Address, ParsedMail, html_to_text, parse_message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "parse"


def fixture(name: str) -> ParsedMail:
    return parse_message((FIXTURES / name).read_bytes())


def mail(headers: str, body: str = "Hello\n", content_type: str = "text/plain") -> ParsedMail:
    """Build a small single-part message from header lines and a body."""
    head = headers.strip("\n")
    if "content-type:" not in head.lower():
        head += f"\nContent-Type: {content_type}; charset=utf-8"
    return parse_message((head + "\n\n" + body).replace("\n", "\r\n").encode("utf-8"))


# --- body text --------------------------------------------------------------


def test_plain_handoff_keeps_field_lines_and_pdf() -> None:
    parsed = fixture("plain_handoff_with_pdf.eml")
    assert parsed.text.splitlines()[:2] == [
        "Catcher: Jane Doe <jane@example.com>",
        "Due: Friday 17:00",
    ]
    assert "\r" not in parsed.text
    assert parsed.html is None
    [pdf] = parsed.attachments
    assert (pdf.filename, pdf.content_type, pdf.source) == (
        "report draft.pdf",
        "application/pdf",
        "part",
    )
    assert pdf.data.startswith(b"%PDF-1.4")


def test_plain_handoff_headers() -> None:
    parsed = fixture("plain_handoff_with_pdf.eml")
    assert parsed.message_id == "handoff-1@mail.example.com"
    assert parsed.subject == "Handoff: quarterly report"
    assert parsed.from_ == Address("Alex Thrower", "alex@example.com")
    assert parsed.to == (Address("Handoff Desk", "handoff@example.org"),)
    assert parsed.cc == (Address("Doe, Jane", "jane@example.com"), Address("", "bob@example.com"))
    assert parsed.reply_to == (Address("Team", "team@example.com"),)
    # Delivered-To and X-Original-To name the same mailbox in different case.
    assert parsed.delivered_to == ("handoff@example.org",)
    assert parsed.return_path == "alex@example.com"
    assert parsed.date == datetime(2024, 3, 5, 8, 15, tzinfo=UTC)
    assert parsed.authentication_results[0].startswith("mx.example.org; spf=pass")
    assert ("Message-ID", "<handoff-1@mail.example.com>") in parsed.headers
    assert parsed.auto_reason is None and parsed.bounce is None
    assert parsed.raw_size == (FIXTURES / "plain_handoff_with_pdf.eml").stat().st_size


def test_outlook_html_only_gives_one_line_per_paragraph() -> None:
    parsed = fixture("outlook_html_only_handoff.eml")
    assert parsed.html is not None and "MsoNormal" in parsed.html
    assert parsed.text == (
        "Catcher: Jane Doe <jane@example.com>\n"
        "Due: 2024-03-08\n"
        "\n"
        "Please take over the vendor contract renewal.\n"
        "\n"
        "Regards,\n"
        "Lee"
    )
    # Exchange sets X-Auto-Response-Suppress on ordinary mail.
    assert parsed.auto_reason is None


def test_gmail_html_only_lines_and_quote() -> None:
    parsed = fixture("gmail_html_only_handoff.eml")
    lines = parsed.text.splitlines()
    assert lines[:2] == ["Catcher: Priya Natarajan <priya@example.com>", "Due: next Monday"]
    assert "> On Wed, Mar 6, 2024 at 9:00 AM Alex <alex@example.com> wrote:" in lines
    assert lines[-1] == "> > Can someone take the rota?"
    assert parsed.in_reply_to == ("handoff-1@mail.example.com",)
    assert parsed.references == ("root@mail.example.com", "handoff-1@mail.example.com")
    assert parsed.date is not None and parsed.date.utcoffset() == timedelta(hours=-8)


def test_rfc2047_subject_with_umlauts() -> None:
    parsed = fixture("rfc2047_subject_umlauts.eml")
    assert parsed.subject == "Übergabe Müller an Jörg"
    assert parsed.from_ == Address("Jürgen Müller", "juergen@example.de")
    assert parsed.text.strip() == "Grüße aus Köln"


def test_empty_text_part_falls_back_to_html() -> None:
    raw = (
        "From: a@example.com\nSubject: x\nContent-Type: multipart/alternative; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\n \n--b\nContent-Type: text/html\n\n"
        "<p>Catcher: Jane</p>\n--b--\n"
    )
    assert parse_message(raw.encode()).text == "Catcher: Jane"


def test_mislabelled_utf8_body_is_read_as_utf8() -> None:
    body = base64.b64encode("Übergabe an Jörg".encode()).decode()
    parsed = mail(
        "From: a@example.com\nContent-Type: text/plain; charset=big5\n"
        "Content-Transfer-Encoding: base64",
        body,
    )
    assert parsed.text.strip() == "Übergabe an Jörg"


# --- attachments ------------------------------------------------------------


def test_signature_logo_referenced_by_cid_is_not_an_attachment() -> None:
    parsed = fixture("signature_logo_cid.eml")
    assert parsed.inline_images == 1
    assert parsed.attachments == ()
    assert parsed.text.startswith("Catcher: Jane Doe <jane@example.com>")


def _related(disposition: str, referenced: bool) -> bytes:
    img = "cid:chart@x" if referenced else "https://example.com/chart.png"
    return (
        "From: a@example.com\nSubject: chart\nContent-Type: multipart/related; boundary=r\n\n"
        f'--r\nContent-Type: text/html\n\n<p>See <img src="{img}"></p>\n'
        f"--r\nContent-Type: image/png; name=chart.png\nContent-Disposition: {disposition}\n"
        "Content-ID: <chart@x>\nContent-Transfer-Encoding: base64\n\niVBORw0K\n--r--\n"
    ).encode()


@pytest.mark.parametrize("disposition", ["inline", "attachment; filename=chart.png"])
def test_image_referenced_by_cid_never_counts(disposition: str) -> None:
    parsed = parse_message(_related(disposition, referenced=True))
    assert (parsed.inline_images, parsed.attachments) == (1, ())


def test_unreferenced_image_with_attachment_disposition_counts() -> None:
    parsed = parse_message(_related("attachment; filename=chart.png", referenced=False))
    assert parsed.inline_images == 0
    assert [a.filename for a in parsed.attachments] == ["chart.png"]


def test_winmail_dat_files_are_extracted() -> None:
    parsed = fixture("outlook_winmail_two_files.eml")
    assert [(a.filename, a.source, len(a.data)) for a in parsed.attachments] == [
        ("AUTHORS", "tnef", 244),
        ("README", "tnef", 893),
    ]
    assert parsed.text.startswith("Catcher: Jane Doe")


def test_winmail_dat_with_only_a_body_is_not_an_attachment() -> None:
    parsed = fixture("outlook_winmail_rtf_body_only.eml")
    assert parsed.attachments == ()
    assert parsed.defects == ()


def test_corrupt_winmail_dat_is_kept_with_a_defect() -> None:
    parsed = fixture("outlook_winmail_corrupt.eml")
    assert [(a.filename, a.source) for a in parsed.attachments] == [("winmail.dat", "part")]
    assert any("TNEF" in d for d in parsed.defects)


def test_forwarded_message_files_count_but_its_text_does_not() -> None:
    parsed = fixture("forwarded_rfc822_with_pdf.eml")
    assert [(a.filename, a.source) for a in parsed.attachments] == [("contract.pdf", "forwarded")]
    assert parsed.attachments[0].data.startswith(b"%PDF")
    assert "Inner text" not in parsed.text
    assert parsed.message_id == "fwd@example.com"


def test_base64_encoded_forwarded_message_is_unpacked() -> None:
    inner = (
        "From: x@example.net\nSubject: inner\nContent-Type: multipart/mixed; boundary=i\n\n"
        "--i\nContent-Type: text/plain\n\nhi\n--i\nContent-Type: application/pdf; name=a.pdf\n\n"
        "%PDF-1.4\n--i--\n"
    )
    encoded = base64.encodebytes(inner.encode()).decode()
    raw = (
        "From: a@example.com\nSubject: fwd\nContent-Type: multipart/mixed; boundary=o\n\n"
        "--o\nContent-Type: text/plain\n\nsee attached\n--o\n"
        "Content-Type: message/rfc822; name=sample.eml\nContent-Transfer-Encoding: base64\n\n"
        f"{encoded}--o--\n"
    )
    parsed = parse_message(raw.encode())
    assert [(a.filename, a.source) for a in parsed.attachments] == [("a.pdf", "forwarded")]
    assert parsed.text.strip() == "see attached"


def test_smime_signed_files_count_but_not_the_signature() -> None:
    parsed = fixture("smime_signed_with_file.eml")
    assert [(a.filename, a.source) for a in parsed.attachments] == [("budget.xlsx", "signed")]
    assert parsed.text.strip() == "Catcher: Jane Doe <jane@example.com>"


def test_encrypted_smime_counts_nothing_and_says_why() -> None:
    parsed = mail(
        "From: a@example.com\n"
        "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\n"
        "Content-Disposition: attachment; filename=smime.p7m\nContent-Transfer-Encoding: base64",
        "MIAGCSqGSIb3DQEHA6CAMIACAQAxggHXMIIB0wIBADCBuzCBtTELMAkGA1UEBhMC\n",
    )
    assert parsed.attachments == ()
    assert any("encrypted" in d for d in parsed.defects)


def test_text_file_attachment_counts_and_is_not_the_body() -> None:
    raw = (
        "From: a@example.com\nSubject: notes\nContent-Type: multipart/mixed; boundary=m\n\n"
        "--m\nContent-Type: text/plain\nContent-Disposition: attachment; filename=notes.txt\n\n"
        "secret notes\n--m\nContent-Type: text/plain\n\nCatcher: Jane\n--m--\n"
    )
    parsed = parse_message(raw.encode())
    assert [(a.filename, a.content_type, a.data) for a in parsed.attachments] == [
        ("notes.txt", "text/plain", b"secret notes")
    ]
    assert parsed.text.strip() == "Catcher: Jane"


def test_attachment_without_a_name_gets_one() -> None:
    raw = (
        "From: a@example.com\nContent-Type: multipart/mixed; boundary=m\n\n--m\n"
        "Content-Type: text/plain\n\nhi\n--m\nContent-Type: application/pdf\n"
        "Content-Disposition: attachment\n\n%PDF\n--m--\n"
    )
    [attachment] = parse_message(raw.encode()).attachments
    assert attachment.filename == "attachment-1.pdf"


# --- automatic mail and bounces ---------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied"),
        ("Auto-Submitted: auto-generated; owner-email=x@y", "Auto-Submitted: auto-generated"),
        ("X-Autoreply: yes", "X-Autoreply"),
        ("X-Autorespond: vacation", "X-Autorespond"),
        ("Precedence: bulk", "Precedence: bulk"),
        ("Precedence: auto_reply", "Precedence: auto_reply"),
        ("List-Id: <team.lists.example.com>", "mailing list"),
        ("List-Unsubscribe: <mailto:leave@example.com>", "mailing list"),
        ("Return-Path: <>", "empty return path"),
        ("X-Failed-Recipients: x@example.com", "X-Failed-Recipients"),
    ],
)
def test_auto_reason_from_headers(header: str, expected: str) -> None:
    parsed = mail(f"From: a@example.com\nSubject: Hello\n{header}")
    assert parsed.auto_reason is not None and expected in parsed.auto_reason


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: Handoff",
        "Auto: Handoff",
        "AUTOSVAR: Overlevering",
        "Abwesenheitsnotiz: Übergabe",
        "Réponse automatique : Passation",
        "Out of Office: back Monday",
        "Automatische Antwort: Übergabe",
        "Respuesta automática: Traspaso",
    ],
)
def test_auto_reply_subjects(subject: str) -> None:
    assert mail(f"From: a@example.com\nSubject: {subject}").auto_reason == "auto-reply subject"


@pytest.mark.parametrize(
    "headers",
    [
        "Subject: Automation plan for Q3",
        "Subject: Re: Out of Office planning\nAuto-Submitted: no",
        "Subject: Handoff\nX-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply",
        "Subject: Handoff\nReturn-Path: <a@example.com>",
    ],
)
def test_ordinary_mail_has_no_auto_reason(headers: str) -> None:
    assert mail(f"From: a@example.com\n{headers}").auto_reason is None


def test_mailer_daemon_sender_is_auto() -> None:
    parsed = mail("From: MAILER-DAEMON <MAILER-DAEMON@mx.example.org>\nSubject: hello")
    assert parsed.auto_reason is not None and "mailer-daemon" in parsed.auto_reason


def test_dsn_with_returned_message() -> None:
    parsed = fixture("postfix_dsn_with_returned_message.eml")
    assert parsed.bounce is not None
    assert parsed.bounce.status == "5.1.1"
    assert parsed.bounce.action == "failed"
    assert parsed.bounce.recipients == ("nobody@example.net",)
    assert parsed.bounce.original_message_id == "reminder-42@handoff.example.org"
    assert parsed.bounce.original_references == (
        "handoff-1@mail.example.com",
        "root@mail.example.com",
    )
    assert parsed.bounce.original_subject == "Reminder: please confirm the handoff"
    assert "User unknown" in parsed.bounce.diagnostic
    assert parsed.auto_reason is not None
    assert parsed.return_path == ""
    # The returned message is neither the body nor an attachment.
    assert parsed.text.startswith("This is the mail system") and parsed.attachments == ()


def test_qmail_style_bounce_is_read_from_the_text() -> None:
    body = (
        "Hi. This is the qmail-send program at mx.example.net.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
        "<gone@example.net>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n\n"
        "From: handoff@example.org\nSubject: Reminder: confirm\n"
        "Message-ID: <reminder-7@handoff.example.org>\n"
        "References: <root@x.example>\n <handoff-7@x.example>\n\nPlease reply.\n"
    )
    parsed = mail("From: MAILER-DAEMON@mx.example.net\nSubject: failure notice", body)
    assert parsed.bounce is not None
    assert parsed.bounce.recipients == ("gone@example.net",)
    assert parsed.bounce.status == "5.1.1" and parsed.bounce.action == "failed"
    assert parsed.bounce.original_message_id == "reminder-7@handoff.example.org"
    assert parsed.bounce.original_references == ("root@x.example", "handoff-7@x.example")
    assert parsed.bounce.original_subject == "Reminder: confirm"


def test_read_receipt_is_auto_but_not_a_bounce() -> None:
    raw = (
        "From: Jane <jane@example.com>\nSubject: Read: Handoff\n"
        "Content-Type: multipart/report; report-type=disposition-notification; boundary=r\n\n"
        "--r\nContent-Type: text/plain\n\nYour message was read.\n"
        "--r\nContent-Type: message/disposition-notification\n\n"
        "Final-Recipient: rfc822; jane@example.com\nDisposition: manual-action/MDN-sent-manually; "
        "displayed\n--r--\n"
    )
    parsed = parse_message(raw.encode())
    assert parsed.bounce is None
    assert parsed.auto_reason is not None and "disposition-notification" in parsed.auto_reason


# --- hostile input ----------------------------------------------------------


def test_headers_that_make_the_email_package_raise() -> None:
    raw = (
        b"Message-ID: <[foo]@bar>\r\n"
        b'From: "unterminated\r\n'
        b"To: ,,,\r\n"
        b"Cc: =?utf-8?q?bad?= <a@example.com>, =?x-unknown?B?Zm9v?= <d@example.com>\r\n"
        b"Subject: =?x-unknown?B?Zm9v?= and =?utf-8?q?bad?=\r\n"
        b"In-Reply-To: <[x]@y> junk\r\n"
        b"Date: Mon, 32 Foo 2020 99:99:99 +0000\r\n"
        b"\r\nbody\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.message_id == "[foo]@bar"
    assert parsed.in_reply_to == ("[x]@y",)
    assert parsed.to == ()
    assert [a.addr for a in parsed.cc] == ["a@example.com", "d@example.com"]
    assert parsed.cc[1].name == "foo"
    assert parsed.subject.startswith("foo and")
    assert parsed.from_ == Address("unterminated", "")
    assert parsed.date is None and any("Date" in d for d in parsed.defects)
    assert parsed.text == "body\n"


def test_eight_bit_junk_in_headers() -> None:
    raw = (
        "Subject: Übergabe an Jörg\r\n".encode()
        + b"From: J\xf6rg Latin <joerg@example.de>\r\n"
        + b"X-Junk: \xff\xfe\x00\x80\r\n\r\nhi\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.subject == "Übergabe an Jörg"
    assert parsed.from_ == Address("Jörg Latin", "joerg@example.de")
    assert any(name == "X-Junk" for name, _ in parsed.headers)


def test_message_with_no_body() -> None:
    parsed = parse_message(b"From: a@example.com\r\nSubject: empty\r\n")
    assert (parsed.text, parsed.html, parsed.attachments) == ("", None, ())
    assert parsed.subject == "empty"


@pytest.mark.parametrize("raw", [b"", b"\x00\xff" * 100, b"\r\n\r\n", b"-" * 10_000, b":\n:"])
def test_garbage_never_raises(raw: bytes) -> None:
    parsed = parse_message(raw)
    assert isinstance(parsed, ParsedMail) and parsed.raw_size == len(raw)


def test_date_without_zone_is_utc_and_missing_headers_are_none() -> None:
    parsed = mail("From: a@example.com\nDate: Tue, 5 Mar 2024 09:15:00 -0000")
    assert parsed.date == datetime(2024, 3, 5, 9, 15, tzinfo=UTC)
    assert (parsed.return_path, parsed.message_id, parsed.subject) == (None, None, "")


def test_deep_nesting_is_cut_off_with_a_defect() -> None:
    depth = 120
    raw = "From: a@example.com\nSubject: deep\n"
    raw += "".join(
        f"Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n" for i in range(depth)
    )
    raw += "Content-Type: text/plain\n\nbottom\n"
    raw += "".join(f"--b{i}--\n" for i in reversed(range(depth)))
    started = time.monotonic()
    parsed = parse_message(raw.encode())
    assert time.monotonic() - started < 5
    assert any("too deep" in d for d in parsed.defects)


def test_too_many_parts_are_cut_off_with_a_defect() -> None:
    parts = "".join(
        f"--b\nContent-Type: application/pdf; name=f{i}.pdf\n\nx\n" for i in range(2500)
    )
    raw = f"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n{parts}--b--\n"
    parsed = parse_message(raw.encode())
    assert 1000 < len(parsed.attachments) < 2000
    assert any("too large" in d for d in parsed.defects)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    assert isinstance(parse_message(raw), ParsedMail)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_fixtures_never_raise(data: st.DataObject) -> None:
    names = sorted(p.name for p in FIXTURES.glob("*.eml"))
    raw = bytearray((FIXTURES / data.draw(st.sampled_from(names))).read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(raw)))
        raw[at : at + data.draw(st.integers(0, 40))] = data.draw(st.binary(max_size=12))
    assert isinstance(parse_message(bytes(raw)), ParsedMail)


# --- html_to_text -------------------------------------------------------------


def test_html_to_text_quotes_blockquotes_and_drops_invisible_parts() -> None:
    html = (
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<script>alert(1)</script><!-- hidden --><p>Reply &amp; more</p>"
        "<blockquote type=cite><div>old line 1</div><div>old&nbsp;&nbsp;line 2</div></blockquote>"
        "<ul><li>one</li><li>two</li></ul><p>&nbsp;</p><p>&nbsp;</p><p>&nbsp;</p><h2>end</h2>"
        "</body></html>"
    )
    assert html_to_text(html) == "Reply & more\n> old line 1\n> old line 2\none\ntwo\n\nend"


def test_html_to_text_survives_broken_markup() -> None:
    text = html_to_text("<p>open <b>bold <div>inner</p></blockquote></div> &bogus; <a href='x")
    assert text.splitlines()[0] == "open bold"
    assert "inner" in text
