"""compose: the mails of SPEC section 4 as a recipient's mail program sees them."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from jinja2.sandbox import unsafe

from mailbaton.config import Settings, load
from mailbaton.outbound.compose import (
    DEFAULT_TEMPLATES,
    TEMPLATE_NAMES,
    Composer,
    FileToSend,
    TemplateProblem,
    bare_id,
)
from mailbaton.outbound.preview import sample_context

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "mailbaton" / "templates"

SENDER = Address("mailbaton", "baton", "example.com")
JANE = Address("Jane Doe", "jane", "example.com")
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load(ROOT / "config.toml")


@pytest.fixture(scope="module")
def composer() -> Composer:
    return Composer(TEMPLATES)


def reparse(message: EmailMessage) -> EmailMessage:
    """What the recipient's mail program gets: the bytes on the wire, parsed again."""
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def build(composer: Composer, name: str, settings: Settings, **kwargs: Any) -> EmailMessage:
    kwargs.setdefault("sender", SENDER)
    kwargs.setdefault("to", [JANE])
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("ref", "MB-42")
    return composer.build(name, sample_context(name, settings), **kwargs)


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    content: str = part.get_content()
    return content


# --- the real templates ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["request", "receipt", "rejection"])
def test_real_templates_render_with_the_preview_context(
    composer: Composer, settings: Settings, name: str
) -> None:
    rendered = composer.render(name, sample_context(name, settings))
    assert rendered.subject
    assert "\n" not in rendered.subject
    assert not rendered.subject.lower().startswith("subject")
    assert rendered.text.endswith("\n")
    assert "{{" not in rendered.text
    assert "{%" not in rendered.text
    assert "{#" not in rendered.text


def test_request_names_the_work_the_thrower_and_how_to_reply(
    composer: Composer, settings: Settings
) -> None:
    text = composer.render("request", sample_context("request", settings)).text
    assert "Acme Corp - $50,000 contract ready to countersign" in text
    assert "Alice Smith <alice@example.com>" in text
    assert "acme-contract.pdf" in text
    assert "GOT IT" in text
    assert "REFUSE:" in text


def test_receipt_says_it_is_still_the_throwers_until_got_it(
    composer: Composer, settings: Settings
) -> None:
    text = composer.render("receipt", sample_context("receipt", settings)).text
    first = text.splitlines()[0]
    assert first == (
        "Alice, MB-42 is open and waiting for Jane Doe to reply GOT IT."
        " Until then it is still yours."
    )
    assert "Catcher: Jane Doe <jane@example.com>" in text.splitlines()
    assert "reply to this email with CANCEL" in text


@pytest.mark.parametrize("name", ["request", "receipt"])
def test_ticket_mails_carry_the_tag_in_the_subject(
    composer: Composer, settings: Settings, name: str
) -> None:
    message = reparse(build(composer, name, settings))
    subject = str(message["Subject"])
    assert subject.startswith("[MB-42] ")
    assert "Acme Corp - $50,000 contract ready to countersign" in subject


def test_names_lists_the_real_templates(composer: Composer) -> None:
    names = composer.names()
    assert {"receipt", "rejection", "request"} <= set(names)
    assert len(names) == len(set(names))


# --- headers of a built message ----------------------------------------------------------


def test_build_sets_addresses_date_and_auto_submitted(
    composer: Composer, settings: Settings
) -> None:
    other = Address(addr_spec="ops-lead@example.com")
    message = reparse(build(composer, "request", settings, to=[JANE, other]))
    assert str(message["From"]) == "mailbaton <baton@example.com>"
    assert [a.addr_spec for a in message["To"].addresses] == [
        "jane@example.com",
        "ops-lead@example.com",
    ]
    assert message["Date"].datetime == NOW
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["Reply-To"] is None
    assert message["In-Reply-To"] is None
    assert message["References"] is None


def test_replies_can_say_auto_replied(composer: Composer, settings: Settings) -> None:
    message = reparse(build(composer, "rejection", settings, auto="auto-replied"))
    assert message["Auto-Submitted"] == "auto-replied"


def test_message_id_is_in_angle_brackets_and_unique_per_call(
    composer: Composer, settings: Settings
) -> None:
    ids = [str(reparse(build(composer, "request", settings))["Message-ID"]) for _ in range(5)]
    assert len(set(ids)) == 5
    for message_id in ids:
        assert re.fullmatch(r"<[^<>@\s]+@example\.com>", message_id), message_id
        # Findable by its ticket in logs and the database.
        assert message_id.startswith("<MB-42.request.")


