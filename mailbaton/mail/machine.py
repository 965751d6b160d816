"""Tell auto-replies and list mail apart, and read bounces and DSNs into a Bounce."""

from __future__ import annotations

import re
from email.message import Message

from mailbaton.mail.attachments import Walk
from mailbaton.mail.decoding import (
    addresses,
    decode_words,
    first_header,
    fold,
    guarded_call,
    header_values,
    message_id,
    message_ids,
    part_text,
    raw_headers,
    return_path,
)
from mailbaton.mail.records import Address, Bounce

_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply")
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto:|automatic reply|autosvar|abwesenheitsnotiz|r[ée]ponse automatique"
    r"|out of (the )?office|automatische antwort|respuesta autom[áa]tica|auto[- ]?reply"
    r"|automatisch antwoord|risposta automatica|resposta autom[áa]tica)",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|returned mail|mail delivery fail|delivery status notification"
    r"|delivery failure|failure notice|delivery has failed|not delivered|nondeliverable"
    r"|delivery (problem|notification)|mail system error|returned to sender",
    re.IGNORECASE,
)
_DAEMONS = ("mailerdaemon", "postmaster")
_EVIDENCE = re.compile(
    r"\b[245]\.\d{1,3}\.\d{1,3}\b|\b[45]\d\d\b|deliver|fail|bounce|returned|unable to|no such",
    re.IGNORECASE,
)
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")


def _is_daemon(sender: Address | None, raw_from: str) -> bool:
    local = (sender.addr.split("@")[0] if sender and sender.addr else raw_from).lower()
    return re.sub(r"[^a-z]", "", local).startswith(_DAEMONS)


def auto_reason(
    headers: list[tuple[str, str]], sender: Address | None, subject: str, walk: Walk
) -> str | None:
    submitted = (first_header(headers, "Auto-Submitted") or "").split(";")[0].strip().lower()
    if first_header(headers, "Auto-Submitted") is not None and submitted != "no":
        return f"Auto-Submitted: {submitted}"
    for name in _AUTO_HEADERS:
        if first_header(headers, name) is not None:
            return f"{name} header"
    precedence = (first_header(headers, "Precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply", "auto-reply"):
        return f"Precedence: {precedence}"
    for name in ("List-Id", "List-Unsubscribe", "List-Post"):
        if first_header(headers, name) is not None:
            return f"mailing list ({name})"
    if return_path(first_header(headers, "Return-Path")) == "":
        return "empty return path"
    if _is_daemon(sender, first_header(headers, "From") or ""):
        return "sent by a mail server (mailer-daemon/postmaster)"
    if first_header(headers, "X-Failed-Recipients") is not None:
        return "X-Failed-Recipients header"
    if walk.reports:
        return f"multipart/report ({', '.join(sorted(walk.reports)) or 'unknown type'})"
    if _AUTO_SUBJECT.match(subject):
        return "auto-reply subject"
    return None


def _fields(text: str) -> list[dict[str, str]]:
    """Split delivery-status text into blocks of lowercased field -> value."""
    blocks: list[dict[str, str]] = [{}]
    last = ""
    for line in text.splitlines():
        if not line.strip():
            blocks.append({})
        elif line[0] in " \t" and last:
            blocks[-1][last] += " " + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            last = key.strip().lower()
            # Some MTAs omit the blank line between recipients.
            if last in blocks[-1] and last in ("final-recipient", "original-recipient"):
                blocks.append({})
            blocks[-1][last] = value.strip()
    return [b for b in blocks if b]


def _dsn_text(part: Message) -> str:
    payload = guarded_call(part, lambda p: p.get_payload(), None)
    if isinstance(payload, list):
        blocks = [raw_headers(m) for m in payload if isinstance(m, Message)]
        return "\n\n".join("\n".join(f"{k}: {v}" for k, v in b) for b in blocks)
    return part_text(part)


def _recipient(value: str) -> str:
    return value.split(";")[-1].strip().strip("<>").strip().lower()


def read_bounce(
    headers: list[tuple[str, str]], sender: Address | None, subject: str, walk: Walk, body: str
) -> Bounce | None:
    if walk.reports - {"delivery-status", ""}:
        return None  # read receipts (MDN) and abuse reports (ARF) are not bounces
    failed_hdr = header_values(headers, "X-Failed-Recipients")
    standard = "delivery-status" in walk.reports or bool(walk.dsn)
    daemon = _is_daemon(sender, first_header(headers, "From") or "")
    # A postmaster can write ordinary mail; demand some sign of a failure too.
    evidence = walk.returned or _EVIDENCE.search(subject + "\n" + body)
    if not (standard or failed_hdr or (daemon and evidence) or _BOUNCE_SUBJECT.search(subject)):
        return None
    blocks = [b for p in walk.dsn for b in _fields(_dsn_text(p))]
    rcpt_blocks = [b for b in blocks if {"action", "status", "final-recipient"} & b.keys()]
    failed = [b for b in rcpt_blocks if b.get("action", "").lower().startswith("failed")]
    chosen_blocks = failed or rcpt_blocks
    chosen = next((b for b in chosen_blocks if b.get("status", "").startswith("5")), None)
    chosen = chosen or (chosen_blocks[0] if chosen_blocks else {})
    status_match = _STATUS.search(chosen.get("status", "")) or _STATUS.search(body)
    status = status_match.group(1) if status_match else ""
    action = chosen.get("action", "").split()[0].lower() if chosen.get("action") else ""
    if not action and status:
        action = {"5": "failed", "4": "delayed"}.get(status[0], "")
    recipients: list[str] = []
    for block in chosen_blocks:
        for key in ("final-recipient", "original-recipient"):
            if block.get(key):
                recipients.append(_recipient(block[key]))
    recipients += [a.addr for a in addresses(failed_hdr)]
    if not recipients:
        found = re.findall(r"(?m)^\s*<([^<>\s]+@[^<>\s]+)>:", body)
        recipients = [m.lower() for m in found]
    diagnostic = fold(chosen.get("diagnostic-code", "").split(";", 1)[-1])
    if not diagnostic:
        lines = [ln for ln in body.splitlines() if ln.strip()]
        diagnostic = fold(next((ln for ln in lines if status and status in ln), " ".join(lines)))
    orig_id, orig_refs, orig_subject = _returned(walk.returned, body)
    return Bounce(
        status=status,
        action=action,
        recipients=tuple(dict.fromkeys(r for r in recipients if r)),
        original_message_id=orig_id,
        original_references=orig_refs,
        original_subject=orig_subject,
        diagnostic=diagnostic[:500],
    )


def _returned(messages: list[Message], body: str) -> tuple[str | None, tuple[str, ...], str]:
    for message in messages:
        headers = raw_headers(message)
        if headers:
            refs = message_ids(
                header_values(headers, "In-Reply-To") + header_values(headers, "References")
            )
            subject = fold(decode_words(first_header(headers, "Subject") or ""))
            return message_id(first_header(headers, "Message-ID")), refs, subject
    # No attached copy: look for the returned header lines quoted in the text.
    found: dict[str, str] = {}
    for match in re.finditer(
        r"(?im)^[ \t>]*(message-id|in-reply-to|references|subject):(.*)", body
    ):
        key = match.group(1).lower()
        if key not in found:
            cont = re.match(r"(?:\n[ \t]+\S.*)*", body[match.end() :])
            found[key] = match.group(2) + (cont.group(0) if cont else "")
    refs = message_ids([found.get("in-reply-to", ""), found.get("references", "")])
    subject = fold(decode_words(found.get("subject", "")))
    return message_id(found.get("message-id")), refs, subject
