"""How every mail looks to its reader: both parts, names, one subject, exact non-ASCII,
HTML that survives Outlook, dark mode and a phone. Checked on the bytes sent, parsed back
the ways mail programs parse them."""

from __future__ import annotations

import base64
import contextlib
import io
import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

import pytest

from mailbaton.app import cli
from mailbaton.config import Settings, load
from mailbaton.outbound.compose import (
    TEMPLATE_NAMES,
    Composer,
    FileToSend,
    OutlookThread,
)
from mailbaton.outbound.headers import text_header
from mailbaton.outbound.preview import sample_context, sample_variants

ROOT = Path(__file__).resolve().parents[2]
SENDER = Address("mailbaton", "baton", "example.com")
JANE = Address("Jane Doe", "jane", "example.com")
NOW = datetime(2026, 11, 23, 10, 42, tzinfo=UTC)
TITLE = "Acme Corp - $50,000 contract ready to countersign"
# Who reads each mail, and so whose name its first line must carry.
READER_FIRST = {
    "request": "Jane",
    "reminder": "Jane",
    "unclear": "Jane",
    "cancelled": "Jane",
    "confirmed": "Jane",
    "receipt": "Alice",
    "accepted": "Alice",
    "refused": "Alice",
    "rejection": "Alice",
    "undeliverable": "Alice",
}
# About mailbaton itself, to its admins: no ticket, no Alice or Jane.
ABOUT_MAILBATON = {"alert", "recovery"}


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load(ROOT / "config.toml")


@pytest.fixture(scope="module")
def composer() -> Composer:
    return Composer(None, "Europe/Berlin")


def wire(message: EmailMessage) -> bytes:
    """The bytes the outbox hands to SMTP."""
    return message.as_bytes(policy=policy.SMTP)


def modern(raw: bytes) -> EmailMessage:
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def classic_subject(raw: bytes) -> str:
    """decode_header + make_header on the raw header, as older mail code does."""
    legacy: Message = message_from_bytes(raw)
    return str(make_header(decode_header(legacy["Subject"])))


def build(composer: Composer, name: str, context: dict[str, Any], **kw: Any) -> EmailMessage:
    kw.setdefault("to", [JANE])
    return composer.build(name, context, sender=SENDER, now=NOW, ref="MB-42", **kw)


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def every_mail(settings: Settings) -> list[tuple[str, str, dict[str, Any]]]:
    cases = [(name, "", sample_context(name, settings)) for name in TEMPLATE_NAMES]
    for name in TEMPLATE_NAMES:
        cases += [(name, v, c) for v, c in sample_variants(name, settings).items()]
    return cases


CASES = [f"{n}-{v}" if v else n for n, v, _ in every_mail(load(ROOT / "config.toml"))]


@pytest.fixture(params=CASES)
def case(request: pytest.FixtureRequest, settings: Settings) -> tuple[str, dict[str, Any]]:
    for name, variant, context in every_mail(settings):
        if (f"{name}-{variant}" if variant else name) == request.param:
            return name, context
    raise AssertionError(request.param)


# --- every mail: two parts, one subject, names -------------------------------------------


def test_every_mail_is_multipart_alternative_with_text_and_html(
    composer: Composer, case: tuple[str, dict[str, Any]]
) -> None:
    name, context = case
    message = modern(wire(build(composer, name, context)))
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    assert text.strip() and "<table" in html
    assert message["Auto-Submitted"] == "auto-generated"


def test_every_mail_has_the_one_subject_of_its_ticket(
    composer: Composer, case: tuple[str, dict[str, Any]]
) -> None:
    name, context = case
    subject = str(modern(wire(build(composer, name, context)))["Subject"])
    expected = "[MB-R7] Acme contract" if name == "rejection" else f"[MB-42] {TITLE}"
    if name == "digest":  # about a department's handoffs, not one ticket
        expected = "Daily handoffs for Sales: 3 waiting, 2 overdue"
    if name in ABOUT_MAILBATON:
        assert subject.startswith("[mailbaton] ")
        return
    assert subject == expected


