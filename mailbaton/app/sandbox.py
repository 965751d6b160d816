"""Start the embedded sandbox mail server (mail-devel: IMAP, SMTP, web mail) as a subprocess."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

__all__ = ["Sandbox", "SandboxError", "free_port", "start_sandbox"]

DEFAULT_ALIASES: tuple[str, ...] = ("baton+*@example.com:baton@example.com",)


class SandboxError(RuntimeError):
    """The sandbox mail server could not be started."""


@dataclass
class Sandbox:
    """A running mail-devel process and where to reach it."""

    host: str
    imap_port: int
    smtp_port: int
    http_port: int | None
    password: str
    process: subprocess.Popen[bytes]
    log_path: Path = field(repr=False)
    # The log file handle stays open for the life of the process; closed by stop().
    _log_file: IO[bytes] | None = field(default=None, repr=False)
    # A log we made in the temp dir is ours to delete; a caller's log_path is theirs.
    _owns_log: bool = field(default=False, repr=False)

    def stop(self) -> None:
        """Terminate the server (kill it if it does not exit); safe to call twice."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self._owns_log:
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def start_sandbox(
    *,
    host: str = "127.0.0.1",
    imap_port: int | None = None,
    smtp_port: int | None = None,
    http_port: int | None = None,
    with_http: bool = False,
    password: str = "secret",
    aliases: Sequence[str] = DEFAULT_ALIASES,
    log_path: Path | None = None,
    timeout: float = 20.0,
) -> Sandbox:
    """Start mail-devel in multi-user mode and wait until IMAP and SMTP accept connections.

    Every address is an account sharing ``password``; SMTP delivers by the
    To/Cc/Bcc headers into each recipient's INBOX after applying ``aliases``
    (``pattern:target``, shell wildcards allowed).
    """
    if importlib.util.find_spec("mail_devel") is None:
        raise SandboxError(
            "the sandbox mail server is not installed: pip install 'mailbaton[demo]'"
        )
    imap_port = imap_port or free_port(host)
    smtp_port = smtp_port or free_port(host)
    http_port = (http_port or free_port(host)) if with_http else None

    log_path, log_file, owns_log = _open_log(log_path)
    cmd = _command(host, imap_port, smtp_port, http_port, aliases)
    # The password goes in the environment, not argv, where `ps` would show it. MAIL_ALIAS
    # from the caller's environment would add aliases of its own: only ours count.
    env = {key: value for key, value in os.environ.items() if key != "MAIL_ALIAS"}
    env["MAIL_PASSWORD"] = password
    # Output goes to a file, not a pipe: nobody reads a pipe, and a full one blocks the server.
    try:
        process = subprocess.Popen(
            cmd, env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT
        )
    except OSError as exc:
        log_file.close()
        raise SandboxError(f"cannot start the sandbox mail server: {exc}") from exc
    sandbox = Sandbox(
        host=host,
        imap_port=imap_port,
        smtp_port=smtp_port,
        http_port=http_port,
        password=password,
        process=process,
        log_path=log_path,
        _log_file=log_file,
        _owns_log=owns_log,
    )
    ports = {imap_port, smtp_port} | ({http_port} if http_port is not None else set())
    _wait_until_listening(sandbox, ports, timeout)
    return sandbox


def _open_log(log_path: Path | None) -> tuple[Path, IO[bytes], bool]:
    """The server's log file: a temporary one we own, or the caller's, appended to."""
    if log_path is None:
        fd, name = tempfile.mkstemp(prefix="mailbaton-sandbox-", suffix=".log")
        return Path(name), open(fd, "wb"), True  # lives as long as the process
    log_path.parent.mkdir(parents=True, exist_ok=True)
    return log_path, open(log_path, "ab"), False  # lives as long as the process


def _command(
    host: str, imap_port: int, smtp_port: int, http_port: int | None, aliases: Sequence[str]
) -> list[str]:
    cmd = [sys.executable, "-m", "mail_devel", "--host", host, "--multi-user"]
    cmd += ["--imap-port", str(imap_port), "--smtp-port", str(smtp_port)]
    cmd += ["--http-port", str(http_port)] if http_port is not None else ["--no-http"]
    for alias in aliases:
        cmd += ["--alias", alias]
    return cmd


def _wait_until_listening(sandbox: Sandbox, ports: set[int], timeout: float) -> None:
    host, process, log_path = sandbox.host, sandbox.process, sandbox.log_path
    deadline = time.monotonic() + timeout
    pending = set(ports)
    while True:
        pending = {port for port in pending if not _accepts(host, port)}
        # Checked after the ports answer too: if a port was taken by someone else in the
        # meantime, the connection succeeded against them and only the exit tells us.
        if process.poll() is not None:
            message = (
                f"sandbox mail server exited with code {process.returncode}; "
                f"log {log_path}:\n{_tail(log_path)}"
            )
            sandbox._owns_log = False  # keep the log the message points at
            sandbox.stop()
            raise SandboxError(message)
        if not pending:
            return
        if time.monotonic() > deadline:
            message = (
                f"sandbox mail server did not listen on {host} ports {sorted(pending)} "
                f"within {timeout:g}s; log {log_path}:\n{_tail(log_path)}"
            )
            sandbox._owns_log = False
            sandbox.stop()
            raise SandboxError(message)
        time.sleep(0.05)
