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
