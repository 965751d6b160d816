"""Command line: argument parsing and printing only; the work happens in the modules below."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from mailbaton import logs

# Only what parsing needs and `status`, `health` and `show` use: `status` is typed at a
# prompt, and importing every command's libraries (classify, OAuth2, Prometheus) took
# longer than the command. Each other command imports its own in its function.
from mailbaton.app import auth_cli, notify_cli, report_cli, templates_cli
from mailbaton.app.text import mail_summary, show_text, status_table
from mailbaton.clock import parse_instant, utcnow
from mailbaton.config import ConfigError, Settings, load
from mailbaton.outbound.hooks import post_problems
from mailbaton.store.db import Database, NewerSchema
from mailbaton.tickets.queries import (
    load_ticket,
    load_tickets,
    mail_problems,
    no_such_ticket,
    ticket_json,
    ticket_lines,
)
from mailbaton.watch import health
from mailbaton.watch.unwatched import unwatched

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
# sysexits.h EX_TEMPFAIL: an MTA piping mail into `ingest` keeps it and tries again later,
# where any other failure code makes it bounce the mail to its sender.
EXIT_TEMPFAIL = 75


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailbaton",
        description="The Baton Pass Protocol over email: a handoff stays in the thrower's "
        "name until a named human replies GOT IT.",
    )
    _global_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    add_run_parser(commands)

    commands.add_parser(
        "check", help="a checklist: IMAP, SMTP, database, templates, each with a likely fix"
    )

    status = commands.add_parser("status", help="open tickets")
    status.add_argument("--all", action="store_true", help="every ticket, rejected ones too")
    status.add_argument("--json", action="store_true")

    health = commands.add_parser("health", help="mailbox and SMTP health (exit 1: failing, late)")
    health.add_argument("--json", action="store_true")

    show = commands.add_parser("show", help="one ticket with its timeline")
    show.add_argument("ticket", metavar="TICKET", help="e.g. MB-42 (or 42)")
    show.add_argument("--json", action="store_true")

    ingest = commands.add_parser("ingest", help="process one raw message (for an MTA pipe)")
    ingest.add_argument("file", nargs="?", metavar="FILE", help="default: standard input")
    ingest.add_argument(
        "--mailbox",
        metavar="NAME",
        help="the mailbox it came in through (several are watched); default: the one its "
        "Delivered-To, else To/Cc, names, else the first",
    )

    templates_cli.add_parser(commands)
    auth_cli.add_parser(commands)
    report_cli.add_parsers(commands)
    notify_cli.add_parser(commands)

    demo = commands.add_parser("demo", help="everything on an embedded sandbox mail server")
    demo.add_argument("--dir", default=".mailbaton-demo", help="where the demo keeps its files")
    demo.add_argument("--no-wait", action="store_true", help="exit after the walkthrough")
    return parser


def _global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--config", default="config.toml", help="default: ./config.toml")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument(
        "--log-format",
        choices=logs.FORMATS,
        default="text",
        help="log lines on stderr: text (default) or json, one object per line",
    )
    parser.add_argument("--version", action="version", version=f"mailbaton {_version()}")


def add_run_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = commands.add_parser("run", help="the daemon (or one pass with --once)")
    run.add_argument("--once", action="store_true", help="one pass, then exit")
    run.add_argument("--metrics-port", metavar="[HOST:]PORT", help="serve Prometheus metrics")
    run.add_argument(
        "--now",
        help="with --once: act as if it were this ISO-8601 time; this is for real (mail is "
        "sent, escalations fire, messages are filed): add --dry-run to only look",
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="with --once: say what would happen, without sending, filing or changing anything",
    )


def _version() -> str:
    try:
        return metadata.version("mailbaton")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    logs.setup(logging.DEBUG if args.verbose else logging.INFO, args.log_format)
    if args.command == "demo":
        from mailbaton.app.demo import run_demo

        if not args.verbose:
            # The walkthrough prints what matters; log lines would interleave with it.
            logging.getLogger().setLevel(logging.WARNING)

        return run_demo(Path(args.dir), wait=not args.no_wait)
    if not args.verbose:
        # Library chatter would drown the one line per pass a person wants to read.
        for noisy in ("imapclient", "aiosmtplib", "alembic"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = load(args.config)
    except ConfigError as error:
        shown = args.config or "''"
        print(f"mailbaton: the config cannot be used ({shown}):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_ERROR
    try:
        return dispatch(args, settings)
    except KeyboardInterrupt:
        return EXIT_OK
    except (SQLAlchemyError, NewerSchema) as error:
        # Down, unreachable, refusing us or upgraded by a newer version: one line an admin
        # can act on, not a traceback (ingest: the MTA keeps the message and retries).
        # The driver's own words only: SQLAlchemy's wrapper may add the statement.
        said = str(getattr(error, "orig", None) or error).strip().splitlines()
        print(
            f"mailbaton: the database cannot be used: {said[0] if said else type(error).__name__}",
            file=sys.stderr,
        )
        return EXIT_TEMPFAIL if args.command == "ingest" else EXIT_ERROR


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "templates":
        return templates_cli.templates_command(args, settings)
    if args.command == "check":
        return check_command(settings)
    if args.command == "auth":
        return auth_cli.auth_command(args, settings)
    if args.command == "notify":
        code, line = notify_cli.notify_command(args, settings)
        print(line, file=sys.stderr if code else sys.stdout)
        return code
    if args.command == "run":
        return run_command(args, settings)
    if args.command == "report":
        return report_cli.report_command(args, settings)
    if args.command == "export":
        return report_cli.export_command(args, settings)
    db = Database.open(settings.database_url)
    try:
        if args.command == "status":
            return status_command(args, settings, db)
        if args.command == "health":
            return health_command(args, settings, db)
        if args.command == "show":
            return show_command(args, settings, db)
        if args.command == "ingest":
            return ingest_command(args, settings, db)
    finally:
        db.close()
    return EXIT_USAGE


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    from mailbaton.app.service import Service
    from mailbaton.transport.metrics_http import MetricsUnavailable

    if ((args.now or args.dry_run) and not args.once) or (args.once and args.metrics_port):
        print("mailbaton: --now/--dry-run go with --once, --metrics-port without", file=sys.stderr)
        return EXIT_USAGE
    try:
        now = parse_instant(args.now) if args.now else None
    except ValueError:
        print(f"mailbaton: --now {args.now!r} is not an ISO-8601 time", file=sys.stderr)
        return EXIT_USAGE
    if args.dry_run:
        return dry_run_command(settings, now or utcnow())
    service = Service.open(settings)
    with service.db.transaction() as session:
        for line in unwatched(session, settings):
            logging.getLogger("mailbaton").warning(line)
    try:
        if args.once:
            report = asyncio.run(service.run_once(now))
            print(report.summary())
            for outcome in report.outcomes:
                print(f"  {outcome.outcome}: {outcome.reason}")
            return EXIT_ERROR if report.inbox_error else EXIT_OK
        say = logging.getLogger("mailbaton").info
        asyncio.run(
            service.run_forever(lambda r: say("pass: %s", r.summary(brief=True)), args.metrics_port)
        )
        return EXIT_OK
    except MetricsUnavailable as problem:
        print(f"mailbaton: --metrics-port: {problem}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        service.close()


def dry_run_command(settings: Settings, now: datetime) -> int:
    """What one pass would do at `now`: read-only on the mailbox, the database and SMTP."""
    from mailbaton.app import dry_run
    from mailbaton.transport.base import TransportError

    print(f"dry run at {now.isoformat()}: nothing is sent, filed or changed")
    db = Database.open(settings.database_url)
    try:
        several = len(settings.mailboxes) > 1
        for box in settings.mailboxes:
            tag = f"mailbox {box.name}: " if several else ""
            try:
                lines = dry_run.incoming(settings, db, box.mailbox)
            except TransportError as error:
                lines = [f"inbox unavailable: {error}"]
            for line in lines:
                print(f"  {tag}{line}")
        for line in dry_run.deadlines(settings, db, now):
            print(f"  {line}")
    finally:
        db.close()
    return EXIT_OK


def status_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    now = utcnow()
    with db.transaction() as session:
        problems = mail_problems(session)
        if args.json:
            tickets = load_tickets(session, include_closed=args.all)
            print(
                json.dumps(
                    [ticket_json(t, now, events=False, mail=problems.get(t.id)) for t in tickets],
                    indent=2,
                )
            )
            return EXIT_OK
        # First: whether anything below is current (a stopped daemon reads as calm).
        print("\n".join(health.lines(health.read(session, settings, now))) + "\n")
        print(status_table(ticket_lines(session, include_closed=args.all), now, closed=args.all))
        for line in filter(None, [mail_summary(problems), *post_problems(session)]):
            print(line)
        for line in unwatched(session, settings):
            print(f"Warning: {line}")
    # A broken template edit: the daemon logged it once; here it stays visible.
    for line in templates_cli.status_lines(settings):
        print(line)
    return EXIT_OK


def health_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    with db.transaction() as session:
        text, ok = health.report(session, settings, utcnow(), as_json=args.json)
    print(text)
    return EXIT_OK if ok else EXIT_ERROR


def show_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    now = utcnow()
    with db.transaction() as session:
        ticket = load_ticket(session, args.ticket, settings.protocol.ticket_prefix)
        if ticket is None:
            print(f"mailbaton: {no_such_ticket(session, args.ticket)}", file=sys.stderr)
            return EXIT_ERROR
        problems = mail_problems(session).get(ticket.id)
        if args.json:
            print(json.dumps(ticket_json(ticket, now, events=True, mail=problems), indent=2))
        else:
            print(show_text(ticket, now, settings.escalation.timezone))
    return EXIT_OK


def ingest_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    from mailbaton.app import intake
    from mailbaton.app.mailboxes import ingested_by
    from mailbaton.app.service import desk_for, post_webhooks, send_all
    from mailbaton.transport.pipe import Pipe

    names = [box.name for box in settings.mailboxes]
    if args.mailbox is not None and args.mailbox not in names:
        print(f"mailbaton: no mailbox {args.mailbox!r}; the config has {', '.join(names)}",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    try:
        pipe = Pipe.open(args.file, settings.protocol.max_message_size)
    except OSError as error:
        print(f"mailbaton: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return EXIT_ERROR
    if pipe.taken is not None and not pipe.taken[0].strip():
        # Not a message without a sender: nothing came at all (a wrong pipe, a test run).
        pipe.stream.close()
        print(f"mailbaton: nothing to read: {args.file or 'standard input'} is empty",
              file=sys.stderr)  # fmt: skip
        return EXIT_ERROR
    box = ingested_by(settings, args.mailbox, pipe.head())
    desk = desk_for(settings).reading(box.address)
    now = utcnow()
    drained = intake.Drained()
    with pipe:
        intake.drain(db, desk, pipe, now, drained)
    (outcome,) = drained.outcomes
    print(f"{outcome.outcome}: {outcome.reason}")
    # Send right away when we can; whatever cannot leave now waits in the outbox.
    mail = asyncio.run(send_all(db, desk, now))
    asyncio.run(post_webhooks(db, settings, now))
    if mail.retrying:
        print(f"{mail.retrying} mail(s) wait in the outbox for the SMTP server")
    if outcome.outcome == intake.FAILED:
        # A pipe has no failed folder to keep it in: the MTA keeps it and offers it again
        # (a failed message is decided afresh), instead of bouncing our error to a person.
        print("mailbaton: not processed; the MTA keeps the message and tries again later",
              file=sys.stderr)  # fmt: skip
        return EXIT_TEMPFAIL
    return EXIT_OK


def check_command(settings: Settings) -> int:
    from mailbaton.app import checklist

    composer = templates_cli.composer_for(settings)
    found = checklist.check(
        settings, templates_cli.problems(composer, settings), templates_cli.origin(composer)
    )
    for line in found.lines:
        print(line)
    return EXIT_OK if not found.failures else EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
