"""Parts 1-3: the raw libraries' rate, then mailbaton draining the same backlog."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import aiosmtplib
from imapclient import IMAPClient

from bench.rig import USER, MailServer, Sink


@dataclass
class Drain:
    seconds: float
    passes: int = 1
    peak_rss_mb: float = 0.0
    left_by_first_pass: int = 0

    def rate(self, count: int) -> float:
        return count / self.seconds if self.seconds else 0.0


def baseline(server: MailServer, sink: Sink, count: int) -> Drain:
    """imapclient fetch + `email` parse + two aiosmtplib sends per message, one connection
    each: what these libraries do with nothing else in the way (no database, no filing)."""
    return asyncio.run(_baseline(server, sink, count))


async def _baseline(server: MailServer, sink: Sink, count: int) -> Drain:
    began = time.time()
    client = IMAPClient(server.host, port=server.imap_port, ssl=False, timeout=30)
    client.login(USER, server.password)
    client.select_folder("INBOX", readonly=True)
    uids = sorted(client.search("ALL"))
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=sink.port, start_tls=False)
    await smtp.connect()
    parser = BytesParser(policy=default)
    for at in range(0, len(uids), 20):
        batch = uids[at : at + 20]
        fetched = client.fetch(batch, ["BODY.PEEK[]"])
        for uid in batch:
            mail = parser.parsebytes(fetched[uid][b"BODY[]"])
            assert isinstance(mail, EmailMessage)
            for message in _answers(mail):
                await smtp.send_message(message)
    await smtp.quit()
    client.logout()
    _wait_for(sink, 2 * count)
    return Drain(sink.last() - began)


def _answers(mail: EmailMessage) -> list[EmailMessage]:
    """The least a handoff needs: the request with its file to the catcher, a receipt."""
    body = mail.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    catcher = next(line[8:].strip() for line in text.splitlines() if line.startswith("Catcher:"))
    request, receipt = EmailMessage(), EmailMessage()
    request["From"] = receipt["From"] = USER
    request["To"], receipt["To"] = catcher, str(mail["From"])
    request["Subject"] = receipt["Subject"] = f"[MB-1] {mail['Subject']}"
    request.set_content(text)
    receipt.set_content("Received: " + text)
    for part in mail.iter_attachments():
        assert isinstance(part, EmailMessage)
        request.add_attachment(
            part.get_content(), maintype="application", subtype="pdf", filename="c.pdf"
        )
    return [request, receipt]


def _wait_for(sink: Sink, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while sink.count() < count and time.monotonic() < deadline:
        time.sleep(0.02)


def migrate(url: str, code: Path | None) -> None:
    """The schema made before the clock starts, as on a running install, by the code
    under test (another checkout's migrations may differ)."""
    subprocess.run(
        [sys.executable, "-c", MIGRATE, url],
        env=environment(code),
        check=True,
        timeout=300,
        cwd=tempfile.gettempdir(),
    )


MIGRATE = "import sys; from mailbaton.store.db import Database; Database.open(sys.argv[1]).close()"


def environment(code: Path | None) -> dict[str, str]:
    """mailbaton from `code` (a checkout of another commit) when given, else as installed."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code), env.get("PYTHONPATH", "")]).rstrip(":")
    return env


def mailbaton(
    config: Path,
    sink: Sink,
    count: int,
    log: Path,
    profile: Path | None = None,
    code: Path | None = None,
) -> Drain:
    """`mailbaton run --once` in a process of its own, again while mail is left, until the
    sink holds a request and a receipt per handoff; its own peak RSS (VmHWM)."""
    began, passes, peak, left = time.time(), 0, 0, 0
    while sink.count() < 2 * count:
        before = sink.count()
        # Under cProfile (much slower) only when asked: one .prof file per pass.
        where = ["-m", "cProfile", "-o", f"{profile}.{passes + 1}.prof"] if profile else []
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, *where, "-m", "mailbaton", "-c", str(config), "run", "--once"],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=environment(code),
                # Not the repo root, which `-m` would put ahead of PYTHONPATH.
                cwd=log.parent,
            )
            status, own = _wait_with_peak(process.pid)
            process.returncode = os.waitstatus_to_exitcode(status)
        passes += 1
        peak = max(peak, own)
        if passes == 1:
            left = 2 * count - sink.count()
        if process.returncode != 0:
            raise RuntimeError(f"mailbaton run --once exited {process.returncode}; see {log}")
        if sink.count() == before:
            raise RuntimeError(f"mailbaton sent nothing in a pass; see {log}")
    return Drain(sink.last() - began, passes, peak / 1024, left)


def _wait_with_peak(pid: int) -> tuple[int, int]:
    """The child's exit status and its own peak RSS in KiB: VmHWM, read until it exits.

    Not wait4()'s ru_maxrss: Linux counts in it the memory the process had before its
    exec(), which is the spawning process's (fork and vfork alike), so this bench's list of
    N raw handoffs (~41 KB each) showed up as mailbaton's growth per handoff. VmHWM
    belongs to the exec'd image alone; read every 50 ms, it misses at most the last 50 ms."""
    peak = 0
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            # No /proc (not Linux): wait4's figure, with the caveat above.
            return status, peak or usage.ru_maxrss
        with suppress(OSError, ValueError):
            status_file = Path(f"/proc/{pid}/status").read_text()
            for line in status_file.splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        time.sleep(0.05)
