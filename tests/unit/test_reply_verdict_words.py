"""Everyday acceptances and refusals beside the keywords (SPEC section 5), and their limits."""

from __future__ import annotations

import pytest

from mailbaton.classify.verdicts import Verdict, new_text, read_verdict, verdict_from_text
from mailbaton.mail.parse import parse_message


def kind(text: str, strict: bool = False) -> str:
    return verdict_from_text(text, strict=strict).kind


ACCEPTS = [
    "I'll take it",
    "Will do",
    "On it!",
    "Ack",
    "ACK, thanks",
    "👍",
    "👍🏻 thanks",
    "承知しました。GOT IT",
    "übernommen",
    "Ok, übernehme ich.",
    "je m'en occupe",
    "Je m'en charge, merci.",
    "Me encargo yo.",
    "Pode deixar, eu cuido disso.",
    "Me ne occupo io.",
    "Ik pak het op.",
    "Jag tar det.",
    "Zajmę się tym.",
    "Beru si to.",
    "Беру на себя.",
    "Ben hallederim.",
    "收到，我来处理。",
    "제가 맡겠습니다.",
    "سأتولى الأمر.",
    "Hi Alice, I'll take it.",
]


@pytest.mark.parametrize("text", ACCEPTS)
def test_everyday_acceptances_accept(text: str) -> None:
    assert verdict_from_text(text) == Verdict("accept", None, text)


@pytest.mark.parametrize("text", ACCEPTS)
def test_strict_verdicts_limit_them_to_the_keywords(text: str) -> None:
    expected = "accept" if text.upper().startswith(("GOT IT", "ACCEPT")) else "unclear"
    assert kind(text, strict=True) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Will do?",
        "Should I take it?",
        "I'll take it if Bob can't.",
        "Why would I take it?",
        "Übernommen?",
        "Roger will handle it.",
        "On its way to Carol.",
        "I won't take it",
        "Not sure I'll take it",
        "I'll take it up with Carol.",
        "I'll take it back to the team.",
        "Ich übernehme das nicht.",
        "Übernehme ich nicht, sorry.",
        "Je prends pas.",
        "Ik pak het niet op.",
        "Jag tar det inte.",
        "Jeg tager den ikke.",
    ],
)
def test_questions_conditions_and_negations_are_not_accepts(text: str) -> None:
    assert kind(text) != "accept"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "I can't take this, I'm out all next week",
            "I can't take this, I'm out all next week",
        ),
        ("Sorry, I cannot take it on right now.", "Sorry, I cannot take it on right now."),
        ("Das kann ich leider nicht übernehmen.", "Das kann ich leider nicht übernehmen."),
        ("Je ne peux pas m'en occuper, désolé.", "Je ne peux pas m'en occuper, désolé."),
        ("申し訳ありませんが、対応できません。", "申し訳ありませんが、対応できません。"),
    ],
)
def test_everyday_refusals_refuse_with_their_words_as_the_reason(text: str, reason: str) -> None:
    assert verdict_from_text(text) == Verdict("refuse", reason, text)
    assert kind(text, strict=True) == "unclear"


@pytest.mark.parametrize(
    "text",
    [
        "If I can't take it, I'll tell you.",
        "Why can't you take it?",
        "Can't you take this one?",
    ],
)
def test_conditions_and_questions_are_not_refusals(text: str) -> None:
    assert kind(text) == "unclear"


def test_an_acceptance_with_a_refusal_after_it_is_asked_again() -> None:
    # A person would not know which one holds.
    assert kind("Will do. Actually no, I can't take this after all.") == "unclear"


def test_the_keywords_still_decide_first() -> None:
    assert kind("Got it, though I can't take the Friday call") == "accept"
    assert kind("REFUSE: I'll take the next one") == "refuse"


def test_reason_before_the_keyword_when_nothing_follows_it() -> None:
    text = "Can't take it, I'm out all week. REFUSE"
    assert verdict_from_text(text) == Verdict("refuse", "Can't take it, I'm out all week", text)
    assert verdict_from_text(text, strict=True).reason == "Can't take it, I'm out all week"
    assert verdict_from_text("Sorry, I have to refuse.").reason == ""


def test_reason_on_the_lines_after_refuse_is_kept_up_to_the_quote() -> None:
    body = (
        "REFUSE:\n\nI am out all next week.\n\nCarol knows the customer better.\n\nThanks,\nJane\n"
        "On Mon, 3 Jun 2024 at 10:15, mailbaton <baton@example.com> wrote:\n> Please reply GOT IT"
    )
    raw = f"From: jane@example.com\nSubject: Re: x\n\n{body}".encode()
    verdict = read_verdict(parse_message(raw))
    assert verdict.kind == "refuse"
    assert verdict.reason == "I am out all next week.\n\nCarol knows the customer better."


def test_refuse_then_reason_lines_then_the_quote_with_no_blank_line() -> None:
    body = (
        "REFUSE:\nI'm out all next week.\n"
        "On Mon, 3 Jun 2024 at 10:15, mailbaton <baton@example.com> wrote:\n> REFUSE: your reason"
    )
    assert new_text(body) == "REFUSE:\nI'm out all next week."
    assert verdict_from_text(new_text(body)).reason == "I'm out all next week."


def test_read_verdict_passes_strict_on() -> None:
    raw = b"From: jane@example.com\nSubject: Re: x\n\nWill do\n"
    assert read_verdict(parse_message(raw)).kind == "accept"
    assert read_verdict(parse_message(raw), strict=True).kind == "unclear"
