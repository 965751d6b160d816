"""The code base stays small-moduled, ruff- and mypy-clean: part of the one test command."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "mailbaton"
# Alembic revisions are schema tables written once and never edited: not code to read.
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)
MAX_MODULE_LINES, MAX_FUNCTION_LINES, MIN_REPEAT = 400, 60, 6


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_ruff_finds_nothing() -> None:
    done = _run("ruff", "check", "mailbaton", "tests", "bench")
    assert done.returncode == 0, done.stdout + done.stderr


def _mypy_cache() -> list[str]:
    """One mypy cache per user, shared by every checkout: a fresh clone then re-checks what
    differs (~1.5 s of CPU) instead of all of SQLAlchemy and the rest (~10 s). mypy checks
    each cached module against its source's hash, so a shared cache is never stale."""
    if os.environ.get("MYPY_CACHE_DIR"):
        return []  # the user's own choice
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return ["--cache-dir", str(Path(home) / "mailbaton" / "mypy")]


def test_mypy_strict_finds_nothing() -> None:
    done = _run("mypy", *_mypy_cache(), "mailbaton")
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_module_over_400_lines() -> None:
    long = {_name(p): n for p in SOURCES if (n := len(p.read_text().splitlines())) > 400}
    assert not long, f"split these modules: {long}"


def test_no_function_over_60_lines() -> None:
    long: list[str] = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    long.append(f"{_name(path)}:{node.lineno} {node.name} ({size} lines)")
    assert not long, "split these functions:\n" + "\n".join(long)


def _package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def test_no_private_name_is_imported_from_another_package() -> None:
    found: list[str] = []
    for path in SOURCES:
        here = _package_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            if not node.module.startswith("mailbaton") or _package_of(node.module) == here:
                continue
            private = [a.name for a in node.names if a.name.startswith("_")]
            if private:
                found.append(f"{_name(path)}: {private} from {node.module}")
    assert not found, "\n".join(found)


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """Lines that carry code: no blanks, comments, imports, docstring-ish or lone brackets."""
    kept: list[tuple[int, str]] = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        text = " ".join(line.split())
        if not text or text.startswith(("#", "import ", "from ", '"""', "'''")):
            continue
        if re.fullmatch(r"[\[\](){},:]*", text):
            continue
        kept.append((number, text))
    return kept


def test_no_block_of_six_lines_is_repeated() -> None:
    seen: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for path in SOURCES:
        lines = _code_lines(path)
        for start in range(len(lines) - MIN_REPEAT + 1):
            window = tuple(text for _n, text in lines[start : start + MIN_REPEAT])
            seen[window].append(f"{_name(path)}:{lines[start][0]}")
    repeated = [places for places in seen.values() if len(places) > 1]
    assert not repeated, "the same six lines stand in several places:\n" + "\n".join(
        " ~ ".join(places) for places in repeated[:10]
    )


# The demo and its sandbox play the people around the service (they send and read mail
# as Alice and Jane), so they may open sockets of their own; the service may not.
NETWORK_MODULES = {"imapclient", "aiosmtplib", "smtplib", "imaplib", "socket", "http", "urllib3"}
MAY_TOUCH_NETWORK = ("mailbaton/transport/", "mailbaton/app/demo.py", "mailbaton/app/sandbox.py")


def test_only_the_transport_package_opens_connections() -> None:
    found: list[str] = []
    for path in SOURCES:
        if _name(path).startswith(MAY_TOUCH_NETWORK):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{_name(path)}: {n}" for n in names if n.split(".")[0] in NETWORK_MODULES]
    assert not found, "\n".join(found)


def test_only_clock_reads_the_wall_clock() -> None:
    reads = re.compile(r"datetime\.now\(|time\.time\(\)")
    readers = [_name(p) for p in SOURCES if p.name != "clock.py" and reads.search(p.read_text())]
    assert not readers, f"pass `now` instead: {readers}"
