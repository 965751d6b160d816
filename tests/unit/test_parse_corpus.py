"""mailbaton.parse against the shared real-world corpus (../shared/corpus), read in place."""

from __future__ import annotations

import base64
import re
import time
from collections import Counter
from pathlib import Path

import corpus
import pytest

from mailbaton.mail.parse import ParsedMail, parse_message

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"the real-world mail corpus is not beside the checkout (looked for {CORPUS})",
)

TNEF_DIR = CORPUS / "jstedfast__MimeKit" / "UnitTests" / "TestData" / "tnef"
DISCOURSE = CORPUS / "discourse__discourse" / "spec" / "fixtures" / "emails"
SISIMAI = CORPUS / "sisimai__set-of-emails" / "maildir"


def parse_file(path: Path) -> ParsedMail:
    return corpus.parsed(path)


def wrap_tnef(tnef: bytes) -> bytes:
    """A minimal Outlook-style message carrying tnef as its winmail.dat."""
    encoded = base64.encodebytes(tnef).decode("ascii")
    return (
        "From: sender@example.com\r\nTo: handoff@example.org\r\nSubject: rich text\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="tnef"\r\n\r\n'
        "--tnef\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
        '--tnef\r\nContent-Type: application/ms-tnef; name="winmail.dat"\r\n'
        'Content-Disposition: attachment; filename="winmail.dat"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--tnef--\r\n"
    ).encode("ascii")


def could_be_a_message(path: Path) -> bool:
    name = path.name
    return not (
        name.startswith(("LICENSE", "NOTICE"))
        or name == "SOURCE.txt"
        or path.suffix in (".md", ".tnef")
    )


# Minutes of CPU over every corpus file: it runs in the long tier with the fuzz
# (`-m e2e`), so the quick loop (`-m "not e2e"`) stays quick.
@pytest.mark.e2e
def test_every_corpus_file_parses_without_raising() -> None:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    messages = [p for p in files if could_be_a_message(p)]
    tnefs = [p for p in files if p.suffix == ".tnef"]
    assert len(messages) > 1500 and len(tnefs) > 20
    failures: list[str] = []
    started = time.monotonic()
    for path in messages + tnefs:
        raw = path.read_bytes()
        try:
            result = parse_message(wrap_tnef(raw) if path.suffix == ".tnef" else raw)
        except Exception as exc:  # the point of the test is to report every one
            failures.append(f"{path.relative_to(CORPUS)}: {exc!r}")
            continue
        if not isinstance(result, ParsedMail):
            failures.append(f"{path.relative_to(CORPUS)}: returned {type(result).__name__}")
        elif path.suffix != ".tnef":
            corpus.keep(path, result)  # the later tests of this process read it, not parse it again
    assert failures == []
    assert time.monotonic() - started < 30, "parsing the corpus got much slower"


# --- bounces ------------------------------------------------------------------


def bounce_fixtures() -> dict[str, list[Path]]:
    flanker = CORPUS / "mailgun__flanker" / "tests" / "fixtures" / "messages" / "bounce"
    mikel = CORPUS / "mikel__mail" / "spec" / "fixtures" / "emails" / "multipart_report_emails"
    discourse = [
        "bounced_email.eml",
        "bounced_email_2.eml",
        "bounced_email_multiple_status_codes.eml",
        "hard_bounce_via_verp.eml",
        "verp_bounce_different_final_recipient.eml",
    ]
    return {
        # lhost-* and rhost-* are bounces from named MTAs and providers, rfc3464-*
        # standard DSNs; arf-* (complaints) and rfc3834-* (vacation) are not.
        "sisimai": sorted(
            p
            for p in (SISIMAI / "bsd").glob("*.eml")
            if p.name.startswith(("lhost-", "rhost-", "rfc3464-"))
        ),
        "flanker": sorted(flanker.glob("*.eml")),
        "mikel": sorted(mikel.glob("*.eml")),
        "discourse": [DISCOURSE / n for n in discourse],
        "zammad": sorted((CORPUS / "zammad__zammad" / "test" / "data" / "mail").glob("*.box")),
    }


def test_bounce_fixtures_are_detected_as_bounces() -> None:
    fixtures = bounce_fixtures()
    misses = {
        source: [p.name for p in paths if parse_file(p).bounce is None]
        for source, paths in fixtures.items()
    }
    total = sum(len(paths) for paths in fixtures.values())
    missed = sum(len(names) for names in misses.values())
    assert total > 600
    # Every small hand-picked set must be complete; the big sisimai set holds a
    # few mails nothing short of a full bounce classifier could recognise
    # (Amazon SNS JSON notices, Japanese-only KDDI notices, fml loop alerts).
    assert {s: m for s, m in misses.items() if s != "sisimai"} == {
        "flanker": [],
        "mikel": [],
        "discourse": [],
        "zammad": [],
    }
    assert missed <= total * 0.03, misses


