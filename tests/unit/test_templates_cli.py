"""`templates check / preview / list` and the templates lines of `status`, as an admin
editing a folder of templates sees them."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from mailbaton.app import cli
from mailbaton.outbound.compose import DEFAULT_TEMPLATES, TEMPLATE_NAMES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    return tmp_path / "templates"


@pytest.fixture
def config(tmp_path: Path, folder: Path) -> Path:
    text = (ROOT / "config.toml").read_text()
    text = text.replace("sqlite:///mailbaton.db", f"sqlite:///{(tmp_path / 'm.db').as_posix()}")
    text = text.replace('# dir = "templates"', f"dir = {folder.as_posix()!r}")
    assert f"dir = {folder.as_posix()!r}" in text
    (tmp_path / "config.toml").write_text(text)
    return tmp_path / "config.toml"


def run(config: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["-c", str(config), *args])
    return code, out.getvalue(), err.getvalue()


def test_check_lists_every_problem_at_once_with_file_and_line(config: Path, folder: Path) -> None:
    # Four mistakes in one file: a strict render alone would stop at the first.
    (folder / "request.txt").write_text(
        "Subject: [{{ ticket.ref }}] {{ ticket.titel }}\n"
        "Hi {{ ticket.catcher_first }},\n"
        "{{ nope }}\n"
        "{% if bad %}x{% endif %}\n"
        "{{ ticket.ref | when }}\n"
    )
    (folder / "receipt.txt").write_text("Subject: x\nline two\n{% if %}\n")
    layout = (DEFAULT_TEMPLATES / "_layout.html").read_text()
    (folder / "_layout.html").write_text(layout.replace("</body>", "{{ footer }}</body>"))
    layout_line = layout[: layout.index("</body>")].count("\n") + 1
    refused = (DEFAULT_TEMPLATES / "refused.html").read_text()
    said = "The same ticket, with its files, then goes to them."
    (folder / "refused.html").write_text(refused.replace(said, "{{ ticket.catcher_frist }}"))
    (folder / "refused.txt").write_text((DEFAULT_TEMPLATES / "refused.txt").read_text())
    refused_line = refused[: refused.index(said)].count("\n") + 1
    code, out, _ = run(config, "templates", "check")
    assert code == 1
    problems = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    expected = [
        "receipt.txt line 3: Expected an expression",
        f"_layout.html line {layout_line}: 'footer' is not one of this mail's variables",
        "request.txt line 1: 'titel' is not one of this mail's variables",
        "request.txt line 3: 'nope' is not one of this mail's variables",
        "request.txt line 4: 'bad' is not one of this mail's variables",
        "request.txt line 5: 'when' shows a time (like ticket.deadline), not 'MB-42'",
        f"refused.html line {refused_line}: 'catcher_frist' is not one of",
    ]
    for want in expected:
        assert sum(p.startswith(want) for p in problems) == 1, (want, out)
    # The shared layout is reported once, not once per mail that uses it.
    assert len(problems) == len(expected), out
    assert f"{len(expected)} problem(s) in the templates in {folder}" in out
    assert str(DEFAULT_TEMPLATES / "README.md") in out


def test_check_passes_an_admin_folder_of_good_edits(config: Path, folder: Path) -> None:
    (folder / "request.txt").write_text("Subject: [{{ ticket.ref }}] over to you\nHi\n")
    code, out, _ = run(config, "templates", "check")
    assert (code, out.strip()) == (
        0,
        f"{len(TEMPLATE_NAMES)} templates ok in {folder} (+ shipped defaults)",
    )


@pytest.mark.parametrize("action", [["preview"], ["send-test", "--to", "jane@example.com"]])
def test_an_unknown_name_is_a_usage_error_listing_the_names(
    config: Path, action: list[str]
) -> None:
    # send-test said the same with exit 1: a mistyped NAME is a usage error in both.
    code, out, err = run(config, "templates", action[0], "nosuch", *action[1:])
    assert code == 2 and out == ""
    said = re.fullmatch(r"mailbaton: no template 'nosuch'; the templates are: (.*)\n", err)
    assert said is not None, err
    assert said.group(1).split(", ") == sorted(TEMPLATE_NAMES)


def test_preview_shows_the_admins_edit_in_text_and_html(config: Path, folder: Path) -> None:
    (folder / "request.txt").write_text("Subject: [{{ ticket.ref }}] over to you\nOUR WORDS\n")
    code, out, _ = run(config, "templates", "preview", "request")
    assert code == 0 and out.startswith("Subject: [MB-42] over to you\n\nOUR WORDS")
    code, out, _ = run(config, "templates", "preview", "request", "--html")
    assert code == 0 and "OUR WORDS" in out and out.lstrip().startswith("<!DOCTYPE html>")


def test_preview_of_a_broken_template_names_file_and_line(config: Path, folder: Path) -> None:
    (folder / "request.txt").write_text("Subject: x\nfine\n{{ ticket.nope }}\n")
    code, out, err = run(config, "templates", "preview", "request")
    assert (code, out) == (1, "")
    assert err.startswith("mailbaton: request.txt line 3: 'nope' is not one of")


def test_preview_of_a_ticket_that_does_not_exist_says_so(config: Path) -> None:
    code, out, err = run(config, "templates", "preview", "request", "--ticket", "MB-999")
    assert (code, out, err) == (1, "", "mailbaton: no ticket MB-999\n")


def test_list_points_at_the_variables(config: Path, folder: Path) -> None:
    code, out, _ = run(config, "templates", "list")
    assert code == 0
    assert set(TEMPLATE_NAMES) <= {line.split()[0] for line in out.splitlines() if line}
    assert out.rstrip().endswith(f"the variables of each: {DEFAULT_TEMPLATES / 'README.md'}")
    assert f"your folder: {folder} (its files replace the shipped ones)" in out
    assert f"shipped: {DEFAULT_TEMPLATES} (copy from here to edit)" in out
    assert (DEFAULT_TEMPLATES / "README.md").is_file()


def test_status_shows_a_broken_template(config: Path, folder: Path) -> None:
    code, out, _ = run(config, "status")
    assert code == 0 and "templates:" not in out
    (folder / "request.txt").write_text("Subject: x\nfine\n{{ ticket.nope }}\n")
    code, out, _ = run(config, "status")
    assert code == 0
    assert (
        "templates: request.txt line 3: 'nope' is not one of this mail's variables "
        "(templates/README.md lists them); until it is fixed, mail uses its last good version "
        "(or the shipped one)"
    ) in out.splitlines()


def test_status_sees_an_edit_made_after_it_last_looked(config: Path, folder: Path) -> None:
    # One process, as the bench and a long session run it: whatever status remembers of
    # a file (a verdict, a compiled template) must not outlive the file's content. The
    # broken edit is the good one's size, written at once: mtime and size alone may not move.
    good, broken = "Subject: x\nfine\n{{ ticket.ref }}\n", "Subject: x\nfine\n{{ ticket.nop }}\n"
    assert len(good) == len(broken)
    line = (
        "templates: request.txt line 3: 'nop' is not one of this mail's variables "
        "(templates/README.md lists them); until it is fixed, mail uses its last good version "
        "(or the shipped one)"
    )
    found = []
    for text in (good, broken, good):
        (folder / "request.txt").write_text(text)
        code, out, _ = run(config, "status")
        assert code == 0
        found.append([seen for seen in out.splitlines() if seen.startswith("templates:")])
    assert found == [[], [line], []]


def test_send_test_of_a_broken_edit_says_why_and_sends_nothing(config: Path, folder: Path) -> None:
    # A real mail would fall back to the last good version; a test of the edit must not.
    (folder / "request.txt").write_text("Subject: x\nfine\n{{ ticket.nope }}\n")
    code, out, err = run(config, "templates", "send-test", "request", "--to", "jane@example.com")
    assert (code, out) == (1, "")
    assert err.startswith("mailbaton: request.txt line 3: 'nope' is not one of"), err
