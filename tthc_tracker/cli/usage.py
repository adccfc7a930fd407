"""Usage errors of the command line (unknown option, missing argument …) told in Vietnamese.

Typer raises them with English text. The parts a clerk needs are read from the error itself
where it carries them (the parameter, the option's name, the suggested options); the rest of
Typer's wording is recognised by the patterns below, which the CLI tests hold to the
installed Typer (tests/cli/test_usage_errors.py). A message that matches none is shown as
Typer wrote it, after the Vietnamese lead, so nothing is ever hidden.

Names and values typed by the user are shown as typed (Typer quotes them with ``repr``,
which doubles a Windows path's backslashes: that is undone), with control characters
escaped so they cannot drive the terminal.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from typing import Any

from tthc_tracker.i18n import _

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

_REPR = r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""  # a str as ``repr`` writes it
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _unrepr(text: str) -> str:
    """``'C:\\\\x.csv'`` → ``C:\\x.csv``; anything else as it is."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text.strip("'\"")
    return value if isinstance(value, str) else text


def _printable(text: str) -> str:
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _quoted(name: str) -> str:
    return "“" + _printable(name) + "”"


def _quoted_repr(text: str) -> str:
    return _quoted(_unrepr(text))


def _aside(names: Sequence[str]) -> str:
    """The names Typer suggests, as a Vietnamese aside (empty without any)."""
    shown = ", ".join(_printable(n) for n in names)
    return _(" (có phải ý bạn là: {names}?)").format(names=shown) if names else ""


def _suggestions(text: str | None) -> str:
    """Typer's "Did you mean 'a', 'b'" as a Vietnamese aside (empty without one)."""
    return _aside([_unrepr(n) for n in re.findall(_REPR, text or "")])


# Typer's messages about a value (pydantic's for numbers, Typer's own for paths).
_VALUE_RULES: tuple[Rule, ...] = (
    (
        re.compile(r"Input should be a valid integer"),
        lambda m: _("phải là một số nguyên"),
    ),
    (
        re.compile(r"Input should be a valid number"),
        lambda m: _("phải là một số"),
    ),
    (
        re.compile(r"Input should be greater than or equal to (\S+)"),
        lambda m: _("phải lớn hơn hoặc bằng {n}").format(n=m[1]),
    ),
    (
        re.compile(r"Input should be less than or equal to (\S+)"),
        lambda m: _("phải nhỏ hơn hoặc bằng {n}").format(n=m[1]),
    ),
    (
        re.compile(rf"^\w+ {_REPR} does not exist\.$"),
        lambda m: _("tệp hoặc thư mục {path} không tồn tại").format(path=_quoted_repr(m[1])),
    ),
    (
        re.compile(rf"^\w+ {_REPR} is a directory\.$"),
        lambda m: _("{path} là một thư mục, cần một tệp").format(path=_quoted_repr(m[1])),
    ),
    (
        re.compile(rf"^\w+ {_REPR} is a file\.$"),
        lambda m: _("{path} là một tệp, cần một thư mục").format(path=_quoted_repr(m[1])),
    ),
    (
        re.compile(rf"^\w+ {_REPR} is not (readable|writable)\.$"),
        lambda m: _("không có quyền đọc hoặc ghi {path}").format(path=_quoted_repr(m[1])),
    ),
)

# Typer's messages about the command line as a whole.
_LINE_RULES: tuple[Rule, ...] = (
    (
        re.compile(rf"^No such command {_REPR}\.(?: Did you mean (.*)\?)?$"),
        lambda m: _("không có lệnh {name}").format(name=_quoted_repr(m[1])) + _suggestions(m[2]),
    ),
    (
        re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$"),
        lambda m: _("thừa đối số: {args}").format(args=_printable(m[1])),
    ),
    (re.compile(r"^Missing command\.$"), lambda m: _("thiếu tên lệnh")),
    (
        re.compile(rf"^Option {_REPR} requires (an argument|\d+ arguments)\.$"),
        lambda m: _("tùy chọn {name} cần có giá trị đi kèm").format(name=_quoted_repr(m[1])),
    ),
    (
        re.compile(rf"^Option {_REPR} does not take a value\.$"),
        lambda m: _("tùy chọn {name} không nhận giá trị").format(name=_quoted_repr(m[1])),
    ),
)


