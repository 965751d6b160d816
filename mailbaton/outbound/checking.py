"""`templates check`: every problem of every template at once, each with its file and line.

A strict render stops at the first unknown variable; an admin fixing one mistake per run
would run it ten times. So each mail is also rendered with an Undefined that notes each
unknown variable where it is used, then carries on as an empty value."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, TemplateError, Undefined

from mailbaton.outbound.loading import TemplateProblem, explain, undefined_words

if TYPE_CHECKING:
    from mailbaton.outbound.compose import Composer

_noted: ContextVar[list[str] | None] = ContextVar("_noted", default=None)


class Noting(Undefined):
    """Where StrictUndefined refuses (printing, testing, looping), notes the template line."""

    __slots__ = ()

    def _note(self) -> None:
        noted = _noted.get()
        frame = inspect.currentframe()
        while noted is not None and frame is not None:
            # Compiled templates carry their Template in their globals: its line, not ours.
            template = frame.f_globals.get("__jinja_template__")
            if template is not None:
                name = Path(template.filename or template.name or "?").name
                line = template.get_corresponding_lineno(frame.f_lineno)
                noted.append(f"{name} line {line}: {undefined_words(self._undefined_message)}")
                return
            frame = frame.f_back

    def __str__(self) -> str:
        self._note()
        return ""

    def __iter__(self) -> Iterator[Any]:
        self._note()
        return iter(())

    def __bool__(self) -> bool:
        self._note()
        return False

    def __len__(self) -> int:
        self._note()
        return 0

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        self._note()
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._note()
        return self

    def __eq__(self, other: object) -> bool:
        self._note()
        return False

    def __hash__(self) -> int:
        return id(self)


def unknown_variables(env: Environment, filename: str, context: Mapping[str, Any]) -> list[str]:
    """Each unknown variable FILENAME (and what it includes) uses, as 'file line N: ...'."""
    token = _noted.set([])
    try:
        try:
            env.get_template(filename).render(context)
        except TemplateError:
            pass  # a syntax error is reported with its file; a strict render says the rest
        except Exception as error:
            # A filter given the wrong kind of value; unless what it got was unknown (noted).
            if "Noting" not in str(error):
                noted = _noted.get()
                assert noted is not None
                noted.append(explain(error, filename))
        return list(_noted.get() or [])
    finally:
        _noted.reset(token)


def edited(composer: Composer) -> tuple[set[str], list[str]]:
    """The files in the admin's folder, and the mails they can change (all of them when
    a shared piece such as _layout.html is among them)."""
    if len(composer.folders) < 2 or not composer.folders[0].is_dir():
        return set(), []
    files = {p.name for p in composer.folders[0].iterdir() if p.suffix in (".txt", ".html")}
    if any(f.startswith("_") for f in files):
        return files, composer.names()
    return files, [n for n in composer.names() if f"{n}.txt" in files or f"{n}.html" in files]


def problems(
    composer: Composer,
    context_of: Callable[[str], Mapping[str, Any]],
    required: tuple[str, ...],
    *,
    edited_only: bool = False,
) -> list[str]:
    """Every problem, once each: missing mails, files that do not parse (shared pieces
    too), unknown variables in each mail's text and HTML, and whatever else fails.
    `edited_only`: just what the admin's folder changes (the shipped files are tested
    with the code), for `status`, which should not take a second."""
    found: list[str] = []
    names = composer.names()
    for name in required:
        if name not in names:
            folders = ", ".join(str(folder) for folder in composer.folders)
            found.append(f"{name}.txt: missing from {folders}")
    files = composer.loader.list_templates()
    if edited_only:
        own, names = edited(composer)
        files = [f for f in files if f in own]
    # One environment for the whole check: compiling is most of its cost, done once a file.
    noting = composer.environment(composer.loader, undefined=Noting)
    for filename in files:
        try:
            noting.get_template(filename)
        except TemplateError as error:
            found.append(explain(error, filename))
    for name in names:
        context = context_of(name)
        files = [f"{name}.txt", f"{name}.html"] if composer.has_html(name) else [f"{name}.txt"]
        unknown = [line for f in files for line in unknown_variables(noting, f, context)]
        found.extend(unknown)
        try:
            # The mail as it would be built: its Subject line, nothing empty, CSS inlined.
            composer.render_with(noting, name, context)
        except TemplateProblem as problem:
            # An unknown variable explains a failed or empty render: it is listed already.
            follows = problem.__cause__ is not None or "renders empty" in str(problem)
            if not (unknown and follows):
                found.append(str(problem))
    return list(dict.fromkeys(found))
