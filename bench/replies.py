"""Score mailbaton's reply reading against two PyPI peers: shared suites and the dev corpus.

Run: .venv/bin/python bench/replies.py

The shared suites' cases, expected replies and the definition of "right" are those of
tests/unit/test_replies_corpus.py, so the table here and the test floors agree. The
development corpus is tests/reply_dev_corpus.py (generated from the client data);
it is scored on the new text (all tools) and the verdict (mailbaton), with a table
per client and per language. The peers are optional; install them with
    .venv/bin/pip install -e '.[bench]'
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit"))
sys.path.insert(0, str(ROOT / "tests"))

from reply_dev_corpus import DevCase, dev_corpus  # noqa: E402
from test_replies_corpus import (  # noqa: E402
    CORPUS,
    Case,
    is_right,
    load_suites,
    mailbaton_reply,
)

from mailbaton.classify.verdicts import verdict_from_text  # noqa: E402

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
    misses = [case.name for case in cases if not is_right(_run(tool, case), case)]
    return len(cases) - len(misses), misses


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("| " + " | ".join(cells) + " |")
    print()


def _as_case(case: DevCase) -> Case:
    return Case(f"dev/{case.name}", case.text, case.html, (case.new,))


def _suite_rows(
    suites: dict[str, list[Case]], tools: dict[str, Tool | None]
) -> tuple[list[list[str]], dict[str, list[str]]]:
    rows: list[list[str]] = []
    totals = dict.fromkeys(tools, 0)
    misses: dict[str, list[str]] = {}
    for suite, cases in suites.items():
        row = [suite, str(len(cases))]
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
    shared = [n for n in suites if n != "dev corpus"]
    total = ["total (shared suites)", str(sum(len(suites[n]) for n in shared))]
    for name, tool in tools.items():
        dev = int(rows[-1][2 + list(tools).index(name)]) if "dev corpus" in suites and tool else 0
        total.append(str(totals[name] - dev) if tool else "-")
    rows.append(total)
    return rows, misses


@dataclass
class _Tally:
    cases: int = 0
    verdicts: int = 0
    texts: dict[str, int] = field(default_factory=dict)


def _verdict_right(case: DevCase, text: str) -> tuple[bool, bool]:
    """(right, wrong way): an accept or refuse where a person reads another verdict."""
    verdict = verdict_from_text(text)
    reason = " ".join((verdict.reason or "").split()) or None
    right = verdict.kind == case.verdict and reason == (
        " ".join((case.reason or "").split()) or None
    )
    wrong_way = verdict.kind in ("accept", "refuse") and verdict.kind != case.verdict
    return right, wrong_way


def _dev_tables(tools: dict[str, Tool | None]) -> list[str]:
    """Per client and per language: exact new texts per tool, verdicts of mailbaton."""
    by: dict[str, dict[str, _Tally]] = {"client": {}, "language": {}}
    misses, wrong_way = [], 0
    for case in dev_corpus():
        as_case = _as_case(case)
        outputs = {n: _run(t, as_case) for n, t in tools.items() if t is not None}
        right, wrong = _verdict_right(case, outputs["mailbaton"])
        wrong_way += wrong
        if not right or not is_right(outputs["mailbaton"], as_case):
            misses.append(case.name)
        for kind, key in (("client", case.client), ("language", case.lang)):
            tally = by[kind].setdefault(key, _Tally())
            tally.cases += 1
            tally.verdicts += right
            for name, output in outputs.items():
                tally.texts[name] = tally.texts.get(name, 0) + is_right(output, as_case)
    for kind, tallies in by.items():
        header = [kind, "cases", "mailbaton verdict", *(f"{n} text" for n in tools)]
        rows = [
            [key, str(t.cases), str(t.verdicts), *(str(t.texts.get(n, "-")) for n in tools)]
            for key, t in sorted(tallies.items(), key=lambda item: -item[1].cases)
        ]
        _print_table(header, rows)
    print(f"Accept or refuse where a person reads another verdict: {wrong_way}\n")
    return misses


def _run(tool: Tool, case: Case) -> str | None:
    try:
        return tool(case)
    except Exception as exc:  # a peer crashing on a case is a miss, not a stop
        return f"<raised {type(exc).__name__}>"


def main() -> int:
    suites = load_suites()
    if not suites:
        print(f"The shared corpus is not at {CORPUS}; nothing to measure.")
        return 1
    peers = _peers()
    missing = [name for name, tool in peers.items() if tool is None]
    if missing:
        print(f"Not installed, shown as '-': {', '.join(missing)}.")
        print("  Install with: .venv/bin/pip install -e '.[bench]'\n")
    installed = [f"{name} {_version(name)}" for name, tool in peers.items() if tool]
    if installed:
        print(f"Peers: {', '.join(installed)}\n")
    tools: dict[str, Tool | None] = {"mailbaton": mailbaton_reply, **peers}
    started = time.perf_counter()
    all_suites = {**suites, "dev corpus": [_as_case(case) for case in dev_corpus()]}
    rows, misses = _suite_rows(all_suites, tools)
    _print_table(["suite", "cases", *tools], rows)
    print("Development corpus: new text exact per tool, verdict right (mailbaton)\n")
    dev_misses = _dev_tables(tools)
    print(f"({time.perf_counter() - started:.1f} s)\n\nmailbaton's misses:")
    misses["dev corpus"] = dev_misses
    for suite, missed in misses.items():
        for name in missed:
            print(f"  {suite}: {name}")
    if not any(misses.values()):
        print("  none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
