"""A pasted-back copy of our mail never counts, however an admin words the templates.

The guard reads what mailbaton actually sent on the ticket, not the default wording: every
template below is reworded (the verdict words still in it, in new sentences), rendered
the way the service renders it, and pasted back the ways real clients paste.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import pytest

from mailbaton.classify.verdicts import Verdict, catcher_line, new_text, read_verdict
from mailbaton.config import load
from mailbaton.mail.parse import ParsedMail, parse_message
from mailbaton.outbound.compose import Composer
from mailbaton.outbound.preview import sample_context

ROOT = Path(__file__).resolve().parents[2]

_SIGN = "-- \nBaton desk at Example Ltd\n"

# Admin rewordings: other sentences and layout, GOT IT / REFUSE (and CANCEL, Catcher:)
# still in them, often where a reply's first words would be.
REWORDED = {
    "request": (
        "Subject: [{{ ticket.ref }}] Baton for you: {{ ticket.title }}\n"
        "Dear {{ ticket.catcher_first }},\n\n"
        "Accept this baton with two words, GOT IT, or send it back with\n"
        "REFUSE and one line on why. Until you answer it belongs to"
        " {{ ticket.thrower_first }}.\n\n"
        "What {{ ticket.thrower_name }} passes to you: {{ ticket.title }}\n"
        "{% if ticket.due %}Due by {{ ticket.due }}\n{% endif %}"
        "Attached: {{ ticket.files | join(', ') }}\n\n"
        "Answer by {{ ticket.deadline | when }}:\n"
        "GOT IT -> the baton is yours\n"
        "REFUSE: why not -> it goes back to {{ ticket.thrower_first }}\n\n" + _SIGN
    ),
    "receipt": (
        "Subject: [{{ ticket.ref }}] Sent on to {{ ticket.catcher_name }}\n"
        "Hello {{ ticket.thrower_first }},\n\n"
        "REFUSE or GOT IT: {{ ticket.catcher_first }} now has until"
        " {{ ticket.deadline | when }}\n"
        "to tell us which. {{ ticket.ref }} stays yours until then.\n\n"
        "Changed your mind? CANCEL as the first word of a reply withdraws it.\n\n" + _SIGN
    ),
    "reminder": (
        "Subject: [{{ ticket.ref }}] Still waiting: {{ ticket.title }}\n"
        "{{ ticket.catcher_first }},\n\n"
        "Got it? Then say so: reply GOT IT and {{ ticket.ref }} is yours.\n"
        "Refused? Reply REFUSE: and your reason, and it returns to"
        " {{ ticket.thrower_first }}.\n\n"
        "{{ ticket.thrower_display }} sent it {{ elapsed }} ago.\n\n" + _SIGN
    ),
    "unclear": (
        "Subject: [{{ ticket.ref }}] We could not read your answer\n"
        "Hi {{ ticket.catcher_first }},\n\n"
        "Accepted or refused? Your reply on {{ ticket.ref }} did not start with\n"
        "GOT IT or REFUSE, so nothing has changed.\n\n"
        "GOT IT = you take it\nREFUSE: reason = it goes back to {{ ticket.thrower_first }}\n\n"
        + _SIGN
    ),
    "not_catcher": (
        "Subject: [{{ ticket.ref }}] Only {{ ticket.catcher_name }} can answer\n"
        "Hello,\n\n"
        "Accepting or refusing {{ ticket.ref }} is up to {{ ticket.catcher_display }}:\n"
        "a GOT IT or REFUSE from anyone else changes nothing.\n\n" + _SIGN
    ),
    "not_pending": (
        "Subject: [{{ ticket.ref }}] Already {{ ticket.state }}\n"
        "Hello,\n\n"
        "REFUSE and GOT IT only work while a baton is pending; {{ ticket.ref }} is\n"
        "{{ ticket.state }} now, so your reply changed nothing.\n\n" + _SIGN
    ),
    "refused": (
        "Subject: [{{ ticket.ref }}] {{ ticket.catcher_name }} said no\n"
        "Hi {{ ticket.thrower_first }},\n\n"
        "Cancelled? No: refused by {{ ticket.catcher_display }}, who wrote:\n"
        "{{ refusal_reason }}\n\n"
        "Catcher: Bob Example <bob@{{ shared_address.split('@')[1] }}>\n"
        "(a line like that, on top of your reply, hands it to someone else)\n\n" + _SIGN
    ),
    "escalation": (
        "Subject: [{{ ticket.ref }}] Nobody has caught {{ ticket.title }}\n"
        "Hello,\n\n"
        "Accepted by nobody yet: {{ ticket.ref }} from {{ from_side }} to {{ to_side }}"
        " has waited {{ elapsed }}.\n"
        "Ask {{ ticket.catcher_first }} to reply GOT IT or REFUSE.\n\n" + _SIGN
    ),
    "rejection": (
        "Subject: [{{ ref }}] Could not pass on {{ title }}\n"
        "Hi {{ thrower_name }},\n\n"
        "Got it wrong? Easy to fix:\n"
        "{% for reason in reasons %}- {{ reason.code }}\n{% endfor %}\n"
        "Send it again to {{ shared_address }} starting with:\n"
        "Catcher: {{ example.catcher }}\nAttached: yes\n\n"
        "The catcher then replies GOT IT or REFUSE.\n\n" + _SIGN
    ),
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("templates")
    for name, source in REWORDED.items():
        (folder / f"{name}.txt").write_text(source)
    settings = load(ROOT / "config.toml")
    composer = Composer(folder)
    return {name: composer.render(name, sample_context(name, settings)).text for name in REWORDED}


def _plain(body: str) -> ParsedMail:
    head = "From: jane@example.com\nSubject: Re: x\nContent-Type: text/plain; charset=utf-8\n\n"
    return parse_message((head + body).encode())


def _html(typed: str, ours: str) -> ParsedMail:
    """An HTML-only reply whose client pasted our text as paragraphs, no blockquote."""
    divs = "".join(
        f"<div>{html.escape(line) or '<br>'}</div>"
        for line in [*typed.splitlines(), "", *ours.splitlines()]
    )
    head = "From: jane@example.com\nSubject: Re: x\nContent-Type: text/html; charset=utf-8\n\n"
    return parse_message((head + f"<html><body>{divs}</body></html>").encode())


def _quoted(text: str, mark: str = ">") -> str:
    return "\n".join(f"{mark} {line}" if line else mark for line in text.splitlines())


def _flowed(text: str) -> str:
    """The client re-wrapped the paste: each paragraph on one line."""
    return "\n\n".join(" ".join(p.split("\n")) for p in text.split("\n\n"))


_OUTLOOK = (
    "________________________________\nFrom: mailbaton <baton@example.com>\n"
    "Sent: Monday, 23 November 2026 10:02\nTo: Jane Doe <jane@example.com>\nSubject: x\n\n"
)

# How the reply is built around our mail; `typed` is what the replier wrote on top.
PASTES: dict[str, Callable[[str, str], ParsedMail]] = {
    "unquoted": lambda typed, ours: _plain(f"{typed}\n\n{ours}"),
    "quoted": lambda typed, ours: _plain(f"{typed}\n\n{_quoted(ours)}"),
    # Some clients and people quote with "|" or ":", and type right above the quote.
    "bar quoted": lambda typed, ours: _plain(f"{typed}\n{_quoted(ours, '|')}"),
    "colon quoted": lambda typed, ours: _plain(f"{typed}\n\n{_quoted(ours, ':')}"),
    "re-wrapped": lambda typed, ours: _plain(f"{typed}\n\n{_flowed(ours)}"),
    "outlook block": lambda typed, ours: _plain(f"{typed}\n\n{_OUTLOOK}{ours}"),
    "html": _html,
}
# Nothing typed, or only a thank-you: the paste is all there is.
NOTHING = ["", "Thanks", "thanks!\n"]


@pytest.mark.parametrize("name", sorted(REWORDED))
@pytest.mark.parametrize("paste", sorted(PASTES))
@pytest.mark.parametrize("typed", NOTHING)
def test_a_pasted_back_mail_is_never_a_verdict(
    rendered: dict[str, str], name: str, paste: str, typed: str
) -> None:
    ours = rendered[name]
    mail = PASTES[paste](typed, ours)
    verdict = read_verdict(mail, sent=[ours])
    assert verdict.kind == "unclear", verdict
    assert catcher_line(mail.text, sent=[ours]) is None


@pytest.mark.parametrize("name", sorted(REWORDED))
@pytest.mark.parametrize("paste", sorted(PASTES))
def test_got_it_typed_above_the_paste_is_an_accept(
    rendered: dict[str, str], name: str, paste: str
) -> None:
    ours = rendered[name]
    mail = PASTES[paste]("GOT IT", ours)
    assert read_verdict(mail, sent=[ours]) == Verdict("accept", None, "GOT IT")


@pytest.mark.parametrize("name", sorted(REWORDED))
@pytest.mark.parametrize("paste", sorted(PASTES))
def test_a_refusal_typed_above_the_paste_keeps_its_reason(
    rendered: dict[str, str], name: str, paste: str
) -> None:
    ours = rendered[name]
    mail = PASTES[paste]("REFUSE: out this week", ours)
    verdict = read_verdict(mail, sent=[ours])
    assert verdict == Verdict("refuse", "out this week", "REFUSE: out this week")


def test_a_new_catcher_typed_above_the_pasted_refusal_is_read(rendered: dict[str, str]) -> None:
    ours = rendered["refused"]
    body = f"Catcher: carol@example.com\n\n{ours}"
    assert catcher_line(body, sent=[ours]) == "carol@example.com"


def test_without_what_was_sent_a_reworded_paste_is_misread(rendered: dict[str, str]) -> None:
    """The old guard knew only the default wording: the tests above would fail without
    `sent`, which is why they pass it."""
    misread = {
        (name, paste): read_verdict(PASTES[paste]("", ours)).kind
        for name, ours in rendered.items()
        for paste in PASTES
    }
    wrong = {case: kind for case, kind in misread.items() if kind in ("accept", "refuse")}
    assert ("request", "unquoted") in wrong and wrong[("request", "unquoted")] == "accept"
    assert ("receipt", "unquoted") in wrong and wrong[("receipt", "unquoted")] == "refuse"


def test_the_reworded_templates_really_differ_from_the_defaults(rendered: dict[str, str]) -> None:
    default = Composer().render("request", sample_context("request", load(ROOT / "config.toml")))
    assert "handing this over" in default.text and "handing this over" not in rendered["request"]
    assert all("GOT IT" in text or "Catcher:" in text for text in rendered.values())


# --- only our own words are dropped --------------------------------------------------


def test_a_line_of_ours_copied_above_the_answer_is_skipped(rendered: dict[str, str]) -> None:
    ours = rendered["request"]
    body = "Accept this baton with two words, GOT IT, or send it back with\n\nGot it, on it today."
    assert read_verdict(_plain(body), sent=[ours]).kind == "accept"


def test_short_lines_that_also_stand_in_our_mail_stay_the_repliers(
    rendered: dict[str, str],
) -> None:
    ours = rendered["unclear"]  # "GOT IT or REFUSE, so nothing has changed." is in it
    assert new_text("Got it\n\nThanks, Jane", sent=[ours]) == "Got it\n\nThanks, Jane"
    assert new_text("REFUSE\nnot my area", sent=[ours]) == "REFUSE\nnot my area"
    prose = "Hi Jane,\n\nIf you have got it, thanks for saying so today.\n"
    assert read_verdict(_plain("Got it, thanks\n\n" + prose), sent=[prose]).kind == "accept"


def test_words_of_ours_inside_a_longer_line_of_the_repliers_are_kept(
    rendered: dict[str, str],
) -> None:
    ours = rendered["request"]
    text = "GOT IT -> the baton is yours, I will call the customer on Friday"
    assert new_text(text, sent=[ours]) == text


def test_a_sent_text_of_another_ticket_changes_nothing(rendered: dict[str, str]) -> None:
    body = f"What is this about?\n\n{rendered['request']}"
    assert new_text(body, sent=[rendered["not_pending"]]).startswith("What is this about?\n")
