"""End to end: catchers answer in their client's format and language; tickets change hands.

Each reply is a case of the development corpus (tests/reply_dev_corpus.py) with the
request mailbaton really sent quoted in it, delivered over IMAP to the watched mailbox;
the verdicts go out over SMTP. At least 10 languages and 8 clients, plain and HTML.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import mails
import pytest
from baton import Baton, body_text, make_baton, parse
from reply_dev_corpus import ORIGINAL, DevCase, dev_corpus, html_lines, quoted
from servers import MailServer

from mailbaton.mail.htmltext import html_to_text

pytestmark = pytest.mark.e2e

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# (client, language, shape): top-posted and bottom-posted, plain and HTML.
CHOSEN = [
    ("gmail", "de", "bottom/html"),
    ("gmail", "ja", "top/html"),
    ("gmail", "pl", "top/plain"),
    ("thunderbird", "fr", "bottom/plain"),
    ("thunderbird", "ru", "top/html"),
    ("thunderbird", "cs", "top/html"),
    ("apple", "es", "bottom/html"),
    ("apple", "nl", "bottom/plain"),
    ("apple", "tr", "top/plain"),
    ("ios", "it", "top/plain"),
    ("ios", "zh", "top/html"),
    ("outlook", "sv", "top/plain"),
    ("outlook", "ar", "top/html"),
    ("outlook", "ko", "top/plain"),
    ("outlook_mobile", "pt", "top/plain"),
    ("yahoo", "de", "top/html"),
    ("samsung", "pl", "top/plain"),
    ("gmx", "de", "top/plain"),
    ("zimbra", "fr", "top/html"),
    ("notes", "en", "top/plain"),
]


def _chosen() -> list[DevCase]:
    cases = []
    for client, lang, shape in CHOSEN:
        case = next(
            c
            for c in dev_corpus()
            if c.client == client
            and c.lang == lang
            and f"/{shape}/" in f"/{c.name}/"
            and c.verdict in ("accept", "refuse")
        )
        cases.append(case)
    return cases


def _reply(request: EmailMessage, case: DevCase) -> bytes:
    """Jane's reply to the real request, in the case's client format."""
    sent = body_text(request).strip()
    message = EmailMessage()
    message["From"] = mails.JANE
    message["To"] = str(request.get("Reply-To") or request["From"])
    message["Subject"] = "Re: " + str(request["Subject"])
    message["Message-ID"] = make_msgid(domain="client.example.com")
    message["In-Reply-To"] = str(request["Message-ID"])
    message["References"] = str(request["Message-ID"])
    if case.html is None:
        text = case.text.replace(quoted(ORIGINAL), quoted(sent)).replace(ORIGINAL, sent)
        assert sent in text or quoted(sent) in text, case.name  # the real request is in it
        message.set_content(text)
        return message.as_bytes()
    html = case.html.replace(html_lines(ORIGINAL), html_lines(sent))
    assert html_lines(sent) in html, case.name
    message.set_content(html_to_text(html))  # the text part a client derives from its HTML
    message.add_alternative(html, "html")
    return message.as_bytes()


def _names(request: EmailMessage, title: str) -> bool:
    subject = str(request["Subject"])
    return subject.endswith(f"] {title}") or f"] {title} - " in subject


@pytest.fixture
def baton(mail_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    b = make_baton(mail_server, tmp_path)
    yield b
    b.close()


def test_every_client_and_language_is_read_as_the_catcher_meant(baton: Baton) -> None:
    cases = _chosen()
    assert len({c.lang for c in cases}) >= 10 and len({c.client for c in cases}) >= 8
    assert {c.html is None for c in cases} == {True, False}
    titles = [f"Client case {i}" for i in range(len(cases))]
    for title in titles:
        baton.server.deliver(mails.handoff(title=title))
    baton.run_pass(T0)
    requests = [parse(raw) for raw in baton.server.wait_for("jane@example.com", len(titles))]
    by_title = {t: next(r for r in requests if _names(r, t)) for t in titles}
    for title, case in zip(titles, cases, strict=True):
        baton.server.deliver(_reply(by_title[title], case))
    report = baton.run_pass(T0 + timedelta(minutes=30))

    assert all(o.outcome == "processed" for o in report.outcomes)
    tickets = {t["title"]: t for t in baton.tickets(include_closed=True)}
    wrong = {}
    for title, case in zip(titles, cases, strict=True):
        ticket = tickets[title]
        want = "accepted" if case.verdict == "accept" else "refused"
        reason = " ".join((ticket["refusal_reason"] or "").split()) or None
        if ticket["state"] != want or reason != case.reason:
            wrong[case.name] = (ticket["state"], ticket["refusal_reason"])
    assert not wrong, wrong
    # The thrower hears each refusal with the catcher's own words.
    refused = [body_text(parse(r)) for r in baton.server.messages("alice@example.com")]
    for case in cases:
        if case.verdict == "refuse":
            assert any(str(case.reason) in " ".join(text.split()) for text in refused), case.name
