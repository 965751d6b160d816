"""provider = "command": a command prints an access token (the mutt / msmtp contract)."""

from __future__ import annotations

import shlex
import subprocess

from mailbaton.config import OAuth2Settings
from mailbaton.transport.oauth2.token import SignInProblem, Token, scrub

TIMEOUT_SECONDS = 60.0
FIX = "run the command by hand as the user mailbaton runs as; it must print a fresh token"


class Command:
    """Runs the command whenever a token is needed; its first output line is the token."""

    name = "command"

    def __init__(self, settings: OAuth2Settings) -> None:
        self.command = settings.command or ""

    def forget(self) -> None:
        """The command decides what it caches."""

    def fetch(self, user: str) -> Token:
        try:
            done = subprocess.run(
                shlex.split(self.command),
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, ValueError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise SignInProblem(f"cannot run the token command: {reason}", FIX) from None
        except subprocess.TimeoutExpired:
            raise SignInProblem(
                f"the token command gave no token within {TIMEOUT_SECONDS:.0f} s", FIX
            ) from None
        lines = done.stdout.strip().splitlines()
        token = lines[0].strip() if lines else ""
        if done.returncode != 0 or not token:
            # Its error output may quote what it printed; never show that.
            said = scrub(done.stderr.strip(), [token]).splitlines()
            last = f": {said[-1][:200]}" if said else ""
            what = f"exited with {done.returncode}" if done.returncode else "printed no token"
            raise SignInProblem(f"the token command {what}{last}", FIX)
        # The contract has no expiry: ask again for every login.
        return Token(token, 0.0, self.name, account=user)
