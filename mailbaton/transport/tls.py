"""TLS for every connection we open: verified by default, unverified only when configured."""

from __future__ import annotations

import ssl
from pathlib import Path


def tls_context(verify: bool, ca_file: Path | None = None) -> ssl.SSLContext:
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