def _by_rules(text: str, rules: tuple[Rule, ...]) -> str | None:
    for pattern, say in rules:
        found = pattern.search(text)
        if found:
            return say(found)
    return None


def _hint(error: Exception) -> str | None:
    """The parameter the error is about, as the command line spells it ("--reason", "year")."""
    hint = getattr(error, "param_hint", None)
    param = getattr(error, "param", None)
    if hint is None and param is not None:
        hint = param.get_error_hint()
    if isinstance(hint, list | tuple):
        hint = " / ".join(str(h) for h in hint)
    return _quoted(str(hint).strip("'\"")) if hint else None


def _given(error: Exception) -> str | None:
    """The value typed, when the error comes from a validation that kept it (pydantic)."""
    cause = error.__cause__
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return None
    found = errors()
    value = found[0].get("input") if found else None
    return value if isinstance(value, str) else None


def _typer_text(error: Exception) -> str:
    try:
        return str(error.format_message()) if hasattr(error, "format_message") else str(error)
    except Exception:  # the last resort must not fail
        return str(error)


def describe(error: Exception) -> str:
    """What is wrong with the command line, in Vietnamese, without a final full stop (Typer's
    own text if the error is not shaped as expected: a usage error never ends in a traceback)."""
    try:
        text = _describe(error)
    except Exception:  # any surprise from another Typer version
        text = _typer_text(error)
    return text.rstrip(". ")


def _describe(error: Exception) -> str:
    kind = type(error).__name__
    message = str(getattr(error, "message", "") or "")
    if kind == "MissingParameter":
        param = getattr(error, "param", None)
        is_argument = getattr(param, "param_type_name", "") == "argument"
        what = _("thiếu đối số {name}") if is_argument else _("thiếu tùy chọn {name}")
        return what.format(name=_hint(error) or "")
    if kind == "NoSuchOption":
        text = _("không có tùy chọn {name}").format(name=_quoted(error.option_name))  # type: ignore[attr-defined]
        return text + _aside(sorted(getattr(error, "possibilities", None) or []))
    if kind == "BadParameter":
        detail = _by_rules(message, _VALUE_RULES) or message
        hint = _hint(error) or "?"
        value = _given(error)
        if value is None:
            return _("giá trị của {name} không hợp lệ: {detail}").format(name=hint, detail=detail)
        return _("giá trị {value} của {name} không hợp lệ: {detail}").format(
            value=_quoted(value), name=hint, detail=detail
        )
    return _by_rules(message, _LINE_RULES) or _typer_text(error)


def help_command(error: Exception, argv: Sequence[str], root: Any) -> str:
    """The help to point at: the command the error happened in. Typer gives it with most
    errors; for the others (an option missing its value …) the command names are read from
    the front of ``argv``, walking ``root``'s subcommands (options and their values skipped)."""
    ctx = getattr(error, "ctx", None)
    path = getattr(ctx, "command_path", None)
    if path:
        return f"{path} --help"
    names = ["tthc"]
    command = root
    waiting_value = False
    for arg in argv:
        if waiting_value:
            waiting_value = False
            continue
        if arg.startswith("-"):
            waiting_value = "=" not in arg and _takes_value(command, arg)
            continue
        sub = (getattr(command, "commands", None) or {}).get(arg)
        if sub is None:
            break
        names.append(arg)
        command = sub
    return " ".join(names) + " --help"


def _takes_value(command: Any, option: str) -> bool:
    for param in getattr(command, "params", None) or []:
        if option in (getattr(param, "opts", None) or []):
            return not getattr(param, "is_flag", False)
    return False
