"""Fuzz intake.process: mutated real-world mail and generated handoffs, each one filed, none raises.

Three hypothesis tests, each against ONE SQLite database with a real Desk:

- real messages from ../shared/corpus (plus hand-made seeds, so this still fuzzes
  without the corpus) mutated at the byte, header and MIME level;
- whole handoffs and replies built from random field values;
- structural extremes: thousands of parts, deep nesting, header bombs.

Every processed message counts as one case. Per case: no exception escapes, the
outcome is one of the four, the ledger has exactly one row for its UID with that
outcome, and a failed or rejected outcome says why. Each test asserts its own quota of
cases, and the quotas add up to at least 10,000 (checked on import), so a passing module
ran 10,000+ cases however pytest-xdist spread its tests; a worker that ran the whole
module also checks the total it counted.

Reproducible: derandomize=True (each part of the mutation test a fixed seed of its own)
and no example database; every mutation draws its parameters from a random.Random
seeded by an integer hypothesis drew.
"""

from __future__ import annotations

import base64
import itertools
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers
from sqlalchemy import event, select

from mailbaton.app import intake
from mailbaton.app.service import Service
from mailbaton.config import from_dict
from mailbaton.store.db import Database
from mailbaton.store.models import Inbound

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
# Minutes, not seconds: it runs with the end-to-end tier, not in the quick unit loop. The
# mutation test runs in parts, so pytest-xdist's workers share the module.
pytestmark = pytest.mark.e2e
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OUTCOMES = {intake.PROCESSED, intake.REJECTED, intake.IGNORED, intake.FAILED}
MIN_CASES = 10_000
MUTATION_SEED = 20261123

# Examples x messages per example (plus one replay and one redelivery per mutation example).
MUTATION_EXAMPLES, MUTATION_BATCH = 920, 8
# The mutation examples in parts of their own (a seed and a database each), run side by side.
MUTATION_PARTS = 4
HANDOFF_EXAMPLES, HANDOFF_BATCH = 170, 6
EXTREME_EXAMPLES, EXTREME_BATCH = 10, 2
# What each test must count itself; together they keep the promise of MIN_CASES.
MUTATION_PART_QUOTA = MUTATION_EXAMPLES // MUTATION_PARTS * (MUTATION_BATCH + 2)
HANDOFF_QUOTA = HANDOFF_EXAMPLES * HANDOFF_BATCH
EXTREME_QUOTA = EXTREME_EXAMPLES * EXTREME_BATCH
QUOTAS = MUTATION_PARTS * MUTATION_PART_QUOTA + HANDOFF_QUOTA + EXTREME_QUOTA
assert QUOTAS >= MIN_CASES, f"the tests' quotas add up to {QUOTAS}, under {MIN_CASES}"

CASES: Counter[str] = Counter()
OUTCOME_COUNTS: Counter[str] = Counter()
FAILED_REASONS: Counter[str] = Counter()
FINISHED: set[str] = set()
FUZZ_TESTS = MUTATION_PARTS + 2

FUZZ_SETTINGS = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "print_blob": False,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}


# -- seeds -------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
HANDOFF_BODY = (
    b"Catcher: Jane Doe <jane@example.com>\r\nAttached: yes\r\n"
    b"Title: Acme contract\r\nDue: 2026-11-27\r\nNotes: call on Friday\r\n\r\nThanks!\r\n"
)


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _head(subject: bytes, sender: bytes = b"Alice Smith <alice@example.com>") -> bytes:
    return (
        b"From: " + sender + b"\r\nTo: baton@example.com\r\nSubject: " + subject + b"\r\n"
        b"Date: Mon, 23 Nov 2026 09:00:00 +0000\r\nMessage-ID: <seed@client.example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
    )


