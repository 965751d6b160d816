"""`mailbaton notify test NAME`, and the [notify] lines of `mailbaton check`."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

from mailbaton.clock import as_utc
from mailbaton.config import Settings
from mailbaton.transport.base import TransportError

EXIT_OK, EXIT_ERROR = 0, 1


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    notify = commands.add_parser("notify", help="the chat channels of [notify.NAME]")
    actions = notify.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    test = actions.add_parser("test", help="post a sample escalation to one channel, now")
    test.add_argument("name", metavar="NAME", help="the NAME of its [notify.NAME] table")


def check_lines(settings: Settings) -> list[str]:
    """For `check`: each channel and what it gets; the URL by its host only."""
    from mailbaton.transport.webhook import host_of

    return [
        f"notify.{hook.name}: {hook.kind} webhook at {host_of(hook.url)} for "
        f"{', '.join(hook.events) or 'nothing'} (`mailbaton notify test {hook.name}` posts a "
        "sample)"
        for hook in settings.hooks
    ]


def notify_command(args: argparse.Namespace, settings: Settings) -> tuple[int, str]:
    """Posts a sample escalation straight to the hook (not through the outbox): what the
    channel will show, and proof that the URL works. Returns the exit code and a line."""
    # Here, not at the top: every command line parses this module's arguments.
    from mailbaton.outbound.announce import escalation_alert
    from mailbaton.outbound.compose import Composer
    from mailbaton.outbound.desk import Desk
    from mailbaton.outbound.hooks import payload
    from mailbaton.outbound.preview import sample
    from mailbaton.tickets.deadlines import escalation_recipients
    from mailbaton.transport.webhook import post_once

    hooks = {hook.name: hook for hook in settings.hooks}
    hook = hooks.get(args.name)
    if hook is None:
        known = ", ".join(hooks) or "none in the config"
        return EXIT_ERROR, f"mailbaton: no [notify.{args.name}]; known: {known}"
    ticket = sample(settings)
    ticket.escalated_to = json.dumps(escalation_recipients(ticket, settings))
    desk = Desk(settings, Composer(settings.templates_dir, settings.escalation.timezone))
    now = as_utc(ticket.deadline or ticket.created_at)
    alert = escalation_alert(ticket, desk, 1, json.loads(ticket.escalated_to), now)
    alert = replace(alert, headline=f"Test post from mailbaton: {alert.headline}")
    body = json.dumps(payload(hook.kind, alert, f"webhook:{hook.name}:test"), ensure_ascii=False)
    try:
        answer = post_once(hook.url, body.encode(), f"webhook:{hook.name}:test")
    except TransportError as error:
        return EXIT_ERROR, f"mailbaton: [notify.{hook.name}] ({hook.kind}): {error}"
    return EXIT_OK, f"posted a sample escalation to [notify.{hook.name}] ({hook.kind}): {answer}"
