"""`mailbaton report` and `mailbaton export`: parsing and printing; the counting lives in
tickets/report.py and the reading in tickets/export.py."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import textwrap
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from mailbaton.clock import utcnow
from mailbaton.config import Settings
from mailbaton.config.values import BadValue, duration
from mailbaton.store.db import Database

EXIT_OK, EXIT_USAGE = 0, 2

# The ticket columns of the export's CSV, repeated on each of the ticket's event rows.
EXPORT_TICKET_COLUMNS = (
    "id",
    "state",
    "title",
    "thrower",
    "catcher",
    "owner",
    "created_at",
    "deadline",
    "accepted_at",
    "refused_at",
    "refusal_reason",
    "cancelled_at",
    "cancel_reason",
    "escalations",
    "due",
    "files",
    "rejection_reasons",
)
EXPORT_CSV_COLUMNS = (*EXPORT_TICKET_COLUMNS, "event_at", "event_kind", "event_detail")


def add_parsers(commands: Any) -> None:
    """The two subcommands, on the CLI's subparsers."""
    made = commands.add_parser(
        "report", help="handoffs per department and catcher, time to GOT IT, open tickets"
    )
    made.add_argument(
        "--since", default="30d", help="tickets opened in this last stretch (default 30d; 12h, 2w)"
    )
    _formats(made)
    dump = commands.add_parser("export", help="every ticket with its events, for audits")
    _formats(dump)


def _formats(parser: argparse.ArgumentParser) -> None:
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true")
    shape.add_argument("--csv", action="store_true", help="for a spreadsheet (RFC 4180)")


def report_command(args: argparse.Namespace, settings: Settings) -> int:
    # Here, not at the top: every command line parses this module's arguments, and the
    # report's figures import the deadline rules and what they send.
    from mailbaton.app.report_out import report_csv, report_json, report_text
    from mailbaton.tickets import report

    try:
        span = duration(args.since)
    except BadValue:
        print(
            f"mailbaton: --since {args.since!r} is not a duration; expected e.g. 30d, 12h or 2w",
            file=sys.stderr,
        )
        return EXIT_USAGE
    assert span is not None
    now = utcnow().replace(microsecond=0)
    db = Database.open(settings.database_url)
    try:
        with db.transaction() as session:
            found = report.build(session, settings.departments, now - span, now)
    finally:
        db.close()
    if args.json:
        print(json.dumps(report_json(found, now), indent=2))
    elif args.csv:
        sys.stdout.write(report_csv(found, now))
    else:
        print(report_text(found, now))
    return EXIT_OK


def export_command(args: argparse.Namespace, settings: Settings) -> int:
    from mailbaton.tickets import export

    now = utcnow()
    db = Database.open(settings.database_url)
    try:
        with db.transaction() as session:
            rows = export.tickets(session, now)
            if args.csv:
                write_csv(rows, sys.stdout)
            else:
                write_json(rows, sys.stdout)
    finally:
        db.close()
    return EXIT_OK


def write_json(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    """One JSON list, written as it is read: the first ticket is out before the last is read."""
    out.write("[")
    first = True
    for row in rows:
        out.write("\n" if first else ",\n")
        out.write(textwrap.indent(json.dumps(row, indent=2), "  "))
        first = False
    out.write("]\n" if first else "\n]\n")


def csv_rows(rows: Iterable[dict[str, Any]]) -> Iterator[list[str]]:
    """One row per event, the ticket's columns repeated; a ticket without events has one."""
    from mailbaton.app.report_out import spreadsheet_safe

    for row in rows:
        ticket = dict(row)
        ticket["files"] = "; ".join(row["files"])
        ticket["rejection_reasons"] = "; ".join(row.get("rejection_reasons", []))
        cells = [spreadsheet_safe(ticket.get(name)) for name in EXPORT_TICKET_COLUMNS]
        events = row["events"] or [{"at": None, "kind": None, "detail": None}]
        for event in events:
            yield cells + [spreadsheet_safe(event[name]) for name in ("at", "kind", "detail")]


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(EXPORT_CSV_COLUMNS)
    for line in csv_rows(rows):
        writer.writerow(line)
