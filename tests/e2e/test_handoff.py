"""End to end on real IMAP + SMTP servers: handoffs in; requests, receipts, rejections out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mails
import pytest
from baton import Baton, body_text, make_baton, parse
from servers import MailServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    b = make_baton(mail_server, tmp_path)
    yield b
    b.close()


def test_good_handoff_sends_request_with_file_and_receipt(baton: Baton) -> None:
    baton.server.deliver(mails.handoff())
    report = baton.run_pass()

    assert [o.outcome for o in report.outcomes] == ["processed"]
    (request,) = baton.server.wait_for("jane@example.com", 1)
    request_mail = parse(request)
    assert request_mail["Subject"] == "[MB-1] Acme Corp - $50,000 contract ready to countersign"
    assert "Please reply GOT IT or REFUSE" in body_text(request_mail).splitlines()[0]
    assert request_mail["Auto-Submitted"] == "auto-generated"
    files = {p.get_filename(): p.get_content() for p in request_mail.iter_attachments()}
    assert files == {"contract.pdf": mails.PDF}
    text = body_text(request_mail)
    assert "Alice Smith" in text and "REFUSE" in text
    assert "Mon 23 Nov" in text or "UTC" in text  # the deadline is shown

    (receipt,) = baton.inbox("alice@example.com")
    assert receipt["Subject"] == request_mail["Subject"]  # one subject per ticket
    assert "waiting for Jane Doe to reply GOT IT" in body_text(receipt).splitlines()[0]
    assert "it is still yours" in body_text(receipt)
    assert receipt["Auto-Submitted"] == "auto-replied"
    assert receipt["In-Reply-To"]  # threads with Alice's handoff

    assert baton.folder_counts() == {
        "INBOX": 0,
        "mailbaton/processed": 1,
        "mailbaton/rejected": 0,
        "mailbaton/ignored": 0,
        "mailbaton/failed": 0,
    }
    ticket = baton.ticket("MB-1")
    assert ticket["state"] == "pending"
    assert ticket["thrower"] == "alice@example.com"
    assert ticket["catcher"] == "jane@example.com"
    assert ticket["owner"] == "alice@example.com"
    assert ticket["escalations"] == 0
    kinds = [e["kind"] for e in ticket["events"]]
    assert kinds[0] == "received" and kinds.count("mail sent") == 2


# One handoff per rule; the sentence fragment the rejection must carry for it.
REJECTIONS = {
    "no catcher": (mails.handoff(catcher=None), "no Catcher: line"),
    "role address": (mails.handoff(catcher="Sales <sales@example.com>"), "role address"),
    "config group": (mails.handoff(catcher="ops@example.com"), "group or team address"),
    "group pattern": (mails.handoff(catcher="billing-team@example.com"), "group or team"),
    "department group": (mails.handoff(catcher="money@example.com"), "group or team"),
    "malformed": (mails.handoff(catcher="Jane Doe <jane@@example>"), "not a valid email"),
    "name only": (mails.handoff(catcher="Jane Doe"), "not a valid email"),
    "two catchers": (
        mails.handoff(catcher="jane@example.com, bob@example.com"),
        "More than one catcher",
    ),
    "two catcher lines": (
        mails.handoff(body="Catcher: jane@example.com\nCatcher: bob@example.com\nAttached: yes\n"),
        "More than one catcher",
    ),
    "thrower herself": (mails.handoff(catcher=mails.ALICE), "named yourself"),
    "shared mailbox": (mails.handoff(catcher="baton@example.com"), "a handoff mailbox itself"),
    "outside domains": (mails.handoff(catcher="jane@partner.org"), "outside the domains"),
    "attached no": (mails.handoff(attached="no"), "says the file is not attached"),
    "no attachment": (mails.handoff(files={}), "No file is attached"),
    "logo only": (mails.with_signature_logo_only(), "No file is attached"),
}


def test_every_rejection_rule_is_named_in_its_rejection(baton: Baton) -> None:
    # One thrower per case: each gets exactly the one rejection about its own rule.
    case_of_id = {}
    throwers = []
    for i, (name, (raw, _)) in enumerate(REJECTIONS.items()):
        thrower = "alice@example.com" if name == "thrower herself" else f"alice.{i}@example.com"
        raw = raw.replace(b"<alice@example.com>\nTo:", f"<{thrower}>\nTo:".encode(), 1)
        throwers.append(thrower)
        case_of_id[parse(raw)["Message-ID"]] = name
        baton.server.deliver(raw)
    report = baton.run_pass()

    assert [o.outcome for o in report.outcomes] == ["rejected"] * len(REJECTIONS)
    replies = [raw for t in throwers for raw in baton.server.wait_for(t, 1)]
    by_case: dict[str, str] = {}
    for raw in replies:
        message = parse(raw)
        assert message["Auto-Submitted"] == "auto-replied"
        by_case[case_of_id[message["In-Reply-To"]]] = body_text(message)
    missing = [n for n, (_, fragment) in REJECTIONS.items() if fragment not in by_case.get(n, "")]
    assert not missing, f"rejections not naming their rule: {missing}"
    for text in by_case.values():
        assert "\nCatcher: " in text  # the example to copy
        assert "Attached: yes" in text
    assert baton.folder_counts()["mailbaton/rejected"] == len(REJECTIONS)
    assert baton.folder_counts()["INBOX"] == 0
    assert baton.inbox("jane@example.com") == []


def test_several_problems_arrive_in_one_rejection(baton: Baton) -> None:
    raw = mails.handoff(catcher="ops@example.com, alice@example.com", attached="no", files={})
    baton.server.deliver(raw)
    baton.run_pass()

    (reply,) = baton.inbox("alice@example.com")
    text = body_text(reply)
    for fragment in (
        "More than one catcher",
        "group or team address",
        "named yourself",
        "says the file is not attached",
        "No file is attached",
    ):
        assert fragment in text
    assert "There are 5 problems" in text
    status = baton.tickets(include_closed=True)
    assert [t["state"] for t in status] == ["rejected"]
    assert set(status[0]["rejection_reasons"]) == {
        "several_catchers",
        "catcher_group",
        "catcher_self",
        "attached_no",
        "no_attachment",
    }


def test_outsiders_and_machines_get_no_answer(baton: Baton) -> None:
    baton.server.deliver(mails.handoff(sender="Mallory <mallory@evil.test>"))
    baton.server.deliver(
        mails.handoff(catcher=None, extra_headers={"Auto-Submitted": "auto-replied"})
    )
    baton.server.deliver(mails.handoff(catcher=None, extra_headers={"Precedence": "bulk"}))
    baton.server.deliver(mails.handoff(sender="baton@example.com", catcher=None))
    report = baton.run_pass()

    assert [o.outcome for o in report.outcomes] == ["ignored"] * 4
    assert "outside the allowed domains" in report.outcomes[0].reason
    assert baton.inbox("mallory@evil.test") == []
    assert baton.inbox("alice@example.com") == []
    assert baton.folder_counts()["mailbaton/ignored"] == 4
    assert report.mail.sent == 0


def test_html_only_handoffs_from_outlook_and_gmail(baton: Baton) -> None:
    baton.server.deliver(mails.outlook_html_only())
    baton.server.deliver(mails.gmail_html_only())
    report = baton.run_pass()

    assert [o.outcome for o in report.outcomes] == ["processed", "processed"]
    tickets = baton.tickets()
    assert [(t["catcher"], t["title"]) for t in tickets] == [
        ("jane@example.com", "Globex renewal – signed order form"),
        ("jane@example.com", "Initech migration plan"),
    ]
    assert [t["files"] for t in tickets] == [["order.pdf"], ["plan.pdf"]]
    assert len(baton.server.wait_for("jane@example.com", 2)) == 2


def test_encoded_subject_survives_into_title_and_mails(baton: Baton) -> None:
    baton.server.deliver(mails.encoded_subject_handoff())
    baton.run_pass()

    (ticket,) = baton.tickets()
    assert ticket["title"] == "Übergabe Müller GmbH – Vertrag"
    (request,) = baton.inbox("jane@example.com")
    assert request["Subject"].startswith("[MB-1] Übergabe Müller GmbH – Vertrag")


def test_a_second_pass_changes_nothing(baton: Baton) -> None:
    baton.server.deliver(mails.handoff())
    baton.server.deliver(mails.handoff(catcher=None))
    baton.run_pass()
    before = (
        baton.folder_counts(),
        len(baton.inbox("alice@example.com")),
        len(baton.inbox("jane@example.com")),
    )
    status_before = _strip_ages(baton.tickets(include_closed=True))

    report = baton.run_pass()

    assert report.outcomes == [] and report.mail.sent == 0
    after = (
        baton.folder_counts(),
        len(baton.inbox("alice@example.com")),
        len(baton.inbox("jane@example.com")),
    )
    assert after == before
    assert _strip_ages(baton.tickets(include_closed=True)) == status_before


def test_the_same_message_delivered_twice_opens_one_ticket(baton: Baton) -> None:
    raw = mails.handoff()
    baton.server.deliver(raw)
    baton.server.deliver(raw)
    report = baton.run_pass()

    assert [o.outcome for o in report.outcomes] == ["processed", "processed"]
    assert report.outcomes[1].already_done
    assert len(baton.tickets()) == 1
    assert len(baton.inbox("jane@example.com")) == 1
    assert baton.folder_counts()["mailbaton/processed"] == 2


def test_a_message_that_breaks_processing_is_filed_as_failed_and_the_pass_goes_on(
    baton: Baton, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mailbaton.classify import decision as classify

    real = classify.read_handoff

    def explode_on_one(mail, settings):  # type: ignore[no-untyped-def]
        if "explode" in mail.subject:
            raise RuntimeError("boom")
        return real(mail, settings)

    monkeypatch.setattr(classify, "read_handoff", explode_on_one)
    baton.server.deliver(mails.handoff(subject="explode"))
    baton.server.deliver(mails.handoff())
    report = baton.run_pass()

    assert [o.outcome for o in report.outcomes] == ["failed", "processed"]
    assert "RuntimeError: boom" in report.outcomes[0].reason
    assert baton.folder_counts()["mailbaton/failed"] == 1
    assert baton.folder_counts()["mailbaton/processed"] == 1
    assert baton.inbox("alice@example.com")[0]["Subject"].startswith("[MB-1]")


def _strip_ages(tickets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in t.items() if k != "age_seconds"} for t in tickets]


def test_messages_without_message_id_are_told_apart_by_their_bytes(baton: Baton) -> None:
    first = b"\n".join(
        line
        for line in mails.handoff(title="First").split(b"\n")
        if not line.startswith(b"Message-ID:")
    )
    second = b"\n".join(
        line
        for line in mails.handoff(title="Second").split(b"\n")
        if not line.startswith(b"Message-ID:")
    )
    for raw in (first, second, first):  # the first one delivered twice
        baton.server.deliver(raw)
    report = baton.run_pass()

    assert [o.already_done for o in report.outcomes] == [False, False, True]
    assert sorted(t["title"] for t in baton.tickets()) == ["First", "Second"]
    assert len(baton.inbox("jane@example.com")) == 2
