"""Telling people when mailbaton cannot work.

A failing server gets one clear log line at once and again every LOG_EVERY while it lasts
(never one per pass, never silence); once it has failed for `alerts.after`, the
`[alerts] admins` get one mail (and every [notify.NAME] webhook taking "health" one
post), and one recovery note when it works again. Both go through the durable outbox:
if SMTP itself is down, the mail waits there and leaves with the first mail the server
takes again (webhook posts do not wait for SMTP).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbaton.clock import humanize, iso
from mailbaton.config import Settings
from mailbaton.outbound.desk import Desk, header_address
from mailbaton.outbound.hooks import Alert as HookAlert
from mailbaton.outbound.hooks import queue_hooks
from mailbaton.outbound.outbox import enqueue
from mailbaton.store.db import Database
from mailbaton.store.models import Outbox
from mailbaton.transport.base import TransportError
from mailbaton.watch import health
from mailbaton.watch.health import MAILBOX, Outage

log = logging.getLogger(__name__)

LOG_EVERY = timedelta(minutes=5)
# These mails belong to no ticket: this names them in Message-IDs and X-Mailbaton-Ticket.
REF = "mailbaton-health"
ALERT, RECOVERY = "alert", "recovery"
HEALTH = "health"  # the [notify.NAME] event these are posted under


def describe(settings: Settings, component: str) -> tuple[str, str]:
    """What failed, in words, and which server it is (and which mailbox, of several)."""
    box = health.find(settings, component).box
    mine = f" of mailbox {box.name}" if len(settings.mailboxes) > 1 else ""
    if _is_mailbox(component):
        s = box.mailbox
        what = f"the mailbox {box.name}" if mine else "the mailbox"
        return what, f"{s.username} on {s.host}:{s.port}, folder {s.folder}"
    smtp = box.smtp
    login = f" as {smtp.username}" if mine and smtp.username else ""
    return f"the SMTP server{mine}", f"{smtp.host}:{smtp.port}{login}"


def _is_mailbox(component: str) -> bool:
    return component.partition(":")[0] == MAILBOX


def _password_keys(settings: Settings, component: str) -> str:
    """Where the failing sign-in's password is set in config.toml."""
    box = health.find(settings, component).box
    smtp = f"{box.table}.smtp" if box.own_smtp else "smtp"
    table = box.table if _is_mailbox(component) else smtp
    return f"{table}.password (or {table}.password_env)"


def context(settings: Settings, outage: Outage, now: datetime) -> dict[str, Any]:
    """What the alert and recovery templates see."""
    what, server = describe(settings, outage.component)
    until = outage.until or now
    if _is_mailbox(outage.component):
        effect = (
            "New handoffs and replies are not being read. Nothing is lost: they wait in the "
            "mailbox and are handled as soon as it works again. Escalations and reminders "
            "still go out on time."
        )
    else:
        effect = (
            "Mail to people waits in the outbox and leaves as soon as the server takes it "
            "again; nothing is lost. This alert waited there too, so it may reach you late."
        )
    key = _password_keys(settings, outage.component)
    if outage.sign_in:
        fix = (
            f"Check {key}, or the [oauth2] settings if you sign in with OAuth2, and run "
            "`mailbaton check` to try the sign-in. mailbaton keeps running and resumes by "
            "itself once the sign-in works; no restart is needed."
        )
    else:
        fix = (
            f"Check that {server} is up and reachable from the mailbaton host "
            "(`mailbaton check` tries it). mailbaton keeps trying and resumes by itself."
        )
    return {
        "ref": REF,
        "component": outage.component,
        "what": what,
        "server": server,
        "since": outage.since,
        "until": until,
        "duration": humanize(until - outage.since),
        "error": outage.error,
        "sign_in": outage.sign_in,
        "effect": effect,
        "fix": fix,
        "retry": humanize(health.poll_interval(settings)),
        "after": humanize(settings.alerts.after),
    }


def sample_context(name: str, settings: Settings) -> dict[str, Any]:
    """Sample data for `templates preview alert|recovery`: a wrong mailbox password."""
    since = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    error = (
        f"the IMAP server {settings.mailbox.host}:{settings.mailbox.port} refused the sign-in "
        f"as {settings.mailbox.username or 'baton@example.com'}: "
        "[AUTHENTICATIONFAILED] Authentication failed."
    )
    until = since + timedelta(minutes=47) if name == RECOVERY else None
    outage = Outage(MAILBOX, since, error, sign_in=True, until=until)
    return context(settings, outage, since + settings.alerts.after + timedelta(minutes=1))


