"""A broken edit never reaches anyone: the last good version of a mail is used instead.

"Last good" lives in this process: the sources a mail last rendered well from. A process
that never rendered a mail well yet has the files as they read when it started, and when
those fail too, the shipped default. The mistake is logged once, not with every mail."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jinja2 import Environment

from mailbaton.outbound.loading import FolderLoader, SnapshotLoader, TemplateProblem

if TYPE_CHECKING:
    from mailbaton.outbound.compose import Composer, Rendered

log = logging.getLogger("mailbaton.templates")

LAST_GOOD = "the last good version"
AT_START = "the version read at start"
SHIPPED = "the shipped default"


class Mending:
    def __init__(self, loader: FolderLoader) -> None:
        self.loader = loader
        self.start: Mapping[str, str] = loader.read_all()
        self.snapshot: tuple[int, Mapping[str, str]] = (-1, self.start)
        self.good: dict[str, Mapping[str, str]] = {}
        # The mistake last logged for each mail, until it renders well again.
        self.broken: dict[str, str] = {}
        self.envs: dict[int, tuple[Mapping[str, str], Environment]] = {}
        self.shipped: Composer | None = None

    def render(self, composer: Composer, name: str, context: Mapping[str, Any]) -> Rendered:
        try:
            rendered = composer.render(name, context)
        except TemplateProblem as problem:
            return self.instead(composer, name, context, str(problem))
        self.remember(name)
        return rendered

    def remember(self, name: str) -> None:
        # Copied only after a file was (re)loaded: most renders load nothing.
        if self.snapshot[0] != self.loader.version:
            self.snapshot = (self.loader.version, {**self.start, **self.loader.view})
        self.good[name] = self.snapshot[1]
        if self.broken.pop(name, None) is not None:
            log.info("template %s works again: its mails use it from now on", name)

    def instead(
        self, composer: Composer, name: str, context: Mapping[str, Any], problem: str
    ) -> Rendered:
        used = LAST_GOOD if name in self.good else AT_START
        try:
            env = self.environment(composer, self.good.get(name, self.start))
            rendered = composer.render_with(env, name, context)
        except TemplateProblem:
            used = SHIPPED
            rendered = self.shipped_composer(composer).render(name, context)
        if self.broken.get(name) != problem:
            self.broken[name] = problem
            log.error(
                "template %s cannot be used: %s; %s mails use %s until it is fixed",
                name,
                problem,
                name,
                used,
            )
        return rendered

    def environment(self, composer: Composer, sources: Mapping[str, str]) -> Environment:
        found = self.envs.get(id(sources))
        if found is None or found[0] is not sources:
            if len(self.envs) > 8:
                self.envs.clear()
            found = (sources, composer.environment(SnapshotLoader(sources)))
            self.envs[id(sources)] = found
        return found[1]

    def shipped_composer(self, composer: Composer) -> Composer:
        if self.shipped is None:
            self.shipped = type(composer)(None, composer.zone.key)
        return self.shipped
