"""The bench's own data: handoffs mailbaton opens, and a ticket table status and the sweep
read as the bench says (a wrong time format would make the sweep find nothing due)."""

from __future__ import annotations

import argparse
import contextlib
import io
from pathlib import Path

from bench import rig, scale
from mailbaton import classify
from mailbaton.app.cli import status_command
from mailbaton.app.service import desk_for
from mailbaton.clock import utcnow
from mailbaton.config import load
from mailbaton.mail.parse import parse_message
from mailbaton.store.db import Database
from mailbaton.tickets.deadlines import sweep

ROOT = Path(__file__).resolve().parents[2]


def test_every_bench_handoff_is_a_new_handoff_with_its_file() -> None:
    settings = load(ROOT / "config.toml")
    raws = rig.handoffs(3)
    decisions = [classify.decide(parse_message(raw), settings) for raw in raws]
    assert [type(d).__name__ for d in decisions] == ["NewHandoff"] * 3
    assert all(len(raw) > rig.ATTACHMENT_BYTES for raw in raws)
    assert len({rig.TOKEN.search(raw).group(1) for raw in raws}) == 3  # type: ignore[union-attr]


def test_the_ticket_table_has_what_status_and_the_sweep_look_for(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'scale.db').as_posix()}"
    now = utcnow()
    scale.build(url, 3 * scale.DUE, now)
    config = tmp_path / "bench.toml"
    config.write_text(rig.CONFIG.format(imap=1, user=rig.USER, password="x", smtp=2, db=url))
    settings = load(config)
    db = Database.open(url)
    try:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status_command(argparse.Namespace(all=False, json=False), settings, db)
        assert out.getvalue().count("pending") == 3 * scale.DUE
        report = sweep(db, desk_for(settings), now)
    finally:
        db.close()
    assert (report.escalated, report.reminded) == (scale.DUE, scale.DUE)
