"""Every message of the real-world corpus goes through classify without an exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import parsed

from mailbaton import classify
from mailbaton.config import Settings, from_dict

ROOT = Path(__file__).resolve().parents[2]
_KINDS: dict[type, str] = {
    classify.Returned: "returned",
    classify.Ignored: "ignored",
    classify.Held: "held",
    classify.NewHandoff: "handoff",
    classify.Rejection: "rejection",
}
SKIP_NAMES = {"SOURCE.txt", "INDEX.md", "README.md", "EXPECTATIONS.md"}


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(
        path
        for path in corpus.rglob("*")
        if path.is_file()
        and path.name not in SKIP_NAMES
        and not path.name.startswith(("LICENSE", "COPYING", "NOTICE"))
        and path.suffix not in {".md", ".yml", ".list"}
    )


@pytest.fixture(scope="module")
def settings() -> Settings:
    return from_dict(
        {
            "mailbox": {
                "username": "baton@example.com",
                "address": "baton@example.com",
                "plus_addressing": True,
            },
            "protocol": {"allowed_domains": []},  # everyone, so every message reaches read_handoff
            "templates": {"dir": str(ROOT / "mailbaton" / "templates")},
        },
        base=ROOT,
    )


# Minutes of CPU over every corpus file: it runs in the long tier with the fuzz
# (`-m e2e`), so the quick loop (`-m "not e2e"`) stays quick.
@pytest.mark.e2e
def test_classify_never_raises_on_the_corpus(corpus_dir: Path, settings: Settings) -> None:
    files = corpus_files(corpus_dir)
    assert len(files) > 1000, "the corpus looks incomplete"
    failures: list[str] = []
    outcomes = {"returned": 0, "ignored": 0, "held": 0, "reply": 0, "handoff": 0, "rejection": 0}
    for path in files:
        try:
            decision = classify.decide(parsed(path), settings)
            if isinstance(decision, classify.Reply):
                outcomes["reply"] += 1
                decision = decision.otherwise
            outcomes[_KINDS[type(decision)]] += 1
        except Exception as error:  # the point: list every one, not just the first
            failures.append(f"{path.relative_to(corpus_dir)}: {type(error).__name__}: {error}")
    assert not failures, f"{len(failures)} of {len(files)} raised:\n" + "\n".join(failures[:30])
    # Nothing in a corpus of replies and bounces is a well-formed handoff with a catcher
    # and a file, and the machines in it must be screened out.
    assert outcomes["handoff"] == 0, outcomes
    assert outcomes["ignored"] + outcomes["returned"] > 150, outcomes
    assert outcomes["returned"] > 50, outcomes
