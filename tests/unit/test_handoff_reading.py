"""How a handoff's catcher is read: one person named twice is one catcher; what is not an
address is quoted back as the thrower wrote it; a mailto: link or Outlook mention in HTML
names its address."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import mails
import pytest

from mailbaton import classify
from mailbaton.config import Settings, from_dict
from mailbaton.mail.htmltext import html_to_text
from mailbaton.mail.parse import parse_message
from mailbaton.outbound.compose import Composer
from mailbaton.outbound.context import rejection_context
from mailbaton.outbound.preview import sample_context

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return from_dict(
        {
            "mailbox": {"username": "baton@example.com", "address": "baton@example.com"},
            "protocol": {"allowed_domains": ["example.com"]},
            "templates": {"dir": str(ROOT / "mailbaton" / "templates")},
        },
        base=ROOT,
    )


def decide(raw: bytes, settings: Settings) -> classify.NewHandoff | classify.Rejection:
    return classify.read_handoff(parse_message(raw), settings)


def codes(decision: classify.NewHandoff | classify.Rejection) -> list[str]:
    return [r.code for r in decision.reasons] if isinstance(decision, classify.Rejection) else []


def rejection_text(rejection: classify.Rejection, settings: Settings) -> str:
    """The rejection mail's text, as the thrower reads it."""
    context = sample_context("rejection", settings)
    context.update(rejection_context("MB-1", rejection, settings, date(2026, 11, 23)))
    return Composer(ROOT / "mailbaton" / "templates").render("rejection", context).text


# --- one person named twice --------------------------------------------------------


@pytest.mark.parametrize(
    "lines",
    [
        ["Catcher: Jane Doe <jane@example.com>", "Receiver: JANE@example.com"],
        ["Catcher: jane@example.com", "Who is catching this?: Jane Doe <Jane@Example.COM>"],
        ["Catcher: Jane Doe <jane@example.com>, jane@EXAMPLE.com"],
    ],
)
def test_the_same_address_named_twice_is_one_catcher(lines: list[str], settings: Settings) -> None:
    body = "\n".join([*lines, "Attached: yes", "", "Thanks"]) + "\n"
    decision = decide(mails.handoff(body=body), settings)
    assert isinstance(decision, classify.NewHandoff), codes(decision)
    assert decision.catcher.addr == "jane@example.com"
    assert decision.catcher.name == "Jane Doe"


@pytest.mark.parametrize(
    "value", ["Doe, Jane <jane@example.com>", '"Doe, Jane" <jane@example.com>']
)
def test_a_directory_name_surname_first_is_one_catcher(value: str, settings: Settings) -> None:
    # Outlook shows people from the company directory as "Doe, Jane <jane@example.com>".
    body = f"Catcher: {value}\nAttached: yes\n"
    decision = decide(mails.handoff(body=body), settings)
    assert isinstance(decision, classify.NewHandoff), codes(decision)
    assert decision.catcher.addr == "jane@example.com"


def test_two_different_people_are_still_two_catchers(settings: Settings) -> None:
    body = "Catcher: jane@example.com\nReceiver: bob@example.com\nAttached: yes\n"
    assert codes(decide(mails.handoff(body=body), settings)) == ["several_catchers"]


def test_two_catchers_are_named_by_the_names_given(settings: Settings) -> None:
    body = "Catcher: Jane Doe <jane@example.com>, Kim <kim@example.com>, ops.lead@example.com\n"
    rejection = decide(mails.handoff(body=body + "Attached: yes\n"), settings)
    assert isinstance(rejection, classify.Rejection)
    assert "is named (Jane Doe, Kim, ops.lead@example.com);" in rejection_text(rejection, settings)


# --- the catcher quoted as written -------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["Jane Doe", "jane@@example..com", "Jane@Example..com", "Jane <JANE@@example..com>"],
)
def test_an_invalid_catcher_is_quoted_as_the_thrower_wrote_it(
    written: str, settings: Settings
) -> None:
    decision = decide(mails.handoff(catcher=f"  {written} "), settings)
    assert isinstance(decision, classify.Rejection)
    assert codes(decision) == ["catcher_invalid"]
    assert decision.reasons[0].params["catcher"] == written
    assert f'The catcher "{written}" is not a valid email address' in rejection_text(
        decision, settings
    )


def test_a_name_without_address_still_gives_an_example_with_that_name(
    settings: Settings,
) -> None:
    decision = decide(mails.handoff(catcher="Jane Doe"), settings)
    assert isinstance(decision, classify.Rejection)
    assert "Catcher: Jane Doe <jane.doe@example.com>" in rejection_text(decision, settings)


def _html_only(html: str) -> bytes:
    message = EmailMessage()
    message["From"] = mails.ALICE
    message["To"] = "baton@example.com"
    message["Subject"] = "Globex renewal"
    message["Message-ID"] = make_msgid(domain="outlook.example.com")
    message.set_content(html, subtype="html")
    message.add_attachment(mails.PDF, maintype="application", subtype="pdf", filename="a.pdf")
    return message.as_bytes()


@pytest.mark.parametrize(
    "link",
    [
        '<a href="mailto:jane@example.com">Jane Doe</a>',
        '<a href="mailto:jane@example.com" id="OWAAM123">@Jane Doe</a>',
        '<a href="MAILTO:Jane%40Example.com?subject=hi">Jane Doe</a>',
        '<a href="mailto:jane@example.com">Jane Doe</a> &lt;jane@example.com&gt;',
    ],
)
def test_a_mailto_mention_in_html_names_its_address(link: str, settings: Settings) -> None:
    html = (
        f'<html><body><p class="MsoNormal">Catcher: {link}</p>'
        '<p class="MsoNormal">Attached: yes</p></body></html>'
    )
    decision = decide(_html_only(html), settings)
    assert isinstance(decision, classify.NewHandoff), codes(decision)
    assert (decision.catcher.name, decision.catcher.addr) == ("Jane Doe", "jane@example.com")


def test_a_link_showing_its_own_address_is_not_doubled() -> None:
    html = 'Catcher: Jane &lt;<a href="mailto:jane@example.com">jane@example.com</a>&gt;'
    assert html_to_text(html) == "Catcher: Jane <jane@example.com>"
    assert html_to_text('<a href="https://example.com">Jane</a>') == "Jane"
