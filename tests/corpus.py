"""The shared corpus of real-world mail beside the checkout (../shared/corpus), each file
parsed once per test process however many sweeps read it."""

from __future__ import annotations

from pathlib import Path

from mailbaton.mail.parse import ParsedMail, parse_message

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
# Three sweeps (parse, classify, replies) and the bounce tests read the same 1,700 files,
# 5 s of CPU to parse each time; ParsedMail is frozen, so one parse can serve them all
# (some 70 MB held by the process that ran them).
_PARSED: dict[Path, ParsedMail] = {}


def parsed(path: Path) -> ParsedMail:
    """parse_message of the file's bytes, parsed by the first caller in this process."""
    found = _PARSED.get(path)
    if found is None:
        found = _PARSED[path] = parse_message(path.read_bytes())
    return found


def keep(path: Path, mail: ParsedMail) -> None:
    """What a caller parsed itself (the parse sweep, which times parse_message), for
    the tests after it."""
    _PARSED[path] = mail
