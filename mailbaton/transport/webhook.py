"""Chat webhooks (Slack, Teams Workflows, Mattermost, any JSON receiver) as a Sender.

An outbox row's bytes are already the JSON body the service expects (outbound/hooks.py
builds it when the row is queued); this only POSTs it. A webhook's URL carries the
channel's token, so no error, answer or log line here names more than its host.

    2xx                         posted
    408, 429, 5xx, no answer    Transient: the outbox retries with backoff
    any other answer            Permanent: parked (a 404 or 403 does not mend itself)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from mailbaton.transport.base import Permanent, Transient

if TYPE_CHECKING:
    import requests

# urllib3 logs each request's path at debug level ("POST /services/T0/B0/TOKEN"): with
# `-v` that would write a webhook's token into the log.
logging.getLogger("urllib3.connectionpool").setLevel(logging.INFO)

# Connect and read, each: a chat service answers in well under a second when it is well.
TIMEOUT = 15.0
# What a refusal's body may add to the error (Slack says e.g. "channel_not_found").
SAID_CHARS = 120


def host_of(url: str) -> str:
    """What may be shown of a webhook's URL: its host (and port), never the path."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


def post(
    session: requests.Session, url: str, body: bytes, key: str, timeout: float = TIMEOUT
) -> str:
    """POSTs `body` once; returns 'HOST: HTTP 200' or raises Transient / Permanent.
    `key` goes in an Idempotency-Key header: the same post sent again carries the same key."""
    import requests  # here, not at the top: most passes post nothing (~0.1 s of CPU a start)

    where = host_of(url)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": key,
        "User-Agent": "mailbaton",
    }
    try:
        # No redirects: a redirected POST becomes a GET, and the new address is unknown.
        answer = session.post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        )
    except requests.Timeout:
        raise Transient(f"{where}: no answer within {timeout:g} s") from None
    except requests.RequestException as error:
        # The exception's text names the whole URL: only its type is kept.
        raise Transient(f"{where}: cannot connect ({type(error).__name__})") from None
    code = answer.status_code
    if 200 <= code < 300:
        return f"{where}: HTTP {code}"
    said = _said(answer.text, url)
    if code in (408, 429) or code >= 500:
        raise Transient(f"{where}: HTTP {code}{said}")
    raise Permanent(f"{where}: HTTP {code}{said}")


def _said(text: str, url: str) -> str:
    """The start of a refusal's body, on one line, without the URL's secret path."""
    path = urlsplit(url).path
    line = " ".join(text.split())
    if len(path) > 1:
        line = line.replace(path, "/…")
    line = line[:SAID_CHARS]
    return f" ({line})" if line else ""


class WebhookSender:
    """The outbox's Sender for webhook rows: `recipients` is the one hook's name, which
    `urls` maps to its URL (read from the config at start, never stored in the database);
    `mail_from` carries the post's id, sent as its Idempotency-Key."""

    def __init__(self, urls: Mapping[str, str], timeout: float = TIMEOUT) -> None:
        self.urls = dict(urls)
        self.timeout = timeout
        self.session: requests.Session | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *raised: object) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    async def send(self, raw: bytes, mail_from: str, recipients: list[str]) -> str:
        name = recipients[0] if recipients else "?"
        url = self.urls.get(name)
        if url is None:
            raise Permanent(f"no [notify.{name}] in the config any more")
        if self.session is None:
            # Opened by the first post, not on entry: a pass with nothing to post (nearly
            # every pass) never imports requests.
            import requests

            self.session = requests.Session()
        return await asyncio.to_thread(post, self.session, url, raw, mail_from, self.timeout)


def post_once(url: str, body: bytes, key: str, timeout: float = TIMEOUT) -> str:
    """One POST on a session of its own (`mailbaton notify test`)."""
    import requests

    with requests.Session() as session:
        return post(session, url, body, key, timeout)
