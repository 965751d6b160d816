"""TLS for every connection we open: verified by default, unverified only when configured."""

from __future__ import annotations

import ssl


def tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not verify:
        # For a test server or an internal host with a private CA the admin chose to trust.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
