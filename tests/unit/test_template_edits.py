"""Templates edited under a running process: the next mail has the edit; a broken edit is
logged once and the last good version keeps being sent, never a blank or half mail."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest

from mailbaton.config import Settings, load
from mailbaton.outbound.compose import DEFAULT_TEMPLATES, Composer, Rendered
from mailbaton.outbound.preview import sample_context

ROOT = Path(__file__).resolve().parents[2]
GOOD = "Subject: [{{ ticket.ref }}] please catch\nEDITED ONE for {{ ticket.catcher_name }}\n"


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load(ROOT / "config.toml")


@pytest.fixture
def context(settings: Settings) -> dict[str, Any]:
    return sample_context("request", settings)


def edit(folder: Path, filename: str, source: str) -> None:
    """Writes a file as an editor would; its time moves on even within one clock tick."""
    path = folder / filename
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(source, encoding="utf-8")
    later = max(path.stat().st_mtime_ns, before + 1_000_000)
    os.utime(path, ns=(later, later))


def mail(composer: Composer, context: dict[str, Any]) -> Rendered:
    rendered = composer.render_mail("request", context)
    # Never a blank or half-written mail, whatever happened to the files.
    assert rendered.subject and rendered.text.strip() and rendered.html
    return rendered


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_edit_counts_from_the_next_mail_without_a_restart(
    tmp_path: Path, context: dict[str, Any]
) -> None:
    edit(tmp_path, "request.txt", GOOD)
    composer = Composer(tmp_path)
    assert "EDITED ONE" in mail(composer, context).text
    edit(tmp_path, "request.txt", GOOD.replace("EDITED ONE", "EDITED TWO"))
    assert "EDITED TWO" in mail(composer, context).text


def test_a_file_added_to_or_removed_from_the_admin_folder_counts_too(
    tmp_path: Path, context: dict[str, Any]
) -> None:
    composer = Composer(tmp_path)
    assert mail(composer, context).text == Composer(None).render("request", context).text
    edit(tmp_path, "request.txt", GOOD)
    assert "EDITED ONE" in mail(composer, context).text
    (tmp_path / "request.txt").unlink()
    assert "EDITED ONE" not in mail(composer, context).text


@pytest.mark.parametrize(
    ("broken", "said"),
    [
        (GOOD + "{% if %}\n", "request.txt line 3: "),
        (GOOD + "{{ ticket.titel }}\n", "request.txt line 3: 'titel' is not one of"),
        ("Subject: {{ ticket.ref }}\n{% if false %}x{% endif %}\n", "text renders empty"),
        ("Subject: {{ '' }}\nbody\n", "subject renders empty"),
        ("{{ ticket.ref }}\n", "first line must be 'Subject: ...'"),
    ],
)
def test_a_broken_edit_keeps_the_last_good_version_and_is_logged_once(
    tmp_path: Path,
    context: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    broken: str,
    said: str,
) -> None:
    edit(tmp_path, "request.txt", GOOD)
    composer = Composer(tmp_path)
    good = mail(composer, context)
    edit(tmp_path, "request.txt", broken)
    with caplog.at_level(logging.INFO, logger="mailbaton.templates"):
        assert mail(composer, context) == good
        assert mail(composer, context) == good
    (line,) = errors(caplog)
    assert said in line and "request mails use the last good version" in line
    caplog.clear()
    edit(tmp_path, "request.txt", GOOD.replace("EDITED ONE", "FIXED"))
    with caplog.at_level(logging.INFO, logger="mailbaton.templates"):
        assert "FIXED" in mail(composer, context).text
    assert [r.getMessage() for r in caplog.records] == [
        "template request works again: its mails use it from now on"
    ]


def test_a_broken_shared_piece_keeps_the_last_good_html(
    tmp_path: Path, context: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    layout = (DEFAULT_TEMPLATES / "_layout.html").read_text()
    edit(tmp_path, "_layout.html", layout.replace("</body>", "<p>OUR FOOTER</p></body>"))
    composer = Composer(tmp_path)
    good = mail(composer, context)
    assert good.html is not None and "OUR FOOTER" in good.html
    edit(tmp_path, "_layout.html", layout.replace("</body>", "{{ footer_missing }}</body>"))
    with caplog.at_level(logging.ERROR, logger="mailbaton.templates"):
        assert mail(composer, context) == good
    (line,) = errors(caplog)
    assert "_layout.html line " in line and "'footer_missing' is not one of" in line


def test_broken_before_any_mail_uses_the_files_as_they_were_at_start(
    tmp_path: Path, context: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    edit(tmp_path, "request.txt", GOOD)
    composer = Composer(tmp_path)
    edit(tmp_path, "request.txt", GOOD + "{{ nope }}\n")
    with caplog.at_level(logging.ERROR, logger="mailbaton.templates"):
        assert "EDITED ONE" in mail(composer, context).text
    (line,) = errors(caplog)
    assert "request mails use the version read at start" in line


def test_broken_at_start_sends_the_shipped_default_and_says_so(
    tmp_path: Path, context: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    edit(tmp_path, "request.txt", "Subject: {{ ticket.ref }\nbody\n")
    composer = Composer(tmp_path)
    with caplog.at_level(logging.ERROR, logger="mailbaton.templates"):
        rendered = mail(composer, context)
    assert rendered == Composer(None).render("request", context)
    (line,) = errors(caplog)
    assert "request.txt line 1: " in line and "request mails use the shipped default" in line
