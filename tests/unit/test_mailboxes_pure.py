"""Several mailboxes, the pure parts: whose mail is our own, whose address a catcher may not
be, which ticket a plus address names, which mailbox a piped message came in through."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from desk_bench import START, Connection, database

from mailbaton.app.mailboxes import addressed_to, ingested_by
from mailbaton.app.service import Service
from mailbaton.classify.catchers import check_catcher
from mailbaton.classify.hints import reply_hints
from mailbaton.classify.screen import screen
from mailbaton.clock import utcnow
from mailbaton.config import Settings, from_dict
from mailbaton.mail.parse import parse_message
from mailbaton.mail.records import Address
from mailbaton.outbound.compose import Composer
from mailbaton.outbound.desk import Desk
from mailbaton.outbound.outbox import enqueue
from mailbaton.store.leases import LIVE_LEASE, Worker
from mailbaton.store.ledger import Source
from mailbaton.transport.base import SignInFailed
from mailbaton.watch import health
from mailbaton.watch.alerts import context, describe
from mailbaton.watch.health import Outage

ROOT = Path(__file__).resolve().parents[2]
MAIN = {"username": "baton@example.com", "address": "baton@example.com", "plus_addressing": True}
SALES = {
    "username": "sales@example.com",
    "address": "sales-baton@example.com",
    "plus_addressing": True,
    "smtp": {"from_name": "Sales handoffs"},
}
OPS = {"username": "ops@example.com", "address": "ops-baton@example.com"}


def settings() -> Settings:
    return from_dict(
        {"mailbox": MAIN, "mailboxes": {"sales": SALES, "ops": OPS}}, base=ROOT, environ={}
    )


def mail(headers: str) -> bytes:
    return (headers + "Subject: x\nMessage-ID: <1@client.example.com>\n\nhello\n").encode()


def test_mail_from_any_shared_address_is_our_own() -> None:
    for sender in ("sales-baton@example.com", "Ops <OPS-baton+x@example.com>"):
        ignored = screen(
            parse_message(mail(f"From: {sender}\nTo: baton@example.com\n")), settings()
        )
        assert ignored is not None and "shared address" in str(ignored)
    person = screen(parse_message(mail("From: alice@example.com\n")), settings())
    assert person is None


def test_no_shared_address_is_a_catcher() -> None:
    alice = Address("Alice", "alice@example.com")
    for catcher in ("sales-baton@example.com", "ops-baton+1@example.com", "baton@example.com"):
        reasons = check_catcher(Address("", catcher), alice, settings())
        assert [r.code for r in reasons] == ["catcher_shared"], catcher
    assert check_catcher(Address("", "jane@example.com"), alice, settings()) == []


def test_a_plus_address_of_any_mailbox_with_plus_addressing_names_its_ticket() -> None:
    found = parse_message(mail("From: jane@example.com\nTo: Sales-Baton+abc123@example.com\n"))
    assert reply_hints(found, settings()).tokens == ("abc123",)
    # ops has no plus addressing: its +tags are no tokens.
    other = parse_message(mail("From: jane@example.com\nTo: ops-baton+abc123@example.com\n"))
    assert reply_hints(other, settings()).tokens == ()


def test_a_ticket_mail_leaves_from_its_mailbox_and_the_rest_from_the_first() -> None:
    desk = Desk(settings(), Composer(None, "UTC"))
    assert str(desk.sender_of("sales-baton@example.com")) == (
        "Sales handoffs <sales-baton@example.com>"
    )
    assert desk.sender.addr_spec == "baton@example.com"
    assert desk.sender_of("gone@example.com").addr_spec == "baton@example.com"
    sales_reply = desk.reply_address("tok", "sales-baton@example.com")
    assert sales_reply is not None and sales_reply.addr_spec == "sales-baton+tok@example.com"
    assert desk.reply_address("tok", "ops-baton@example.com") is None  # no plus addressing
    assert desk.reading("ops-baton@example.com").inbox == "ops-baton@example.com"


def test_a_piped_message_belongs_to_the_one_mailbox_it_names() -> None:
    s = settings()
    delivered = mail("Delivered-To: sales-baton+x@example.com\nTo: baton@example.com\n")
    assert addressed_to(parse_message(delivered), s).name == "sales"  # type: ignore[union-attr]
    assert ingested_by(s, None, mail("To: ops-baton@example.com\n")).name == "ops"
    both = mail("To: ops-baton@example.com, sales-baton@example.com\n")
    assert addressed_to(parse_message(both), s) is None
    assert ingested_by(s, None, both).name == "main"  # several named: the first
    assert ingested_by(s, None, mail("To: someone@example.com\n")).name == "main"
    assert ingested_by(s, "ops", both).name == "ops"


def test_health_names_each_mailbox_and_counts_the_mail_waiting_from_it(tmp_path: Path) -> None:
    s = settings()
    db = database(tmp_path)
    try:
        with db.transaction() as session:
            # Sales has two waiting, main one, and one From an address no mailbox has now
            # (a mailbox since renamed): the first mailbox sends it, so it counts there.
            for n, sender in enumerate(
                ["sales-baton@example.com", "sales-baton@example.com", "baton@example.com",
                 "old-baton@example.com"]
            ):  # fmt: skip
                message = EmailMessage()
                message["To"], message["Subject"] = "jane@example.com", "x"
                message["Message-ID"] = f"<{n}@mailbaton.example.com>"
                enqueue(session, message, kind="request", mail_from=sender, now=START)
        with db.transaction() as session:
            readings = health.read(session, s, START + timedelta(minutes=5))
        waiting = {r.component: r.waiting for r in readings if r.component.startswith("smtp")}
        assert waiting == {"smtp:main": 2, "smtp:sales": 2, "smtp:ops": 0}
        assert [r.component for r in readings if r.component.startswith("mailbox")] == [
            "mailbox:main",
            "mailbox:sales",
            "mailbox:ops",
        ]
        assert health.lines(readings)[2].startswith("mailbox:sales ?        ")
    finally:
        db.close()


def test_an_outage_of_one_mailbox_names_it_and_the_keys_to_check() -> None:
    s = settings()
    assert describe(s, "mailbox:sales") == (
        "the mailbox sales",
        "sales@example.com on 127.0.0.1:993, folder INBOX",
    )
    smtp = context(s, Outage("smtp:sales", START, "535 no", sign_in=True), START)
    assert smtp["what"] == "the SMTP server of mailbox sales"
    assert "mailboxes.sales.smtp.password (or mailboxes.sales.smtp.password_env)" in smtp["fix"]
    ops = context(s, Outage("mailbox:ops", START, "refused", sign_in=True), START)
    assert "mailboxes.ops.password" in ops["fix"]
    single = from_dict({"mailbox": MAIN}, base=ROOT, environ={})
    assert describe(single, "mailbox")[0] == "the mailbox"
    assert (
        "Check mailbox.password"
        in context(single, Outage("mailbox", START, "refused", sign_in=True), START)["fix"]
    )


class Inbox:
    """A mailbox that counts its sign-ins; refuses them while `refusing`."""

    key = "fake"

    def __init__(self, refusing: bool) -> None:
        self.refusing, self.opened = refusing, 0

    def __enter__(self) -> Inbox:
        self.opened += 1
        if self.refusing:
            raise SignInFailed("the IMAP server refused the sign-in")
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def waiting(self) -> list[Source]:
        return []


class Quiet(Connection):
    async def send(self, raw: bytes, mail_from: str, recipients: list[str]) -> str:
        return "250 ok"


def test_the_daemon_tries_a_failing_mailbox_again_after_its_poll_or_its_idle(
    tmp_path: Path,
) -> None:
    s = settings()
    db = database(tmp_path)
    inboxes = {"main": Inbox(False), "sales": Inbox(True), "ops": Inbox(False)}
    service = Service(s, db)
    service.watching = [
        replace(each, open=lambda i=inboxes[each.box.name]: i, sender=Quiet)
        for each in service.watching
    ]
    service.worker = Worker(utcnow, LIVE_LEASE)  # as the daemon runs it
    try:
        first = asyncio.run(service.run_once())
        assert first.inbox_error is not None and first.inbox_error.startswith("sales: ")
        # At once again (mail woke it): sales rests, the others are read.
        second = asyncio.run(service.run_once())
        assert second.inboxes_down == ["sales"]
        assert [i.opened for i in inboxes.values()] == [2, 1, 2]
        # Its IDLE connected again: the next pass tries it.
        inboxes["sales"].refusing = False
        service._woken("sales", asyncio.Event())()
        assert asyncio.run(service.run_once()).inbox_error is None
        assert [i.opened for i in inboxes.values()] == [3, 2, 3]
        # A one-off pass (run --once) always tries every mailbox.
        service.worker = None
        inboxes["sales"].refusing = True
        asyncio.run(service.run_once())
        asyncio.run(service.run_once())
        assert inboxes["sales"].opened == 4
    finally:
        db.close()


def test_a_piped_message_to_a_mailbox_whose_plus_address_is_another_is_its_own() -> None:
    # One account, two mailboxes: baton@ in INBOX, baton+sales@ filed by a rule into Sales.
    sales = {**MAIN, "address": "baton+sales@example.com", "folder": "Sales"}
    s = from_dict({"mailbox": MAIN, "mailboxes": {"sales": sales}}, base=ROOT, environ={})
    assert ingested_by(s, None, mail("To: baton@example.com\n")).name == "main"
    assert ingested_by(s, None, mail("To: Baton+Sales@example.com\n")).name == "sales"
    # A tag that is no mailbox's address (a reply token): the mailbox of the plain address.
    assert ingested_by(s, None, mail("To: baton+0a1b2c@example.com\n")).name == "main"


def test_the_reply_address_of_a_mailbox_at_a_plus_address_carries_its_token() -> None:
    sales = {**MAIN, "address": "baton+sales@example.com", "folder": "Sales"}
    s = from_dict({"mailbox": MAIN, "mailboxes": {"sales": sales}}, base=ROOT, environ={})
    found = parse_message(mail("From: jane@example.com\nTo: baton+sales+ab12@example.com\n"))
    assert reply_hints(found, s).tokens == ("ab12",)
    found = parse_message(mail("From: jane@example.com\nTo: BATON+ab12@example.com\n"))
    assert reply_hints(found, s).tokens == ("ab12",)