def hand_made_seeds() -> list[bytes]:
    """Small messages written for this test: every shape intake distinguishes."""
    pdf_part = (
        b'Content-Type: application/pdf; name="contract.pdf"\r\n'
        b'Content-Disposition: attachment; filename="contract.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + _b64(PDF)
    )
    plain_handoff = (
        _head(b"HANDOFF: Acme contract")
        + b'Content-Type: multipart/mixed; boundary="mix"\r\n\r\n'
        + b"--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + HANDOFF_BODY
        + b"--mix\r\n"
        + pdf_part
        + b"--mix--\r\n"
    )
    html_only = (
        _head(b"=?utf-8?q?=C3=9Cbergabe_M=C3=BCller?=")
        + b'Content-Type: multipart/mixed; boundary="m1"\r\n\r\n--m1\r\n'
        + b"Content-Type: text/html; charset=iso-8859-1\r\n"
        + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        + b"<p class=3DMsoNormal>Catcher: Jane &lt;jane@example.com&gt;</p>"
        + b"<p>Attached: yes</p><p>Gr=FC=DFe</p>\r\n--m1\r\n"
        + b"Content-Type: application/octet-stream\r\n"
        + b"Content-Disposition: attachment; filename*=utf-8''Vertr%C3%A4ge%20neu.pdf\r\n"
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + _b64(PDF)
        + b"--m1--\r\n"
    )
    related = (
        _head(b"Logo only")
        + b'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n--alt\r\n'
        + b"Content-Type: text/plain\r\n\r\nCatcher: jane@example.com\r\nAttached: yes\r\n"
        + b'--alt\r\nContent-Type: multipart/related; boundary="rel"\r\n\r\n--rel\r\n'
        + b'Content-Type: text/html\r\n\r\n<p>Catcher: jane@example.com</p><img src="cid:l@c">'
        + b"\r\n--rel\r\nContent-Type: image/png\r\nContent-ID: <l@c>\r\n"
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + _b64(PNG)
        + b"--rel--\r\n--alt--\r\n"
    )
    forwarded = (
        _head(b"Fwd: contract")
        + b'Content-Type: multipart/mixed; boundary="fw"\r\n\r\n--fw\r\n'
        + b"Content-Type: text/plain\r\n\r\nCatcher: Bob <bob@example.com>\r\n\r\n--fw\r\n"
        + b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + _b64(_head(b"inner") + b"Content-Type: text/plain\r\n\r\ninner body\r\n")
        + b"--fw--\r\n"
    )
    bounce = (
        _head(b"Undelivered Mail Returned to Sender", b"MAILER-DAEMON@mx.example.com")
        + b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        + b"--r\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        + b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        + b"Final-Recipient: rfc822; jane@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        + b"--r\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        + b"Message-ID: <MB-1.request@example.com>\r\nSubject: [MB-1] request\r\n"
        + b"--r--\r\n"
    )
    auto_reply = (
        _head(b"Out of office: HANDOFF")
        + b"Auto-Submitted: auto-replied\r\nContent-Type: text/plain\r\n\r\n"
        + b"I am away until Monday.\r\n"
    )
    tnef = (
        _head(b"rich text")
        + b'Content-Type: multipart/mixed; boundary="t"\r\n\r\n--t\r\n'
        + b"Content-Type: text/plain\r\n\r\n"
        + HANDOFF_BODY
        + b'--t\r\nContent-Type: application/ms-tnef; name="winmail.dat"\r\n'
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + _b64(b"\x78\x9f\x3e\x22" + bytes(range(256)))
        + b"--t--\r\n"
    )
    signed = (
        _head(b"signed handoff")
        + b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
        + b'micalg=sha-256; boundary="s"\r\n\r\n--s\r\n'
        + b'Content-Type: multipart/mixed; boundary="s2"\r\n\r\n--s2\r\n'
        + b"Content-Type: text/plain\r\n\r\n"
        + HANDOFF_BODY
        + b"--s2\r\n"
        + pdf_part
        + b"--s2--\r\n--s\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n"
        + b"Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--s--\r\n"
    )
    eight_bit = (
        b"From: J\xc3\xbcrgen M\xfcller <juergen@example.com>\r\nTo: baton@example.com\r\n"
        b"Subject: \xc3\x9cbergabe \xff\xfe Vertrag\r\nMessage-ID: <8bit@client>\r\n"
        b"Content-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        b"Catcher: \xe5\xbc\xa0\xe4\xbc\x9f <zhang@example.com>\r\nAttached: ja\r\n"
    )
    reply = (
        _head(b"Re: [MB-1] Acme contract", b"Jane Doe <jane@example.com>")
        + b"In-Reply-To: <MB-1.request@example.com>\r\nContent-Type: text/plain\r\n\r\n"
        + b"Got it, thanks!\r\n\r\nOn Mon, Alice wrote:\r\n> Catcher: Jane\r\n"
    )
    headerless = b"Just a body with no headers at all.\n\nCatcher: jane@example.com\n"
    return [
        plain_handoff,
        html_only,
        related,
        forwarded,
        bounce,
        auto_reply,
        tnef,
        signed,
        eight_bit,
        reply,
        headerless,
    ]


_HEADER_START = re.compile(rb"\A(?:\s*\n)*[A-Za-z][A-Za-z0-9-]{0,60}:")
_SKIP_NAMES = {"SOURCE.txt", "INDEX.md", "README.md", "EXPECTATIONS.md"}


def corpus_seeds(limit: int = 300, max_size: int = 64_000) -> list[bytes]:
    """Up to `limit` real messages, taken round-robin over the corpus's sources."""
    if not CORPUS.is_dir():
        return []
    by_source: dict[str, list[bytes]] = {}
    for path in sorted(CORPUS.rglob("*")):
        if (
            not path.is_file()
            or path.name in _SKIP_NAMES
            or path.name.startswith(("LICENSE", "COPYING", "NOTICE"))
            or path.suffix in {".md", ".yml", ".list", ".tnef", ".rtf", ".png", ".jpg", ".pdf"}
            or path.stat().st_size > max_size
        ):
            continue
        data = path.read_bytes()
        if _HEADER_START.match(data[:2000]):  # whole messages only, not bare reply bodies
            by_source.setdefault(path.relative_to(CORPUS).parts[0], []).append(data)
    picked: list[bytes] = []
    for group in itertools.zip_longest(*by_source.values()):
        picked.extend(item for item in group if item is not None)
    return picked[:limit]


SEEDS: list[bytes] = hand_made_seeds() + corpus_seeds()


# -- mutations ---------------------------------------------------------------------------