def test_bounces_point_back_at_the_returned_message() -> None:
    paths = bounce_fixtures()["sisimai"]
    bounces = [b for b in (parse_file(p).bounce for p in paths) if b is not None]
    with_id = sum(1 for b in bounces if b.original_message_id)
    with_recipient = sum(1 for b in bounces if b.recipients)
    assert with_id >= len(bounces) * 0.8
    assert with_recipient >= len(bounces) * 0.7


def test_discourse_bounce_details() -> None:
    multiple = parse_file(DISCOURSE / "bounced_email_multiple_status_codes.eml").bounce
    assert multiple is not None and multiple.status == "5.1.1"
    assert len(multiple.recipients) == 2
    hard = parse_file(DISCOURSE / "hard_bounce_via_verp.eml").bounce
    assert hard is not None and (hard.status, hard.action) == ("5.1.1", "failed")
    soft = parse_file(DISCOURSE / "verp_bounce_different_final_recipient.eml").bounce
    assert soft is not None and soft.status == "4.1.1"


def test_zammad_bounce_matches_its_expected_parse() -> None:
    box = CORPUS / "zammad__zammad" / "test" / "data" / "mail"
    expected = (box / "mail033-undelivered-mail-returned-to-sender-notification.yml").read_text()
    parsed = parse_file(box / "mail033-undelivered-mail-returned-to-sender-notification.box")
    subject = re.search(r"(?m)^subject: (.*)$", expected)
    sender = re.search(r"(?m)^from_email: (.*)$", expected)
    assert subject and sender
    assert parsed.subject == subject.group(1)
    assert parsed.from_ is not None and parsed.from_.addr == sender.group(1).lower()
    assert parsed.text.startswith("This is the mail system at host mx1.zammad.com.")
    assert parsed.bounce is not None
    assert (parsed.bounce.status, parsed.bounce.recipients) == (
        "5.1.1",
        ("not_existing@znuny.com",),
    )


def test_complaints_and_read_receipts_are_not_bounces() -> None:
    mimekit = CORPUS / "jstedfast__MimeKit" / "UnitTests" / "TestData" / "messages"
    flanker = CORPUS / "mailgun__flanker" / "tests" / "fixtures" / "messages"
    reports = [
        mimekit / "disposition-notification.txt",
        mimekit / "feedback-report.txt",
        flanker / "disposition-notification.eml",
    ]
    paths = [*sorted((SISIMAI / "bsd").glob("arf-*.eml")), *reports]
    assert len(paths) > 15
    assert [p.name for p in paths if parse_file(p).bounce is not None] == []
    for path in reports:
        assert parse_file(path).auto_reason is not None, path.name


def test_sisimai_non_bounces_are_not_bounces() -> None:
    for name in ("is-not-bounce-01.eml", "is-not-bounce-02.eml"):
        assert parse_file(SISIMAI / "not" / name).bounce is None


# --- automatic replies ------------------------------------------------------------


def test_sisimai_vacation_replies_are_automatic() -> None:
    paths = sorted((SISIMAI / "bsd").glob("rfc3834-*.eml"))
    assert len(paths) == 6
    results = {p.name: parse_file(p) for p in paths}
    assert [n for n, r in results.items() if r.auto_reason is None] == []
    assert [n for n, r in results.items() if r.bounce is not None] == []


# discourse's expectations, from its EXPECTATIONS.md: True = auto-generated.
DISCOURSE_AUTO = {
    "auto_generated_header.eml": True,
    "auto_generated_precedence.eml": True,
    "auto_generated_allowlisted.eml": True,
    "auto_generated_unblocked.eml": True,
    "auto_reply.eml": True,
    "quirks_exchange_xars.eml": False,
    "text_reply.eml": False,
    "html_reply.eml": False,
    "gmail_html_reply.eml": False,
    "attached_txt_file.eml": False,
}


@pytest.mark.parametrize(("name", "auto"), sorted(DISCOURSE_AUTO.items()))
def test_discourse_auto_generated_classification(name: str, auto: bool) -> None:
    parsed = parse_file(DISCOURSE / name)
    assert (parsed.auto_reason is not None) is auto, parsed.auto_reason
    assert parsed.bounce is None


def test_discourse_bodies_and_attachments() -> None:
    chinese = parse_file(DISCOURSE / "chinese_reply.eml")
    assert chinese.text.strip() == "您好！ 你今天好吗？"  # declared Big5, really UTF-8
    assert parse_file(DISCOURSE / "hebrew_reply.eml").text.strip() == "שלום! מה שלומך היום?"
    weird = parse_file(DISCOURSE / "reply_with_weird_encoding.eml")
    assert weird.text.strip() == "This is a reply with a weird encoding."
    txt = parse_file(DISCOURSE / "attached_txt_file.eml")
    assert [(a.filename, len(a.data)) for a in txt.attachments] == [("text.txt", 20)]
    image = parse_file(DISCOURSE / "body_with_image.eml")
    assert (image.inline_images, image.attachments) == (1, ())
    html = parse_file(DISCOURSE / "html_reply.eml")
    assert html.text.splitlines()[0] == "This is a HTML reply ;)"


