"""Settings from config.toml and MAILBATON_* variables: one typed schema, read once at start.

schema.py declares every key once (kind, default, help); loader.py reads a file by those
declarations, environ.py lays environment variables over it, reference.py writes
docs/config.md from them, and values.py holds the one grammar of each kind of value.
"""

from mailbaton.config.loader import ConfigError, from_dict, load
from mailbaton.config.reference import reference
from mailbaton.config.schema import (
    AlertsSettings,
    Department,
    DigestSettings,
    EscalationSettings,
    Folders,
    MailboxSettings,
    OAuth2Settings,
    ProtocolSettings,
    Settings,
    SharedMailbox,
    SmtpSettings,
)
from mailbaton.config.values import SECURITY_CHOICES, hide_password

__all__ = [
    "SECURITY_CHOICES",
    "AlertsSettings",
    "ConfigError",
    "Department",
    "DigestSettings",
    "EscalationSettings",
    "Folders",
    "MailboxSettings",
    "OAuth2Settings",
    "ProtocolSettings",
    "Settings",
    "SharedMailbox",
    "SmtpSettings",
    "from_dict",
    "hide_password",
    "load",
    "reference",
]
