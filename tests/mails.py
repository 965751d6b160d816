"""Handoff emails as real clients write them, built for the tests by scenario."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
LOGO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ALICE = "Alice Smith <alice@example.com>"
JANE = "Jane Doe <jane@example.com>"


def handoff(
    *,
    body: str | None = None,
    catcher: str | None = JANE,
    attached: str | None = "yes",
    title: str | None = "Acme Corp - $50,000 contract ready to countersign",
    subject: str = "HANDOFF: Acme contract",
    sender: str = ALICE,
    files: dict[str, bytes] | None = None,
    extra_headers: dict[str, str] | None = None,
) -> bytes:
    """A plain-text handoff; by default a valid one (Jane, contract.pdf attached)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "baton@example.com"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="client.example.com")
    message["Date"] = "Mon, 23 Nov 2026 09:00:00 +0000"
    for name, value in (extra_headers or {}).items():
        message[name] = value
    if body is None:
        lines = []
        if catcher is not None:
            lines.append(f"Catcher: {catcher}")
        if attached is not None:
            lines.append(f"Attached: {attached}")
        if title is not None:
            lines.append(f"Title: {title}")
        lines += ["Due: 2026-11-27", "Notes: customer expects a call on Friday", "", "Thanks!"]
        body = "\n".join(lines) + "\n"
    message.set_content(body)
    for name, data in ({"contract.pdf": PDF} if files is None else files).items():
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message.as_bytes()


def outlook_html_only(catcher: str = JANE) -> bytes:
    """Outlook desktop: HTML only, each field its own MsoNormal paragraph, entities escaped."""
    shown = catcher.replace("<", "&lt;").replace(">", "&gt;")
    html = f"""<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<style><!-- p.MsoNormal {{margin:0cm; font-size:11.0pt;}} --></style>
<!--[if gte mso 9]><xml><o:shapedefaults v:ext="edit" spidmax="1026" /></xml><![endif]-->
</head><body lang="EN-US"><div class="WordSection1">
<p class="MsoNormal">Catcher: {shown}<o:p></o:p></p>
<p class="MsoNormal">Attached: yes<o:p></o:p></p>
<p class="MsoNormal">Title: Globex renewal&nbsp;&ndash; signed order form<o:p></o:p></p>
<p class="MsoNormal">Due: 2026-12-01<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Kind regards,<o:p></o:p></p>
<p class="MsoNormal">Alice<o:p></o:p></p>
</div></body></html>"""
    message = EmailMessage()
    message["From"] = ALICE
    message["To"] = "baton@example.com"
    message["Subject"] = "Globex renewal"
    message["Message-ID"] = make_msgid(domain="outlook.example.com")
    message["X-Mailer"] = "Microsoft Outlook 16.0"
    message.set_content(html, subtype="html")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="order.pdf")
    return message.as_bytes()


def gmail_html_only(catcher: str = JANE) -> bytes:
    """Gmail web: HTML only, fields separated by <br>, the address turned into a mailto link."""
    name, _, rest = catcher.partition("<")
    address = rest.rstrip(">")
    html = (
        f'<div dir="ltr">Catcher: {name.strip()} &lt;<a href="mailto:{address}">{address}</a>&gt;'
        "<br>Attached: yes<br>Title: Initech migration plan<br><br>"
        "<div>Cheers,</div><div>Alice</div></div>"
    )
    message = EmailMessage()
    message["From"] = ALICE
    message["To"] = "baton@example.com"
    message["Subject"] = "Initech"
    message["Message-ID"] = make_msgid(domain="mail.gmail.com")
    message.set_content(html, subtype="html")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="plan.pdf")
    return message.as_bytes()


def with_signature_logo_only() -> bytes:
    """A handoff whose only 'file' is the signature logo, shown inline by cid:."""
    message = EmailMessage()
    message["From"] = ALICE
    message["To"] = "baton@example.com"
    message["Subject"] = "Logo only"
    message["Message-ID"] = make_msgid(domain="client.example.com")
    message.set_content(f"Catcher: {JANE}\nAttached: yes\n")
    message.add_alternative(
        "<p>Catcher: Jane Doe &lt;jane@example.com&gt;<br>Attached: yes</p>"
        '<p>--<br><img src="cid:logo123@client"></p>',
        subtype="html",
    )
    html_part = message.get_payload()[1]
    html_part.add_related(
        LOGO, maintype="image", subtype="png", cid="<logo123@client>", filename="logo.png"
    )
    return message.as_bytes()


def encoded_subject_handoff() -> bytes:
    raw = handoff(subject="HANDOFF: Übergabe Müller GmbH – Vertrag", title=None)
    return raw


# --- replies, as clients quote the mail they answer --------------------------------

ATTRIBUTIONS = {
    "en": "On Mon, 23 Nov 2026 at 10:02, mailbaton <baton@example.com> wrote:",
    "de": "Am Mo., 23. Nov. 2026 um 10:02 Uhr schrieb mailbaton <baton@example.com>:",
    "fr": "Le lun. 23 nov. 2026 à 10:02, mailbaton <baton@example.com> a écrit :",
    "es": "El lun, 23 nov 2026 a las 10:02, mailbaton (<baton@example.com>) escribió:",
    "nl": "Op ma 23 nov. 2026 om 10:02 schreef mailbaton <baton@example.com>:",
}
OUTLOOK_HEADERS = {
    "en": ("From", "Sent", "To", "Subject"),
    "de": ("Von", "Gesendet", "An", "Betreff"),
    "fr": ("De", "Envoyé", "À", "Objet"),
    "es": ("De", "Enviado", "Para", "Asunto"),
    "nl": ("Van", "Verzonden", "Aan", "Onderwerp"),
}