# --- TNEF, S/MIME, inline images ----------------------------------------------------

# tnefparse and MimeKit disagree on three samples: MimeKit also lists the files
# of messages embedded in christmas.tnef, and lists no files for
# long-filename.tnef and missing-filenames.tnef, where tnefparse finds some.
TNEF_DIVERGENT = {"christmas", "long-filename", "missing-filenames"}


def tnef_expected(name: str) -> list[str]:
    listed = (TNEF_DIR / f"{name}.list").read_text(encoding="utf-8").splitlines()
    # body.rtf / body.html are the message body, not files.
    return sorted(n for n in listed if n and n not in ("body.rtf", "body.html"))


@pytest.mark.parametrize(
    "name", sorted(p.stem for p in TNEF_DIR.glob("*.list") if p.stem not in TNEF_DIVERGENT)
)
def test_tnef_files_match_mimekit_lists(name: str) -> None:
    parsed = parse_message(wrap_tnef((TNEF_DIR / f"{name}.tnef").read_bytes()))
    assert sorted(a.filename for a in parsed.attachments) == tnef_expected(name)
    assert all(a.source == "tnef" for a in parsed.attachments)


def test_tnef_eml_with_files_yields_them() -> None:
    parsed = parse_file(TNEF_DIR / "rich-text.eml")
    names = Counter(a.filename for a in parsed.attachments)
    # rich-text.eml carries the christmas.tnef sample.
    assert names["kitten-playing-with-a-christmas-tree.jpg"] == 1
    assert not names - Counter(tnef_expected("christmas"))
    assert "winmail.dat" not in names
    kitten = next(a for a in parsed.attachments if a.filename.startswith("kitten"))
    expected = TNEF_DIR / "christmas" / "kitten-playing-with-a-christmas-tree.jpg"
    assert (kitten.source, kitten.content_type) == ("tnef", "image/jpeg")
    assert kitten.data == expected.read_bytes()
    assert parsed.text.lstrip().startswith("You've made this a Christmas to remember")


def test_tnef_eml_with_only_a_body_has_no_attachments() -> None:
    parsed = parse_file(TNEF_DIR / "ukr.eml")
    assert parsed.attachments == ()
    assert parsed.text.strip()


def test_smime_signed_fixtures_yield_inner_files_not_the_signature() -> None:
    thunderbird = parse_file(
        CORPUS
        / "jstedfast__MimeKit"
        / "UnitTests"
        / "TestData"
        / "smime"
        / "thunderbird-signed.txt"
    )
    assert [(a.filename, a.source) for a in thunderbird.attachments] == [("signed.jpg", "signed")]
    zammad = parse_file(
        CORPUS / "zammad__zammad" / "spec" / "fixtures" / "files" / "smime" / "sender_is_signer.eml"
    )
    flanker = parse_file(
        CORPUS / "mailgun__flanker" / "tests" / "fixtures" / "messages" / "signed.eml"
    )
    for parsed in (thunderbird, zammad, flanker):
        assert not any(a.filename.endswith(".p7s") for a in parsed.attachments)
        assert not any("pkcs7" in a.content_type for a in parsed.attachments)
    assert zammad.attachments == () and zammad.text.strip()


# SpamScope mails whose HTML shows images by cid: (count of such images).
SPAMSCOPE_INLINE = {
    "mail_test_2": 2,
    "mail_test_4": 1,
    "mail_test_5": 5,
    "mail_test_6": 4,
    "mail_test_10": 3,
}


@pytest.mark.parametrize(("name", "count"), sorted(SPAMSCOPE_INLINE.items()))
def test_spamscope_inline_images_are_not_attachments(name: str, count: int) -> None:
    parsed = parse_file(CORPUS / "SpamScope__mail-parser" / "tests" / "mails" / name)
    assert parsed.inline_images == count
    assert not any(a.content_type.startswith("image/") for a in parsed.attachments)


def test_spamscope_real_attachments_still_count() -> None:
    mails = CORPUS / "SpamScope__mail-parser" / "tests" / "mails"
    assert [a.filename for a in parse_file(mails / "mail_test_10").attachments] == [
        "Move To Eight ZWEP6227F.pdf"
    ]
    assert [a.filename for a in parse_file(mails / "mail_test_1").attachments] == ["ФНС_РФ558.zip"]


def test_forwarded_corpus_attachment_is_found() -> None:
    path = (
        CORPUS / "mikel__mail" / "spec" / "fixtures" / "emails" / "attachment_emails"
        / "attachment_message_rfc822.eml"
    )  # fmt: skip
    parsed = parse_file(path)
    assert [(a.filename, a.source) for a in parsed.attachments] == [("broken.pdf", "forwarded")]
