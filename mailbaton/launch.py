"""The console entry point: Ctrl-C while the program is still starting is a clean stop."""

from __future__ import annotations

import os
import sys


def main() -> int:
    # The import is inside the try: loading SQLAlchemy and friends takes a moment, and a
    # Ctrl-C or SIGINT in that moment must not show a person a traceback.
    try:
        from mailbaton.app.cli import main as cli_main

        return cli_main()
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        # `mailbaton status | head`: the reader left, which is not an error. Point stdout
        # at /dev/null so the interpreter's final flush does not fail a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
