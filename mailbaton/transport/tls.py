"""TLS for every connection we open: verified by default, unverified only when configured."""

from __future__ import annotations

import ssl
import threading
from pathlib import Path

# Contexts by (verify, CA file, its mtime): building one reads and parses the system's
# whole CA bundle (~40 ms here), and the daemon connects to IMAP for every drain and to
# SMTP for every flush. A context only configures connections, so sharing one across
# threads is safe; a replaced CA file has a new mtime and gets a context of its own.
_MADE: dict[tuple[bool, str | None, int | None], ssl.SSLContext] = {}
_LOCK = threading.Lock()


def tls_context(verify: bool, ca_file: Path | None = None) -> ssl.SSLContext:
    key = (verify, str(ca_file) if ca_file else None, _mtime(ca_file))
    with _LOCK:
        context = _MADE.get(key)
        if context is None:
            context = _MADE[key] = _new_context(verify, ca_file)
    return context


def _mtime(path: Path | None) -> int | None:
    try:
        return path.stat().st_mtime_ns if path is not None else None
    except OSError:
        return None  # load_verify_locations below says what is wrong with it


def _new_context(verify: bool, ca_file: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file is not None:
        # Besides the system's CAs: a company CA for a company server (the loader has
        # already checked that the file holds certificates).
        context.load_verify_locations(cafile=str(ca_file))
    if not verify:
        # For a test server the admin chose not to verify at all.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
