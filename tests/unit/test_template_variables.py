"""mailbaton/templates/README.md lists every variable each template uses, and only real ones.

It is what admins edit by: a template (a new one too) using a variable the README does
not list fails here, naming the template, the variable and the section to add it to."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jinja2 import nodes

from mailbaton.config import Settings, load
from mailbaton.outbound.compose import DEFAULT_TEMPLATES, TEMPLATE_NAMES, Composer
from mailbaton.outbound.preview import sample_context

ROOT = Path(__file__).resolve().parents[2]
README = DEFAULT_TEMPLATES / "README.md"
EVERY_MAIL = "Every mail"
# A mail about many tickets (the digest) says so, and gets only its own section's variables.
NOT_ONE_TICKET = "Not about one ticket"
MAILS = sorted(p.stem for p in DEFAULT_TEMPLATES.glob("*.txt") if not p.stem.startswith("_"))
FILES = sorted(p.name for p in DEFAULT_TEMPLATES.iterdir() if p.suffix in (".txt", ".html"))


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load(ROOT / "config.toml")


@cache
def documented() -> dict[str, set[str]]:
    """Section heading -> the variables its table lists (`ticket.ref`, `level`, ...)."""
    sections: dict[str, set[str]] = {}
    current = ""
    for line in README.read_text().splitlines():
        if line.startswith("## "):
            current = line[3:].strip().strip("`")
            sections[current] = set()
        elif (row := re.match(r"\| `([A-Za-z_][\w.]*)` \|", line)) and current:
            sections[current].add(row.group(1))
    return sections


@cache
def about_many() -> set[str]:
    """The mails whose section says they are not about one ticket."""
    sections = re.split(r"^## ", README.read_text(), flags=re.M)
    return {s.split("\n", 1)[0].strip("` ") for s in sections if NOT_ONE_TICKET in s}


def _bound(tree: nodes.Template) -> set[str]:
    """Names the template gives itself: set, for, macro, import; not the caller's."""
    bound = {"loop", "caller", "varargs", "kwargs", "self", "super"}
    bound |= {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    bound |= {n.target for n in tree.find_all(nodes.Import)}
    for node in tree.find_all(nodes.FromImport):
        bound |= {name[1] if isinstance(name, tuple) else name for name in node.names}
    bound |= {n.name for n in tree.find_all(nodes.Macro)}
    return bound


def used(filename: str) -> set[str]:
    """What FILENAME reads from its context: `ticket`, `ticket.title`, `level`, ..."""
    composer = Composer(None)
    tree = composer.env.parse((DEFAULT_TEMPLATES / filename).read_text(), filename)
    free = (
        {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
        - _bound(tree)
        - set(composer.env.globals)
    )
    # `shared_address.split("@")` calls a method of a value: the value is the variable.
    called = {id(n.node) for n in tree.find_all(nodes.Call)}
    paths = set(free)
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if id(node) in called or not isinstance(node.node, nodes.Name):
            continue
        if node.node.name not in free:
            continue
        if isinstance(node, nodes.Getattr):
            paths.add(f"{node.node.name}.{node.attr}")
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            paths.add(f"{node.node.name}.{node.arg.value}")
    return paths


def test_every_mail_has_its_section_in_the_readme() -> None:
    missing = [name for name in MAILS if name not in documented()]
    assert EVERY_MAIL in documented()
    assert not missing, (
        f"add a section '## NAME' for {missing} to {README} (its variables, or "
        "'Only what every mail has.')"
    )


@pytest.mark.parametrize("filename", FILES)
def test_every_variable_a_template_uses_is_in_the_readme(filename: str) -> None:
    name = Path(filename).stem
    common = set() if name in about_many() else documented()[EVERY_MAIL]
    listed = common | documented().get(name, set())
    # A bare `previous` is documented by `previous` or by any `previous.x`.
    known = listed | {path.split(".")[0] for path in listed}
    missing = sorted(path for path in used(filename) if path not in known)
    assert not missing, (
        f"{filename} uses {missing}: list each, with an example value, in {README} "
        f"under '## {name}' (or '## {EVERY_MAIL}' if every mail has it)"
    )


def resolve(context: dict[str, Any], path: str) -> bool:
    value: Any = context
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        else:
            # None: set on some mails only (`previous`), its keys documented all the same.
            return value is None
    return True


@pytest.mark.parametrize("name", [EVERY_MAIL, *MAILS])
def test_every_variable_in_the_readme_is_real(name: str, settings: Settings) -> None:
    mail = "request" if name == EVERY_MAIL else name
    context = sample_context(mail, settings)
    sources = "".join(
        (DEFAULT_TEMPLATES / f"{mail}{ext}").read_text()
        for ext in (".txt", ".html")
        if (DEFAULT_TEMPLATES / f"{mail}{ext}").is_file()
    )
    ghosts = [
        path
        for path in sorted(documented().get(name, set()))
        # Set on a few mails only, and tested with `is defined` where it is used.
        if not resolve(context, path)
        and not (path in sources and re.search(r"\w is defined", sources))
    ]
    assert not ghosts, f"{README} lists {ghosts} under '## {name}', which {mail} does not get"


def test_the_readme_ships_with_the_package() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"templates/README.md"' in pyproject
    assert set(TEMPLATE_NAMES) <= set(MAILS)