def test_the_first_line_is_the_news_and_names_the_reader(
    composer: Composer, case: tuple[str, dict[str, Any]]
) -> None:
    name, context = case
    text, html = parts(build(composer, name, context))
    first = text.splitlines()[0]
    assert first.endswith("."), first
    if name in READER_FIRST:
        # `unclear` with thrower_asked answers the thrower, not the catcher.
        reader = "Alice" if context.get("thrower_asked") else READER_FIRST[name]
        assert first.startswith(reader + ", "), first
    # The same news opens the card.
    news = re.search(r'<p class="news"[^>]*>(.*?)</p>', html, re.S)
    assert news is not None
    assert news.group(1).split()[:2] == first.split()[:2]


def test_people_are_named_never_a_bare_address_in_a_sentence(
    composer: Composer, case: tuple[str, dict[str, Any]]
) -> None:
    name, context = case
    text, html = parts(build(composer, name, context))
    for line in text.splitlines():
        for address in ("alice@example.com", "jane@example.com"):
            # Shown beside a name, "Jane Doe <jane@...>" or "(jane@...)", never alone.
            bare = re.sub(rf"[<(]{re.escape(address)}[>)]", "", line)
            assert address not in bare, f"{name}: {line}"
    assert "Hi jane@" not in text and "by jane@" not in text
    if name not in ("rejection", *ABOUT_MAILBATON):
        assert "Alice" in text or "Jane" in text
        assert "Alice" in html or "Jane" in html


def test_plain_text_has_no_column_alignment_and_no_hard_wrapped_sentences(
    composer: Composer, case: tuple[str, dict[str, Any]]
) -> None:
    name, context = case
    text, _ = parts(build(composer, name, context))
    message = context.get("ticket", {}).get("message", "")
    for line in text.splitlines():
        if line and line in message:
            continue  # the thrower's own words, as written
        assert "  " not in line.rstrip(), f"{name}: aligned: {line!r}"
        assert not line.startswith(" "), f"{name}: indented: {line!r}"
    # Each paragraph is one line: a sentence never continues on the next line.
    for this, following in zip(text.splitlines(), text.splitlines()[1:], strict=False):
        if this and following and this not in message and following not in message:
            assert not re.search(r"[a-z,]$", this) or ":" in following or this.endswith(":"), (
                f"{name}: wrapped? {this!r} / {following!r}"
            )


# --- HTML: inlined, Outlook, dark mode, phone ---------------------------------------------


def test_html_styles_are_inlined_and_colors_come_in_pairs(
    composer: Composer, case: tuple[str, dict[str, Any]]
) -> None:
    name, context = case
    _, html = parts(build(composer, name, context))
    assert 'class="inner" style="' in html  # the card's rules are written onto it
    assert 'style="' in html.split('class="news"')[1][:20]
    # Every light text color sits on a background set on the same element, so a dark
    # theme that drops the page background never shows white on white.
    for style in re.findall(r'style="([^"]*)"', html):
        color = re.search(r"(?:^|;)\s*color:\s*(#[0-9a-fA-F]{3,6}|white)", style)
        if color and color.group(1).lower() in ("#fff", "#ffffff", "white"):
            assert "background" in style, style
    # The page and the card say their own colors; dark mode and phones have their rules.
    assert re.search(r'<body[^>]*style="[^"]*background-color: #eef0f3', html)
    assert re.search(r'<body[^>]*style="[^"]*color: #1f2328', html)
    assert "@media (prefers-color-scheme: dark)" in html
    assert "@media (max-width: 480px)" in html
    assert 'name="color-scheme" content="light dark"' in html


def test_html_is_table_based_for_outlook(composer: Composer, settings: Settings) -> None:
    _, html = parts(build(composer, "request", sample_context("request", settings)))
    assert '<table role="presentation"' in html
    assert 'bgcolor="#ffffff"' in html  # the Word engine reads attributes, not all CSS
    assert "<!--[if mso]>" in html
    assert "max-width:600px" in html.replace(" ", "")
    assert "<div" not in html.split('class="card"')[1].split('class="news"')[0]


