"""Review fixes: a ticket prefix written in lower or mixed case still finds its tickets."""

from __future__ import annotations

from pathlib import Path

import mails
from desk_bench import Bench


def test_a_mixed_case_prefix_matches_replies_by_the_subject_tag(tmp_path: Path) -> None:
    # The loader accepts "Tk"; the subject tag is read case-insensitively, so the stored
    # refs must be in the same (upper) case as the tag reader and `show` look them up.
    bench = Bench(tmp_path, protocol={"ticket_prefix": "Tk"})
    opened = bench.deliver(mails.handoff())
    assert opened.ref == "TK-1"
    request = bench.outbox("request")[-1].message
    # No thread headers, no reply token: only the subject's [TK-1] names the ticket.
    reply = mails.reply(request, "GOT IT", thread=False, to="baton@example.com")
    assert bench.deliver(reply).reason == "TK-1 accepted by jane@example.com"
