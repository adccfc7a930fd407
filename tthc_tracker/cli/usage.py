"""Usage errors of the command line (unknown option, missing argument …) told in Vietnamese.

Typer raises them with English text. The parts a clerk needs are read from the error itself
where it carries them (the parameter, the option's name, the suggested options); the rest of
Typer's wording is recognised by the patterns below, which the CLI tests hold to the
installed Typer (tests/cli/test_usage_errors.py). A message that matches none is shown as
Typer wrote it, after the Vietnamese lead, so nothing is ever hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tthc_tracker.i18n import _

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _quoted(name: str) -> str:
    return "“" + name.strip("'\"") + "”"


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
        re.compile(r"^\w+ '(.*)' does not exist\.$"),
        lambda m: _("tệp hoặc thư mục {path} không tồn tại").format(path=_quoted(m[1])),
    ),
    (
        re.compile(r"^\w+ '(.*)' is a directory\.$"),
        lambda m: _("{path} là một thư mục, cần một tệp").format(path=_quoted(m[1])),
    ),
    (
        re.compile(r"^\w+ '(.*)' is a file\.$"),
        lambda m: _("{path} là một tệp, cần một thư mục").format(path=_quoted(m[1])),
    ),
    (
        re.compile(r"^\w+ '(.*)' is not (readable|writable)\.$"),
        lambda m: _("không có quyền đọc hoặc ghi {path}").format(path=_quoted(m[1])),
    ),
)

# Typer's messages about the command line as a whole.
_LINE_RULES: tuple[Rule, ...] = (
    (
        re.compile(r"^No such command '(.*)'\.(?: Did you mean '(.*)'\?)?$"),
        lambda m: (
            _("không có lệnh {name}").format(name=_quoted(m[1]))
            + (_(" (có phải ý là: {names}?)").format(names=m[2]) if m[2] else "")
        ),
    ),
    (
        re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$"),
        lambda m: _("thừa đối số: {args}").format(args=m[1]),
    ),
    (re.compile(r"^Missing command\.$"), lambda m: _("thiếu tên lệnh")),
    (
        re.compile(r"^Option '(.*)' requires (an argument|\d+ arguments)\.$"),
        lambda m: _("tùy chọn {name} cần có giá trị đi kèm").format(name=_quoted(m[1])),
    ),
    (
        re.compile(r"^Option '(.*)' does not take a value\.$"),
        lambda m: _("tùy chọn {name} không nhận giá trị").format(name=_quoted(m[1])),
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
    return _quoted(str(hint)) if hint else None


def _given(error: Exception) -> str | None:
    """The value typed, when the error comes from a validation that kept it (pydantic)."""
    cause = error.__cause__
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return None
    found = errors()
    value = found[0].get("input") if found else None
    return value if isinstance(value, str) else None


def describe(error: Exception) -> str:
    """What is wrong with the command line, in Vietnamese (Typer's own text if the error
    is not shaped as expected: a usage error must never end in a traceback)."""
    try:
        return _describe(error)
    except Exception:
        return error.format_message() if hasattr(error, "format_message") else str(error)


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
        possible = getattr(error, "possibilities", None)
        if possible:
            names = ", ".join(sorted(possible))
            text += _(" (có phải ý là: {names}?)").format(names=names)
        return text
    if kind == "BadParameter":
        detail = _by_rules(message, _VALUE_RULES) or message
        hint = _hint(error) or "?"
        value = _given(error)
        if value is None:
            return _("giá trị của {name} không hợp lệ: {detail}").format(name=hint, detail=detail)
        return _("giá trị {value} của {name} không hợp lệ: {detail}").format(
            value=_quoted(value), name=hint, detail=detail
        )
    return _by_rules(message, _LINE_RULES) or (
        error.format_message() if hasattr(error, "format_message") else str(error)
    )


def help_command(error: Exception) -> str:
    """The help to point at: the command the error happened in."""
    ctx = getattr(error, "ctx", None)
    path = getattr(ctx, "command_path", None)
    return f"{path} --help" if path else "tthc --help"
