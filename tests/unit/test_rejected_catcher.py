"""A rejected handoff keeps the catcher it named when the catcher was not its problem."""

from __future__ import annotations

from pathlib import Path

import mails
from desk_bench import Bench


def test_a_handoff_rejected_for_its_file_still_shows_whom_it_was_for(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    delivered = bench.deliver(mails.handoff(files={}, attached="no"))
    assert (delivered.outcome, delivered.ref) == ("rejected", "MB-R1")
    ticket = bench.ticket("MB-R1")
    assert (ticket["catcher"], ticket["catcher_name"]) == ("jane@example.com", "Jane Doe")


def test_a_rejected_catcher_is_never_recorded_as_the_catcher(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    for catcher in ("sales@example.com", None, "Jane <jane@example.com>, Kim <kim@example.com>"):
        ref = bench.deliver(mails.handoff(catcher=catcher, files={})).ref
        assert ref is not None
        assert bench.ticket(ref)["catcher"] is None, catcher
