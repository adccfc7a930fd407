"""The frame of every ``--help`` page in the product's language.

The command and option texts are ours and already Vietnamese; the frame around them
("Usage:", "Options:", "[required]", "Show this message and exit." …) is Typer's, in
English. A help page is written by the formatter its context makes, so each command gets a
context whose formatter translates that frame as it writes it: headings, the usage line and
the second column of each definition list (before it is wrapped, so the layout stays right).
The texts go through the message catalogue like all others.

Every group of the CLI is a :class:`Group` (``typer.Typer(cls=Group)``); a group hands its
context class to each command it looks up, so the commands need nothing of their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from typer.core import TyperGroup

from tthc_tracker.i18n import _

_BaseContext: Any = TyperGroup.context_class
_BaseFormatter: Any = _BaseContext.formatter_class


def _headings() -> dict[str, str]:
    return {"Options": _("Tùy chọn"), "Arguments": _("Đối số"), "Commands": _("Lệnh")}


def _usage(args: str) -> str:
    return args.replace("[OPTIONS]", _("[TÙY CHỌN]")).replace(
        "COMMAND [ARGS]...", _("LỆNH [ĐỐI SỐ]...")
    )


_EXTRA = re.compile(r"\[([^\[\]]*)\]$")  # Typer's "[default: x; required]" at the end


def _described(text: str) -> str:
    if text == "Show this message and exit.":
        return _("In trang hướng dẫn này.")
    found = _EXTRA.search(text)
    if found is None:
        return text
    parts = []
    for part in found[1].split("; "):
        if part == "required":
            said = _("bắt buộc")
        elif part.startswith("default: "):
            said = _("mặc định: {value}").format(value=part.removeprefix("default: "))
        elif part.startswith("env var: "):
            said = _("biến môi trường: {names}").format(names=part.removeprefix("env var: "))
        else:
            said = part
        parts.append(said)
    return text[: found.start()] + "[" + "; ".join(parts) + "]"


class HelpFormatter(_BaseFormatter):  # type: ignore[misc]
    """Typer's formatter, writing its own words in the product's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, _usage(args), _("Cách dùng: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_headings().get(heading, heading))

    def write_dl(self, rows: Sequence[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().write_dl([(first, _described(second)) for first, second in rows], *args, **kwargs)


class Context(_BaseContext):  # type: ignore[misc]
    formatter_class = HelpFormatter


class Group(TyperGroup):
    """A command group whose help pages, and its commands', use :class:`HelpFormatter`."""

    context_class = Context

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None and not isinstance(command, Group):
            command.context_class = Context
        return command
