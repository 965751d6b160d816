"""mailbaton configured for OAuth2 against the local authority, Dovecot and XOAUTH2 SMTP."""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller
from baton import CONFIG, ROOT, Baton
from oauth_servers import (
    CLIENT_ID,
    MAILBOX,
    TENANT,
    Authority,
    XOAuth2Handler,
    app_certificate,
    service_account_file,
    start_dovecot,
    start_smtp,
)
from servers import DovecotServer, find_dovecot

from mailbaton.app.service import Service
from mailbaton.config import load
from mailbaton.transport.auth import xoauth2
from mailbaton.transport.oauth2.token import write_private

SECRET_ENV = "MAILBATON_TEST_OAUTH2_SECRET"


@dataclass
class OAuthWorld:
    """The authority, the servers, and where a test's files go."""

    authority: Authority
    dovecot: DovecotServer
    smtp: Controller
    handler: XOAuth2Handler
    folder: Path


def oauth2_table(world: OAuthWorld, provider: str, *, delegated: bool = False) -> str:
    """The [oauth2] table an admin would write for this provider, pointing at the authority."""
    authority, folder = world.authority, world.folder
    if provider == "microsoft":
        lines = [f'tenant = "{TENANT}"', f'client_id = "{CLIENT_ID}"']
        lines.append(f'authority = "{authority.base}"')
        if delegated:
            lines.append(f'token_cache = "{folder / "token-cache.json"}"')
        else:
            lines.append(f'client_secret_env = "{SECRET_ENV}"')
    elif provider == "microsoft-certificate":
        path, cert = app_certificate(folder)
        authority.app_certificate = cert
        provider = "microsoft"
        lines = [f'tenant = "{TENANT}"', f'client_id = "{CLIENT_ID}"']
        lines += [f'authority = "{authority.base}"', f'certificate = "{path}"']
    elif provider == "google-user":
        provider, path = "google", folder / "google-user.json"
        refresh_token = "rt." + secrets.token_urlsafe(24)
        authority.refresh_tokens[refresh_token] = MAILBOX  # the person signed in once
        info = {
            "type": "authorized_user",
            "client_id": "desktop-client.apps.googleusercontent.com",
            "client_secret": authority.client_secret,
            "refresh_token": refresh_token,
            "token_uri": authority.google_token_uri,
        }
        write_private(path, json.dumps(info))
        lines = [f'token_cache = "{path}"']
    elif provider == "google":
        path, public_key = service_account_file(folder, authority.google_token_uri)
        authority.service_account_key = public_key
        lines = [f'service_account_file = "{path}"']
    else:
        script = folder / "get-token"
        script.write_text(token_command(world))
        script.chmod(0o755)
        lines = [f'command = "{script} baton@example.com"']
    return "\n[oauth2]\n" + f'provider = "{provider}"\n' + "\n".join(lines) + "\n"


# A token command as people write them (mutt's oauth2.py, oauth2ms): here it asks the
# authority for an app token with curl-like plain Python, and prints only the token.
TOKEN_COMMAND = """\
#!/usr/bin/env python3
import json, os, ssl, sys, urllib.parse, urllib.request
form = urllib.parse.urlencode({
    "grant_type": "client_credentials", "client_id": "CLIENT_ID",
    "client_secret": os.environ["SECRET_ENV"], "scope": "https://outlook.office365.com/.default",
}).encode()
context = ssl.create_default_context(cafile="CA_FILE")
with urllib.request.urlopen("BASE_URL/TENANT/oauth2/v2.0/token", form, context=context) as answer:
    print(json.load(answer)["access_token"])
"""


def token_command(world: OAuthWorld) -> str:
    values = {"CLIENT_ID": CLIENT_ID, "SECRET_ENV": SECRET_ENV, "TENANT": TENANT}
    values |= {"CA_FILE": str(world.authority.ca.ca_file), "BASE_URL": world.authority.base}
    text = TOKEN_COMMAND
    for name, value in values.items():
        text = text.replace(name, value)
    return text


def oauth_baton(
    world: OAuthWorld, provider: str, *, delegated: bool = False, protocol: str = ""
) -> Baton:
    """mailbaton with auth = "oauth2" on [mailbox] and [smtp]; no password anywhere."""
    folder = world.folder
    text = CONFIG.format(
        host="127.0.0.1",
        imap=world.dovecot.imap_port,
        smtp=world.smtp.port,
        password="not-used",
        plus="false",
        db=f"sqlite:///{(folder / 'mailbaton.db').as_posix()}",
        templates=(ROOT / "mailbaton" / "templates").as_posix(),
        escalation="",
        protocol=protocol,
    )
    text = text.replace('password = "not-used"\n', 'auth = "oauth2"\n')
    text = text.replace("[smtp]\n", '[smtp]\nauth = "oauth2"\nusername = "baton@example.com"\n')
    config = folder / "config.toml"
    config.write_text(text + oauth2_table(world, provider, delegated=delegated))
    settings = load(config)
    return Baton(world.dovecot, config, settings, Service.open(settings))


@contextmanager
def oauth_world(folder: Path, lifetime: float = 3600.0) -> Iterator[OAuthWorld]:
    """Authority, Dovecot (oauth2 passdb) and XOAUTH2 SMTP; the test CA trusted the way an
    admin trusts a corporate CA (REQUESTS_CA_BUNDLE); the client secret in its variable."""
    if find_dovecot() is None:
        raise RuntimeError("dovecot not installed: apt-get install dovecot-imapd")
    (folder / "authority").mkdir(parents=True, exist_ok=True)
    authority = Authority(folder / "authority", lifetime)
    saved = {name: os.environ.get(name) for name in (SECRET_ENV, "REQUESTS_CA_BUNDLE")}
    os.environ[SECRET_ENV] = authority.client_secret
    os.environ["REQUESTS_CA_BUNDLE"] = str(authority.ca.ca_file)
    dovecot = start_dovecot(authority)
    smtp, handler = start_smtp(authority, dovecot)
    try:
        yield OAuthWorld(authority, dovecot, smtp, handler, folder)
    finally:
        smtp.stop()
        dovecot.stop()
        authority.close()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def secrets_in(world: OAuthWorld, *texts: str) -> list[str]:
    """Every secret of this run that shows in `texts`: the client secret, access and refresh
    tokens, and the XOAUTH2 strings the SMTP server received (base64, as on the wire)."""
    authority = world.authority
    with authority.lock:
        known = [authority.client_secret, *authority.tokens, *authority.refresh_tokens]
    known += world.handler.auth_lines
    known += [base64.b64encode(xoauth2(MAILBOX, token)).decode() for token in authority.tokens]
    text = "\n".join(texts)
    return [secret[:12] + "..." for secret in known if secret and secret in text]
