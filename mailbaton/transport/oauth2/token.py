"""What every provider hands back (a Token) or raises (a SignInProblem), and the cache file."""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from mailbaton.transport.base import SignInFailed

# Text that stands where a secret would have been printed.
HIDDEN = "[hidden]"


@dataclass(frozen=True)
class Token:
    """An access token and what `check` may say about it; the value never shows in repr."""

    value: str = field(repr=False)
    lifetime: float  # seconds it was valid for when obtained
    provider: str
    scopes: tuple[str, ...] = ()
    account: str = ""


class Provider(Protocol):
    """Gets a fresh token; raises SignInProblem when it cannot."""

    name: str

    def fetch(self, user: str) -> Token: ...

    def forget(self) -> None:
        """Drops anything cached, so the next fetch asks the authority again."""
        ...


class SignInProblem(SignInFailed):
    """A token could not be had, or the server refused one: what, and the likely fix.

    Transient: the daemon keeps trying with backoff, since the fix (a new secret, consent
    granted again) is made by an admin while it runs."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"OAuth2 sign-in failed: {problem}. Fix: {fix}")
        self.problem = problem
        self.fix = fix


def scrub(text: str, secrets: list[str]) -> str:
    """`text` with every secret in it replaced, for an error from a server or a command."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, HIDDEN)
    return text


def check_private(path: Path) -> None:
    """Refuses a token cache that anyone but its owner can read: it holds a refresh token."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SignInProblem(
            f"the token cache {path} can be read by others (mode {stat.S_IMODE(mode):04o})",
            f"chmod 600 {path}, as the user mailbaton runs as",
        )


def write_private(path: Path, text: str) -> None:
    """Replaces the file at once (no half-written cache), readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
