"""`mailbaton templates list / check / preview / send-test`, and the templates lines of
`check` and `status`: for admins editing the mails, who are not Python developers."""

from __future__ import annotations

import argparse
import sys

from mailbaton.clock import utcnow
from mailbaton.config import Settings
from mailbaton.outbound import checking
from mailbaton.outbound.compose import DEFAULT_TEMPLATES, REQUIRED, Composer, TemplateProblem
from mailbaton.outbound.preview import sample_context, ticket_sample
from mailbaton.store.db import Database
from mailbaton.tickets.queries import load_ticket, no_such_ticket

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
# Where each template's variables are listed, with an example value of each.
VARIABLES = DEFAULT_TEMPLATES / "README.md"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    templates = commands.add_parser("templates", help="list, check and preview templates")
    actions = templates.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    actions.add_parser("list", help="the templates, and where their variables are listed")
    actions.add_parser("check", help="render every template with sample data, list problems")
    preview = actions.add_parser("preview", help="render one template with sample data")
    preview.add_argument("name", metavar="NAME")
    preview.add_argument("--html", action="store_true", help="the HTML version")
    preview.add_argument("--ticket", metavar="MB-n", help="with this ticket's data, not samples")
    send = actions.add_parser("send-test", help="send one real mail rendered with sample data")
    send.add_argument("name", metavar="NAME")
    send.add_argument("--to", required=True, metavar="ADDRESS", help="who gets the test mail")


def composer_for(settings: Settings) -> Composer:
    return Composer(settings.templates_dir, settings.escalation.timezone)


def no_template(name: str, composer: Composer) -> str:
    """An unknown NAME, for `preview` and `send-test` alike: a usage error (exit 2)."""
    return f"no template {name!r}; the templates are: {', '.join(composer.names())}"


def templates_command(args: argparse.Namespace, settings: Settings) -> int:
    composer = composer_for(settings)
    if args.action in ("preview", "send-test") and args.name not in composer.names():
        print(f"mailbaton: {no_template(args.name, composer)}", file=sys.stderr)
        return EXIT_USAGE
    if args.action == "list":
        for name in composer.names():
            html = " (+ html)" if composer.has_html(name) else ""
            print(f"{name}{html}")
        print()
        if composer.dir is not None and len(composer.folders) > 1:
            print(f"your folder: {composer.dir} (its files replace the shipped ones)")
        print(f"shipped: {DEFAULT_TEMPLATES} (copy from here to edit)")
        print(f"the variables of each: {VARIABLES}")
        return EXIT_OK
    if args.action == "check":
        found = problems(composer, settings)
        if not found:
            print(f"{len(composer.names())} templates ok {origin(composer)}")
            return EXIT_OK
        print(f"{len(found)} problem(s) in the templates {origin(composer)}:")
        for problem in found:
            print(f"  {problem}")
        print(f"the variables each template can use: {VARIABLES}")
        return EXIT_ERROR
    if args.action == "send-test":
        from mailbaton.app.send_test import SendTestProblem, send_test  # SMTP's libraries

        try:
            print(send_test(settings, args.name, args.to))
        except SendTestProblem as problem:
            print(f"mailbaton: {problem}", file=sys.stderr)
            return EXIT_ERROR
        return EXIT_OK
    return preview_command(args, settings, composer)


def preview_command(args: argparse.Namespace, settings: Settings, composer: Composer) -> int:
    if args.ticket:
        return preview_ticket(args, settings, composer)
    return show(args, composer, sample_context(args.name, settings))


def preview_ticket(args: argparse.Namespace, settings: Settings, composer: Composer) -> int:
    db = Database.open(settings.database_url)
    try:
        with db.transaction() as session:
            ticket = load_ticket(session, args.ticket, settings.protocol.ticket_prefix)
            if ticket is None:
                print(f"mailbaton: {no_such_ticket(session, args.ticket)}", file=sys.stderr)
                return EXIT_ERROR
            context = ticket_sample(args.name, settings, ticket, utcnow())
            return show(args, composer, context)
    finally:
        db.close()


def show(args: argparse.Namespace, composer: Composer, context: dict[str, object]) -> int:
    try:
        rendered = composer.render(args.name, context)
    except TemplateProblem as error:
        print(f"mailbaton: {error}", file=sys.stderr)
        return EXIT_ERROR
    if args.html:
        if rendered.html is None:
            print(f"mailbaton: {args.name} has no HTML version ({args.name}.html)", file=sys.stderr)
            return EXIT_ERROR
        print(rendered.html)
    else:
        print(f"Subject: {rendered.subject}\n\n{rendered.text}")
    return EXIT_OK


def origin(composer: Composer) -> str:
    """Where the templates come from: the admin's folder first, the shipped ones behind it."""
    if len(composer.folders) == 1:
        return "(shipped defaults)"
    return f"in {composer.folders[0]} (+ shipped defaults)"


def problems(composer: Composer, settings: Settings, *, edited_only: bool = False) -> list[str]:
    return checking.problems(
        composer, lambda name: sample_context(name, settings), REQUIRED, edited_only=edited_only
    )


def status_lines(settings: Settings) -> list[str]:
    """For `mailbaton status` (another process than the daemon's: it checks for itself)."""
    until = "until it is fixed, mail uses its last good version (or the shipped one)"
    # Only the admin's own files: the shipped ones are tested with the code, and a
    # full check (compiling every template) would add a second to every `status`.
    found = problems(composer_for(settings), settings, edited_only=True)
    return [f"templates: {problem}; {until}" for problem in found]
