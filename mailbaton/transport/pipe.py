"""The MTA pipe as a Mailbox: one message from a file or standard input (`mailbaton ingest`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import BinaryIO, Self

from mailbaton.store.ledger import Source
from mailbaton.store.models import Outcome
from mailbaton.transport.base import Incoming, head_size

CHUNK = 1024 * 1024


class Pipe:
    """One message; the ledger knows it by Message-ID only (a pipe has no UIDs)."""

    key = "ingest"

    def __init__(self, stream: BinaryIO, cap: int | None = None) -> None:
        self.stream = stream
        # With `cap`, read at once (at most cap + 1 bytes kept): head() can tell which
        # mailbox it was delivered to before it is decided.
        self.taken = read_capped(stream, cap) if cap is not None else None

    @classmethod
    def open(cls, path: str | None, cap: int | None = None) -> Pipe:
        """The file at `path`, else standard input; OSError when it cannot be opened."""
        return cls(open(path, "rb") if path else sys.stdin.buffer, cap)

    def head(self) -> bytes:
        """The header block (read with a cap given)."""
        return header_of(self.taken[0]) if self.taken else b"\n\n"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stream.close()

    def waiting(self) -> list[Source]:
        return [Source(self.key)]

    def read(self, sources: list[Source], cap: int) -> Iterator[Incoming]:
        for source in sources:
            raw, size = self.taken or read_capped(self.stream, cap)
            if size <= cap:
                yield Incoming(source, raw)
            else:
                yield Incoming(source, raw[: head_size(cap)], oversized=size)

    def file(self, source: Source, outcome: Outcome) -> bool:
        return False  # the MTA delivered it to us alone: there is no folder to file it in

    def file_all(self, filing: list[tuple[Source, Outcome]]) -> list[Source]:
        return []


def read_capped(stream: BinaryIO, cap: int) -> tuple[bytes, int]:
    """At most `cap` + 1 bytes are kept; the rest is only counted."""
    raw = stream.read(cap + 1)
    size = len(raw)
    while chunk := stream.read(CHUNK):
        size += len(chunk)
    return raw, size


def header_of(raw: bytes) -> bytes:
    """The header block alone, still a message: the classifier reads who sent it and why."""
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0] + b"\n\n"
