"""Everyday verdicts opened by words of their own: "Erledigt, übernehme ich", "Hi, GOT IT"."""

from __future__ import annotations

import pytest

from mailbaton.classify.verdicts import verdict_from_text


@pytest.mark.parametrize(
    "text",
    [
        "Erledigt, übernehme ich",
        "Passt, übernehme ich.",
        "Super, mache ich",
        "Parfait, je m'en occupe.",
        "Perfecto, me encargo.",
        "Me lo quedo",
        "Perfetto, me ne occupo io.",
    ],
)
def test_an_acceptance_after_a_word_of_approval_accepts(text: str) -> None:
    assert verdict_from_text(text).kind == "accept"


@pytest.mark.parametrize(
    "text", ["Erledigt", "Passt", "Super", "Gut, übernehme ich nicht", "Passt, übernehme ich?"]
)
def test_the_word_alone_or_a_negated_or_asked_acceptance_is_not_one(text: str) -> None:
    assert verdict_from_text(text).kind == "unclear"


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Hello Alice, got it.", "accept"),
        ("Hi Alice, GOT IT", "accept"),
        ("Hi, got it", "accept"),
        ("Thanks Alice, got it!", "accept"),
        ("Thank you, I accept", "accept"),
        ("Hi Alice, got it?", "unclear"),
        ("Thanks, not sure I got it", "unclear"),
        ("Hi Alice, REFUSE: out sick", "refuse"),
    ],
)
def test_a_greeting_or_thanks_on_the_same_line_comes_before_the_keyword(
    text: str, verdict: str
) -> None:
    assert verdict_from_text(text).kind == verdict
