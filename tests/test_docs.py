"""Documentation stays true: every command is documented and has help with an example."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from tthc_tracker.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                walk(child, (*path, name))
        else:
            found.append(path)

    walk(typer.main.get_command(app), ())
    return found


COMMANDS = _commands()


def test_every_command_is_found() -> None:
    assert ("dossier", "add") in COMMANDS
    assert ("calendar", "check") in COMMANDS
    assert ("demo",) in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_is_in_the_cli_reference(path: tuple[str, ...]) -> None:
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert f"tthc {' '.join(path)}" in reference


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert command.help, path
    assert "Ví dụ: tthc" in command.help, path


def test_readme_shows_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install . && tthc demo" in readme
    assert "pip install -e '.[dev]' && python -m pytest" in readme
