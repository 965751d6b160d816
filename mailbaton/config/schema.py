"""The config schema: every key of config.toml declared once, with its kind, default and help.

The loader, the unknown-key check, environment overrides and docs/config.md are all
derived from these classes; a class docstring is its table's introduction in the docs.
"""

# key() and table() return dataclasses.field(...), which ruff cannot see through.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import cached_property
from pathlib import Path

from mailbaton.config import keys as k
from mailbaton.config.keys import key, table
from mailbaton.hours import BusinessHours, from_settings


@dataclass(frozen=True)
class Folders:
    """Where each message ends; created if missing; "/" separates levels. Nothing is deleted."""

    processed: str = key(k.TEXT, "mailbaton/processed", "handoffs and answers that were handled")
    rejected: str = key(k.TEXT, "mailbaton/rejected", "handoffs that were turned down")
    ignored: str = key(
        k.TEXT, "mailbaton/ignored", "auto-replies, bounces, loops, mail from outsiders"
    )
    failed: str = key(k.TEXT, "mailbaton/failed", "could not be processed: kept for an admin")

    def for_outcome(self, outcome: str) -> str:
        name: str = getattr(self, outcome)
        return name


# What [mailbox] is called when [mailboxes.NAME] tables are given beside it.
MAIN_MAILBOX = "main"

# A company server's certificate signed by the company's own CA is verified against it,
# which keeps verification on where verify_tls = false would switch it off.
CA_FILE_HELP = (
    "a PEM file of the CA that signed the server's certificate (a company CA), "
    "trusted besides the system's CAs"
)


@dataclass(frozen=True)
class MailboxSettings:
    """The shared mailbox handoffs arrive in, read over IMAP."""

    host: str = key(k.TEXT, "127.0.0.1", "IMAP server")
    port: int = key(k.PORT, 993, "993 for IMAPS, 143 for STARTTLS")
    security: str = key(k.SECURITY, "ssl", '"none" only for local sandboxes')
    username: str = key(
        k.required_text('the IMAP login, e.g. "baton@example.com"'),
        "",
        "the IMAP login",
        required=True,
    )
    auth: str = key(k.AUTH, "password", 'how to sign in; "oauth2" uses the [oauth2] table')
    password: str = key(
        k.SECRET, "", "or password_env: the name of an environment variable holding it"
    )
    folder: str = key(k.TEXT, "INBOX", "the folder handoffs arrive in")
    address: str = key(
        k.address('the shared address, e.g. "baton@example.com"'),
        "",
        "the shared address people write to",
        required=True,
    )
    plus_addressing: bool = key(
        k.BOOL, False, "true: replies go to baton+TOKEN@... (the server must deliver those)"
    )
    folders: Folders = table(Folders)
    verify_tls: bool = key(k.BOOL, True, "check the server's certificate")
    ca_file: Path | None = key(k.CA_FILE, None, CA_FILE_HELP)
    timeout: float = key(k.SECONDS, 30, "seconds for any one IMAP command")
    poll_interval: timedelta = key(
        k.DURATION, "60s", "how often to look when the server has no IDLE (and as a backstop)"
    )
    idle_renew: timedelta = key(
        k.DURATION, "5m", "re-issue IDLE this often; servers drop long-idle sessions"
    )
    # Not a key: the loader hands the [oauth2] table here where auth = "oauth2", so every
    # connection made from these settings can sign in.
    oauth2: OAuth2Settings | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class SmtpSettings:
    """The server mailbaton sends its mail through."""

    host: str = key(k.TEXT, "127.0.0.1", "SMTP server")
    port: int = key(k.PORT, 587, '465 for "ssl", 587 for "starttls"')
    security: str = key(k.SECURITY, "starttls", '"none" only for local sandboxes')
    username: str = key(k.TEXT, "", "leave empty when the server needs no login")
    auth: str = key(k.AUTH, "password", 'how to sign in; "oauth2" uses the [oauth2] table')
    password: str = key(
        k.SECRET, "", "or password_env: the name of an environment variable holding it"
    )
    verify_tls: bool = key(k.BOOL, True, "check the server's certificate")
    ca_file: Path | None = key(k.CA_FILE, None, CA_FILE_HELP)
    timeout: float = key(k.SECONDS, 30, "seconds for any one SMTP exchange")
    from_name: str = key(k.TEXT, "mailbaton", "display name on every mail sent")
    # Not a key: the loader hands the [oauth2] table here where auth = "oauth2", so every
    # connection made from these settings can sign in.
    oauth2: OAuth2Settings | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class NamedMailbox(MailboxSettings):
    """One table per further shared mailbox (one per department, say), watched by the same
    service and kept in the same database: every key of [mailbox], with its own folders,
    address and sign-in. A handoff's ticket belongs to the mailbox it came in through: its
    mail is sent From that address (and its SMTP sign-in). An optional
    [mailboxes.NAME.smtp] table takes the keys of [smtp], each defaulting to [smtp]'s own:
    Microsoft 365 lets an account send only as itself. Given beside [mailboxes.NAME],
    [mailbox] is one more mailbox, named "main", and the first. Two mailboxes may not share
    an address, nor a host, username and folder. NAME: letters, digits, "-" and "_"; in
    the environment "-" is written "_". See docs/mailboxes.md."""