def test_request_html_has_one_action_with_reply_buttons(
    composer: Composer, settings: Settings
) -> None:
    _, html = parts(build(composer, "request", sample_context("request", settings)))
    assert html.count('class="action"') == 1
    hrefs = re.findall(r'href="(mailto:[^"]+)"', html)
    assert len(hrefs) == 2
    assert hrefs[0].startswith("mailto:baton@example.com?subject=Re%3A%20%5BMB-42%5D%20Acme")
    assert hrefs[0].endswith("&amp;body=GOT%20IT")
    assert "Mon 23 Nov 2026 14:30 CET" in html  # the deadline, in the office's time zone


def test_the_throwers_message_travels_as_written(composer: Composer, settings: Settings) -> None:
    context = sample_context("request", settings)
    context["ticket"] = {**context["ticket"], "message": "Call <Bob> & Co.\n\nbefore Friday"}
    text, html = parts(build(composer, "request", context))
    assert "Alice writes:\nCall <Bob> & Co.\n\nbefore Friday\n" in text
    assert "Call &lt;Bob&gt; &amp; Co.<br>\n<br>\nbefore Friday" in html


def test_a_stranger_s_title_is_text_in_the_html_never_markup(
    composer: Composer, settings: Settings
) -> None:
    context = sample_context("request", settings)
    title = '<script>alert(1)</script> "Q&A" <img src=x onerror=y>'
    context["ticket"] = {**context["ticket"], "title": title}
    _, html = parts(build(composer, "request", context))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # In the reply buttons it is part of a URL, encoded, and cannot end the attribute.
    hrefs = re.findall(r'href="(mailto:[^"]+)"', html)
    assert hrefs and all("%3Cscript%3E" in h and "<" not in h for h in hrefs)


