"""Review fixes: recipients a server refused while it took the mail for the others."""

from __future__ import annotations

import asyncio
from pathlib import Path

import mails
from desk_bench import Bench, Connection

from mailbaton.outbound.outbox import flush

REFUSED = "carol@example.com: 550 5.1.1 no such user"


class PartlySender(Connection):
    """Takes every mail, but says it refused one recipient (as smtp.SmtpSender reports it)."""

    async def send(self, raw: bytes, mail_from: str, recipients: list[str]) -> str:
        return f"250 2.0.0 queued; refused: {REFUSED}"


def test_a_recipient_refused_while_others_got_the_mail_shows_on_the_timeline(
    tmp_path: Path,
) -> None:
    bench = Bench(tmp_path)
    ref = bench.deliver(mails.handoff()).ref
    assert ref is not None
    report = asyncio.run(flush(bench.db, PartlySender(), bench.now))
    assert report.sent == 2
    sent = [detail for kind, detail in bench.ticket(ref)["events"] if kind == "mail sent"]
    assert f"request to jane@example.com; refused: {REFUSED}" in sent
