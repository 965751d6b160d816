"""`mailbaton report` as a manager reads it: tables in a terminal, JSON, or CSV for a spreadsheet.

The JSON field names and the CSV columns are an interface (scripts and spreadsheets read
them): add, never rename. docs/report.md explains every figure.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from mailbaton.clock import humanize, iso
from mailbaton.tickets.report import Figures, OpenTicket, Report

NONE = "(none)"
FIGURE_FIELDS = ("handoffs", "accepted", "refused", "cancelled", "pending", "escalated")
CSV_COLUMNS = (
    "section",
    "department",
    "catcher",
    *FIGURE_FIELDS,
    "got_it_median_seconds",
    "got_it_p90_seconds",
    "ticket",
    "title",
    "thrower",
    "created_at",
    "age_seconds",
    "deadline",
    "overdue",
    "escalations",
)
TITLE_WIDTH = 36


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def figures_json(row: Figures) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(row, name) for name in FIGURE_FIELDS}
    data["got_it_median_seconds"] = _seconds(row.got_it_median)
    data["got_it_p90_seconds"] = _seconds(row.got_it_p90)
    return data


def open_json(ticket: OpenTicket, now: datetime) -> dict[str, Any]:
    return {
        "id": ticket.ref,
        "title": ticket.title,
        "thrower": ticket.thrower,
        "catcher": ticket.catcher,
        "thrower_department": ticket.thrower_department,
        "catcher_department": ticket.catcher_department,
        "created_at": iso(ticket.created_at),
        "age_seconds": int(ticket.age(now).total_seconds()),
        "deadline": iso(ticket.deadline),
        "overdue": ticket.overdue(now),
        "escalations": ticket.escalations,
    }


def report_json(report: Report, now: datetime) -> dict[str, Any]:
    return {
        "since": iso(report.since),
        "until": iso(report.until),
        "total": figures_json(report.total),
        "sent_by_department": [
            {"department": name, **figures_json(row)} for name, row in report.sent.items()
        ],
        "received_by_department": [
            {"department": name, **figures_json(row)} for name, row in report.received.items()
        ],
        "by_catcher": [
            {"catcher": address, "department": department, **figures_json(row)}
            for address, (department, row) in sorted_catchers(report)
        ],
        "open": [open_json(ticket, now) for ticket in report.open],
    }


def sorted_catchers(report: Report) -> list[tuple[str, tuple[str | None, Figures]]]:
    """Busiest catcher first; ties by address, so the order never wobbles."""
    return sorted(report.catchers.items(), key=lambda item: (-item[1][1].handoffs, item[0]))


def spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet shows as text: titles and reasons come from strangers' mail, and
    one starting with = + - @ would run as a formula (OWASP "CSV injection")."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: Report, now: datetime) -> str:
    """One header row, then one row per figure line and per open ticket (RFC 4180)."""
    data = report_json(report, now)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerow({"section": "total", **data["total"]})
    for section, key in (("sent", "sent_by_department"), ("received", "received_by_department")):
        for row in data[key]:
            writer.writerow({**row, "section": section, "department": row["department"] or ""})
    for row in data["by_catcher"]:
        writer.writerow({**row, "section": "catcher", "department": row["department"] or ""})
    for ticket in data["open"]:
        writer.writerow(
            {
                **ticket,
                "section": "open",
                "ticket": ticket["id"],
                "title": spreadsheet_safe(ticket["title"]),
                "department": ticket["thrower_department"] or "",
                "overdue": "yes" if ticket["overdue"] else "no",
            }
        )
    return out.getvalue()


def table(rows: Sequence[Sequence[str]], numeric: Iterable[int] = ()) -> str:
    """Columns padded to their widest cell; `numeric` columns are right-aligned."""
    right = set(numeric)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _wait(seconds: float | None) -> str:
    return "-" if seconds is None else humanize(timedelta(seconds=seconds))


def _figure_cells(row: Figures) -> list[str]:
    counts = [str(getattr(row, name)) for name in FIGURE_FIELDS]
    return [*counts, _wait(row.got_it_median), _wait(row.got_it_p90)]


FIGURE_HEADS = ["HANDOFFS", "ACCEPTED", "REFUSED", "CANCELLED", "PENDING", "ESCALATED"]
WAIT_HEADS = ["GOT IT MEDIAN", "GOT IT P90"]


def department_table(rows: dict[str | None, Figures]) -> str:
    lines = [["DEPARTMENT", *FIGURE_HEADS, *WAIT_HEADS]]
    lines += [[name or NONE, *_figure_cells(row)] for name, row in rows.items()]
    return table(lines, numeric=range(1, 7))


def catcher_table(report: Report) -> str:
    catchers = sorted_catchers(report)
    if not catchers:
        return "  (no handoffs)"
    lines = [["CATCHER", "DEPARTMENT", *FIGURE_HEADS, *WAIT_HEADS]]
    for address, (department, row) in catchers:
        lines.append([address or "?", department or NONE, *_figure_cells(row)])
    return table(lines, numeric=range(2, 8))


def _side(address: str, department: str | None) -> str:
    return f"{address or '?'} ({department or 'no department'})"


def open_table(tickets: list[OpenTicket], now: datetime) -> str:
    if not tickets:
        return "  (none: every handoff has been caught or closed)"
    lines = [["ID", "TITLE", "THROWER -> CATCHER", "AGE", "DEADLINE", "ESC"]]
    for t in tickets:
        title = t.title if len(t.title) <= TITLE_WIDTH else t.title[: TITLE_WIDTH - 1] + "…"
        deadline = "-"
        if t.escalations:
            # As in status: once the managers were told, a deadline still ahead (a
            # --now pass ahead of the clock) would read as time left.
            deadline = "escalated"
        elif t.deadline is not None:
            deadline = "passed" if t.overdue(now) else f"in {humanize(t.deadline - now)}"
        who = f"{_side(t.thrower, t.thrower_department)} -> "
        lines.append(
            [
                t.ref,
                title,
                who + _side(t.catcher, t.catcher_department),
                humanize(t.age(now)),
                deadline,
                str(t.escalations),
            ]
        )
    return table(lines, numeric=(5,))


def report_text(report: Report, now: datetime) -> str:
    span = humanize(report.until - report.since)
    total = report.total
    head = (
        f"Handoffs opened {report.since:%Y-%m-%d %H:%M} to {report.until:%Y-%m-%d %H:%M} UTC "
        f"(the last {span}): {total.handoffs}, of which {total.accepted} accepted, "
        f"{total.refused} refused, {total.cancelled} cancelled, {total.pending} pending; "
        f"{total.escalated} escalated."
    )
    return "\n".join(
        [
            head,
            "Each ticket counts once, by its state now. Time to GOT IT: clock time from the "
            "ticket's opening to the catcher's GOT IT (median, and p90: 9 in 10 were faster "
            "or as fast).",
            "",
            "SENT, by the thrower's department (work handed out)",
            department_table(report.sent),
            "",
            "RECEIVED, by the catcher's department (work handed in)",
            department_table(report.received),
            "",
            "BY CATCHER (the catcher a ticket has now)",
            catcher_table(report),
            "",
            f"OPEN, still in the thrower's name, oldest first: {len(report.open)} "
            "(every pending ticket, whatever its age)",
            open_table(report.open, now),
        ]
    )
