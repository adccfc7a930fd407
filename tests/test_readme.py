"""README.md's "A real session" is replayed command by command: what it shows is what the
product prints (the session runs at Fri 06/03/2026 10:00, as its `dossier list` says)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import invoke

README = Path(__file__).parents[1] / "README.md"
SESSION_NOW = "2026-03-06 10:00"


def session() -> list[tuple[str, list[str]]]:
    """(command line, the lines shown after it) of the README's console block."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## A real session\n\n```console\n(.*?)\n```", text, re.S)
    assert block is not None, "README.md has no console block under “A real session”"
    steps: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:].split("  #")[0].strip(), []))
        else:
            steps[-1][1].append(line)
    return steps


def test_the_readme_session_is_what_the_product_prints(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTHC_NOW", SESSION_NOW)
    steps = session()
    assert len(steps) >= 10
    last_code = 0
    for command, shown in steps:
        words = shlex.split(command)
        if words[0] == "export":
            name, value = words[1].split("=", 1)
            monkeypatch.setenv(name, value)
            actual = []
        elif words == ["echo", "$?"]:
            actual = [str(last_code)]
        else:
            assert words[0] == "tthc", command
            result = invoke(words[1:])
            last_code = result.code
            actual = [line.rstrip() for line in (result.out + result.err).splitlines()]
        assert actual == [line.rstrip() for line in shown], command