def audience(settings: Settings) -> list[str]:
    """Who hears of an outage: the admins by mail, the webhooks that take "health"."""
    hooks = [f"webhook {hook.name}" for hook in settings.hooks if HEALTH in hook.events]
    return [*settings.alerts.admins, *hooks]


def queue(session: Session, desk: Desk, name: str, outage: Outage, now: datetime) -> bool:
    """Queues the alert or recovery note for this outage: mail to the admins, a post to
    every [notify.NAME] that takes "health". Never twice: the dedupe key names the outage,
    so a replica or a restart that gets here again finds it queued."""
    key = f"health:{name}:{outage.component}:{iso(outage.since)}"
    said = hook_alert(desk.settings, name, outage, now)
    posted = queue_hooks(session, desk.settings.hooks, said, dedupe_key=key, now=now)
    return _mail(session, desk, name, outage, now, key) or posted > 0


def hook_alert(settings: Settings, name: str, outage: Outage, now: datetime) -> HookAlert:
    """The same news for a chat channel: a headline, the error, what to do."""
    seen = context(settings, outage, now)
    what = str(seen["what"])
    if name == ALERT:
        headline = f"mailbaton: {what} has been failing for {seen['duration']}"
        lines: tuple[str, ...] = (f"The last error: {outage.error}", str(seen["fix"]))
    else:
        headline = f"mailbaton: {what} works again, after {seen['duration']} of failures"
        lines = (f"The last error was: {outage.error}",)
    facts = (("Server", str(seen["server"])), ("Failing since", iso(outage.since) or ""))
    data = {
        "component": outage.component,
        "state": "failing" if name == ALERT else "recovered",
        "since": iso(outage.since),
        "until": iso(outage.until),
        "error": outage.error,
        "sign_in": outage.sign_in,
    }
    return HookAlert(HEALTH, headline, lines, facts, data)


def _mail(session: Session, desk: Desk, name: str, outage: Outage, now: datetime, key: str) -> bool:
    admins = desk.settings.alerts.admins
    if not admins or name not in desk.composer.names():
        return False
    if session.scalar(select(Outbox.id).where(Outbox.dedupe_key == key).limit(1)) is not None:
        return False
    people = [header_address("", address) for address in admins]
    message = desk.composer.build(
        name,
        context(desk.settings, outage, now),
        sender=desk.sender,
        to=people,
        now=now,
        ref=REF,
        # Answers go to the admins, not into the shared mailbox as a handoff.
        reply_to=people[0],
    )
    mail_from = desk.settings.mailbox.address
    enqueue(session, message, kind=name, mail_from=mail_from, now=now, dedupe_key=key)
    return True


class Watch:
    """What the daemon's passes report about each server: recorded, logged, alerted."""

    def __init__(self, db: Database, desk: Desk) -> None:
        self.db = db
        self.desk = desk
        # Per process: when each failing server was last logged.
        self.logged: dict[str, datetime] = {}

    def saw(
        self, component: str, now: datetime, error: TransportError | None, *, signed_in: bool
    ) -> None:
        """One pass's word on `component`: it worked (`error` None), or it failed."""
        settings = self.desk.settings
        with self.db.transaction() as session:
            health.adopt(session, settings, component)
            if error is None:
                ended = health.note_ok(session, component, now, signed_in)
                if ended is not None:
                    queue(session, self.desk, RECOVERY, ended, now)
            else:
                outage = health.note_failure(session, component, now, error)
                after = settings.alerts.after
                told = (
                    bool(audience(settings))
                    and health.claim_alert(session, component, now, after)
                    and queue(session, self.desk, ALERT, outage, now)
                )
        if error is None:
            if self.logged.pop(component, None) is not None:
                log.info("%s works again", describe(settings, component)[0])
            return
        self._log(outage, now, told)

    def _log(self, outage: Outage, now: datetime, told: bool) -> None:
        last = self.logged.get(outage.component)
        # Not again when only its words change: a server that flaps between two errors
        # would otherwise fill the log one line per pass.
        if not told and last is not None and now - last < LOG_EVERY:
            return
        self.logged[outage.component] = now
        settings = self.desk.settings
        what = describe(settings, outage.component)[0]
        kind = "cannot sign in to" if outage.sign_in else "cannot use"
        tail = (
            f"; mailbaton keeps trying (every {humanize(health.poll_interval(settings))} or sooner)"
        )
        if told:
            tail += f"; alert queued for {', '.join(audience(settings))}"
        elif not audience(settings):
            tail += "; no [alerts] admins to mail"
        log.warning(
            "%s %s, failing for %s (since %s): %s%s",
            kind,
            what,
            humanize(now - outage.since),
            iso(outage.since),
            outage.error,
            tail,
        )