UNKNOWN_CHARSETS = [
    b"x-unknown",
    b"utf-99",
    b"",
    b'"',
    b"unknown-8bit",
    b"utf-7",
    b"utf-16",
    b"utf-32-be",
    b"iso-2022-jp",
    b"big5",
    b"ks_c_5601-1987",
    b"\xe9bad\xe9",
    b"utf-8*en",
    b"rot13",
    b"base64",
    b"idna",
    b"x" * 300,
]
BROKEN_WORDS = [
    b"=?utf-8?q?broken",
    b"=?utf-8?b?!!!not base64?=",
    b"=?utf-8?b?w6?=",
    b"=?x-unknown?q?=FF=FE?=",
    b"=??q?empty_charset?=",
    b"=?utf-8??no_encoding?=",
    b"=?utf-8?z?bad_encoding?=",
    b"=?utf-8*de?q?lang?=",
    b"=?utf-16?b?2D3d?=",
    b"=?utf-8?q?=C3?=",
    b"=?iso-2022-jp?b?GyRCJUYlOSVIGyhC?=",
    b"=?utf-8?q?a?==?utf-8?q?b?=",
    b"=?utf-8?q?" + b"=E2=82=AC" * 400 + b"?=",
    b"=?\xff?q?x?=",
    b"=?rot13?q?x?=",
    b"=?utf-7?q?+AGEAYgBj-?=",
]
CONTENT_TYPES = [
    b"multipart/mixed",
    b'multipart/mixed; boundary=""',
    b"message/rfc822",
    b"message/global",
    b"message/delivery-status",
    b"multipart/report; report-type=delivery-status; boundary=x",
    b"application/ms-tnef",
    b"application/pkcs7-mime; smime-type=enveloped-data",
    b"multipart/encrypted",
    b"multipart/signed",
    b"text/rfc822-headers",
    b"message/partial; id=x; number=1",
    b"text/html; charset=x-unknown",
    b"text/plain; charset=utf-16",
    b"/",
    b"text/",
    b";;;",
    b"text/plain; name*0*=utf-8''a%; name*1=b",
]
TRANSFER_ENCODINGS = [
    b"base64",
    b"quoted-printable",
    b"x-uuencode",
    b"uuencode",
    b"7bit",
    b"8bit",
    b"binary",
    b"bogus",
    b"",
    b"base64; x=y",
]
JUNK = [b"\x00", b"\xff", b"\x80", b"\xc3", b"\x1b$B", b"\x0c", b"\r", b"\t", b"\xef\xbb\xbf"]
SENDERS = [
    b"Alice Smith <alice@example.com>",
    b"bob@example.com",
    b"=?utf-8?b?w5xiZXI=?= <ueber@example.com>",
    b"<>",
    b"baton@example.com",
    b"undisclosed-recipients:;",
    b'"no address"',
]


def _split(data: bytes) -> tuple[bytes, bytes]:
    match = re.search(rb"\r?\n\r?\n", data)
    return (data[: match.start()], data[match.start() :]) if match else (data, b"")


def _nl(data: bytes) -> bytes:
    return b"\r\n" if b"\r\n" in data[:4096] else b"\n"


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        out[rng.randrange(len(out))] ^= rng.randint(1, 255)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randint(0, len(data))]


def drop_header_line(data: bytes, rng: random.Random) -> bytes:
    head, body = _split(data)
    lines = head.split(b"\n")
    for _ in range(rng.randint(1, 3)):
        if lines:
            del lines[rng.randrange(len(lines))]
    return b"\n".join(lines) + body


def repeat_header_line(data: bytes, rng: random.Random) -> bytes:
    head, body = _split(data)
    lines = head.split(b"\n")
    index = rng.randrange(len(lines))
    copies = rng.choice([1, 2, 20, 300])
    lines[index:index] = [lines[index]] * copies
    return b"\n".join(lines) + body


