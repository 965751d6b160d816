"""Everyday acceptances that open with a word of their own ("Erledigt, übernehme ich")."""

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
