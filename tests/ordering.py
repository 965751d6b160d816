"""The order pytest-xdist runs the tests in: the longest first, nothing long behind them.

A whole run on 2 cores lasts about as long as its longest test plus whatever waits behind
it on the same worker. pytest-xdist hands the tests out in collection order and keeps
two or three queued on each worker (a worker runs a test only once it knows the next
one), so a long test collected late, or a second long test queued behind a first, ends
the run alone minutes after the others finished.
"""

from __future__ import annotations

import pytest
from xdist.scheduler import LoadGroupScheduling
from xdist.workermanage import WorkerController

# Node id prefixes of the tests that take a minute or more, with their seconds in one
# whole run (--durations, 4 workers on a busy 2-core machine): only their order counts.
LONG_TESTS = {
    "tests/e2e/test_replicas_postgres.py::": 480,
    "tests/e2e/test_fuzz.py::test_mutated_messages_are_always_filed": 115,
    "tests/e2e/test_crash.py::test_sigkill_anywhere_each_message_once": 113,
    "tests/e2e/test_oauth2_flow.py::": 94,
    "tests/e2e/test_notify.py::test_killed_with_the_post_queued": 76,
    "tests/e2e/test_template_edits_e2e.py::test_an_edit_counts_at_once": 75,
    "tests/e2e/test_install.py::": 70,
    "tests/unit/test_replies_corpus.py::test_new_text_never_raises": 60,
    "tests/e2e/test_mail_behaviour.py::test_a_looping_sender_gets_at_most": 40,
    "tests/e2e/test_fuzz.py::test_generated_handoffs_and_replies": 40,
}


def seconds(nodeid: str) -> int:
    """The known length of a test, 0 for one not in LONG_TESTS."""
    return next((s for prefix, s in LONG_TESTS.items() if nodeid.startswith(prefix)), 0)


def long_first(items: list[pytest.Item]) -> None:
    """Collection order, the long tests moved to the front, longest first (stable: the
    rest keep their order). Every worker collects the same way, as xdist requires."""
    items.sort(key=lambda item: -seconds(item.nodeid))


# Modules whose tests share a costly module fixture: one worker runs them all. (Their
# xdist_group mark does not do it under pytest 9: xdist 3.8 renames the items through
# `item._nodeid`, which pytest 9 no longer reads, so every test was a group of its own.)
TOGETHER = ("tests/e2e/test_install.py",)


class LongFirstScheduling(LoadGroupScheduling):
    """`--dist loadgroup`, but a worker running a long test is given only short ones to
    hold behind it, so the long tests run side by side instead of one after another."""

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return module if module in TOGETHER else super()._split_scope(nodeid)

    def _holds_long(self, node: WorkerController) -> bool:
        work = self.assigned_work.get(node, {})
        return any(
            not done and seconds(nodeid) for unit in work.values() for nodeid, done in unit.items()
        )

    def _assign_work_unit(self, node: WorkerController) -> None:
        if self._holds_long(node):
            short = next((s for s, unit in self.workqueue.items() if not _long(unit)), None)
            if short is not None:
                self.workqueue.move_to_end(short, last=False)
        super()._assign_work_unit(node)

    def _reschedule(self, node: WorkerController) -> None:
        # One test queued behind a long one is enough for the worker to run it.
        if self._holds_long(node) and self._pending_of(self.assigned_work[node]) >= 2:
            return
        super()._reschedule(node)


def _long(unit: dict[str, bool]) -> bool:
    return any(seconds(nodeid) for nodeid in unit)