@dataclass(frozen=True)
class SharedMailbox:
    """One watched mailbox as the service uses it: its name, IMAP and SMTP settings."""

    name: str
    mailbox: MailboxSettings
    smtp: SmtpSettings
    # It has an [mailboxes.NAME.smtp] table: its mail leaves through a sign-in of its own.
    own_smtp: bool = False
    # Where config.toml declares it: "mailbox" or "mailboxes.NAME".
    table: str = "mailbox"

    @property
    def address(self) -> str:
        return self.mailbox.address


@dataclass(frozen=True)
class OAuth2Settings:
    """Sign-in with OAuth2 (XOAUTH2), used by [mailbox] and [smtp] where auth = "oauth2"."""

    provider: str | None = key(
        k.one_of("microsoft", "google", "command"), None, "who issues the access tokens"
    )
    tenant: str = key(k.TEXT, "", 'microsoft: the tenant, e.g. "contoso.onmicrosoft.com"')
    client_id: str = key(k.TEXT, "", "the application (client) id")
    client_secret_env: str | None = key(
        k.ENV_NAME, None, "the environment variable holding the client secret"
    )
    certificate: Path | None = key(
        k.EXISTING_FILE, None, "microsoft: a certificate file instead of a client secret"
    )
    service_account_file: Path | None = key(
        k.EXISTING_FILE, None, "google: service account key (domain-wide delegation)"
    )
    token_cache: Path | None = key(
        k.PATH, None, "where `mailbaton auth login` keeps a delegated sign-in"
    )
    command: str | None = key(
        k.TEXT, None, "command: runs this and reads an access token from its output"
    )
    authority: str | None = key(
        k.TEXT, None, 'another sign-in endpoint, e.g. "https://login.microsoftonline.com"'
    )


@dataclass(frozen=True)
class DatabaseSettings:
    """Where tickets live."""

    url: str = key(
        k.DATABASE_URL,
        "sqlite:///mailbaton.db",
        "sqlite:///FILE (relative to the config file) or postgresql+psycopg://user@host/db",
    )


@dataclass(frozen=True)
class ProtocolSettings:
    """Who may hand off to whom, and how tickets are named."""

    ticket_prefix: str = key(
        k.TICKET_PREFIX, "MB", "tickets are MB-1, MB-2, ...; rejected handoffs MB-R1, ..."
    )
    allowed_domains: tuple[str, ...] = key(
        k.DOMAINS, [], "handoffs only from, and only to, these (and their subdomains)"
    )
    group_addresses: tuple[str, ...] = key(k.PATTERNS, [], "never a catcher: not a person")
    role_names: tuple[str, ...] = key(
        k.LOCAL_PARTS, [], "more local parts that are roles, beside RFC 2142's"
    )
    max_message_size: int = key(
        k.SIZE,
        "25MB",
        "larger mail is read only in part (256 KB): a reply still counts, a handoff is rejected",
    )
    require_dmarc_pass_from: str | None = key(
        k.HOST_OR_NONE,
        None,
        "hold mail unless this server's Authentication-Results says dmarc=pass",
    )
    max_answers_per_sender: int = key(
        k.COUNT, 20, "automatic answers to one sender per hour; past it they are held"
    )
    strict_verdicts: bool = key(
        k.BOOL, False, "true: only the verdict keywords count, not everyday phrases"
    )


@dataclass(frozen=True)
class EscalationSettings:
    """When a pending handoff is escalated, and the business hours its clock runs in."""

    timezone: str = key(k.TIMEZONE, "UTC", "for business hours and for times shown in mails")
    business_hours: str | None = key(
        k.BUSINESS_HOURS, None, "the clock runs only then (default: always)"
    )
    holidays: tuple[str, ...] = key(k.DATES, [], "days the clock stops")
    after: timedelta = key(
        k.DURATION, "4h", "pending this long after opening: the managers are told"
    )
    managers: tuple[str, ...] = key(
        k.ADDRESSES, [], "always told, besides the departments' managers"
    )
    repeat_every: timedelta | None = key(
        k.DURATION_OR_OFF, "off", "escalate again this often while still pending"
    )
    remind_after: timedelta | None = key(
        k.DURATION_OR_OFF, "off", "remind the catcher this long after opening"
    )

    @cached_property
    def schedule(self) -> BusinessHours | None:
        """The business hours as the clock uses them (None: always open); read once."""
        return from_settings(self.business_hours, self.timezone, self.holidays)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class DigestSettings:
    """An opt-in digest mail to each department's managers: its open handoffs, overdue
    first, and the last period's figures (escalation.managers get every department's).
    Times are in escalation.timezone."""

    every: str = key(k.one_of("off", "daily", "weekly"), "off", "how often; off by default")
    at: str = key(k.TIME_OF_DAY, "08:00", "the time of day it is sent")
    weekday: str = key(k.one_of(*WEEKDAYS), "mon", "weekly: the day it is sent")


