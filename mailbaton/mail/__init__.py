"""Raw message bytes -> ParsedMail: headers, bodies, attachments and signs of a machine."""
