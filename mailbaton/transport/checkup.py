"""For `mailbaton check`: what the IMAP server offers and allows, and what a failed
connection most likely needs (a wrong port, an untrusted certificate, a wrong password)."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field

from mailbaton.config import MailboxSettings
from mailbaton.transport.base import TransportError
from mailbaton.transport.imap import Inbox


@dataclass
class ImapFindings:
    """What one login to the IMAP server found; a problem is its text, else None."""

    login: str
    capabilities: frozenset[str]
    messages: int | None = None
    folder_problem: str | None = None
    created: list[str] = field(default_factory=list)
    existed: list[str] = field(default_factory=list)
    folders_problem: str | None = None


def probe_imap(settings: MailboxSettings) -> ImapFindings:
    """Logs in (raising as the service would), then looks at the watched folder and makes
    the outcome folders the service would make at its first pass."""
    with Inbox(settings) as inbox:
        tls = {"ssl": "TLS", "starttls": "STARTTLS"}.get(settings.security, "no TLS")
        if settings.security != "none":
            tls += ", certificate verified" if settings.verify_tls else ", NOT verified"
        found = ImapFindings(f"logged in as {settings.username} ({tls})", inbox.capabilities)
        try:
            inbox.select()
            found.messages = len(inbox.uids())
        except TransportError as error:
            found.folder_problem = str(error)
        folders = settings.folders
        wanted = [folders.processed, folders.rejected, folders.ignored, folders.failed]
        try:
            before = inbox.folder_names()
            inbox.ensure_folders(wanted)
        except TransportError as error:
            found.folders_problem = str(error)
            return found
        for folder in wanted:
            (found.existed if inbox.server_name(folder) in before else found.created).append(folder)
        return found


def likely_fix(error: BaseException, table: str, security: str) -> str | None:
    """The most likely fix for a failed connection or login, from what went wrong."""
    causes = _chain(error)
    names = {type(cause).__name__ for cause in causes}
    text = " ".join(str(cause) for cause in causes)
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes) or (
        "CERTIFICATE_VERIFY_FAILED" in text
    ):
        if "mismatch" in text or "doesn't match" in text:
            return (
                f"the certificate names another host: set [{table}] host to a name the "
                "certificate carries"
            )
        return (
            f"certificate not trusted: set [{table}] ca_file to your company CA's PEM file "
            "(verify_tls = false only for a test server)"
        )
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
        other = "starttls" if security == "ssl" else "ssl"
        return (
            f'TLS did not start: is this port for security = "{security}"? try "{other}", '
            "or the port that goes with it (993/143 for IMAP, 465/587 for SMTP)"
        )
    if "STARTTLS" in text.upper() and security == "starttls":
        return (
            'the server offers no STARTTLS on this port: use security = "ssl" on its TLS port '
            "(mailbaton never falls back to plaintext)"
        )
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return f"connection refused: is [{table}] host/port right, and is the server running?"
    if any(isinstance(c, socket.gaierror) for c in causes):
        return f"host name not found: check [{table}] host (and this machine's DNS)"
    if any(isinstance(c, TimeoutError | socket.timeout) for c in causes) or "timed out" in text:
        return f"no answer in time: a firewall in the way, or the wrong [{table}] host/port?"
    if names & {"LoginError", "SMTPAuthenticationError"} or "AUTHENTICATIONFAILED" in text:
        return (
            f"wrong password? check [{table}] username and password, or password_env: the "
            "variable it names must be set where the service runs"
        )
    return None


def _chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found
