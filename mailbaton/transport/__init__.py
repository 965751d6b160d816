"""The only network code: IMAP and the MTA pipe in, SMTP out, behind the Protocols in base."""
