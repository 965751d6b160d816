"""What the mail says, pure parts: names, the thrower's message, Due dates, cancel reasons,
the rejection's example."""

from __future__ import annotations

from datetime import date

import mails
import pytest
from desk_bench import settings

from mailbaton.classify.cancelling import cancel_reason
from mailbaton.classify.handoff import MESSAGE_LIMIT, read_handoff, split_body
from mailbaton.classify.records import Reason, Rejection
from mailbaton.mail.parse import parse_message
from mailbaton.mail.records import Address
from mailbaton.outbound.context import example_values
from mailbaton.outbound.due import is_past
from mailbaton.outbound.people import first_name, person_name

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("name", "addr", "full", "first"),
    [
        ("Jane Doe", "jane@example.com", "Jane Doe", "Jane"),
        ("", "jane.doe@example.com", "Jane Doe", "Jane"),
        ("", "jane_doe+sales@example.com", "Jane Doe", "Jane"),
        ("", "bob@example.com", "Bob", "Bob"),
        ("jane@example.com", "jane@example.com", "Jane", "Jane"),
        ("Doe, Jane", "jane@example.com", "Jane Doe", "Jane"),
        ('"Müller, Jürgen"', "jm@example.com", "Jürgen Müller", "Jürgen"),
        ("  ", "mary-ann.o-neil@example.com", "Mary Ann O Neil", "Mary"),
    ],
)
def test_a_person_is_named_never_addressed(name: str, addr: str, full: str, first: str) -> None:
    assert person_name(name, addr) == full
    assert first_name(name, addr) == first


def test_the_message_is_everything_but_the_field_lines_and_the_signature() -> None:
    fields, message = split_body(
        "Hi team,\n\nCatcher: Jane Doe <jane@example.com>\nTitle: Acme\nDue: 2026-11-27\n\n"
        "please countersign and call them before Friday.\nNote: they asked twice.\n\n\n"
        "Thanks,\nAlice\n-- \nAlice Smith | Sales\n"
    )
    assert [name for name, _ in fields] == ["catcher", "title", "due"]
    assert message == (
        "Hi team,\n\nplease countersign and call them before Friday.\n"
        "Note: they asked twice.\n\nThanks,\nAlice"
    )


def test_a_handoff_of_field_lines_only_has_no_message() -> None:
    assert split_body("Catcher: jane@example.com\nAttached: yes\n\n")[1] == ""


@pytest.mark.parametrize(
    ("due", "past"),
    [
        ("2026-11-20", True),
        ("2026-11-23", False),  # today is not late
        ("2026-11-27", False),
        ("20.11.2026", True),
        ("11/20/2026", True),
        ("03/04/2026", True),  # March or April: both gone
        ("11/10/2026", True),  # 11 October or 10 November
        ("12/11/2026", False),  # 12 November or 11 December: one is ahead, so not flagged
        ("Nov 20", True),
        ("20 November 2026", True),
        ("Friday", False),  # not a date we can read: never flagged
        ("asap", False),
        ("", False),
    ],
)
def test_a_due_date_already_past_is_flagged(due: str, past: bool) -> None:
    assert is_past(due, TODAY) is past


def test_a_year_less_date_early_next_year_is_not_past_in_december() -> None:
    assert is_past("Jan 5", date(2026, 12, 20)) is False


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("CANCEL", None),
        ("CANCEL - the customer signed already", "the customer signed already"),
        ("Please cancel this one: wrong contract", "wrong contract"),
        ("cancel\n\nThe customer withdrew.\n\nThanks,\nAlice", "The customer withdrew."),
        ("Customer withdrew, please cancel", "Customer withdrew"),
        ("Cancel it please", None),
        ("cancel.\nThanks, Alice", None),
    ],
)
def test_the_cancel_reason_is_read_after_before_or_below_the_keyword(
    text: str, reason: str | None
) -> None:
    assert cancel_reason(text) == reason


def rejection(
    reasons: tuple[Reason, ...], catchers: tuple[Address, ...], **fields: str
) -> Rejection:
    thrower = Address("Alice Smith", "alice@example.com")
    return Rejection(thrower, fields.get("title", "Acme contract"), reasons, fields, catchers)


def test_the_example_keeps_the_catcher_named_when_that_was_not_the_mistake() -> None:
    jane = Address("Jane Doe", "jane@example.com")
    values = example_values(
        rejection((Reason("no_attachment"),), (jane,), due="2026-11-20"), settings(), TODAY
    )
    assert values["catcher"] == "Jane Doe <jane@example.com>"
    assert values["title"] == "Acme contract"
    # Their due date had passed: the example shows one ahead.
    assert values["due"] == "2026-11-30"
    assert values["notes"] == ""


def test_the_example_never_invents_a_person_for_a_wrong_catcher() -> None:
    sales = Address("", "sales@example.com")
    reasons = (Reason("catcher_role", {"address": "sales@example.com"}),)
    values = example_values(rejection(reasons, (sales,), due="2026-12-01"), settings(), TODAY)
    assert values["catcher"] == "Full Name <first.last@example.com>"
    assert values["due"] == "2026-12-01"


def test_a_catcher_named_without_an_address_gets_one_to_fill_in() -> None:
    named = Address("", "Jane Doe")
    reasons = (Reason("catcher_invalid", {"address": "Jane Doe"}),)
    values = example_values(rejection(reasons, (named,)), settings(), TODAY)
    assert values["catcher"] == "Jane Doe <jane.doe@example.com>"


def test_a_huge_message_is_cut_and_says_so() -> None:
    body = "Catcher: Jane Doe <jane@example.com>\nAttached: yes\n\n" + "word " * 10_000
    handoff = read_handoff(parse_message(mails.handoff(body=body)), settings())
    assert not isinstance(handoff, Rejection)
    assert len(handoff.message) < MESSAGE_LIMIT + 100
    assert handoff.message.endswith("more characters not shown]")
