"""Microsoft 365 tokens through msal: the app's own (client credentials) or a person's."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msal  # type: ignore[import-untyped]
import requests

from mailbaton.config import OAuth2Settings
from mailbaton.transport.oauth2.token import (
    SignInProblem,
    Token,
    check_private,
    scrub,
    write_private,
)

AUTHORITY = "https://login.microsoftonline.com"
# The app's own permissions (IMAP.AccessAsApp, SMTP.SendAsApp) are asked for as ".default".
APP_SCOPES = ("https://outlook.office365.com/.default",)
# A person's mailbox: msal adds offline_access (the refresh token) and openid by itself.
USER_SCOPES = (
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "https://outlook.office.com/SMTP.Send",
)

# AADSTS codes an admin meets, each with what it means and what fixes it.
KNOWN_ERRORS: dict[str, tuple[str, str]] = {
    "7000222": (
        "the client secret has expired",
        "create a new secret under Certificates & secrets of the app in Microsoft Entra and "
        "put it where client_secret_env points; mailbaton reads it again on the next try",
    ),
    "7000215": (
        "the client secret is wrong",
        "copy the secret's Value (not its ID) from Microsoft Entra into the variable that "
        "client_secret_env names",
    ),
    "700027": (
        "the certificate was not accepted",
        "upload the certificate (its public part) to the app in Microsoft Entra, or point "
        "oauth2.certificate at the key and certificate that were uploaded",
    ),
    "700016": (
        "no application with this client_id in the tenant",
        "check oauth2.client_id and oauth2.tenant against the app's Overview page in Entra",
    ),
    "90002": ("the tenant does not exist", "check oauth2.tenant, e.g. contoso.onmicrosoft.com"),
    "65001": (
        "admin consent is missing",
        "grant admin consent for the app's API permissions in Microsoft Entra",
    ),
    "7000112": ("the application is disabled", "enable the app in Microsoft Entra"),
    "50173": (
        "the sign-in was revoked (password changed or sessions revoked)",
        "run `mailbaton auth login` again as the user mailbaton runs as",
    ),
    "70008": (
        "the saved sign-in has expired",
        "run `mailbaton auth login` again as the user mailbaton runs as",
    ),
    "700082": (
        "the saved sign-in has expired after a long time unused",
        "run `mailbaton auth login` again as the user mailbaton runs as",
    ),
}


def authority_of(settings: OAuth2Settings, default_tenant: str) -> str:
    base = (settings.authority or AUTHORITY).rstrip("/")
    return f"{base}/{settings.tenant or default_tenant}"


def problem_from(result: Mapping[str, Any], secrets: list[str]) -> SignInProblem:
    """msal's error answer -> a named problem; unknown codes are shown as Microsoft put them."""
    description = str(result.get("error_description") or "")
    codes = [str(c) for c in result.get("error_codes") or []]
    codes += re.findall(r"AADSTS(\d+)", description)
    for code in codes:
        if code in KNOWN_ERRORS:
            problem, fix = KNOWN_ERRORS[code]
            return SignInProblem(f"{problem} (AADSTS{code})", fix)
    first_line = scrub(description.splitlines()[0] if description else "", secrets)
    error = str(result.get("error") or "unknown error")
    return SignInProblem(
        f"Microsoft refused the token request: {error}: {first_line}".rstrip(": "),
        "see the AADSTS code at https://login.microsoftonline.com/error",
    )


PEM = "-----BEGIN {0}-----.+?-----END {0}-----"


def _certificate(path: Path) -> dict[str, str]:
    """The key and certificate from one PEM file (openssl ... -out both.pem)."""
    try:
        text = path.read_text()
    except OSError as error:
        raise SignInProblem(
            f"cannot read the certificate {path}: {error.strerror}",
            "check oauth2.certificate and that mailbaton's user can read it",
        ) from None
    key = re.search(PEM.format("[A-Z ]*PRIVATE KEY"), text, re.S)
    cert = re.search(PEM.format("CERTIFICATE"), text, re.S)
    if key is None or cert is None:
        raise SignInProblem(
            f"{path} does not hold both a private key and a certificate (PEM)",
            "concatenate the key and the certificate into one PEM file",
        )
    return {"private_key": key.group(0), "public_certificate": cert.group(0)}


