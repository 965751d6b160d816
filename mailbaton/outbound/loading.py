"""Where templates come from, how an edit is noticed, and where a mistake in one is.

Admins edit templates under a running daemon: each render asks the loader whether a file
changed (or appeared in, or left, the admin's folder), so an edit counts from the next
mail on. The loader also keeps the source of every file it read, which is what a last
good version is made of when the next edit breaks something."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType

from jinja2 import (
    BaseLoader,
    Environment,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.loaders import split_template_path


class TemplateProblem(Exception):
    """A template is missing, or does not parse or render."""


# A file's identity for "did it change": its modification time and its size.
Stamp = tuple[int, int]


def stamp(path: str) -> Stamp | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


class FolderLoader(BaseLoader):
    """The first folder holding a name wins: the admin's folder, then the shipped one."""

    def __init__(self, folders: Iterable[Path]) -> None:
        self.folders = tuple(folders)
        # Plain strings and os.path: asked on every render, so kept to a stat or two.
        self.roots = tuple(str(folder) for folder in self.folders)
        # Every source read, by template name: the files as they were when last loaded.
        self.view: dict[str, str] = {}
        # Counts loads, so a snapshot of `view` is copied only after something changed.
        self.version = 0

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        parts = split_template_path(template)
        candidates = [os.path.join(root, *parts) for root in self.roots]
        index = next((i for i, c in enumerate(candidates) if os.path.isfile(c)), None)
        if index is None:
            raise TemplateNotFound(template)
        path, earlier = candidates[index], candidates[:index]
        seen = stamp(path)
        try:
            with open(path, encoding="utf-8") as file:
                source = file.read()
        except UnicodeDecodeError as error:
            message = f"the file is not UTF-8 text (byte {error.start}); save it as UTF-8"
            raise TemplateSyntaxError(message, 1, template, path) from None
        except OSError as error:
            raise TemplateNotFound(template, f"{template}: {error.strerror}") from None
        self.view[template] = source
        self.version += 1

        def uptodate() -> bool:
            # Also false when the admin adds this name to their folder, or removes it.
            return stamp(path) == seen and not any(map(os.path.exists, earlier))

        return source, path, uptodate

    def list_templates(self) -> list[str]:
        return sorted(self.read_all())

    def read_all(self) -> dict[str, str]:
        """Every template as it reads now (the daemon's start: the first good version)."""
        sources: dict[str, str] = {}
        for root in reversed(self.roots):  # the admin's files last: they win
            for entry in os.scandir(root) if os.path.isdir(root) else ():
                if entry.name.endswith((".txt", ".html")) and entry.is_file():
                    try:
                        with open(entry.path, encoding="utf-8") as file:
                            sources[entry.name] = file.read()
                    except (OSError, UnicodeDecodeError):
                        sources.setdefault(entry.name, "")
        return sources


class SnapshotLoader(BaseLoader):
    """Templates as they were: a last good version, whatever the files say now."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = sources

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, None, Callable[[], bool]]:
        if template not in self.sources:
            raise TemplateNotFound(template)
        return self.sources[template], None, lambda: True


def where(error: BaseException, fallback: str) -> tuple[str, int | None]:
    """The template file and line an error happened at, as an admin would look for it."""
    if isinstance(error, TemplateSyntaxError):
        return Path(error.filename or error.name or fallback).name, error.lineno
    found: tuple[str, int | None] = (fallback, None)
    tb: TracebackType | None = error.__traceback__
    while tb is not None:
        # Jinja rewrites a render error's traceback into frames that name the template.
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (Path(tb.tb_frame.f_code.co_filename).name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def explain(error: BaseException, fallback: str) -> str:
    """'request.txt line 4: ...': the file, the line and what is wrong, in one line."""
    name, line = where(error, fallback)
    at = f"{name} line {line}" if line else name
    if isinstance(error, TemplateNotFound):
        return f"{at}: no such template ({error.message or error.name})"
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    if isinstance(error, UndefinedError):
        message = undefined_words(message)
    return f"{at}: {message}"


def undefined_words(message: str) -> str:
    """Jinja's "'dict object' has no attribute 'titel'" in words an admin can act on."""
    if message.startswith("'dict object' has no attribute "):
        name = message.rpartition(" ")[2]
    elif message.endswith(" is undefined"):
        name = message.removesuffix(" is undefined")
    else:
        return message
    return f"{name} is not one of this mail's variables (templates/README.md lists them)"