def test_bare_id_strips_the_brackets(composer: Composer, settings: Settings) -> None:
    message = build(composer, "request", settings)
    assert f"<{bare_id(message)}>" == str(message["Message-ID"])


def test_in_reply_to_threads_and_is_appended_to_references(
    composer: Composer, settings: Settings
) -> None:
    message = reparse(
        build(
            composer,
            "rejection",
            settings,
            in_reply_to="handoff-1@example.com",
            references=["root@example.com", "", "middle@example.com"],
        )
    )
    assert str(message["In-Reply-To"]) == "<handoff-1@example.com>"
    assert str(message["References"]).split() == [
        "<root@example.com>",
        "<middle@example.com>",
        "<handoff-1@example.com>",
    ]


def test_in_reply_to_already_in_references_is_not_repeated(
    composer: Composer, settings: Settings
) -> None:
    message = reparse(
        build(
            composer,
            "receipt",
            settings,
            in_reply_to="handoff-1@example.com",
            references=["root@example.com", "handoff-1@example.com"],
        )
    )
    assert str(message["References"]).split() == [
        "<root@example.com>",
        "<handoff-1@example.com>",
    ]


def test_references_alone_thread_without_in_reply_to(
    composer: Composer, settings: Settings
) -> None:
    message = reparse(build(composer, "request", settings, references=["root@example.com"]))
    assert message["In-Reply-To"] is None
    assert str(message["References"]) == "<root@example.com>"


def test_reply_to_is_set_when_given(composer: Composer, settings: Settings) -> None:
    reply_to = Address("mailbaton", "baton+t0k3n", "example.com")
    message = reparse(build(composer, "request", settings, reply_to=reply_to))
    assert message["Reply-To"].addresses[0].addr_spec == "baton+t0k3n@example.com"


# --- attachments ------------------------------------------------------------------------


def test_files_travel_with_name_type_and_exact_bytes(
    composer: Composer, settings: Settings
) -> None:
    files = [
        FileToSend("acme-contract.pdf", "application/pdf", b"%PDF-1.7\x00\xff\xfe binary"),
        FileToSend("Vertrag Müller.docx", "application/vnd.ms-word", b"PK\x03\x04"),
        FileToSend("notes.txt", "text/plain", b"line one\r\nline two\n"),
        FileToSend("blob", "", b"\x01\x02"),
    ]
    message = reparse(build(composer, "request", settings, files=files))
    attachments = list(message.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attachments] == [
        ("acme-contract.pdf", "application/pdf"),
        ("Vertrag Müller.docx", "application/vnd.ms-word"),
        ("notes.txt", "text/plain"),
        ("blob", "application/octet-stream"),
    ]
    assert [a.get_payload(decode=True) for a in attachments] == [f.data for f in files]
    # The mail text is still there, and is not itself an attachment.
    assert "GOT IT" in body_text(message)


# --- times in the reader's timezone -----------------------------------------------------


def test_times_are_shown_in_the_configured_timezone_in_winter(settings: Settings) -> None:
    composer = Composer(TEMPLATES, "Europe/Berlin")
    # sample deadline: 2026-11-23 13:30 UTC
    text = composer.render("request", sample_context("request", settings)).text
    assert "Mon 23 Nov 2026 14:30 CET" in text
    assert "UTC" not in text


def test_times_are_shown_in_the_configured_timezone_in_summer(settings: Settings) -> None:
    composer = Composer(TEMPLATES, "Europe/Berlin")
    context = copy.deepcopy(sample_context("receipt", settings))
    context["ticket"]["deadline"] = datetime(2026, 7, 1, 13, 30, tzinfo=UTC)
    text = composer.render("receipt", context).text
    assert "Wed 01 Jul 2026 15:30 CEST" in text
    assert "UTC" not in text


def test_times_default_to_utc_and_naive_times_are_utc(
    composer: Composer, settings: Settings
) -> None:
    context = copy.deepcopy(sample_context("request", settings))
    context["ticket"]["deadline"] = datetime(2026, 11, 23, 13, 30)  # as SQLite hands it back
    text = composer.render("request", context).text
    assert "Mon 23 Nov 2026 13:30 UTC" in text


# --- rejection -------------------------------------------------------------------------

