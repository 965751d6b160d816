"""Score mailbaton's reply stripping against two PyPI peers on the shared corpus.

Run: .venv/bin/python bench/replies.py

The cases, the expected replies and the definition of "right" are those of
tests/unit/test_replies_corpus.py, so the table here and the test floors agree.
The peers are optional; install them with
    .venv/bin/pip install email-reply-parser mail-parser-reply
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit"))

from test_replies_corpus import (  # noqa: E402
    CORPUS,
    Case,
    is_right,
    load_suites,
    mailbaton_reply,
)

Tool = Callable[[Case], "str | None"]


def _peers() -> dict[str, Tool | None]:
    peers: dict[str, Tool | None] = {}
    try:
        from email_reply_parser import EmailReplyParser as Erp  # type: ignore[import-untyped]

        peers["email-reply-parser"] = lambda case: Erp.parse_reply(case.text)
    except ImportError:
        peers["email-reply-parser"] = None
    try:
        from mailparser_reply import EmailReplyParser as Mpr  # type: ignore[import-untyped]
        from mailparser_reply.constants import (  # type: ignore[import-untyped]
            MAIL_LANGUAGES,
        )

        # Every language it knows: the corpus mixes them and we do not tell tools which.
        parser = Mpr(languages=sorted(MAIL_LANGUAGES))
        peers["mail-parser-reply"] = lambda case: parser.parse_reply(case.text)
    except ImportError:
        peers["mail-parser-reply"] = None
    return peers


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def _score(tool: Tool, cases: list[Case]) -> tuple[int, list[str]]:
    misses = []
    for case in cases:
        try:
            output = tool(case)
        except Exception as exc:  # a peer crashing on a case is a miss, not a stop
            output = f"<raised {type(exc).__name__}>"
        if not is_right(output, case):
            misses.append(case.name)
    return len(cases) - len(misses), misses


def main() -> int:
    suites = load_suites()
    if not suites:
        print(f"The shared corpus is not at {CORPUS}; nothing to measure.")
        return 1
    peers = _peers()
    missing = [name for name, tool in peers.items() if tool is None]
    if missing:
        print(f"Not installed, shown as '-': {', '.join(missing)}.")
        print("  Install with: .venv/bin/pip install email-reply-parser mail-parser-reply\n")
    installed = [f"{name} {_version(name)}" for name, tool in peers.items() if tool]
    if installed:
        print(f"Peers: {', '.join(installed)}\n")
    tools: dict[str, Tool | None] = {"mailbaton": mailbaton_reply, **peers}
    header = ["suite", "cases", *tools]
    rows: list[list[str]] = []
    totals = dict.fromkeys(tools, 0)
    all_cases = 0
    misses: dict[str, list[str]] = {}
    started = time.perf_counter()
    for suite, cases in suites.items():
        row = [suite, str(len(cases))]
        all_cases += len(cases)
        for name, tool in tools.items():
            if tool is None:
                row.append("-")
                continue
            right, missed = _score(tool, cases)
            totals[name] += right
            row.append(str(right))
            if name == "mailbaton":
                misses[suite] = missed
        rows.append(row)
    total = ["total", str(all_cases)]
    total += [str(totals[n]) if tools[n] else "-" for n in tools]
    rows.append(total)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("| " + " | ".join(cells) + " |")
    print(f"\n({time.perf_counter() - started:.1f} s)\n\nmailbaton's misses:")
    for suite, missed in misses.items():
        for name in missed:
            print(f"  {suite}: {name}")
    if not any(misses.values()):
        print("  none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
