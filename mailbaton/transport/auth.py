"""OAuth2 sign-in (XOAUTH2): one token source per account, refreshed before it expires,
fetched fresh once more when a server refuses it, and problems named with their fix."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from mailbaton.clock import utcnow
from mailbaton.config import OAuth2Settings
from mailbaton.transport.oauth2.token import Provider, SignInProblem, Token, scrub

__all__ = [
    "SignInProblem",
    "Token",
    "TokenSource",
    "server_refused",
    "source_for",
    "token_source",
    "xoauth2",
]

log = logging.getLogger(__name__)

# Refresh this long before a token runs out (a quarter of its life for short-lived ones),
# so a login never presents a token that expires on the way.
MARGIN_SECONDS = 60.0


def provider_for(settings: OAuth2Settings) -> Provider:
    # Each provider's library is imported only when the config names it: google-auth,
    # msal and requests cost every start of a password-only service ~0.2 s of CPU.
    if settings.provider == "microsoft":
        from mailbaton.transport.oauth2.microsoft import Microsoft

        return Microsoft(settings)
    if settings.provider == "google":
        from mailbaton.transport.oauth2.google import Google

        return Google(settings)
    if settings.provider == "command":
        from mailbaton.transport.oauth2.command import Command

        return Command(settings)
    raise SignInProblem(
        "[oauth2] names no provider",
        'set provider = "microsoft", "google" or "command" in [oauth2]',
    )


class TokenSource:
    """The current token of one account; safe to share between the pass and the IDLE thread."""

    def __init__(self, provider: Provider, user: str) -> None:
        self.provider = provider
        self.user = user
        self._lock = threading.Lock()
        self._token: Token | None = None
        self._good_until = 0.0  # time.monotonic(): immune to the wall clock jumping
        self.refreshed_at: datetime | None = None
        self.refreshes = 0

    def token(self, fresh: bool = False) -> Token:
        """The cached token while it has time left, else (or when `fresh`, as `check` asks)
        a new one; SignInProblem if none can be had."""
        with self._lock:
            now = time.monotonic()
            if not fresh and self._token is not None and now < self._good_until:
                return self._token
            if fresh:
                self.provider.forget()  # msal would answer from its own cache
            try:
                token = self.provider.fetch(self.user)
            except SignInProblem as problem:
                self._token = None
                log.warning("%s", problem)
                raise
            except Exception as error:  # a library's surprise: named, never a traceback
                self._token = None
                # Only the type: the text of an unknown error may quote a secret.
                surprise = SignInProblem(
                    f"the {self.provider.name} sign-in failed unexpectedly "
                    f"({type(error).__name__})",
                    "run `mailbaton -v check`; if it persists, report it with that output",
                )
                log.warning("%s", surprise)
                raise surprise from None
            margin = min(MARGIN_SECONDS, token.lifetime / 4)
            self._token, self._good_until = token, now + token.lifetime - margin
            self.refreshes += 1
            self.refreshed_at = utcnow()
            log.info(
                "OAuth2: new %s token for %s (valid %.0f s)",
                self.provider.name,
                self.user,
                token.lifetime,
            )
            return token

    def refused(self, token: Token) -> None:
        """A server said this token is no longer good: the next login fetches a fresh one."""
        with self._lock:
            if self._token is not None and self._token.value == token.value:
                self._token = None
                self.provider.forget()


_sources: dict[tuple[OAuth2Settings, str], TokenSource] = {}
_sources_lock = threading.Lock()


def token_source(settings: OAuth2Settings, user: str) -> TokenSource:
    """One source per account and process: IMAP, SMTP and IDLE share its token."""
    with _sources_lock:
        found = _sources.get((settings, user))
        if found is None:
            found = _sources[(settings, user)] = TokenSource(provider_for(settings), user)
        return found


def source_for(settings: OAuth2Settings | None, user: str) -> TokenSource:
    """The token source of a connection whose settings say auth = "oauth2"."""
    if settings is None:
        # Settings made in code rather than by the loader: never fall back to a password.
        raise SignInProblem(
            f'auth = "oauth2" for {user}, but no [oauth2] table came with the settings',
            "load the config with mailbaton.config.load, which hands [oauth2] on",
        )
    return token_source(settings, user)


def xoauth2(user: str, token: str) -> bytes:
    """The SASL XOAUTH2 initial response (before base64)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()


# What a server refusing a fresh token usually means, per provider and protocol.
REFUSAL_FIXES: dict[tuple[str, str], str] = {
    ("microsoft", "IMAP"): (
        "app sign-in: create the Exchange service principal (New-ServicePrincipal) and give it "
        "FullAccess on the mailbox (Add-MailboxPermission); check IMAP is on for the mailbox "
        "(Set-CASMailbox -ImapEnabled $true) and that the app has IMAP.AccessAsApp with admin "
        "consent; a person's sign-in: run `mailbaton auth login` again"
    ),
    ("microsoft", "SMTP"): (
        "enable SMTP AUTH for the mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled "
        "$false); app sign-in: SMTP.SendAsApp with admin consent and the service principal "
        "on the mailbox (Add-MailboxPermission, Add-RecipientPermission -AccessRights SendAs)"
    ),
    ("google", "IMAP"): (
        "check that IMAP is on for the user (Admin console, Gmail > End user access) and "
        "that domain-wide delegation covers https://mail.google.com/"
    ),
    ("google", "SMTP"): "check that domain-wide delegation covers https://mail.google.com/",
}


def server_refused(protocol: str, user: str, said: str, token: Token) -> SignInProblem:
    """A mail server refused a token we had just fetched: the token is fine, the rights not."""
    told = scrub(said, [token.value]).strip()[:300]
    if "SmtpClientAuthentication is disabled" in told:
        return SignInProblem(
            f"SMTP AUTH is disabled for {user} ({told})",
            "Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false",
        )
    fix = REFUSAL_FIXES.get(
        (token.provider, protocol),
        "check that the token command prints a token for this user with the mail scopes",
    )
    return SignInProblem(
        f"the {protocol} server refused a fresh {token.provider} token for {user}"
        + (f" (the server said: {told})" if told else ""),
        fix,
    )