def test_a_text_only_template_still_gets_an_html_part(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("Subject: [MB-42] Ä & <b>\nLine one\nLine two\n\nNext\n")
    message = modern(wire(build(Composer(tmp_path), "note", {})))
    assert message.get_content_type() == "multipart/alternative"
    _, html = parts(message)
    assert "Line one<br>Line two</p>" in html
    assert "<title>[MB-42] Ä &amp; &lt;b&gt;</title>" in html
    assert "background-color:#ffffff;color:#1f2328" in html


def test_preview_html_works_for_every_template() -> None:
    config = str(ROOT / "config.toml")
    for name in TEMPLATE_NAMES:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = cli.main(["-c", config, "templates", "preview", name, "--html"])
        assert code == 0, name
        assert out.getvalue().lstrip().startswith("<!DOCTYPE html>"), name


# --- exact subjects and file names --------------------------------------------------------

SCRIPTS = {
    "german": "Rahmenvertrag €50.000 für die Müller & Söhne GmbH – bitte gegenzeichnen, danach "
    "an Frau Schröder zurück; Übergabe spätestens Freitag früh, Rückfragen an die Buchhaltung",
    "cyrillic": "Договор поставки оборудования для ООО «Ромашка» — подписать до пятницы и "
    "отправить копию в бухгалтерию, вопросы к Ивану Петровичу",
    "japanese": "株式会社アクメとの契約書 金曜日までに署名をお願いします 署名後は経理部へ原本を送付"
    "してください ご質問は田中さんまで 宜しくお願い致します 至急対応",
    "emoji": "🚀 Launch plan for Acme 🎉 contract 💶 50.000 € — sign by Friday 🙏 then send "
    "the copy to finance 📎 and call the customer ☎️ before noon",
}


def titles() -> list[tuple[str, str]]:
    found = []
    for script, text in SCRIPTS.items():
        for length in (60, 66, 67, 72, 75, 80, 84, 90, 100, 120):
            title = text[:length].strip()
            found.append((f"{script}-{length}", title))
    return found


@pytest.mark.parametrize(("label", "title"), titles(), ids=[t[0] for t in titles()])
def test_non_ascii_subjects_decode_exactly_both_ways(
    composer: Composer, settings: Settings, label: str, title: str
) -> None:
    context = sample_context("request", settings)
    context["ticket"] = {**context["ticket"], "title": title}
    raw = wire(build(composer, "request", context, thread=OutlookThread("MB-42", title, NOW)))
    assert str(modern(raw)["Subject"]) == f"[MB-42] {title}"
    assert classic_subject(raw) == f"[MB-42] {title}"
    assert str(modern(raw)["Thread-Topic"]) == title
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78


@pytest.mark.parametrize("length", range(60, 100))
def test_ascii_subjects_of_every_length_decode_without_a_leading_space(length: int) -> None:
    title = ("Acme contract ready to countersign and return " * 3)[:length].strip()
    message = EmailMessage()
    message["Subject"] = text_header("Subject", f"[MB-42] {title}")
    message.set_content("x")
    raw = wire(message)
    assert str(modern(raw)["Subject"]) == f"[MB-42] {title}"
    assert classic_subject(raw) == f"[MB-42] {title}"


def test_the_lost_space_between_encoded_words_is_kept(composer: Composer) -> None:
    message = EmailMessage()
    title = "[MB-42] Rahmenvertrag €50.000 " + "x" * 40 + " Müller Straße €"
    message["Subject"] = text_header("Subject", title)
    message.set_content("x")
    raw = wire(message)
    assert "Rahmenvertrag €50.000" in classic_subject(raw)
    assert str(modern(raw)["Subject"]) == title


@pytest.mark.parametrize(
    "filename",
    [
        "Vertrag Müller €50.000 – endgültige Fassung für die Unterschrift.pdf",
        "契約書_株式会社アクメ_最終版_署名用.pdf",
        "Договор «Ромашка».docx",
        "plain-name.pdf",
        'with "quotes".txt',
    ],
)
def test_file_names_carry_filename_star_and_a_plain_fallback(
    composer: Composer, settings: Settings, filename: str
) -> None:
    files = [FileToSend(filename, "application/pdf", b"%PDF")]
    raw = wire(build(composer, "request", sample_context("request", settings), files=files))
    (part,) = modern(raw).iter_attachments()
    assert part.get_filename() == filename
    disposition = raw.split(b"Content-Disposition:", 1)[1].split(b"\r\n\r\n")[0].decode()
    assert 'filename="' in disposition
    if not filename.isascii() or '"' in filename:
        assert "filename*0*=utf-8''" in disposition
        fallback = disposition.split('filename="', 1)[1].rsplit('"', 1)[0]
        assert str(make_header(decode_header(fallback))) == filename
    assert part.get_content() == b"%PDF"


# --- threading headers ------------------------------------------------------------------


def test_thread_index_is_unique_per_mail_even_in_one_pass(
    composer: Composer, settings: Settings
) -> None:
    thread = OutlookThread("MB-42", TITLE, NOW - timedelta(hours=1))
    indexes = [
        base64.b64decode(
            str(
                build(composer, name, sample_context(name, settings), thread=thread)["Thread-Index"]
            )
        )
        for name in ("request", "receipt", "request", "escalation", "all_clear")
    ]
    assert len({i[:22] for i in indexes}) == 1  # one Outlook conversation
    assert len({i[22:] for i in indexes}) == len(indexes)  # each mail its own place in it


def test_threading_headers_are_passed_through(composer: Composer, settings: Settings) -> None:
    message = build(
        composer,
        "escalation",
        sample_context("escalation", settings),
        in_reply_to="esc-1@example.com",
        references=["request-1@example.com"],
        auto="auto-generated",
    )
    assert str(message["In-Reply-To"]) == "<esc-1@example.com>"
    assert str(message["References"]).split() == ["<request-1@example.com>", "<esc-1@example.com>"]
    assert str(message["Message-ID"]).startswith("<MB-42.escalation.")
