"""Imported first by conftest.py: this test run keeps the bytecode it compiles.

A machine with PYTHONDONTWRITEBYTECODE set (CI's does) compiles mailbaton from source in
every process: each of the suite's hundreds of `mailbaton` subprocesses (~0.2 s of CPU
a start on 2 slow cores) and each worker's rewrite of every test module. The bytecode
goes where Python keeps it anyway, the __pycache__ folders git ignores; reading it back
is the same code, checked against the source's mtime on every import."""

from __future__ import annotations

import os
import sys

sys.dont_write_bytecode = False
# The daemons and CLI runs the tests start inherit this environment.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
