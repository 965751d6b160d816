"""TLS is verified by default: a server with a self-signed certificate is refused."""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from baton import Baton, make_baton
from servers import MailServer

from mailbaton.app.sandbox import free_port

pytestmark = pytest.mark.e2e


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def smtps(tmp_path: Path) -> Iterator[int]:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(Sink(), hostname="127.0.0.1", port=free_port(), ssl_context=context)
    controller.start()
    yield controller.port
    controller.stop()


class TlsProxy(threading.Thread):
    """Implicit TLS (like IMAPS on 993) in front of a plain server, with our certificate."""

    def __init__(self, context: ssl.SSLContext, target: int) -> None:
        super().__init__(daemon=True)
        self.context, self.target = context, target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.closing = False

    def run(self) -> None:
        while not self.closing:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        with contextlib.ExitStack() as stack:
            stack.callback(raw.close)
            try:
                client = self.context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError):
                return  # the client refused our certificate: the point of the test
            stack.callback(client.close)
            upstream = stack.enter_context(socket.create_connection(("127.0.0.1", self.target)))
            pump = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
            pump.start()
            _pump(client, upstream)
            pump.join(timeout=5)

    def close(self) -> None:
        self.closing = True
        self.listener.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


@pytest.fixture
def imaps(sandbox_server: MailServer, tmp_path: Path) -> Iterator[int]:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    proxy = TlsProxy(context, sandbox_server.imap_port)
    proxy.start()
    yield proxy.port
    proxy.close()


@pytest.fixture
def baton(sandbox_server: MailServer, tmp_path: Path) -> Iterator[Baton]:
    b = make_baton(sandbox_server, tmp_path)
    yield b
    b.close()


def _smtp_to(baton: Baton, port: int, extra: str = "") -> None:
    text = baton.config_path.read_text()
    smtp_part = text.split("[smtp]")[1].split("[database]")[0]
    new_part = f'\nhost = "127.0.0.1"\nport = {port}\nsecurity = "ssl"\ntimeout = 10\n{extra}\n\n'
    baton.config_path.write_text(text.replace(smtp_part, new_part))


def test_a_self_signed_smtp_server_is_refused_unless_verification_is_switched_off(
    baton: Baton, smtps: int
) -> None:
    _smtp_to(baton, smtps)
    done = baton.cli_inline("check")
    assert done.returncode == 1
    assert "SMTP: FAILED" in done.stdout and "CERTIFICATE_VERIFY_FAILED" in done.stdout

    _smtp_to(baton, smtps, "verify_tls = false")
    done = baton.cli_inline("check")
    assert done.returncode == 0, done.stdout
    assert f"SMTP 127.0.0.1:{smtps} ok (TLS" in done.stdout


def test_a_self_signed_imap_server_is_refused_unless_verification_is_switched_off(
    baton: Baton, imaps: int, sandbox_server: MailServer
) -> None:
    text = baton.config_path.read_text()
    mailbox = text.replace(f"port = {sandbox_server.imap_port}", f"port = {imaps}", 1)
    baton.config_path.write_text(mailbox.replace('security = "none"', 'security = "ssl"', 1))
    done = baton.cli_inline("check")
    assert done.returncode == 1
    assert "IMAP: FAILED" in done.stdout and "CERTIFICATE_VERIFY_FAILED" in done.stdout

    baton.config_path.write_text(
        mailbox.replace('security = "none"', 'security = "ssl"\nverify_tls = false', 1)
    )
    done = baton.cli_inline("check")
    assert done.returncode == 0, done.stdout
    assert f"IMAP 127.0.0.1:{imaps} ok" in done.stdout