ALL_REASONS = [
    ("no_catcher", {}, "There is no Catcher: line"),
    (
        "several_catchers",
        {"catchers": "a@example.com, b@example.com"},
        "More than one catcher is named (a@example.com, b@example.com)",
    ),
    (
        "catcher_invalid",
        {"catcher": "jane@", "detail": "no domain"},
        'The catcher "jane@" is not a valid email address (no domain).',
    ),
    ("catcher_role", {"address": "sales@example.com"}, "sales@example.com is a role address"),
    ("catcher_group", {"address": "ops@example.com"}, "ops@example.com is a group or team"),
    ("catcher_shared", {"address": "baton@example.com"}, "is a handoff mailbox itself"),
    ("catcher_self", {"address": "alice@example.com"}, "You named yourself (alice@example.com)"),
    (
        "catcher_domain",
        {"address": "bob@other.org", "allowed": "example.com"},
        "bob@other.org is outside the domains this service hands off to (example.com).",
    ),
    ("attached_no", {}, "The Attached: line says the file is not attached"),
    ("no_attachment", {}, "No file is attached"),
]


def test_rejection_lists_every_reason_numbered_with_its_sentence(
    composer: Composer, settings: Settings
) -> None:
    context = sample_context("rejection", settings)
    context["reasons"] = [{"code": code, "params": params} for code, params, _ in ALL_REASONS]
    text = composer.render("rejection", context).text
    assert f"There are {len(ALL_REASONS)} problems:" in text
    for number, (_, _, sentence) in enumerate(ALL_REASONS, start=1):
        line = next(line for line in text.splitlines() if sentence in line)
        assert line.strip().startswith(f"{number}. "), line
    assert "{" not in text


def test_rejection_with_one_reason_says_one_problem(composer: Composer, settings: Settings) -> None:
    context = sample_context("rejection", settings)
    context["reasons"] = [{"code": "no_catcher", "params": {}}]
    text = composer.render("rejection", context).text
    assert "There is one problem:" in text
    assert "1. There is no Catcher: line" in text
    assert "2." not in text


def test_rejection_of_the_preview_sample_has_both_reasons_and_the_example(
    composer: Composer, settings: Settings
) -> None:
    message = reparse(build(composer, "rejection", settings, in_reply_to="h@example.com"))
    # The same subject as every other mail about it: the news is in the first line.
    assert str(message["Subject"]) == "[MB-R7] Acme contract"
    assert body_text(message).startswith('Alice, your handoff "Acme contract" was not passed on')
    assert str(message["In-Reply-To"]) == "<h@example.com>"
    text = body_text(message)
    assert "1. The catcher sales@example.com is a role address" in text
    assert "2. No file is attached" in text
    lines = [line.strip() for line in text.splitlines()]
    assert "Catcher: Full Name <first.last@example.com>" in lines
    assert "Attached: yes" in lines
    assert "Title: Acme contract" in lines
    assert "Due: 2026-11-30" in lines
    assert "baton@example.com" in text


def test_rejection_keeps_unknown_codes_and_missing_details_visible(
    composer: Composer, settings: Settings
) -> None:
    context = sample_context("rejection", settings)
    context["reasons"] = [
        {"code": "brand_new_check", "params": {}},
        {"code": "catcher_role", "params": {}},
    ]
    text = composer.render("rejection", context).text
    assert "1. Problem: brand_new_check" in text
    assert "2. The catcher {address} is a role address" in text


# --- templates written by admins (sandbox, escaping, mistakes) ---------------------------


def template_dir(tmp_path: Path, **files: str) -> Composer:
    for filename, source in files.items():
        (tmp_path / filename.replace("__", ".")).write_text(source, encoding="utf-8")
    return Composer(tmp_path)


class Ticket:
    title = "Acme"

    @unsafe
    def delete(self) -> str:
        return "deleted"


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ '{0.__class__}'.format(1) }}",
        "{{ ticket.delete() }}",
    ],
)
def test_sandbox_escapes_are_refused_as_template_problems(tmp_path: Path, source: str) -> None:
    composer = template_dir(tmp_path, evil__txt=f"Subject: hi\n{source}\n")
    with pytest.raises(TemplateProblem, match=r"^evil\.txt line 2: .*(unsafe|safely)"):
        composer.render("evil", {"ticket": Ticket()})


def test_title_is_escaped_in_html_but_verbatim_in_text(tmp_path: Path) -> None:
    composer = template_dir(
        tmp_path,
        note__txt="Subject: [{{ ref }}] {{ title }}\nTitle: {{ title }}\n",
        note__html="<p>Title: {{ title }}</p>\n",
    )
    title = "<script>alert('x')</script> & co"
    rendered = composer.render("note", {"ref": "MB-42", "title": title})
    assert rendered.subject == f"[MB-42] {title}"
    assert f"Title: {title}" in rendered.text
    assert rendered.html is not None
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "&amp; co" in rendered.html


