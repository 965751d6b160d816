"""End to end: how mail looks when it arrives. Exact non-ASCII subjects and file names on
real servers, and every kind of mail with a text and an HTML part that name people."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path

import mails
import pytest
from baton import Baton, make_baton, parse
from servers import MailServer

from mailbaton.outbound.compose import TEMPLATE_NAMES

pytestmark = pytest.mark.e2e

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ALICE, JANE = "alice@example.com", "jane@example.com"
BOB = "Bob Stone <bob@example.com>"
MANAGERS = ("head-of-sales@example.com", "head-of-ops@example.com", "managers@example.com")
EVERYONE = (ALICE, JANE, "bob@example.com", *MANAGERS)

# Titles of 60 to 120 characters in four scripts; the Python generator used to drop the
# space between encoded words here, or decode some lengths with a leading space.
TITLES = [
    "Rahmenvertrag €50.000 für die Müller GmbH – bitte gegenzeichnen",
    "Rahmenvertrag €50.000 für die Müller & Söhne GmbH – bitte gegenzeichnen, danke",
    "Rahmenvertrag €50.000 für die Müller & Söhne GmbH – bitte gegenzeichnen und an Frau "
    "Schröder zurück, Übergabe Freitag",
    "Договор поставки оборудования для ООО «Ромашка» — подписать до пятницы",
    "Договор поставки оборудования для ООО «Ромашка» — подписать до пятницы и отправить "
    "копию в бухгалтерию",
    "株式会社アクメとの契約書、金曜日までに署名をお願いします。署名後は経理部へ原本を送付してください。ご質問は田中さん"
    "まで、宜しくお願い致します。",
    "🚀 Launch plan for Acme 🎉 contract 💶 50.000 € — sign by Friday 🙏 then call them",
    "🚀 Launch plan for Acme 🎉 contract 💶 50.000 € — sign by Friday 🙏 then send the "
    "copy to finance 📎 and call ☎️ before noon",
]


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    b = make_baton(mail_server, tmp_path, escalation='remind_after = "2h"')
    yield b
    b.close()


def decoded_both_ways(raw: bytes) -> tuple[str, str]:
    """The subject as Python's modern parser and as decode_header + make_header read it."""
    legacy = message_from_bytes(raw)["Subject"]
    return str(parse(raw)["Subject"]), str(make_header(decode_header(legacy)))


# Mails about no one ticket, each checked by its own e2e test: the opt-in digest
# (test_digest_e2e.py) and the admins' health alert and recovery (test_health_alerts.py).
NOT_ABOUT_ONE_TICKET = {"digest", "alert", "recovery"}


def titled(title: str, files: dict[str, bytes] | None = None) -> bytes:
    body = f"Catcher: {mails.JANE}\nAttached: yes\nTitle: {title}\nDue: 2026-11-27\n"
    return mails.handoff(body=body, subject="HANDOFF: contract", files=files)


def test_non_ascii_titles_arrive_as_exact_subjects(baton: Baton) -> None:
    assert all(60 <= len(t) <= 120 for t in TITLES), [len(t) for t in TITLES]
    for title in TITLES:
        baton.server.deliver(titled(title))
    baton.run_pass(T0)
    requests = baton.server.wait_for(JANE, len(TITLES))
    receipts = baton.server.wait_for(ALICE, len(TITLES))
    for raws in (requests, receipts):
        subjects = {decoded_both_ways(raw) for raw in raws}
        expected = {(f"[MB-{n}] {t}",) * 2 for n, t in enumerate(TITLES, start=1)}
        assert subjects == expected


def test_a_non_ascii_file_name_arrives_exactly_with_a_plain_fallback(baton: Baton) -> None:
    name = "Vertrag Müller €50.000 – endgültige Fassung für die Unterschrift.pdf"
    baton.server.deliver(titled("Acme contract", files={name: mails.PDF}))
    baton.run_pass(T0)
    (raw,) = baton.server.wait_for(JANE, 1)
    (part,) = parse(raw).iter_attachments()
    assert part.get_filename() == name
    assert part.get_content() == mails.PDF
    disposition = str(part["Content-Disposition"])
    assert "filename*" in raw.decode("ascii") and 'filename="=?utf-8?' in raw.decode("ascii")
    assert part.get_content_disposition() == "attachment", disposition


