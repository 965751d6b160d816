"""classify without sockets: fields, catchers, domains, screening, reply hints, one decision."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import mails
import pytest

from mailbaton import classify
from mailbaton.classify.handoff import says_no
from mailbaton.config import Settings, from_dict
from mailbaton.mail.parse import parse_message

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings() -> Settings:
    return from_dict(
        {
            "mailbox": {
                "username": "baton@example.com",
                "address": "baton@example.com",
                "plus_addressing": True,
            },
            "protocol": {
                "allowed_domains": ["example.com"],
                "group_addresses": ["*-team@example.com"],
            },
            "departments": {
                "fin": {"members": [], "managers": [], "group_addresses": ["money@example.com"]}
            },
            "templates": {"dir": str(ROOT / "mailbaton" / "templates")},
        },
        base=ROOT,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Catcher: Jane <jane@example.com>\nAttached: yes\n\nHi",
            [("catcher", "Jane <jane@example.com>"), ("attached", "yes")],
        ),
        (
            "Hi team,\n\nWho is catching this?: jane@example.com\nIS THE FILE ATTACHED?: Yes\n",
            [("catcher", "jane@example.com"), ("attached", "Yes")],
        ),
        (
            "Receiver: jane@example.com\nAccount: ACME-1\nThis is prose, and: not a field",
            [("catcher", "jane@example.com"), ("account", "ACME-1")],
        ),
        ("**Catcher:** jane@example.com\n", [("catcher", "jane@example.com")]),
        ("Hi,\nline two\nline three\nline four\nCatcher: x@example.com", []),
    ],
)
def test_read_fields(text: str, expected: list[tuple[str, str]]) -> None:
    assert classify.read_fields(text) == expected


@pytest.mark.parametrize(
    ("value", "addresses"),
    [
        ("Jane Doe <jane@example.com>", ["jane@example.com"]),
        ("jane@example.com<mailto:jane@example.com>", ["jane@example.com"]),
        ("Jane Doe <mailto:Jane@Example.com>", ["jane@example.com"]),
        ("jane@example.com, bob@example.com", ["jane@example.com", "bob@example.com"]),
        ("", []),
    ],
)
def test_parse_catchers(value: str, addresses: list[str]) -> None:
    assert [c.addr for c in classify.parse_catchers(value)] == addresses


def test_domains_allow_subdomains_but_not_lookalikes(settings: Settings) -> None:
    assert classify.domain_allowed("a@example.com", settings)
    assert classify.domain_allowed("a@sales.example.com", settings)
    assert not classify.domain_allowed("a@example.com.evil.net", settings)
    assert not classify.domain_allowed("a@notexample.com", settings)


def test_groups_and_roles(settings: Settings) -> None:
    assert classify.is_group("support@example.com", settings) == "role"
    assert classify.is_group("noreply+x@example.com", settings) == "role"
    assert classify.is_group("billing-team@example.com", settings) == "group"
    assert classify.is_group("money@example.com", settings) == "group"
    assert classify.is_group("jane@example.com", settings) is None


def test_valid_handoff_reads_title_default_and_fields(settings: Settings) -> None:
    mail = parse_message(mails.handoff(title=None, subject="HANDOFF: Renewal Q4"))
    decision = classify.read_handoff(mail, settings)
    assert isinstance(decision, classify.NewHandoff)
    assert decision.title == "Renewal Q4"
    assert decision.catcher.addr == "jane@example.com" and decision.catcher.name == "Jane Doe"
    assert decision.due == "2026-11-27"
    assert [a.filename for a in decision.attachments] == ["contract.pdf"]


def test_rejection_collects_every_reason_in_order(settings: Settings) -> None:
    mail = parse_message(mails.handoff(catcher="baton@example.com", attached="No", files={}))
    decision = classify.read_handoff(mail, settings)
    assert isinstance(decision, classify.Rejection)
    assert [r.code for r in decision.reasons] == ["catcher_shared", "attached_no", "no_attachment"]


def test_screen_turns_away_loops_machines_and_outsiders(settings: Settings) -> None:
    def reason(raw: bytes) -> str | None:
        found = classify.screen(parse_message(raw), settings)
        assert found is None or isinstance(found, classify.Ignored)
        return found.reason if found else None

    assert reason(mails.handoff()) is None
    assert "shared address" in (reason(mails.handoff(sender="baton+x@example.com")) or "")
    assert "outside" in (reason(mails.handoff(sender="eve@example.com.evil.net")) or "")
    assert "automatic" in (
        reason(mails.handoff(extra_headers={"Auto-Submitted": "auto-replied"})) or ""
    )
    assert reason(mails.handoff(extra_headers={"Auto-Submitted": "no"})) is None
    assert "mailbaton" in (
        reason(mails.handoff(extra_headers={"X-Mailbaton-Ticket": "MB-1"})) or ""
    )


def _sent_request() -> EmailMessage:
    sent = EmailMessage()
    sent["From"] = "baton@example.com"
    sent["To"] = "jane@partner.org"
    sent["Subject"] = "[MB-7] Acme contract"
    sent["Message-ID"] = "<MB-7.request.ab@example.com>"
    sent.set_content("Hi Jane")
    return sent


def test_a_bounce_is_returned_once_whoever_sent_it(settings: Settings) -> None:
    """A DSN is also automatic mail from outside the allowed domains: it is still Returned,
    matched against the mail it returns, and never Ignored or read as a reply."""
    decision = classify.decide(parse_message(mails.dsn_for(_sent_request())), settings)
    assert isinstance(decision, classify.Returned)
    assert decision.bounce.original_message_id == "MB-7.request.ab@example.com"
    assert decision.bounce.recipients == ("jane@example.com",)


def test_an_auto_reply_in_a_thread_is_ignored_not_a_reply(settings: Settings) -> None:
    raw = mails.handoff(
        subject="Automatic reply: [MB-7] Acme contract",
        extra_headers={"In-Reply-To": "<MB-7.request.ab@example.com>"},
    )
    decision = classify.decide(parse_message(raw), settings)
    assert decision == classify.Ignored("automatic mail: auto-reply subject")


def test_a_person_in_a_thread_is_a_reply_and_otherwise_a_handoff(settings: Settings) -> None:
    raw = mails.handoff(extra_headers={"In-Reply-To": "<MB-7.request.ab@example.com>"})
    decision = classify.decide(parse_message(raw), settings)
    assert isinstance(decision, classify.Reply)
    assert decision.hints.message_ids == ("MB-7.request.ab@example.com",)
    assert isinstance(decision.otherwise, classify.NewHandoff)
    assert isinstance(
        classify.decide(parse_message(mails.handoff()), settings), classify.NewHandoff
    )


def test_too_large_is_judged_after_the_screen(settings: Settings) -> None:
    person = parse_message(mails.handoff(subject="HANDOFF: Big file", files={}))
    decision = classify.decide(person, settings, oversized=30 * 1024 * 1024)
    assert isinstance(decision, classify.Rejection)
    assert [r.code for r in decision.reasons] == ["too_large"]
    assert decision.title == "Big file"
    machine = parse_message(mails.handoff(extra_headers={"Auto-Submitted": "auto-generated"}))
    assert isinstance(classify.decide(machine, settings, oversized=1), classify.Ignored)


def test_too_large_in_a_ticket_thread_is_read_as_a_reply_and_otherwise_rejected(
    settings: Settings,
) -> None:
    # A catcher's GOT IT that sends the big file back: its beginning carries the verdict.
    raw = mails.handoff(extra_headers={"In-Reply-To": "<MB-7.request.ab@example.com>"})
    decision = classify.decide(parse_message(raw), settings, oversized=30 * 1024 * 1024)
    assert isinstance(decision, classify.Reply)
    assert isinstance(decision.otherwise, classify.Rejection)
    assert [r.code for r in decision.otherwise.reasons] == ["too_large"]


def test_reply_hints_token_threading_and_tag(settings: Settings) -> None:
    raw = mails.handoff(
        subject="Re: [MB-7] Acme contract [XX-9]",
        extra_headers={
            "In-Reply-To": "<MB-7.request.ab@example.com>",
            "References": "<a@x> <MB-7.request.ab@example.com>",
            "Cc": "baton+tok123@example.com",
        },
    )
    hints = classify.reply_hints(parse_message(raw), settings)
    assert hints.tokens == ("tok123",)
    assert hints.message_ids[0] == "MB-7.request.ab@example.com"
    assert "a@x" in hints.message_ids
    assert hints.refs == ("MB-7",)
    assert not classify.reply_hints(parse_message(mails.handoff()), settings)


def decide(raw: bytes, settings: Settings) -> classify.NewHandoff | classify.Rejection:
    return classify.read_handoff(parse_message(raw), settings)


def codes(decision: classify.NewHandoff | classify.Rejection) -> list[str]:
    return [r.code for r in decision.reasons] if isinstance(decision, classify.Rejection) else []


# --- Attached: read by its first words ---------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "No, will send later",
        "no - tomorrow",
        "Not yet",
        "nope",
        "Nein, kommt später",
        "non",
        "not attached",
        "No.",
        "**No**",
        "Noch nicht",
        "pas encore",
        "none",
    ],
)
def test_an_attached_answer_that_opens_with_no_says_no(answer: str, settings: Settings) -> None:
    assert says_no(answer)
    assert "attached_no" in codes(decide(mails.handoff(attached=answer), settings))


@pytest.mark.parametrize(
    "answer", ["yes", "Yes (2 files)", "attached", "ja", "oui", "n/a", "see below", ""]
)
def test_other_attached_answers_stay_yes(answer: str, settings: Settings) -> None:
    assert not says_no(answer)
    assert isinstance(decide(mails.handoff(attached=answer), settings), classify.NewHandoff)


# --- +tags on the thrower's own address --------------------------------------------


@pytest.mark.parametrize(
    ("sender", "catcher"),
    [
        ("erin+x@sales.example.com", "erin@sales.example.com"),
        ("erin@sales.example.com", "Erin <ERIN+handoffs@sales.example.com>"),
        ("Erin+a@Sales.Example.com", "erin+b@sales.example.com"),
    ],
)
def test_the_thrower_under_a_plus_tag_is_still_the_thrower(
    sender: str, catcher: str, settings: Settings
) -> None:
    assert "catcher_self" in codes(decide(mails.handoff(sender=sender, catcher=catcher), settings))


def test_another_person_on_the_same_domain_is_not_the_thrower(settings: Settings) -> None:
    raw = mails.handoff(sender="erin+x@sales.example.com", catcher="erik@sales.example.com")
    assert isinstance(decide(raw, settings), classify.NewHandoff)