@dataclass(frozen=True)
class Department:
    """One table per department: whose managers hear of its escalations. File only."""

    name: str
    members: tuple[str, ...] = key(k.PATTERNS, [], "who belongs to it")
    managers: tuple[str, ...] = key(k.ADDRESSES, [], "told when its handoffs escalate")
    group_addresses: tuple[str, ...] = key(k.PATTERNS, [], "its team addresses: never a catcher")


@dataclass(frozen=True)
class Hook:
    """One table per chat channel (a #managers channel): escalations, all-clears and health
    alerts are posted to its webhook, through the outbox (retried, shown in `status`). The
    URL carries the channel's token: keep it in url_env; only its host is ever shown. File
    only. See docs/notify.md."""

    name: str
    kind: str | None = key(k.HOOK_KIND, None, "the chat service: how its messages are written")
    url: str = key(k.WEBHOOK_URL, "", "the webhook's URL; better url_env: the variable holding it")
    events: tuple[str, ...] = key(k.HOOK_EVENTS, list(k.EVENTS), "what is posted there")


@dataclass(frozen=True)
class TemplatesSettings:
    """The mails mailbaton writes. The defaults ship inside the package."""

    dir: Path | None = key(
        k.TEMPLATES_FOLDER,
        None,
        "a folder of your own templates that override the shipped ones of the same name",
    )


@dataclass(frozen=True)
class AlertsSettings:
    """Who is told when mailbaton itself cannot work: the mailbox, SMTP or sign-in failing."""

    admins: tuple[str, ...] = key(
        k.ADDRESSES, [], "mailed once when a failure lasts `after`, and once when it is over"
    )
    after: timedelta = key(
        k.DURATION, "15m", "how long the mailbox, SMTP or sign-in must fail before an alert"
    )


@dataclass(frozen=True)
class Settings:
    """Everything read at start; handed to whoever needs it, never a global."""

    mailbox: MailboxSettings
    smtp: SmtpSettings
    database_url: str
    protocol: ProtocolSettings
    escalation: EscalationSettings
    departments: tuple[Department, ...]
    templates_dir: Path | None
    source: Path | None = field(default=None, compare=False)
    oauth2: OAuth2Settings = field(default_factory=OAuth2Settings)
    hooks: tuple[Hook, ...] = ()
    digest: DigestSettings = field(default_factory=DigestSettings)
    alerts: AlertsSettings = field(default_factory=AlertsSettings)
    # `mailbox` and `smtp` are the first mailbox ([mailbox], or the first [mailboxes.NAME]
    # when there is none), declared as `first` says (its name, table); these are the others.
    first: SharedMailbox | None = field(default=None, repr=False)
    more_mailboxes: tuple[SharedMailbox, ...] = ()

    @cached_property
    def mailboxes(self) -> tuple[SharedMailbox, ...]:
        """Every watched mailbox, the first one first (the default: alerts, digests and
        tickets from before several mailboxes were watched are sent from it)."""
        first = self.first or SharedMailbox(MAIN_MAILBOX, self.mailbox, self.smtp)
        return (replace(first, mailbox=self.mailbox, smtp=self.smtp), *self.more_mailboxes)

    @property
    def mailbox_name(self) -> str:
        return self.mailboxes[0].name

    @cached_property
    def shared_addresses(self) -> frozenset[str]:
        """Every mailbox's address, lower-cased: mail from one is our own."""
        return frozenset(box.address.lower() for box in self.mailboxes)

    def mailbox_for(self, address: str | None) -> SharedMailbox:
        """The mailbox with this address; the first one for None or an address no longer
        configured (a ticket from before, or from before its mailbox's address changed)."""
        wanted = (address or "").lower()
        for box in self.mailboxes:
            if box.address.lower() == wanted:
                return box
        return self.mailboxes[0]


# The tables of config.toml in the order they are read and documented.
SECTIONS: dict[str, type] = {
    "mailbox": MailboxSettings,
    "mailboxes": NamedMailbox,
    "smtp": SmtpSettings,
    "oauth2": OAuth2Settings,
    "database": DatabaseSettings,
    "protocol": ProtocolSettings,
    "escalation": EscalationSettings,
    "departments": Department,
    "templates": TemplatesSettings,
    "notify": Hook,
    "digest": DigestSettings,
    "alerts": AlertsSettings,
}
# Tables holding one sub-table per name ([departments.sales]); not set from the environment
# (but [mailboxes.NAME], which may: environ.py names its variables after the file's names).
REPEATED = frozenset({"departments", "notify", "mailboxes"})