def reply_to(baton: Baton, original: EmailMessage, words: str, sender: str) -> None:
    baton.server.deliver(mails.reply(original, words, sender=sender))


def every_kind(baton: Baton) -> dict[str, list[EmailMessage]]:
    """Plays one day of three tickets and a rejected handoff, so every mail is sent."""
    for title in ("Acme contract", "Globex renewal", "Initech audit"):
        baton.server.deliver(mails.handoff(title=title, subject=f"HANDOFF: {title}"))
    baton.server.deliver(mails.handoff(files={}, title="Hooli offer", subject="Hooli offer"))
    baton.run_pass(T0)
    requests = {str(m["Subject"])[1:5]: m for m in map(parse, baton.server.wait_for(JANE, 3))}
    receipts = {str(m["Subject"])[1:5]: m for m in map(parse, baton.server.wait_for(ALICE, 4))}
    reply_to(baton, requests["MB-1"], "I can do that one", BOB)
    reply_to(baton, requests["MB-1"], "What is the deadline for this exactly?", mails.JANE)
    baton.run_pass(T0 + timedelta(minutes=10))
    reply_to(baton, requests["MB-1"], "GOT IT", mails.JANE)
    reply_to(baton, requests["MB-2"], "REFUSE: I am out all week", mails.JANE)
    baton.server.deliver(mails.dsn_for(requests["MB-3"]))
    baton.run_pass(T0 + timedelta(minutes=20))
    reply_to(baton, requests["MB-1"], "Got it", mails.JANE)
    baton.run_pass(T0 + timedelta(minutes=30))
    baton.run_pass(T0 + timedelta(hours=2, minutes=5))  # the reminder
    baton.run_pass(T0 + timedelta(hours=4, minutes=5))  # the escalation
    (warning,) = map(parse, baton.server.wait_for("head-of-ops@example.com", 1))
    reply_to(baton, warning, "I'll chase Jane today.", "Maria Lopez <head-of-ops@example.com>")
    baton.run_pass(T0 + timedelta(hours=4, minutes=10))
    reply_to(baton, receipts["MB-3"], "CANCEL: the customer withdrew", mails.ALICE)
    baton.run_pass(T0 + timedelta(hours=4, minutes=20))
    found: dict[str, list[EmailMessage]] = {}
    deadline = time.monotonic() + 10
    while set(found) != set(TEMPLATE_NAMES) - NOT_ABOUT_ONE_TICKET and time.monotonic() < deadline:
        found = {}
        for user in EVERYONE:
            for message in map(parse, baton.server.messages(user)):
                found.setdefault(mails.kind_of(message), []).append(message)
        time.sleep(0.1)
    return found


def test_every_kind_of_mail_has_both_parts_one_subject_and_names(baton: Baton) -> None:
    found = every_kind(baton)
    assert sorted(found) == sorted(set(TEMPLATE_NAMES) - NOT_ABOUT_ONE_TICKET)
    titles = {"MB-1": "Acme contract", "MB-2": "Globex renewal", "MB-3": "Initech audit"}
    for kind, messages in found.items():
        for message in messages:
            # With files: multipart/mixed around the multipart/alternative.
            body = message
            if message.get_content_type() == "multipart/mixed":
                body = next(iter(message.iter_parts()))  # type: ignore[assignment]
            assert body.get_content_type() == "multipart/alternative", kind
            text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
            assert text_part is not None and html_part is not None, kind
            text, html = str(text_part.get_content()), str(html_part.get_content())
            ref = str(message["X-Mailbaton-Ticket"])
            title = titles.get(ref, "Hooli offer")
            assert str(message["Subject"]) == f"[{ref}] {title}", kind
            assert message["Auto-Submitted"] in ("auto-generated", "auto-replied"), kind
            # Named by name; an address only beside the name, never alone in a sentence.
            assert re.search(r"\b(Alice|Jane|Maria)\b", text), (kind, text)
            assert re.search(r"\b(Alice|Jane|Maria)\b", html), kind
            for line in text.splitlines():
                bare = re.sub(r"[<(][^<>()\s]+@example\.com[>)]", "", line)
                assert "alice@example.com" not in bare and "jane@example.com" not in bare, line
            assert 'class="news"' in html and "@media (prefers-color-scheme: dark)" in html