def corrupt_boundary(data: bytes, rng: random.Random) -> bytes:
    found = re.findall(rb'boundary\s*=\s*"?([^";\r\n]+)', data, re.IGNORECASE)
    if not found:
        nl = _nl(data)
        return b"Content-Type: multipart/mixed; boundary=zz" + nl + data
    boundary = rng.choice(found)
    action = rng.randrange(7)
    if action == 0:  # the closing delimiter is lost
        return data.replace(b"--" + boundary + b"--", b"")
    if action == 1:  # the header names a boundary the body never uses
        return data.replace(boundary, boundary + b"X", 1)
    if action == 2:  # empty boundary
        return re.sub(rb'boundary\s*=\s*"?[^";\r\n]+"?', b'boundary=""', data, count=1)
    if action == 3:  # one delimiter line damaged
        hits = [m.start() for m in re.finditer(re.escape(b"--" + boundary), data)]
        at = rng.choice(hits) if hits else 0
        return data[:at] + b"-" + data[at + 1 :]
    if action == 4:  # a stray delimiter in the middle of a part
        at = rng.randint(0, len(data))
        return data[:at] + _nl(data) + b"--" + boundary + _nl(data) + data[at:]
    if action == 5:  # boundary with spaces, quotes and 8-bit bytes
        return data.replace(boundary, b'a "b\xff c', 1)
    return data.replace(b"--" + boundary, b"--" + boundary[: max(1, len(boundary) // 2)])


def swap_charset(data: bytes, rng: random.Random) -> bytes:
    label = rng.choice(UNKNOWN_CHARSETS)
    if rng.random() < 0.5 and re.search(rb"=\?[^?\s]*\?", data):
        return re.sub(rb"=\?[^?\s]*\?", b"=?" + label + b"?", data, count=rng.randint(1, 5))
    if re.search(rb"charset\s*=", data, re.IGNORECASE):
        return re.sub(
            rb'charset\s*=\s*"?[^";\s]*"?',
            b"charset=" + label,
            data,
            count=rng.randint(1, 5),
            flags=re.IGNORECASE,
        )
    return b"Content-Type: text/plain; charset=" + label + _nl(data) + data


def broken_encoded_word(data: bytes, rng: random.Random) -> bytes:
    word = rng.choice(BROKEN_WORDS)
    header = rng.choice([b"Subject", b"From", b"To", b"Reply-To", b"Content-Disposition"])
    match = re.search(rb"(?im)^" + header + rb":[ \t]*", data)
    if header == b"Content-Disposition":
        value = b'attachment; filename="' + word + b'.pdf"'
        if match is None:
            return data.replace(b"\n\n", b"\nContent-Disposition: " + value + b"\n\n", 1)
        return data[: match.end()] + value + b"; x=" + data[match.end() :]
    if match is None:
        return header + b": " + word + _nl(data) + data
    if header in (b"From", b"To", b"Reply-To"):
        word += b" <alice@example.com>,"
    return data[: match.end()] + word + b" " + data[match.end() :]


def mix_newlines(data: bytes, rng: random.Random) -> bytes:
    action = rng.randrange(6)
    lf = data.replace(b"\r\n", b"\n")
    if action == 0:
        return lf
    if action == 1:
        return lf.replace(b"\n", b"\r\n")
    if action == 2:
        return lf.replace(b"\n", b"\r")
    if action == 3:  # every other line break converted
        pieces = lf.split(b"\n")
        return b"".join(p + (b"\r\n" if i % 2 else b"\n") for i, p in enumerate(pieces))[:-1]
    if action == 4:
        return data.replace(b"\r\n", b"\r\r\n")
    head, body = _split(data)  # a lone CR inside a header
    at = rng.randint(0, len(head))
    return head[:at] + b"\r" + head[at:] + body


def insert_junk(data: bytes, rng: random.Random) -> bytes:
    head, _ = _split(data)
    limit = len(head) if rng.random() < 0.5 else len(data)
    at = rng.randint(0, limit)
    junk = rng.randbytes(rng.randint(1, 64)) if rng.random() < 0.5 else rng.choice(JUNK)
    return data[:at] + junk * rng.choice([1, 1, 3, 100]) + data[at:]


def swap_content_type(data: bytes, rng: random.Random) -> bytes:
    value = rng.choice(CONTENT_TYPES)
    hits = list(re.finditer(rb"(?im)^content-type:[ \t]*([^\r\n;]*)", data))
    if not hits:
        return b"Content-Type: " + value + _nl(data) + data
    hit = rng.choice(hits)
    return data[: hit.start(1)] + value + data[hit.end(1) :]


def swap_transfer_encoding(data: bytes, rng: random.Random) -> bytes:
    value = rng.choice(TRANSFER_ENCODINGS)
    hits = list(re.finditer(rb"(?im)^content-transfer-encoding:[ \t]*([^\r\n]*)", data))
    if not hits:
        return b"Content-Transfer-Encoding: " + value + _nl(data) + data
    hit = rng.choice(hits)
    return data[: hit.start(1)] + value + data[hit.end(1) :]


def header_bomb(data: bytes, rng: random.Random) -> bytes:
    nl = _nl(data)
    action = rng.randrange(6)
    if action == 0:  # one enormous header
        name = rng.choice([b"Subject", b"From", b"To", b"References", b"X-Long"])
        return name + b": " + b"a@b.c, " * rng.randint(2_000, 30_000) + nl + data
    if action == 1:  # thousands of headers
        return b"".join(b"X-H%d: v%d" % (i, i) + nl for i in range(rng.randint(500, 5000))) + data
    if action == 2:  # lines that are not headers
        return rng.choice([b"no colon here", b" leading continuation", b": no name", b"\xff:"]) + (
            nl + data
        )
    if action == 3:  # a header folded over many lines
        return b"Subject: x" + (nl + b" y") * rng.randint(100, 3000) + nl + data
    if action == 4:  # many encoded words in one header
        words = b" ".join(rng.choice(BROKEN_WORDS) for _ in range(rng.randint(50, 500)))
        return b"Subject: " + words + nl + data
    return b"Message-ID: " + b"<" * 2000 + nl + data  # a pathological id


def _wrap(inner: bytes, depth: int, rfc822: bool) -> bytes:
    """inner nested `depth` levels deep in multipart/mixed or message/rfc822 parts."""
    head = b"From: alice@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    if rfc822:
        prefix = (b"Content-Type: message/rfc822\r\n\r\n" + head) * depth
        return head + prefix + inner
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="d%d"\r\n\r\n--d%d\r\n' % (i, i)
        for i in range(depth)
    )
    closing = b"".join(b"\r\n--d%d--\r\n" % i for i in reversed(range(depth)))
    return head + opening + inner + closing


def nest(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([1, 2, 5, 30, 49, 50, 51, 60, 120])
    return _wrap(data, depth, rfc822=rng.random() < 0.4)


def many_parts(data: bytes, rng: random.Random) -> bytes:
    count = rng.choice([10, 200, 1999, 2000, 2001, 2500])
    tiny = rng.choice(
        [
            b"Content-Type: text/plain\r\n\r\nx\r\n",
            b'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="a.pdf"'
            b"\r\n\r\n%PDF\r\n",
            b"Content-Type: image/png\r\nContent-ID: <i@c>\r\n\r\nPNG\r\n",
            b"\r\n",
        ]
    )
    parts = b"--p\r\n" + b"--p\r\n".join([tiny] * count)
    return (
        b"From: Alice <alice@example.com>\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="p"\r\n\r\n--p\r\n'
        b"Content-Type: text/plain\r\n\r\n" + HANDOFF_BODY + parts + b"--p\r\n"
        b"Content-Type: message/rfc822\r\n\r\n" + data + b"\r\n--p--\r\n"
    )


def as_handoff(data: bytes, rng: random.Random) -> bytes:
    """Carry the message inside a handoff so it gets past screening to the deep paths."""
    sender = rng.choice(SENDERS[:3])
    action = rng.randrange(3)
    if action == 0:  # replace the sender and put handoff fields first in the body
        data = re.sub(rb"(?im)^(from|auto-submitted|precedence|x-autoreply):[^\n]*\n", b"", data)
        head, body = _split(data)
        nl = _nl(data)
        fields = HANDOFF_BODY.replace(b"\r\n", nl)
        return b"From: " + sender + nl + head + body[:2] + fields + body[2:]
    wrapped = (
        b"From: " + sender + b"\r\nTo: baton@example.com\r\nSubject: HANDOFF: fwd\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="h"\r\n\r\n'
        b"--h\r\nContent-Type: text/plain\r\n\r\n" + HANDOFF_BODY + b"--h\r\n"
    )
    if action == 1:
        return wrapped + b"Content-Type: message/rfc822\r\n\r\n" + data + b"\r\n--h--\r\n"
    return (
        wrapped + b"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; "
        b'filename="orig.eml"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + _b64(data)
        + b"--h--\r\n"
    )


def splice(data: bytes, rng: random.Random) -> bytes:
    other = rng.choice(SEEDS)
    start = rng.randint(0, len(other))
    chunk = other[start : start + rng.randint(1, 2000)]
    at = rng.randint(0, len(data))
    return data[:at] + chunk + data[at:]


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip_bytes": flip_bytes,
    "truncate": truncate,
    "drop_header_line": drop_header_line,
    "repeat_header_line": repeat_header_line,
    "corrupt_boundary": corrupt_boundary,
    "swap_charset": swap_charset,
    "broken_encoded_word": broken_encoded_word,
    "mix_newlines": mix_newlines,
    "insert_junk": insert_junk,
    "swap_content_type": swap_content_type,
    "swap_transfer_encoding": swap_transfer_encoding,
    "as_handoff": as_handoff,
    "splice": splice,
    "header_bomb": header_bomb,
    "nest": nest,
}
# The last two build big messages; the cheap ones are drawn far more often. Thousands
# of parts (over a second each) are left to the structural test at the end.
CHEAP = list(MUTATIONS)[:-2]
COSTLY = list(MUTATIONS)[-2:]


def fresh_message_id(data: bytes, number: int) -> bytes:
    """A new Message-ID, so a reused seed is decided again instead of as a duplicate."""
    new = b"Message-ID: <fuzz-%d@fuzz.invalid>" % number
    replaced, count = re.subn(rb"(?im)^message-id:[^\r\n]*", new, data, count=1)
    return replaced if count else new + _nl(data) + data


# -- the desk under test -----------------------------------------------------------------


@dataclass
class Desk:
    service: Service
    uids: Iterator[int]
    name: str
    last_sources: list[intake.Source] = field(default_factory=list)
    # This test's own cases (every kind) and outcomes: its quota does not lean on others.
    cases: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def db(self) -> Database:
        return self.service.db

    def run(self, raws: list[bytes], kind: str = "") -> list[intake.Outcome]:
        """Process each message under a fresh UID and check every one was filed."""
        sources = [intake.Source("fuzz", "INBOX", 1, next(self.uids)) for _ in raws]
        self.last_sources = sources
        outcomes = []
        for raw, source in zip(raws, sources, strict=True):
            try:
                outcome = intake.process(self.db, self.service.desk, raw, source, NOW)
            except Exception as error:  # the property under test: report the bytes
                raise AssertionError(
                    f"intake.process raised {type(error).__name__}: {error}\n"
                    f"reproduce with raw = {raw[:4000]!r}"
                ) from error
            CASES[kind or self.name] += 1
            self.cases += 1
            OUTCOME_COUNTS[outcome.outcome] += 1
            self.outcomes[outcome.outcome] += 1
            if outcome.outcome == intake.FAILED:
                FAILED_REASONS[outcome.reason[:160]] += 1
            assert outcome.outcome in OUTCOMES, (outcome, raw[:2000])
            if outcome.outcome in (intake.FAILED, intake.REJECTED):
                assert outcome.reason.strip(), (outcome, raw[:2000])
            outcomes.append(outcome)
        self.check_ledger(sources, outcomes, raws)
        return outcomes

    def check_ledger(
        self, sources: list[intake.Source], outcomes: list[intake.Outcome], raws: list[bytes]
    ) -> None:
        uids = [s.uid for s in sources]
        with self.db.transaction() as session:
            rows = session.execute(
                select(Inbound.uid, Inbound.outcome, Inbound.reason).where(
                    Inbound.mailbox == "fuzz", Inbound.folder == "INBOX", Inbound.uid.in_(uids)
                )
            ).all()
        by_uid: dict[int | None, list[tuple[str, str]]] = {}
        for uid, outcome, reason in rows:
            by_uid.setdefault(uid, []).append((outcome, reason))
        for source, outcome, raw in zip(sources, outcomes, raws, strict=True):
            filed = by_uid.get(source.uid, [])
            assert len(filed) == 1, f"uid {source.uid}: {len(filed)} ledger rows; {raw[:2000]!r}"
            assert filed[0][0] == outcome.outcome, (filed, outcome, raw[:2000])
            if outcome.outcome == intake.FAILED:
                assert filed[0][1].strip(), (filed, raw[:2000])

    def replay(self, raw: bytes, first: intake.Outcome) -> None:
        """The same bytes again under a new UID: filed, and decided once only."""
        (again,) = self.run([raw], kind="replayed")
        if first.outcome != intake.FAILED:
            assert again.already_done, (first, again, raw[:2000])
            assert again.outcome == first.outcome, (first, again, raw[:2000])

    def redeliver(self, raw: bytes, source: intake.Source, first: intake.Outcome) -> None:
        """The same UID again (two workers fetched it): the first decision stands, one row."""
        try:
            again = intake.process(self.db, self.service.desk, raw, source, NOW)
        except Exception as error:
            raise AssertionError(f"redelivery raised {error!r}; raw = {raw[:4000]!r}") from error
        CASES["redelivered"] += 1
        self.cases += 1
        assert again.already_done, (first, again, raw[:2000])
        assert (again.outcome, again.reason) == (first.outcome, first.reason), (first, again)
        self.check_ledger([source], [first], [raw])


def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture
def desk(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Desk]:
    settings = from_dict(
        {
            "mailbox": {
                "username": "baton@example.com",
                "address": "baton@example.com",
                "plus_addressing": True,
            },
            "database": {"url": f"sqlite:///{(tmp_path / 'fuzz.db').as_posix()}"},
            # Everyone may throw, so more cases get past screening to the deep paths.
            "protocol": {"allowed_domains": [], "group_addresses": ["ops@example.com"]},
            "escalation": {"managers": ["boss@example.com"]},
            "templates": {"dir": str(ROOT / "mailbaton" / "templates")},
        },
        base=tmp_path,
    )
    service = Service.open(settings)
    # Durability is not under test: without an fsync per commit the run is CPU-bound.
    event.listen(service.db.engine, "connect", _no_fsync)
    service.db.engine.dispose()
    yield Desk(service, itertools.count(1), request.node.name)
    service.close()


@pytest.fixture(autouse=True)
def _same_cases_whatever_is_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hypothesis also draws constants it finds in the source of every local module loaded
    (hypothesis.internal.conjecture.providers): which of mailbaton's modules a worker had
    imported by then changed the cases, derandomize notwithstanding. A daemon that stopped
    importing its metrics module at start made one mutation part 50% costlier (different,
    bigger mail). Without those constants the same seed gives the same cases in any
    process; a Hypothesis that moves this function fails here, loudly."""
    monkeypatch.setattr(providers, "_get_local_constants", providers.Constants)
    monkeypatch.setattr(providers, "CONSTANTS_CACHE", type(providers.CONSTANTS_CACHE)(1024))


@pytest.fixture(scope="module", autouse=True)
def _report_case_count() -> Iterator[None]:
    started = time.monotonic()
    yield
    total = sum(CASES.values())
    print(
        f"\nfuzz: {total} cases in {time.monotonic() - started:.1f} s "
        f"({', '.join(f'{n} {k}' for k, n in sorted(CASES.items()))}); "
        f"outcomes {dict(sorted(OUTCOME_COUNTS.items()))}; {len(SEEDS)} seeds"
    )
    for reason, n in FAILED_REASONS.most_common(10):
        print(f"  failed x{n}: {reason}")
    if len(FINISHED) == FUZZ_TESTS:  # this worker ran them all: count the promise here too
        assert total >= MIN_CASES, f"only {total} fuzz cases ran; promised {MIN_CASES}"


def test_corpus_is_beside_the_checkout() -> None:
    """The fuzz tests below also run on hand-made seeds; this one says the corpus is missing."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}: fuzzing hand-made seeds only")
    assert len(SEEDS) > 200, "the corpus looks incomplete"


# -- 1. mutated real messages ------------------------------------------------------------

case = st.tuples(
    st.integers(0, len(SEEDS) - 1),  # which seed
    st.lists(st.tuples(st.sampled_from(CHEAP), st.integers(0, 2**32 - 1)), max_size=4),
    st.integers(0, 49),  # 0: one costly mutation on top; 1: keep the seed's Message-ID
    st.integers(0, 2**32 - 1),
)


def build(desk: Desk, seed: int, steps: list[tuple[str, int]], extra: int, param: int) -> bytes:
    raw = SEEDS[seed]
    if extra != 1:
        raw = fresh_message_id(raw, next(desk.uids))
    for name, value in steps:
        raw = MUTATIONS[name](raw, random.Random(value))
    if extra == 0:
        rng = random.Random(param)
        raw = MUTATIONS[rng.choice(COSTLY)](raw, rng)
    return raw


@pytest.mark.parametrize("part", range(MUTATION_PARTS))
def test_mutated_messages_are_always_filed(desk: Desk, part: int) -> None:
    # An explicit seed per part: derandomize alone would give every part the same examples.
    @seed(MUTATION_SEED + part)
    @settings(max_examples=MUTATION_EXAMPLES // MUTATION_PARTS, **FUZZ_SETTINGS)
    @given(
        batch=st.lists(case, min_size=MUTATION_BATCH, max_size=MUTATION_BATCH),
        again=st.tuples(st.integers(0, MUTATION_BATCH - 1), st.integers(0, MUTATION_BATCH - 1)),
    )
    def fuzz(
        batch: list[tuple[int, list[tuple[str, int]], int, int]], again: tuple[int, int]
    ) -> None:
        raws = [build(desk, *item) for item in batch]
        outcomes = desk.run(raws)
        sources = desk.last_sources
        replay, redeliver = again
        desk.replay(raws[replay], outcomes[replay])
        desk.redeliver(raws[redeliver], sources[redeliver], outcomes[redeliver])

    fuzz()
    FINISHED.add(f"mutations {part}")
    assert desk.cases >= MUTATION_PART_QUOTA, (desk.cases, MUTATION_PART_QUOTA)


# -- 2. generated handoffs and replies ---------------------------------------------------

ADDRESSES = [
    "jane@example.com",
    "Jane Doe <jane@example.com>",
    "bob@other.example",
    "info@example.com",
    "ops@example.com",
    "baton@example.com",
    "baton+abc@example.com",
    "alice@example.com",
    "jane@example.com, bob@example.com",
    "mailto:jane@example.com",
    "jane@example.com<mailto:jane@example.com>",
    "Jane Doe",
    "not an address",
    "jane@",
    "@example.com",
    '"Doe, Jane" <jane@example.com>',
    "jane@xn--bcher-kva.example",
    "jäne@exämple.com",
    "",
]
FIELD_NAMES = ["Catcher", "Attached", "Title", "Due", "Notes", "Who is catching this?", "X"]
VERDICTS = ["GOT IT", "got it, thanks", "I refuse: no time", "cancel", "Catcher: bob@example.com"]
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
header_text = st.one_of(
    text,
    st.sampled_from([w.decode("latin-1") for w in BROKEN_WORDS]),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
)
field_line = st.tuples(st.sampled_from(FIELD_NAMES), st.one_of(text, st.sampled_from(ADDRESSES)))


def _header_bytes(value: str, how: str) -> bytes:
    """A header value as a client might send it: UTF-8, an encoded word, or 8-bit bytes."""
    if how == "word":
        return b"=?utf-8?b?" + base64.b64encode(value.encode("utf-8")) + b"?="
    if how == "latin-1":
        return value.encode("latin-1", "replace")
    return value.encode("utf-8")


@st.composite
def generated_mail(draw: st.DrawFn) -> bytes:
    how = draw(st.sampled_from(["utf-8", "word", "latin-1"]))
    sender = draw(st.sampled_from(ADDRESSES[:8]))
    name = _header_bytes(draw(header_text), how)
    bare = sender.split("<")[-1].strip(">").encode()
    from_line = name + b" <" + bare + b">" if name else sender.encode()
    if draw(st.booleans()):  # a handoff
        subject = b"HANDOFF: " + _header_bytes(draw(header_text), how)
        lines = [f"Catcher: {draw(st.sampled_from(ADDRESSES))}"]
        lines += [f"{k}: {v}" for k, v in draw(st.lists(field_line, max_size=6))]
        lines += ["", draw(text)]
        threading = b""
    else:  # a reply to a ticket this run may have opened
        number = draw(st.integers(1, 40))
        subject = b"Re: [MB-%d] " % number + _header_bytes(draw(header_text), how)
        lines = [draw(st.sampled_from([*VERDICTS, ""])), draw(text), "", "> Catcher: jane"]
        threading = b"In-Reply-To: <MB-%d.request@example.com>\r\n" % number
    charset = draw(st.sampled_from([b"utf-8", b"iso-8859-1", b"x-unknown", b"utf-16", b"big5"]))
    cte = draw(st.sampled_from([b"8bit", b"base64", b"quoted-printable"]))
    body = "\r\n".join(lines).encode("utf-8")
    if cte == b"base64":
        body = _b64(body)
    filename = _header_bytes(draw(header_text), how)
    files = b""
    for _ in range(draw(st.integers(0, 3))):
        ctype = draw(st.sampled_from([b"application/pdf", b"image/png", b"application/ms-tnef"]))
        files += (
            b"--g\r\nContent-Type: "
            + ctype
            + b'\r\nContent-Disposition: attachment; filename="'
            + filename
            + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            + _b64(draw(st.binary(max_size=64)) or PDF)
        )
    return (
        b"From: "
        + from_line
        + b"\r\nTo: baton@example.com\r\nSubject: "
        + subject
        + b"\r\n"
        + threading
        + b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="g"\r\n\r\n'
        + b"--g\r\nContent-Type: text/plain; charset="
        + charset
        + b"\r\nContent-Transfer-Encoding: "
        + cte
        + b"\r\n\r\n"
        + body
        + b"\r\n"
        + files
        + b"--g--\r\n"
    )


def test_generated_handoffs_and_replies_are_always_filed(desk: Desk) -> None:
    @settings(max_examples=HANDOFF_EXAMPLES, **FUZZ_SETTINGS)
    @given(st.lists(generated_mail(), min_size=HANDOFF_BATCH, max_size=HANDOFF_BATCH))
    def fuzz(mails: list[bytes]) -> None:
        raws = [fresh_message_id(raw, next(desk.uids)) for raw in mails]
        desk.run(raws)

    fuzz()
    FINISHED.add("generated")
    assert desk.cases >= HANDOFF_QUOTA, (desk.cases, HANDOFF_QUOTA)
    assert desk.outcomes[intake.PROCESSED] > 0, "no generated handoff ever opened a ticket"


# -- 3. structural extremes --------------------------------------------------------------


@st.composite
def extreme_mail(draw: st.DrawFn) -> bytes:
    inner = SEEDS[draw(st.integers(0, len(SEEDS) - 1))]
    kind = draw(st.sampled_from(["parts", "multipart", "rfc822", "headers", "all"]))
    size = draw(st.sampled_from([1_000, 2_000, 3_000, 5_000]))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    if kind == "parts":
        tiny = b"--p\r\nContent-Type: text/plain\r\n\r\nx\r\n"
        return (
            b"From: alice@example.com\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/mixed; boundary="p"\r\n\r\n' + tiny * size + b"--p--\r\n"
        )
    if kind == "multipart":
        return _wrap(inner, size // 5, rfc822=False)
    if kind == "rfc822":
        return _wrap(inner, size // 5, rfc822=True)
    if kind == "headers":
        return header_bomb(inner, rng)
    return many_parts(_wrap(header_bomb(inner, rng), 60, rfc822=rng.random() < 0.5), rng)


def test_thousands_of_parts_and_deep_nesting_are_filed(desk: Desk) -> None:
    @settings(max_examples=EXTREME_EXAMPLES, **FUZZ_SETTINGS)
    @given(st.lists(extreme_mail(), min_size=EXTREME_BATCH, max_size=EXTREME_BATCH))
    def fuzz(mails: list[bytes]) -> None:
        desk.run([fresh_message_id(raw, next(desk.uids)) for raw in mails])

    fuzz()
    FINISHED.add("extremes")
    assert desk.cases >= EXTREME_QUOTA, (desk.cases, EXTREME_QUOTA)


# -- bugs the fuzzer found, pinned (strict: they pass the day the product is fixed) --------

# "=?utf-8?b?w6?=" is a truncated encoded word (one byte of a two-byte character): the
# email package decodes it with surrogateescape, the surrogate reaches a database column.
BROKEN_NAME_HANDOFF = (
    b"From: =?utf-8?b?w6?= <alice@example.com>\r\nTo: baton@example.com\r\n"
    b"Subject: HANDOFF: x\r\nMessage-ID: <broken-name@client>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="g"\r\n\r\n--g\r\n'
    b"Content-Type: text/plain\r\n\r\nCatcher: jane@example.com\r\nAttached: yes\r\n\r\n"
    b'--g\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="a.pdf"'
    b"\r\n\r\n%PDF\r\n--g--\r\n"
)


def test_a_failed_message_redelivered_under_its_uid_does_not_raise(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mailbaton.classify import decision as classify  # where decide() looks it up

    def explode(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(classify, "read_handoff", explode)
    source = intake.Source("fuzz", "INBOX", 1, 1)
    first = intake.process(desk.db, desk.service.desk, BROKEN_NAME_HANDOFF, source, NOW)
    assert first.outcome == intake.FAILED
    again = intake.process(desk.db, desk.service.desk, BROKEN_NAME_HANDOFF, source, NOW)
    assert again.already_done and again.outcome == first.outcome


def test_a_handoff_from_a_name_with_a_truncated_encoded_word_opens(desk: Desk) -> None:
    (outcome,) = desk.run([BROKEN_NAME_HANDOFF], kind="pinned")
    assert outcome.outcome == intake.PROCESSED, outcome
