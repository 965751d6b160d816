"""`mailbaton auth login` / `auth status`, and the OAuth2 lines of `mailbaton check`."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from mailbaton.clock import utcnow
from mailbaton.config import Settings
from mailbaton.transport.oauth2.token import SignInProblem

EXIT_OK, EXIT_ERROR = 0, 1
NO_OAUTH2 = 'no mailbox or SMTP server signs in with OAuth2 (auth = "password" everywhere)'

GOOGLE_LOGIN = """\
Google does not allow the mail scope in its device-code flow, so for a person's Gmail
mailbox make the saved sign-in with Google's own tools once, e.g.
  gcloud auth application-default login --client-id-file=client.json \\
      --scopes=https://mail.google.com/
and copy the file it writes (application_default_credentials.json) to {cache},
readable by the user mailbaton runs as only (chmod 600). For a Workspace mailbox use a
service account with domain-wide delegation instead (service_account_file)."""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    auth = commands.add_parser("auth", help="delegated OAuth2 sign-in and the token's state")
    actions = auth.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    actions.add_parser("login", help="sign in once (device code); keeps it in token_cache")
    actions.add_parser("status", help="whose token it is, when it was refreshed, does it work")


def users(settings: Settings) -> list[str]:
    """The accounts that sign in with OAuth2 (every mailbox's), each once."""
    found = [
        s.username
        for box in settings.mailboxes
        for s in (box.mailbox, box.smtp)
        if s.auth == "oauth2"
    ]
    return list(dict.fromkeys(found))


def check_lines(settings: Settings) -> tuple[list[str], bool]:
    """For `check`: a token is obtained for each OAuth2 account, before the logins."""
    from mailbaton.transport.auth import token_source  # Google's and Microsoft's libraries

    lines, ok = [], True
    for user in users(settings):
        try:
            token = token_source(settings.oauth2, user).token(fresh=True)
        except SignInProblem as problem:
            lines.append(f"OAuth2 ({settings.oauth2.provider}) for {user}: FAILED: {problem}")
            ok = False
            continue
        scopes = ", ".join(token.scopes) or "as the command chose"
        expiry = f"expires in {_duration(token.lifetime)}" if token.lifetime else "no expiry given"
        lines.append(
            f"OAuth2 ({token.provider}) for {user}: token obtained, {expiry}; scopes: {scopes}"
        )
    return lines, ok


def auth_command(args: argparse.Namespace, settings: Settings) -> int:
    if not users(settings) and (args.action == "status" or settings.oauth2.provider is None):
        # Passwords everywhere is a state, not an error; a login has nothing to sign in to.
        if args.action == "status":
            print(NO_OAUTH2 + ", so there is no token")
            return EXIT_OK
        _fail(
            f'{NO_OAUTH2}, so there is nothing to log in; for OAuth2 set auth = "oauth2" in '
            "[mailbox] (and [smtp]) and add [oauth2] with a provider; see 'Signing in with "
            "OAuth2' in the README"
        )
        return EXIT_ERROR
    if args.action == "login":
        return _login(settings)
    return _status(settings)


def _fail(problem: str) -> None:
    print(f"mailbaton: {problem}", file=sys.stderr)


def _login(settings: Settings) -> int:
    oauth2 = settings.oauth2
    if oauth2.token_cache is None:
        _fail(
            "[oauth2] has no token_cache, so the app signs in by itself and there is nothing "
            'to log in; add token_cache = "oauth2-token.json" for a person\'s mailbox'
        )
        return EXIT_ERROR
    if oauth2.provider == "google":
        print(GOOGLE_LOGIN.format(cache=oauth2.token_cache), file=sys.stderr)
        return EXIT_ERROR
    if oauth2.provider != "microsoft":
        _fail("provider = 'command' signs in through its command; nothing to do here")
        return EXIT_ERROR
    from mailbaton.transport.oauth2.microsoft import device_login

    try:
        who = device_login(oauth2, lambda message: print(message, flush=True))
    except SignInProblem as problem:
        _fail(str(problem))
        return EXIT_ERROR
    print(f"signed in as {who}; the sign-in is kept in {oauth2.token_cache} (mode 0600)")
    return EXIT_OK


def _status(settings: Settings) -> int:
    oauth2 = settings.oauth2
    cache = oauth2.token_cache
    print(f"provider: {oauth2.provider}")
    if cache is None:
        print("sign-in: the app's own (no saved sign-in); tokens are fetched as needed")
    elif not cache.exists():
        print(f"sign-in: none saved in {cache}; run `mailbaton auth login`")
        return EXIT_ERROR
    else:
        from mailbaton.transport.oauth2.microsoft import saved_account

        try:
            who = saved_account(oauth2) if oauth2.provider == "microsoft" else None
        except SignInProblem as problem:
            _fail(str(problem))
            return EXIT_ERROR
        changed = datetime.fromtimestamp(cache.stat().st_mtime, UTC)
        ago = _duration((utcnow() - changed).total_seconds())
        print(f"sign-in: {who or 'saved'} in {cache}")
        print(f"last refreshed: {changed:%Y-%m-%d %H:%M} UTC ({ago} ago)")
    lines, ok = check_lines(settings)
    for line in lines:
        print(line)
    return EXIT_OK if ok else EXIT_ERROR


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