def _quoted_text(original: EmailMessage) -> str:
    part = original.get_body(("plain",))
    return part.get_content() if part is not None else ""


def reply(
    original: EmailMessage,
    new: str,
    *,
    sender: str = JANE,
    style: str = "plain",
    lang: str = "en",
    thread: bool = True,
    to: str | None = None,
) -> bytes:
    """`sender` answering `original` with the text `new`, quoted the way `style` quotes.

    styles: plain (top-posted, '>' quote), bottom ('>' quote, answer below),
    gmail_html (HTML only, gmail_quote), outlook_html (HTML only, divRplyFwdMsg header
    block), outlook_plain (no '>' at all: the original pasted under a header block),
    iphone (top-posted, signature, '>' quote).
    """
    quoted = _quoted_text(original)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to or str(original.get("Reply-To") or original["From"])
    subject = str(original["Subject"])
    message["Subject"] = ("AW: " if lang == "de" else "Re: ") + subject
    message["Message-ID"] = make_msgid(domain="client.example.com")
    if thread:
        message["In-Reply-To"] = str(original["Message-ID"])
        message["References"] = " ".join(
            x for x in (str(original.get("References") or ""), str(original["Message-ID"])) if x
        )
    attribution = ATTRIBUTIONS[lang]
    gt = "\n".join("> " + line if line else ">" for line in quoted.splitlines())
    labels = OUTLOOK_HEADERS[lang]
    header_block = (
        f"{labels[0]}: mailbaton <baton@example.com>\n{labels[1]}: Monday, 23 November 2026 10:02\n"
        f"{labels[2]}: {sender}\n{labels[3]}: {subject}\n"
    )
    if style == "plain":
        message.set_content(f"{new}\n\n{attribution}\n{gt}\n")
    elif style == "bottom":
        message.set_content(f"{attribution}\n{gt}\n\n{new}\n")
    elif style == "iphone":
        message.set_content(f"{new}\n\nSent from my iPhone\n\n{attribution}\n{gt}\n")
    elif style == "outlook_plain":
        message.set_content(
            f"{new}\n\n________________________________\n{header_block}\n{quoted}\n"
        )
    elif style == "gmail_html":
        body = "".join(f"<div>{line}</div>" for line in new.splitlines()) or "<div><br></div>"
        html_quote = "<br>".join(quoted.splitlines())
        message.set_content(
            f'<div dir="ltr">{body}</div><br><div class="gmail_quote"><div dir="ltr" '
            f'class="gmail_attr">{attribution}<br></div><blockquote class="gmail_quote" '
            f'style="margin:0px 0px 0px 0.8ex">{html_quote}</blockquote></div>',
            subtype="html",
        )
    elif style == "outlook_html":
        body = "".join(f'<p class="MsoNormal">{line}</p>' for line in new.splitlines())
        html_quote = "".join(f'<p class="MsoNormal">{line}</p>' for line in quoted.splitlines())
        head = "<br>".join(
            f"<b>{line.split(':', 1)[0]}:</b>{line.split(':', 1)[1]}"
            for line in header_block.splitlines()
        )
        message.set_content(
            f'<html><body><div class="WordSection1">{body}<p class="MsoNormal">&nbsp;</p>'
            f'<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
            f'<div id="divRplyFwdMsg"><p class="MsoNormal">{head}</p></div></div>'
            f"{html_quote}</div></body></html>",
            subtype="html",
        )
    else:
        raise ValueError(style)
    return message.as_bytes()


def dsn_for(returned: EmailMessage, *, recipient: str = "jane@example.com") -> bytes:
    """A Postfix-style delivery status notification returning `returned`'s headers."""
    headers = "".join(f"{k}: {v}\n" for k, v in returned.items())
    report = (
        "Reporting-MTA: dns; mx.partner.org\n\n"
        f"Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: 5.1.1\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected\n"
    )
    boundary = "dsn-boundary-42"
    return (
        "From: MAILER-DAEMON@mx.partner.org (Mail Delivery System)\n"
        "To: baton@example.com\nSubject: Undelivered Mail Returned to Sender\n"
        f"Message-ID: {make_msgid(domain='mx.partner.org')}\nAuto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\n\n'
        f"--{boundary}\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
        f"--{boundary}\nContent-Type: message/delivery-status\n\n{report}\n"
        f"--{boundary}\nContent-Type: text/rfc822-headers\n\n{headers}\n"
        f"--{boundary}--\n"
    ).encode()


def kind_of(message: EmailMessage) -> str:
    """Which mailbaton mail this is ("request", "accepted", ...): its Message-ID is
    <REF.KIND.random@domain>. Subjects no longer say it: every mail about a ticket has
    the subject "[MB-42] <title>"."""
    parts = str(message["Message-ID"] or "").strip().strip("<>").split(".")
    return parts[1] if len(parts) > 2 else ""


def raws_of_kind(raws: list[bytes], kind: str) -> list[EmailMessage]:
    """The mails of one kind among raw messages fetched from a server, parsed."""
    from email import message_from_bytes, policy

    parsed = [message_from_bytes(raw, policy=policy.default) for raw in raws]
    return [m for m in parsed if isinstance(m, EmailMessage) and kind_of(m) == kind]
