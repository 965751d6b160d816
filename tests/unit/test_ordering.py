"""The long tests tests/ordering.py starts first still exist under those names."""

from __future__ import annotations

from pathlib import Path

import ordering

ROOT = Path(__file__).resolve().parents[2]


def test_every_long_test_named_for_the_schedule_exists() -> None:
    for prefix in ordering.LONG_TESTS:
        path, _, function = prefix.partition("::")
        source = (ROOT / path).read_text()
        assert not function or f"def {function}" in source, f"{prefix}: no such test"
    for module in ordering.TOGETHER:
        assert (ROOT / module).is_file(), module


def test_the_long_tests_come_first_longest_first() -> None:
    names = ["tests/unit/test_a.py::test_x", *ordering.LONG_TESTS, "tests/unit/test_b.py::t"]
    ranked = sorted(names, key=lambda nodeid: -ordering.seconds(nodeid))
    assert ranked[0] == max(ordering.LONG_TESTS, key=ordering.LONG_TESTS.__getitem__)
    assert ranked[-2:] == ["tests/unit/test_a.py::test_x", "tests/unit/test_b.py::t"]


def test_no_two_test_modules_share_a_name() -> None:
    # pytest imports each test file by its bare name (no __init__.py here): a second
    # test_x.py in another folder is an 'import file mismatch' error in a whole run,
    # which the quick tier, not collecting tests/e2e, would never show.
    names = [path.name for path in (ROOT / "tests").rglob("test_*.py")]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