def test_html_template_becomes_an_alternative_part(tmp_path: Path) -> None:
    composer = template_dir(
        tmp_path,
        note__txt="Subject: [MB-42] hi\nplain words\n",
        note__html="<p>html words</p>\n",
    )
    message = reparse(composer.build("note", {}, sender=SENDER, to=[JANE], now=NOW, ref="MB-42"))
    assert message.get_content_type() == "multipart/alternative"
    assert "plain words" in body_text(message)
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert "<p>html words</p>" in html.get_content()


@pytest.mark.parametrize(
    "source",
    [
        "Hello {{ name }}\nno subject line here\n",
        "\nTo: someone\nSubject: too late\n",
        "Subjekt: typo\nbody\n",
    ],
)
def test_template_without_subject_first_line_is_refused_naming_the_file(
    tmp_path: Path, source: str
) -> None:
    composer = template_dir(tmp_path, broken__txt=source)
    with pytest.raises(TemplateProblem, match=r"broken\.txt.*Subject"):
        composer.render("broken", {"name": "Jane"})


def test_subject_line_may_follow_a_leading_comment(tmp_path: Path) -> None:
    composer = template_dir(tmp_path, ok__txt="{# note for admins #}\nSubject: fine\nbody\n")
    rendered = composer.render("ok", {})
    assert rendered.subject == "fine"
    assert rendered.text == "body\n"


def test_missing_variable_is_a_template_problem_not_an_empty_string(tmp_path: Path) -> None:
    composer = template_dir(tmp_path, greet__txt="Subject: hi\nHello {{ ticket.catcher }}\n")
    with pytest.raises(TemplateProblem, match=r"^greet\.txt line 2: .*catcher"):
        composer.render("greet", {"ticket": {}})


def test_missing_variable_in_real_template_is_a_template_problem(
    composer: Composer, settings: Settings
) -> None:
    context = sample_context("rejection", settings)
    del context["reasons"]
    with pytest.raises(TemplateProblem, match=r"^rejection\.txt line \d+: .*reasons"):
        composer.render("rejection", context)


def test_syntax_error_and_missing_template_are_template_problems(tmp_path: Path) -> None:
    composer = template_dir(tmp_path, bad__txt="Subject: x\n{% if %}\n")
    with pytest.raises(TemplateProblem, match=r"^bad\.txt line 2: "):
        composer.render("bad", {})
    with pytest.raises(TemplateProblem, match=r"^absent\.txt: "):
        composer.render("absent", {})


def test_names_lists_spec_templates_first_then_the_admins_own(tmp_path: Path) -> None:
    composer = template_dir(
        tmp_path,
        aaa_custom__txt="Subject: x\n",
        request__txt="Subject: x\n",
        zzz_local__txt="Subject: x\n",
        escalation__txt="Subject: x\n",
        request__html="<p>x</p>",
    )
    names = composer.names()
    # The admin's folder adds to the shipped defaults; SPEC names first.
    assert names == [*sorted(TEMPLATE_NAMES), "aaa_custom", "zzz_local"]
    assert composer.has_html("request")
    assert not composer.has_html("escalation")
    assert composer.folder_of("request") == tmp_path
    assert composer.folder_of("accepted") == DEFAULT_TEMPLATES


def test_an_admin_folder_overrides_one_template_and_keeps_the_others(tmp_path: Path) -> None:
    composer = template_dir(tmp_path, receipt__txt="Subject: Ours {{ ticket.ref }}\nBody\n")
    settings = load(ROOT / "config.toml")
    context = sample_context("receipt", settings)
    assert composer.render("receipt", context).subject.startswith("Ours ")
    accepted = sample_context("accepted", settings)
    assert composer.render("accepted", accepted) == Composer(None).render("accepted", accepted)


def test_outlook_thread_index_keeps_one_root_per_ticket() -> None:
    import base64
    from datetime import UTC, datetime, timedelta

    from mailbaton.outbound.compose import OutlookThread

    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    thread = OutlookThread("MB-1", "Acme", start)
    first = base64.b64decode(thread.index(start))
    later = base64.b64decode(thread.index(start + timedelta(hours=2)))
    other = base64.b64decode(OutlookThread("MB-2", "Acme", start).index(start))
    assert len(first) == len(later) == 27
    assert first[:22] == later[:22]  # same conversation in Outlook
    assert first[22:] != later[22:]  # but distinct positions in it
    assert other[:22] != first[:22]
