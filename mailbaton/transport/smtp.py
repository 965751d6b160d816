"""The only importer of aiosmtplib: one connection, many messages, errors sorted by fate."""

from __future__ import annotations

import asyncio
from types import TracebackType

import aiosmtplib

from mailbaton.config import SmtpSettings
from mailbaton.transport.auth import SignInProblem, server_refused, source_for
from mailbaton.transport.base import (
    PARTLY_REFUSED,
    Permanent,
    SignInFailed,
    Transient,
    TransportError,
)
from mailbaton.transport.tls import tls_context

# The names the outbox and the CLI have always caught; the classes live in base.
SmtpError = TransportError
SmtpTransient = Transient
SmtpPermanent = Permanent


class SmtpSender:
    """Async context manager: connects (and logs in) once, sends many messages."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.client: aiosmtplib.SMTP | None = None

    async def __aenter__(self) -> SmtpSender:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    async def connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        # start_tls=False matters: aiosmtplib would otherwise upgrade opportunistically,
        # and "starttls" must fail loudly rather than fall back to plaintext.
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            use_tls=s.security == "ssl",
            start_tls=s.security == "starttls",
            tls_context=tls_context(s.verify_tls, s.ca_file) if s.security != "none" else None,
            timeout=s.timeout,
        )
        try:
            await client.connect()
            if s.username:
                await sign_in(client, s)
        except SignInProblem:
            client.close()
            raise
        except aiosmtplib.SMTPAuthenticationError as error:
            client.close()
            raise SignInFailed(
                f"the SMTP server {s.host}:{s.port} refused the sign-in as {s.username}: "
                f"{error.code} {error.message}"
            ) from error
        except (aiosmtplib.SMTPException, OSError) as error:
            client.close()
            raise Transient(f"cannot connect to SMTP {s.host}:{s.port}: {error}") from error
        self.client = client
        return client

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()

    async def send(self, raw: bytes, mail_from: str, recipients: list[str]) -> str:
        """Sends or raises Transient / Permanent; returns the server's answer."""
        client = self.client if self.client and self.client.is_connected else None
        if client is None:
            client = await self.connect()
        # A catcher may be jösé@example.com (email-validator allows it): such an envelope
        # needs SMTPUTF8, and a server without it can never take it, so no retry will help.
        utf8 = not all(address.isascii() for address in (mail_from, *recipients))
        try:
            errors, answer = await client.sendmail(
                mail_from, recipients, raw, mail_options=["SMTPUTF8"] if utf8 else None
            )
        except aiosmtplib.SMTPNotSupported as error:
            raise Permanent(f"{error}, so it cannot take {', '.join(recipients)}") from error
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [refusal.code for refusal in error.recipients]
            raise _by_code(min(codes), str(error)) from error
        except aiosmtplib.SMTPResponseException as error:
            raise _by_code(error.code, f"{error.code} {error.message}") from error
        except (aiosmtplib.SMTPException, OSError) as error:
            await self.close()
            raise Transient(str(error) or type(error).__name__) from error
        if errors:
            # Some recipients refused: the others have it, so sending again would double.
            refused = ", ".join(f"{rcpt}: {code} {text}" for rcpt, (code, text) in errors.items())
            return f"{answer}{PARTLY_REFUSED}{refused}"
        return answer


async def sign_in(client: aiosmtplib.SMTP, s: SmtpSettings) -> None:
    """AUTH with the password, or AUTH XOAUTH2 with a token; a refused token is replaced by
    a fresh one once (it may have been revoked or expired early)."""
    if s.auth != "oauth2":
        await client.login(s.username, s.password)
        return
    source = source_for(s.oauth2, s.username)
    for last in (False, True):
        # The provider may block on the network or a command: not on the event loop.
        token = await asyncio.to_thread(source.token)
        try:
            await client.auth_xoauth2(s.username, token.value)
            return
        except aiosmtplib.SMTPAuthenticationError as error:
            source.refused(token)
            if last:
                said = f"{error.code} {error.message}"
                raise server_refused("SMTP", s.username, said, token) from None


def _by_code(code: int, text: str) -> TransportError:
    return Permanent(text) if 500 <= code < 600 else Transient(text)


async def check_login(settings: SmtpSettings) -> str:
    """For `mailbaton check`: connect, log in, say what the server is."""
    async with SmtpSender(settings) as sender:
        client = await sender.connect()
        tls = "TLS" if client.is_connected and settings.security != "none" else "no TLS"
        login = f"logged in as {settings.username}" if settings.username else "no login"
        return f"SMTP {settings.host}:{settings.port} ok ({tls}, {login})"
