"""Screenshots of every mail mailbaton sends, as a reader sees it, for docs/mails.md.

Each mail is built by the real Composer from the preview samples, then shown in headless
Chromium the way a mail program shows it: a header (subject, from, to), then the HTML
part, or the plain-text part in a proportional font, wrapped by the window. Desktop
(1000 px) and phone (390 px) widths; one dark-mode view of the request.

    .venv/bin/python tools/render_mails.py            # writes docs/mails/*.png
    .venv/bin/python tools/render_mails.py --only request --out /tmp/shots

Needs Debian's `chromium`.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from mailbaton.config import Settings, load
from mailbaton.outbound.compose import TEMPLATE_NAMES, Composer, FileToSend, OutlookThread
from mailbaton.outbound.preview import CREATED, sample_context, sample_variants

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = {"desktop": 1000, "phone": 390}
SENDER = Address("mailbaton", "baton", "example.com")
ALICE = Address("Alice Smith", "alice", "example.com")
JANE = Address("Jane Doe", "jane", "example.com")
MANAGERS = (Address("", "head-of-sales", "example.com"), Address("", "head-of-ops", "example.com"))
BOB = Address("Bob Stone", "bob", "example.com")
TO = {
    "request": (JANE,),
    "reminder": (JANE,),
    "unclear": (JANE,),
    "cancelled": (JANE,),
    "confirmed": (JANE,),
    "escalation": MANAGERS,
    "all_clear": MANAGERS,
    "digest": MANAGERS[:1],
    "not_catcher": (BOB,),
    "not_pending": (BOB,),
    "manager_note": (ALICE, JANE),
    "alert": (Address("IT Operations", "it-ops", "example.com"),),
    "recovery": (Address("IT Operations", "it-ops", "example.com"),),
}
# The preview's sample ticket is pending; these mails are about a ticket that moved on.
STATES = {"all_clear": "accepted", "not_pending": "accepted"}
# Variants from preview.sample_variants worth a picture of their own (desktop HTML).
VARIANTS = {
    ("request", "rerouted"),
    ("request", "due_past"),
    ("request", "handed_on"),
    ("confirmed", "refuse"),
    ("cancelled", "handed_on"),
    ("unclear", "thrower"),
    ("manager_note", "handed_on"),
}


@dataclass(frozen=True)
class Shot:
    name: str  # file stem, e.g. request-html-phone
    page: Path
    width: int
    dark: bool = False


def build(composer: Composer, name: str, context: dict[str, Any]) -> EmailMessage:
    files = (FileToSend("acme-contract.pdf", "application/pdf", b"%PDF-1.4\n"),)
    return composer.build(
        name,
        context,
        sender=SENDER,
        # The unclear mail answers whoever wrote: the thrower's variant goes to Alice.
        to=(ALICE,) if context.get("thrower_asked") else TO.get(name, (ALICE,)),
        now=CREATED + timedelta(minutes=72),
        ref=context.get("ref") or context["ticket"]["ref"],
        files=files if name == "request" else (),
        thread=OutlookThread("MB-42", "Acme", CREATED),
    )


def viewer_header(message: EmailMessage) -> str:
    """The strip a mail program shows above a mail: subject, sender, recipients, files."""
    files = [part.get_filename() or "" for part in message.iter_attachments()]
    rows = [
        ("From", str(message["From"])),
        ("To", ", ".join(str(a) for a in message["To"].addresses)),
    ]
    if files:
        rows.append(("Attached", ", ".join(files)))
    label = '<div style="margin-top:2px"><span style="color:#6a737d">{}:</span> {}</div>'
    cells = "".join(label.format(k, html.escape(v)) for k, v in rows)
    return (
        '<div style="background:#ffffff;color:#1f2328;padding:14px 18px;border-bottom:1px solid '
        "#d0d7de;font:14px/20px 'Liberation Sans',Arial,sans-serif\">"
        f'<div style="font-size:18px;line-height:26px;font-weight:bold;margin-bottom:4px">'
        f"{html.escape(str(message['Subject']))}</div>{cells}</div>"
    )


def pages(message: EmailMessage, folder: Path, stem: str) -> tuple[Path, Path]:
    """Two pages: the HTML part as sent, and the text part as a mail program shows it."""
    head = viewer_header(message)
    html_part = message.get_body(("html",))
    text_part = message.get_body(("plain",))
    assert html_part is not None and text_part is not None, stem
    sent = str(html_part.get_content())
    shown = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + head, sent, count=1)
    text = html.escape(str(text_part.get_content()))
    plain = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width, initial-scale=1"></head><body style="margin:0;'
        'background:#ffffff;color:#1f2328">' + head + '<div style="padding:16px 18px;'
        "white-space:pre-wrap;overflow-wrap:anywhere;font:15px/22px 'Liberation Sans',"
        f'Arial,sans-serif">{text}</div></body></html>'
    )
    html_page, text_page = folder / f"{stem}-html.html", folder / f"{stem}-text.html"
    html_page.write_text(shown, encoding="utf-8")
    text_page.write_text(plain, encoding="utf-8")
    return html_page, text_page


def chromium(*args: str) -> str:
    binary = shutil.which("chromium") or "/usr/bin/chromium"
    done = subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def content_height(page: Path, width: int, dark: bool) -> int:
    """How tall the page is at this width. Measured in an iframe of exactly that width:
    a headless window for --dump-dom is never narrower than 500 px."""
    probe = page.with_suffix(".probe.html")
    probe.write_text(
        '<html><body style="margin:0"><iframe id="f" src="' + page.name + '" style="width:'
        f'{width}px;height:50px;border:0"></iframe><script>onload=function(){{var d='
        "document.getElementById('f').contentDocument;document.body.setAttribute('data-height',"
        "Math.max(d.documentElement.scrollHeight,d.body.scrollHeight))}</script></body></html>",
        encoding="utf-8",
    )
    flags = ["--force-dark-mode"] if dark else []
    dom = chromium(
        *flags,
        "--allow-file-access-from-files",
        "--virtual-time-budget=3000",
        f"--window-size={max(width, 500)},600",
        "--dump-dom",
        probe.as_uri(),
    )
    found = re.search(r'data-height="(\d+)"', dom)
    if not found:
        raise RuntimeError(f"could not measure {page.name}")
    return min(int(found.group(1)), 6000)


def shoot(shot: Shot, out: Path) -> Path:
    height = content_height(shot.page, shot.width, shot.dark)
    target = out / f"{shot.name}.png"
    flags = ["--force-dark-mode"] if shot.dark else []
    chromium(
        *flags,
        f"--window-size={shot.width},{height}",
        f"--screenshot={target}",
        shot.page.as_uri(),
    )
    return target


def shots_for(composer: Composer, settings: Settings, only: str, folder: Path) -> Iterator[Shot]:
    for name in TEMPLATE_NAMES:
        if only and name != only:
            continue
        context = sample_context(name, settings)
        if name in STATES:
            context["ticket"] = {**context["ticket"], "state": STATES[name]}
        message = build(composer, name, context)
        html_page, text_page = pages(message, folder, name)
        for device, width in WIDTHS.items():
            yield Shot(f"{name}-html-{device}", html_page, width)
            yield Shot(f"{name}-text-{device}", text_page, width)
        if name == "request":
            yield Shot("request-html-dark", html_page, WIDTHS["phone"], dark=True)
        for variant, context in sample_variants(name, settings).items():
            if (name, variant) in VARIANTS:
                stem = f"{name}-{variant}"
                variant_page, _ = pages(build(composer, name, context), folder, stem)
                yield Shot(f"{stem}-html-desktop", variant_page, WIDTHS["desktop"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "config.toml"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "mails"))
    parser.add_argument("--only", default="", help="one template name")
    args = parser.parse_args(argv)
    settings = load(Path(args.config))
    composer = Composer(None, settings.escalation.timezone)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        shots = list(shots_for(composer, settings, args.only, Path(tmp)))
        with ThreadPoolExecutor(max_workers=2) as pool:
            for target in pool.map(lambda s: shoot(s, out), shots):
                print(f"{target}  {target.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
