"""[notify] webhooks, no sockets: what each service is sent, when a post is queued (once),
how the outbox treats webhook rows, and a config that cannot post says so."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import mails
import pytest
from desk_bench import ROOT, Bench
from test_outbox import FakeSender

from mailbaton.config import ConfigError, from_dict
from mailbaton.outbound.desk import Desk
from mailbaton.outbound.hooks import Alert, payload, queue_hooks, slack_text
from mailbaton.outbound.outbox import Channel, flush, sent_texts
from mailbaton.store.models import Outbox, Ticket
from mailbaton.transport.base import Transient
from mailbaton.transport.webhook import host_of

HOUR = timedelta(hours=1)
SECRET_URL = "https://hooks.slack.com/services/T000/B000/sEcReTtOkEn"
ALERT = Alert(
    "escalation",
    "MB-1 '<!channel> & co' from alice@example.com to jane@example.com is not caught after 4 h",
    ("Nobody has replied GOT IT.",),
    (("Thrown by", "Alice <alice@example.com>"),),
    {"ticket": "MB-1", "managers": ["boss@example.com"]},
)


def hooked(tmp_path: Path, **tables: dict[str, Any]) -> Bench:
    """A bench whose settings carry these [notify.NAME] tables (default: one Slack hook)."""
    bench = Bench(tmp_path)
    notify = tables or {"managers": {"kind": "slack", "url": SECRET_URL}}
    hooks = notify_settings(notify).hooks
    bench.settings = replace(bench.settings, hooks=hooks)
    bench.desk = Desk(bench.settings, bench.desk.composer)
    return bench


def notify_settings(notify: dict[str, Any], environ: dict[str, str] | None = None) -> Any:
    return from_dict(
        {
            "mailbox": {"username": "baton@example.com", "address": "baton@example.com"},
            "notify": notify,
        },
        base=ROOT,
        environ=environ or {},
    )


def posts(bench: Bench) -> list[Outbox]:
    with bench.db.transaction() as session:
        return list(
            session.query(Outbox).filter(Outbox.channel == Channel.WEBHOOK).order_by(Outbox.id)
        )


def body(row: Outbox) -> Any:
    return json.loads(row.raw)


# -- payloads ------------------------------------------------------------------------


def test_slack_gets_mrkdwn_text_with_markup_escaped() -> None:
    text = payload("slack", ALERT, "webhook:managers:MB-1:escalation:1")["text"]
    assert text.splitlines()[0] == (
        "*MB-1 '&lt;!channel&gt; &amp; co' from alice@example.com to jane@example.com "
        "is not caught after 4 h*"
    )
    assert "• Thrown by: Alice &lt;alice@example.com&gt;" in text.splitlines()
    assert slack_text(ALERT) == text


def test_teams_gets_one_adaptive_card_in_a_message() -> None:
    sent = payload("teams", ALERT, "id")
    assert sent["type"] == "message"
    (attachment,) = sent["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    headline, line, facts = card["body"]
    assert headline["text"] == ALERT.headline and headline["color"] == "Attention"
    assert line["text"] == "Nobody has replied GOT IT."
    assert facts == {
        "type": "FactSet",
        "facts": [{"title": "Thrown by", "value": "Alice <alice@example.com>"}],
    }


def test_mattermost_gets_markdown_and_json_gets_the_fields() -> None:
    assert payload("mattermost", ALERT, "id")["text"].startswith(f"**{ALERT.headline}**\n")
    assert payload("json", ALERT, "webhook:x:1") == {
        "event": "escalation",
        "id": "webhook:x:1",
        "text": ALERT.headline,
        "ticket": "MB-1",
        "managers": ["boss@example.com"],
    }


def test_only_the_host_of_a_webhook_url_is_ever_shown() -> None:
    assert host_of(SECRET_URL) == "hooks.slack.com"
    assert host_of("http://127.0.0.1:8099/hook/abc") == "127.0.0.1:8099"


# -- queued with the escalation, once ---------------------------------------------------


def test_an_escalation_queues_one_post_per_hook_that_takes_it(tmp_path: Path) -> None:
    bench = hooked(
        tmp_path,
        managers={"kind": "teams", "url": SECRET_URL},
        ops={"kind": "json", "url": SECRET_URL, "events": ["health"]},
    )
    ref = bench.deliver(mails.handoff()).ref
    assert bench.sweep(4 * HOUR).escalated == 1
    assert bench.sweep(4 * HOUR).escalated == 0
    (row,) = posts(bench)
    assert (row.kind, json.loads(row.rcpt_json), row.state) == (
        "escalation webhook",
        ["managers"],
        "queued",
    )
    card = body(row)["attachments"][0]["content"]
    assert card["body"][0]["text"] == (
        f"{ref} 'Acme Corp - $50,000 contract ready to countersign' from alice@example.com "
        "to jane@example.com is not caught after 4 h"
    )
    assert ("post queued", "escalation to [notify.managers] (teams)") in bench.ticket(str(ref))[
        "events"
    ]
    assert SECRET_URL not in row.raw.decode() + row.subject + row.mail_from


def test_the_channel_hears_of_an_escalation_no_manager_gets_by_mail(tmp_path: Path) -> None:
    bench = hooked(tmp_path, managers={"kind": "json", "url": SECRET_URL})
    bench.settings = replace(
        bench.settings,
        departments=(),
        escalation=replace(bench.settings.escalation, managers=()),
    )
    bench.desk = Desk(bench.settings, bench.desk.composer)
    bench.deliver(mails.handoff())
    bench.sweep(4 * HOUR)
    assert bench.outbox("escalation") == []
    (row,) = posts(bench)
    assert body(row)["managers"] == [] and body(row)["age"] == "4 h"


def test_a_repeat_level_is_its_own_post_and_says_so(tmp_path: Path) -> None:
    bench = hooked(tmp_path)
    bench.settings = replace(
        bench.settings, escalation=replace(bench.settings.escalation, repeat_every=2 * HOUR)
    )
    bench.desk = Desk(bench.settings, bench.desk.composer)
    bench.deliver(mails.handoff())
    bench.sweep(4 * HOUR)
    bench.sweep(6 * HOUR)
    first, second = (body(row)["text"].splitlines()[0] for row in posts(bench))
    assert first.endswith("is not caught after 4 h*")
    assert second.endswith("is still not caught after 6 h (warning 2)*")


def test_the_same_dedupe_key_queues_nothing_twice(tmp_path: Path) -> None:
    bench = hooked(tmp_path)
    with bench.db.transaction() as session:
        counts = [
            queue_hooks(
                session,
                bench.settings.hooks,
                replace(ALERT, event="health"),
                dedupe_key="health:imap:1",
                now=bench.now,
            )
            for _ in range(2)
        ]
    assert counts == [1, 0]
    assert [r.message_id for r in posts(bench)] == ["webhook:managers:health:imap:1"]


def test_an_accepted_escalated_ticket_posts_the_all_clear(tmp_path: Path) -> None:
    bench = hooked(tmp_path)
    ref = bench.deliver(mails.handoff()).ref
    bench.sweep(4 * HOUR)
    request = bench.outbox("request")[-1].message
    bench.deliver(mails.reply(request, "GOT IT"), bench.now + 5 * HOUR)
    escalation, all_clear = posts(bench)
    assert (escalation.kind, all_clear.kind) == ("escalation webhook", "all_clear webhook")
    assert body(all_clear)["text"].splitlines()[0] == (
        f"*All clear: {ref} 'Acme Corp - $50,000 contract ready to countersign' was caught by "
        "jane@example.com after 5 h*"
    )


def test_no_all_clear_where_the_channel_heard_of_no_escalation(tmp_path: Path) -> None:
    bench = hooked(tmp_path)
    bench.deliver(mails.handoff())
    request = bench.outbox("request")[-1].message
    bench.deliver(mails.reply(request, "GOT IT"), bench.now + HOUR)
    assert posts(bench) == []


# -- the outbox keeps mail and posts apart ----------------------------------------------


def test_mail_and_posts_are_flushed_apart_and_a_vanished_hook_is_parked(tmp_path: Path) -> None:
    bench = hooked(tmp_path)
    ref = bench.deliver(mails.handoff()).ref
    bench.sweep(4 * HOUR)
    mail = FakeSender()
    asyncio.run(flush(bench.db, mail, bench.now + 4 * HOUR))
    assert [r for _, r in mail.delivered] == [
        ["jane@example.com"],
        ["alice@example.com"],
        ["sales-head@example.com", "boss@example.com"],
    ]
    poster = FakeSender(lambda names: Transient("127.0.0.1: HTTP 500"))
    report = asyncio.run(flush(bench.db, poster, bench.now + 4 * HOUR, channel=Channel.WEBHOOK))
    assert (report.sent, report.retrying) == (0, 1)
    with bench.db.transaction() as session:
        ticket = session.query(Ticket).filter_by(ref=ref).one()
        assert all(not text.startswith("{") for text in sent_texts(session, ticket))


def test_a_hook_no_longer_configured_is_parked_not_retried_forever(tmp_path: Path) -> None:
    from mailbaton.app.service import post_webhooks

    bench = hooked(tmp_path)
    bench.deliver(mails.handoff())
    bench.sweep(4 * HOUR)
    gone = replace(bench.settings, hooks=())
    report = asyncio.run(post_webhooks(bench.db, gone, bench.now + 4 * HOUR))
    assert report.parked == 1
    (row,) = posts(bench)
    assert (row.state, row.last_error) == ("parked", "no [notify.managers] in the config any more")


# -- the config -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"kind": "slack"}, "notify.team.url: is missing; expected url_env"),
        ({"url": SECRET_URL}, "notify.team.kind: is missing; expected"),
        ({"kind": "discord", "url": SECRET_URL}, "notify.team.kind: is 'discord'"),
        ({"kind": "slack", "url": "hooks.slack.com/x"}, "notify.team.url: is not a web address"),
        (
            {"kind": "slack", "url_env": "NO_SUCH_VARIABLE"},
            "notify.team.url_env: environment variable NO_SUCH_VARIABLE is not set",
        ),
        (
            {"kind": "slack", "url": SECRET_URL, "events": ["escalations"]},
            "notify.team.events: 'escalations' is not",
        ),
        ({"kind": "slack", "urll": SECRET_URL}, "notify.team.urll: unknown key; did you mean"),
    ],
)
def test_a_hook_that_cannot_post_stops_the_start_and_never_shows_its_url(
    table: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        notify_settings({"team": table})
    assert any(line.startswith(problem) for line in raised.value.problems), raised.value.problems
    assert "sEcReT" not in str(raised.value) and "hooks.slack.com/x" not in str(raised.value)


def test_a_hook_reads_its_url_from_the_environment() -> None:
    settings = notify_settings(
        {"managers": {"kind": "teams", "url_env": "TEAMS_URL", "events": ["Escalation"]}},
        environ={"TEAMS_URL": SECRET_URL},
    )
    (hook,) = settings.hooks
    assert (hook.name, hook.kind, hook.url, hook.events) == (
        "managers",
        "teams",
        SECRET_URL,
        ("escalation",),
    )


def test_notify_cannot_be_set_from_the_environment() -> None:
    with pytest.raises(ConfigError) as raised:
        notify_settings({}, environ={"MAILBATON_NOTIFY__TEAM__URL": SECRET_URL})
    assert raised.value.problems == [
        "MAILBATON_NOTIFY__TEAM__URL: [notify] cannot be set from the environment; use config.toml"
    ]


def test_a_dry_run_counts_chat_posts_apart_from_mail(tmp_path: Path) -> None:
    from mailbaton.app import dry_run

    bench = hooked(tmp_path)
    bench.deliver(mails.handoff())
    bench.sweep(4 * HOUR)
    lines = dry_run.deadlines(bench.settings, bench.db, bench.now + 4 * HOUR)
    assert lines[-2:] == [
        "outbox: 3 mail(s) due would be sent",
        "outbox: 1 chat post(s) due would be posted",
    ]
