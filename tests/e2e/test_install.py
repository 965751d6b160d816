"""A real (not editable) install into a fresh venv works with no templates folder configured."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from baton import ROOT

# One xdist worker for the module (tests/ordering.py TOGETHER; the mark alone no longer
# does it under pytest 9): the venv is built once, for both tests.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("install")]

# What an admin writes who keeps the shipped templates: no [templates] section at all.
CONFIG = """\
[mailbox]
host = "127.0.0.1"
username = "baton@example.com"
password = "secret"
address = "baton@example.com"

[smtp]
host = "127.0.0.1"

[database]
url = "sqlite:///{db}"
"""
# The template names SPEC section 10 promises; the checkout may ship more.
PROMISED = {
    "accepted",
    "all_clear",
    "cancelled",
    "escalation",
    "not_catcher",
    "not_pending",
    "receipt",
    "refused",
    "rejection",
    "reminder",
    "request",
    "unclear",
    "undeliverable",
}
TEMPLATES = ROOT / "mailbaton" / "templates"
# Every file of the checkout's template folder: text, HTML and the shared partials.
SHIPPED_FILES = {p.name for p in TEMPLATES.iterdir() if p.suffix in (".txt", ".html")}
SHIPPED = {p.stem for p in TEMPLATES.glob("*.txt") if not p.name.startswith("_")}
WHERE = """\
import pathlib, mailbaton
package = pathlib.Path(mailbaton.__file__).parent
print(package)
print(*sorted(p.name for p in (package / "templates").iterdir()))
"""


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=300, check=False, cwd=cwd
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with mailbaton pip-installed from a copy of this checkout."""
    base = tmp_path_factory.mktemp("install")
    # A copy, so the build's build/ and *.egg-info do not land in the checkout.
    source = base / "source"
    shutil.copytree(
        ROOT / "mailbaton", source / "mailbaton", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    target = base / "venv"
    # This venv's pip installs into the new one (`--python`): the same install, without
    # the seconds ensurepip needs to put a pip of its own there first.
    _run(sys.executable, "-m", "venv", "--without-pip", target, cwd=base)
    python = target / "bin" / "python"
    _see_our_dependencies(target)
    # mailbaton itself is built (build isolation and all) and installed as a wheel; its
    # dependencies are this venv's, not resolved and unpacked again (12 s of CPU of 21).
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps"]
    _run(*pip, source, cwd=base)
    return target


def _see_our_dependencies(venv: Path) -> None:
    """The new venv sees this venv's site-packages after its own, as a bare path in a
    .pth file: the .pth files there (this checkout's editable install among them) are
    not run, so `import mailbaton` finds only what pip put in the new venv."""
    ours = sorted({sysconfig.get_paths()[p] for p in ("purelib", "platlib")})
    theirs = sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"]
    Path(theirs, "_outer_dependencies.pth").write_text("".join(f"{p}\n" for p in ours))


def test_the_installed_package_carries_its_templates(venv: Path, tmp_path: Path) -> None:
    done = _run(venv / "bin" / "python", "-c", WHERE, cwd=tmp_path)
    package, names = done.stdout.splitlines()
    assert Path(package).is_relative_to(venv), f"imported from {package}, not the new venv"
    assert "site-packages" in Path(package).parts
    assert PROMISED <= SHIPPED
    assert set(names.split()) >= SHIPPED_FILES


def test_templates_check_passes_with_no_templates_folder_configured(
    venv: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(db=(tmp_path / "mailbaton.db").as_posix()))
    mailbaton = venv / "bin" / "mailbaton"

    checked = _run(mailbaton, "-c", config, "templates", "check", cwd=tmp_path)
    assert checked.stdout.strip() == f"{len(SHIPPED)} templates ok (shipped defaults)"
    listed = _run(mailbaton, "-c", config, "templates", "list", cwd=tmp_path)
    # The names come first, one a line; a blank line, then where the shipped files are.
    names, _, footer = listed.stdout.partition("\n\n")
    assert {line.split()[0] for line in names.splitlines()} == SHIPPED
    assert "shipped: " in footer
    # The schema migrations ship too: the first command that opens the database creates it.
    status = _run(mailbaton, "-c", config, "status", "--json", cwd=tmp_path)
    assert status.stdout.strip() == "[]"
