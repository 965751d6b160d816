"""TLS is verified by default: a server with a self-signed certificate is refused."""

from __future__ import annotations

import contextlib
import gc
import ipaddress
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mails
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


def private_ca(folder: Path) -> tuple[Path, Path, Path]:
    """A company CA and a server certificate for 127.0.0.1 it signed: (ca, cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)

    def name(text: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Example Corp Internal CA"))
        .issuer_name(name("Example Corp Internal CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("mail.example.com"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "company-ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


# asyncio (3.11) leaves the socket transport of a TLS handshake that failed verification
# for the garbage collector, whose ResourceWarning then failed whichever test ran next
# on the worker; the refused `check` below collects it at once, as this test's own.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_company_ca_in_ca_file_makes_its_servers_trusted_with_verification_on(
    baton: Baton, sandbox_server: MailServer, tmp_path: Path
) -> None:
    ca, cert, key = private_ca(tmp_path)
    proxy = TlsProxy(_server_context(cert, key), sandbox_server.imap_port)
    proxy.start()
    # Our own SMTP relay for the server's real SMTP port, behind the company certificate.
    smtp = TlsProxy(_server_context(cert, key), sandbox_server.smtp_port)
    smtp.start()
    try:
        text = baton.config_path.read_text()
        text = text.replace(f"port = {sandbox_server.imap_port}", f"port = {proxy.port}", 1)
        text = text.replace('security = "none"', 'security = "ssl"', 1)
        baton.config_path.write_text(text)
        _smtp_to(baton, smtp.port)
        refused = baton.cli_inline("check")
        assert refused.returncode == 1
        assert "IMAP: FAILED" in refused.stdout and "SMTP: FAILED" in refused.stdout
        assert "CERTIFICATE_VERIFY_FAILED" in refused.stdout
        for table in ("mailbox", "smtp"):
            assert f"  likely fix: certificate not trusted: set [{table}] ca_file" in refused.stdout
        gc.collect()

        trusting = baton.config_path.read_text().replace(
            'security = "ssl"', f'security = "ssl"\nca_file = "{ca.name}"'
        )
        baton.config_path.write_text(trusting)  # relative: beside the config file
        done = baton.cli_inline("check")
        assert done.returncode == 0, done.stdout
        assert f"IMAP 127.0.0.1:{proxy.port} ok" in done.stdout
        assert f"SMTP 127.0.0.1:{smtp.port} ok (TLS" in done.stdout

        # The daemon's own connections trust it too: a handoff is read and answered.
        sandbox_server.deliver(mails.handoff())
        baton.reload()
        report = baton.run_pass()
        assert report.inbox_error is None
        assert [o.outcome for o in report.outcomes] == ["processed"]
        assert report.mail.sent == 2 and len(sandbox_server.wait_for("jane@example.com", 1)) == 1
    finally:
        proxy.close()
        smtp.close()


def test_a_ca_file_that_is_not_a_ca_is_a_config_problem_and_another_ca_is_not_trusted(
    baton: Baton, sandbox_server: MailServer, tmp_path: Path
) -> None:
    _ca, cert, key = private_ca(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    other_ca, _, _ = private_ca(other)
    text = baton.config_path.read_text()
    baton.config_path.write_text(
        text.replace('security = "none"', f'security = "none"\nca_file = "{key}"', 1)
    )
    done = baton.cli_inline("check")
    assert done.returncode == 1 and done.stdout == ""
    assert "mailbox.ca_file:" in done.stderr and "no CA certificate" in done.stderr
    assert "Traceback" not in done.stderr

    proxy = TlsProxy(_server_context(cert, key), sandbox_server.imap_port)
    proxy.start()
    try:
        text = text.replace(f"port = {sandbox_server.imap_port}", f"port = {proxy.port}", 1)
        baton.config_path.write_text(
            text.replace('security = "none"', f'security = "ssl"\nca_file = "{other_ca}"', 1)
        )
        done = baton.cli_inline("check")
        assert done.returncode == 1
        assert "IMAP: FAILED" in done.stdout and "CERTIFICATE_VERIFY_FAILED" in done.stdout
    finally:
        proxy.close()
