"""What every command shares: the app built from ``--db``, error reporting, JSON output."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer

from tthc_tracker.domain.errors import FileAccessError, TthcError
from tthc_tracker.domain.times import parse_instant
from tthc_tracker.i18n import _

if TYPE_CHECKING:
    from tthc_tracker.bootstrap import App

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str) -> typer.Exit:
    typer.echo(_("Lỗi: {message}").format(message=message), err=True)
    return typer.Exit(1)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Expected errors become one Vietnamese line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except TthcError as error:
            raise fail(error.message()) from None
        except BrokenPipeError:  # `tthc … | head`: the reader left; not a file problem
            raise
        except OSError as error:  # a path the user gave: missing folder, no permission, …
            path = error.filename if error.filename is not None else ""
            problem = FileAccessError(str(path), error.errno, error.strerror or str(error))
            raise fail(problem.message()) from None

    return wrapper


@contextmanager
def app_for(ctx: typer.Context, *, schema_required: bool = True) -> Iterator[App]:
    """The application for this invocation, closed afterwards."""
    from tthc_tracker.bootstrap import build

    app = build(ctx.obj.get("db") if ctx.obj else None, schema_required=schema_required)
    try:
        yield app
    finally:
        app.close()


def instant(text: str | None, field: str, app: App) -> datetime:
    """A user-given instant, or now when ``text`` is None."""
    return app.clock() if text is None else parse_instant(text, field)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


_CONTROL = dict.fromkeys((*range(0x20), *range(0x7F, 0xA0)), " ")


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters for a table column, with "…" when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain text table with aligned columns; a line break or tab inside a cell (an
    imported address typed on two lines) is shown as a space, so the columns stay aligned."""
    rows = [[str(c).translate(_CONTROL) for c in row] for row in rows]
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    )
    return "\n".join(line.rstrip() for line in lines)


JSON_OPTION = typer.Option(False, "--json", help="In kết quả dạng JSON.")

RUN_WORDS = {
    # sweep runs: how started (trigger) and how they ended (outcome), as stored → as read
    "manual": "chạy tay",
    "scheduled": "theo lịch",
    "catch-up": "chạy bù",
    "ok": "xong",
    "failed": "lỗi",
    "running": "đang chạy",
}


def run_word(stored: str) -> str:
    """A sweep run's trigger or outcome in Vietnamese (``--json`` keeps the stored word)."""
    return RUN_WORDS.get(stored, stored)
