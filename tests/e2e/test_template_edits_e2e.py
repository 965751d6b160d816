"""An admin edits the request template under a running daemon (`mailbaton run`, real mail
server): the next request has the new words; a broken edit keeps the last good words, the
log says why once, and `status`, `templates check` and `preview --ticket` show it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import mails
import pytest
from baton import ROOT, Baton, body_text, make_baton
from servers import MailServer

pytestmark = pytest.mark.e2e

SHIPPED = (ROOT / "mailbaton" / "templates").as_posix()
REQUEST = "Subject: [{{ ticket.ref }}] {{ ticket.title }}\n{words} for {{ ticket.catcher_first }}\n"


def _baton(server: MailServer, folder: Path, request: str) -> Baton:
    templates = folder / "templates"
    templates.mkdir()
    (templates / "request.txt").write_text(request)
    baton = make_baton(server, folder)
    config = baton.config_path.read_text().replace(SHIPPED, templates.as_posix())
    # A long poll interval: IDLE wakes the daemon for each handoff.
    config = config.replace("timeout = 10\n", 'timeout = 10\npoll_interval = "1h"\n', 1)
    baton.config_path.write_text(config)
    return baton


def _start(baton: Baton, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "mailbaton", "-c", str(baton.config_path), "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while "mailbaton: pass: " not in log.read_text():
        assert daemon.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    return daemon


def _stop(daemon: subprocess.Popen[bytes], log: Path) -> None:
    daemon.send_signal(signal.SIGTERM)
    try:
        daemon.wait(timeout=20)
    except subprocess.TimeoutExpired:
        daemon.kill()
        daemon.wait()
        raise AssertionError(f"daemon ignored SIGTERM:\n{log.read_text()}") from None


def _next_request(baton: Baton, title: str, count: int) -> str:
    """Hands off `title` and returns the text of the request Jane gets for it."""
    baton.server.deliver(mails.handoff(title=title))
    baton.server.wait_for("jane@example.com", count, timeout=20)
    found = [m for m in baton.inbox("jane@example.com") if title in str(m["Subject"])]
    assert len(found) == 1, [str(m["Subject"]) for m in baton.inbox("jane@example.com")]
    (request,) = found
    html = request.get_body(("html",))
    assert html is not None and html.get_content().strip()
    return body_text(request)


def _edit(baton: Baton, source: str) -> None:
    path = Path(baton.config_path.parent / "templates" / "request.txt")
    path.write_text(source)


def test_an_edit_counts_at_once_and_a_broken_edit_keeps_the_last_good_one(
    sandbox_server: MailServer, tmp_path: Path
) -> None:
    baton = _baton(sandbox_server, tmp_path, REQUEST.replace("{words}", "FIRST WORDS"))
    log = tmp_path / "daemon.log"
    daemon = _start(baton, log)
    try:
        assert "FIRST WORDS for Jane" in _next_request(baton, "Case one", 1)
        _edit(baton, REQUEST.replace("{words}", "SECOND WORDS"))
        assert "SECOND WORDS for Jane" in _next_request(baton, "Case two", 2)

        broken = REQUEST.replace("{words}", "BROKEN WORDS") + "{{ ticket.titel }}\n"
        _edit(baton, broken)
        for count, title in ((3, "Case three"), (4, "Case four")):
            text = _next_request(baton, title, count)
            assert "SECOND WORDS for Jane" in text and "BROKEN" not in text

        status = baton.cli_inline("status")
        check = baton.cli_inline("templates", "check")
        preview = baton.cli_inline("templates", "preview", "request", "--ticket", "MB-3")
    finally:
        _stop(daemon, log)
    said = log.read_text()
    problem = (
        "request.txt line 3: 'titel' is not one of this mail's variables "
        "(templates/README.md lists them)"
    )
    why = f"template request cannot be used: {problem}; request mails use the last good version"
    assert said.count(why) == 1, said  # once, not with every mail
    assert "Traceback" not in said
    assert status.returncode == 0
    until = "until it is fixed, mail uses its last good version (or the shipped one)"
    line = f"templates: {problem}; {until}"
    assert line in status.stdout.splitlines(), status.stdout
    assert check.returncode == 1 and "  request.txt line 3: 'titel' is not one of" in check.stdout
    # The real ticket in the preview: the template is rendered strictly, so it says why not.
    assert preview.returncode == 1 and "request.txt line 3: 'titel'" in preview.stderr

    _edit(baton, REQUEST.replace("{words}", "FIXED WORDS"))
    preview = baton.cli_inline("templates", "preview", "request", "--ticket", "MB-3")
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout.startswith("Subject: [MB-3] Case three\n\nFIXED WORDS for Jane")


def test_a_daemon_started_with_a_broken_template_sends_the_shipped_one(
    sandbox_server: MailServer, tmp_path: Path
) -> None:
    baton = _baton(
        sandbox_server, tmp_path, "Subject: [{{ ticket.ref }] {{ ticket.title }}\nbody\n"
    )
    log = tmp_path / "daemon.log"
    daemon = _start(baton, log)
    try:
        text = _next_request(baton, "Case one", 1)
    finally:
        _stop(daemon, log)
    # The shipped request, with what only the shipped wording says.
    assert "Jane, Alice Smith is handing this over to you." in text
    assert "It stays in Alice's name until you take it." in text
    said = log.read_text()
    assert said.count("template request cannot be used: request.txt line 1: ") == 1, said
    assert "request mails use the shipped default until it is fixed" in said