class Microsoft:
    """Client credentials with a secret or a certificate; or a person's saved sign-in."""

    name = "microsoft"

    def __init__(self, settings: OAuth2Settings) -> None:
        self.settings = settings
        self.delegated = settings.token_cache is not None
        self._app: msal.ClientApplication | None = None
        self._fingerprint = ""

    def forget(self) -> None:
        self._app = None

    def _credential(self) -> tuple[Any, list[str]]:
        """Read again on every fetch, so a renewed secret or certificate needs no restart."""
        s = self.settings
        if s.certificate is not None:
            return _certificate(s.certificate), []
        variable = s.client_secret_env or ""
        secret = os.environ.get(variable, "")
        if not secret:
            raise SignInProblem(
                f"the environment variable {variable or '(client_secret_env)'} holds no secret",
                "set it to the client secret's Value from Microsoft Entra, or use certificate",
            )
        return secret, [secret]

    def app(self) -> tuple[msal.ClientApplication, list[str]]:
        s = self.settings
        options: dict[str, Any] = {"timeout": 30}
        if s.authority:
            # A sovereign cloud or a test authority: no lookup at Microsoft's public list.
            options["instance_discovery"] = False
        if self.delegated:
            secrets: list[str] = []
            fingerprint = "delegated"
        else:
            credential, secrets = self._credential()
            fingerprint = hashlib.sha256(repr(credential).encode()).hexdigest()
        if self._app is None or fingerprint != self._fingerprint:
            try:
                self._app = self._build(options, None if self.delegated else credential)
            except (ValueError, requests.RequestException) as error:
                raise SignInProblem(
                    f"the Microsoft sign-in endpoint for tenant {s.tenant or 'organizations'} "
                    f"did not answer as expected: {scrub(str(error), secrets)[:300]}",
                    "check oauth2.tenant (e.g. contoso.onmicrosoft.com), oauth2.authority and "
                    "the network; mailbaton tries again",
                ) from None
            self._fingerprint = fingerprint
        return self._app, secrets

    def _build(self, options: dict[str, Any], credential: Any) -> msal.ClientApplication:
        s = self.settings
        if credential is None:
            return msal.PublicClientApplication(
                s.client_id,
                authority=authority_of(s, "organizations"),
                token_cache=load_cache(s.token_cache),
                **options,
            )
        return msal.ConfidentialClientApplication(
            s.client_id,
            client_credential=credential,
            authority=authority_of(s, "organizations"),
            **options,
        )

    def fetch(self, user: str) -> Token:
        app, secrets = self.app()
        try:
            if self.delegated:
                result = self._silent(app, user)
            else:
                assert isinstance(app, msal.ConfidentialClientApplication)
                result = app.acquire_token_for_client(scopes=list(APP_SCOPES))
        except (ValueError, requests.RequestException) as error:
            self.forget()
            raise SignInProblem(
                f"cannot reach the Microsoft sign-in endpoint: {scrub(str(error), secrets)}",
                "check the network and oauth2.authority; mailbaton tries again",
            ) from None
        if not result or "access_token" not in result:
            self.forget()
            raise problem_from(result or {}, secrets)
        scopes = tuple(str(result.get("scope", "")).split())
        scopes = scopes or (USER_SCOPES if self.delegated else APP_SCOPES)
        return Token(
            str(result["access_token"]),
            float(result.get("expires_in", 3600)),
            self.name,
            scopes,
            account=user,
        )

    def _silent(self, app: msal.ClientApplication, user: str) -> dict[str, Any] | None:
        s = self.settings
        assert s.token_cache is not None
        accounts = app.get_accounts(username=user) or app.get_accounts()
        if not accounts:
            raise SignInProblem(
                f"nobody has signed in for {user} yet ({s.token_cache} holds no sign-in)",
                "run `mailbaton auth login` as the user mailbaton runs as",
            )
        result: dict[str, Any] | None = app.acquire_token_silent_with_error(
            list(USER_SCOPES), account=accounts[0], force_refresh=True
        )
        save_cache(app, s.token_cache)
        return result


def load_cache(path: Path | None) -> msal.SerializableTokenCache:
    cache = msal.SerializableTokenCache()
    if path is not None and path.exists():
        check_private(path)
        cache.deserialize(path.read_text())
    return cache


def save_cache(app: msal.ClientApplication, path: Path) -> None:
    cache = app.token_cache
    if isinstance(cache, msal.SerializableTokenCache) and cache.has_state_changed:
        write_private(path, cache.serialize())
        cache.has_state_changed = False


def device_login(settings: OAuth2Settings, show: Any) -> str:
    """`mailbaton auth login`: the device-code flow once; returns who signed in.

    `show` gets msal's message (the URL and the code to type there)."""
    assert settings.token_cache is not None
    provider = Microsoft(settings)
    app, _ = provider.app()
    assert isinstance(app, msal.PublicClientApplication)
    try:
        flow = app.initiate_device_flow(scopes=list(USER_SCOPES))
        if "user_code" not in flow:
            raise problem_from(flow, [])
        show(str(flow["message"]))
        result = app.acquire_token_by_device_flow(flow)
    except requests.RequestException as error:
        raise SignInProblem(
            f"cannot reach the Microsoft sign-in endpoint: {error}",
            "check the network and oauth2.authority",
        ) from None
    if "access_token" not in result:
        raise problem_from(result, [])
    save_cache(app, settings.token_cache)
    claims = result.get("id_token_claims") or {}
    return str(claims.get("preferred_username") or claims.get("email") or "an unnamed account")


def saved_account(settings: OAuth2Settings) -> str | None:
    """Whose sign-in the token cache holds (no network)."""
    cache = load_cache(settings.token_cache)
    for account in cache.search(msal.TokenCache.CredentialType.ACCOUNT):
        return str(account.get("username") or "an unnamed account")
    return None
