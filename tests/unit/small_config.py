"""The smallest config the CLI tests need: a mailbox signing in with a password, a SQLite
file, and any [smtp] lines a test adds."""

from __future__ import annotations

from pathlib import Path


def small_config(database: Path, smtp: str = "") -> str:
    smtp_table = f"[smtp]\n{smtp}\n\n" if smtp else ""
    return (
        '[mailbox]\nusername = "baton@example.com"\npassword = "secret"\n'
        f'address = "baton@example.com"\n\n{smtp_table}[database]\nurl = "sqlite:///{database}"\n'
    )
