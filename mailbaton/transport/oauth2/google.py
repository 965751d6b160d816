"""Google Workspace tokens through google-auth: a service account acting as the mailbox user
(domain-wide delegation), or a person's saved refresh token."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import google.auth.exceptions
import google.auth.transport.requests
import requests
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from mailbaton.clock import utcnow
from mailbaton.config import OAuth2Settings
from mailbaton.transport.oauth2.token import SignInProblem, Token, check_private, scrub

SCOPES = ("https://mail.google.com/",)

# Google's token errors an admin meets, each with what fixes it.
KNOWN_ERRORS: tuple[tuple[str, str, str], ...] = (
    (
        "unauthorized_client",
        "the service account may not act for this mailbox with the scope https://mail.google.com/",
        "in the Google Admin console, Security > API controls > Domain-wide delegation, add "
        "the service account's client ID with the scope https://mail.google.com/",
    ),
    (
        "invalid_grant: Invalid JWT Signature",
        "the service account key was deleted or is not this account's",
        "create a new key for the service account and point service_account_file at it",
    ),
    (
        "invalid_grant: Invalid email or User ID",
        "the mailbox user does not exist in the Workspace domain",
        "check mailbox.username / smtp.username (the user the service account acts as)",
    ),
    (
        "invalid_grant",
        "the saved sign-in was revoked or has expired",
        "sign in again and save the new authorized-user file as oauth2.token_cache",
    ),
    (
        "invalid_client",
        "Google does not know this client (deleted or disabled)",
        "check the client in the Google Cloud console and the file's client_id",
    ),
)


def problem_from(text: str, secrets: list[str]) -> SignInProblem:
    for marker, problem, fix in KNOWN_ERRORS:
        if marker in text:
            return SignInProblem(problem, fix)
    return SignInProblem(
        f"Google refused the token request: {scrub(text, secrets)[:300]}",
        "see https://developers.google.com/identity/protocols/oauth2/service-account",
    )


class Google:
    """Read the key file again on every fetch, so a replaced key needs no restart."""

    name = "google"

    def __init__(self, settings: OAuth2Settings) -> None:
        self.settings = settings

    def forget(self) -> None:
        """Nothing is kept between fetches."""

    def _credentials(self, user: str) -> Any:
        s = self.settings
        try:
            if s.token_cache is not None:
                check_private(s.token_cache)
                info = json.loads(s.token_cache.read_text())
                if not isinstance(info, dict):
                    raise ValueError("not an authorized-user file")
                found = user_credentials.Credentials.from_authorized_user_info(  # type: ignore[no-untyped-call]
                    info, list(SCOPES)
                )
                # google-auth puts Google's endpoint in, whatever the file says; a file that
                # names another (as a service account key may) is taken at its word.
                uri = info.get("token_uri")
                return found.with_token_uri(uri) if uri else found
            assert s.service_account_file is not None
            return service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                str(s.service_account_file), scopes=list(SCOPES), subject=user
            )
        except (OSError, ValueError) as error:
            path: Path | None = s.token_cache or s.service_account_file
            reason = getattr(error, "strerror", None) or type(error).__name__
            raise SignInProblem(
                f"cannot use {path}: {reason}",
                "point the key at a service account key (JSON) or an authorized-user file",
            ) from None

    def fetch(self, user: str) -> Token:
        credentials = self._credentials(user)
        secrets = [str(getattr(credentials, "refresh_token", "") or "")]
        try:
            credentials.refresh(google.auth.transport.requests.Request())
        except google.auth.exceptions.RefreshError as error:
            raise problem_from(str(error.args[0] if error.args else error), secrets) from None
        except (google.auth.exceptions.TransportError, requests.RequestException) as error:
            raise SignInProblem(
                f"cannot reach Google's token endpoint: {scrub(str(error), secrets)[:300]}",
                "check the network; mailbaton tries again",
            ) from None
        lifetime = 3600.0
        expiry = credentials.expiry
        if expiry is not None:
            # google-auth keeps expiry as naive UTC.
            lifetime = max((expiry - utcnow().replace(tzinfo=None)).total_seconds(), 0.0)
        return Token(str(credentials.token), lifetime, self.name, SCOPES, account=user)
