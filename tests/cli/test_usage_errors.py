"""A mistyped command line: one Vietnamese line naming what is wrong and where to get help."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Runner, fails, ok

# (command line, fragments of the one error line)
CASES = {
    "missing argument": (("dossier", "show"), ("thiếu đối số “code”", "tthc dossier show --help")),
    "missing option": (
        ("dossier", "add", "X", "--procedure", "1.0", "--agency", "A", "--received", "x"),
        ("thiếu tùy chọn “--applicant”", "tthc dossier add --help"),
    ),
    "unknown option": (("stats", "month", "--thang", "13"), ("không có tùy chọn “--thang”",)),
    "unknown option with a suggestion": (
        ("dossier", "list", "--jsn"),
        ("không có tùy chọn “--jsn” (có phải ý bạn là: --json?)", "tthc dossier list --help"),
    ),
    "unknown command": (("nosuch",), ("không có lệnh “nosuch”", "tthc --help")),
    "unknown command with a suggestion": (
        ("dossier", "shwo"),
        ("không có lệnh “shwo” (có phải ý bạn là: show?)", "tthc dossier --help"),
    ),
    "unknown command with two suggestions": (
        ("dossier", "supplement"),
        ("(có phải ý bạn là: supplement-request, supplement-received?)",),
    ),
    "a name with an apostrophe": (("it's",), ("không có lệnh “it's”",)),
    "extra arguments": (("dossier", "show", "A", "B", "C"), ("thừa đối số: B C",)),
    "not a number": (
        ("calendar", "show", "năm"),
        ("giá trị “năm” của “year” không hợp lệ: phải là một số nguyên",),
    ),
    "below the minimum": (
        ("dossier", "search", "x", "--limit", "0"),
        ("giá trị “0” của “--limit” không hợp lệ: phải lớn hơn hoặc bằng 1",),
    ),
    "missing file": (
        ("import", "dossiers", "/khong-co/ho-so.csv"),
        ("“/khong-co/ho-so.csv” không tồn tại", "tthc import dossiers --help"),
    ),
    "missing Windows file": (
        ("import", "dossiers", "C:\\Users\\lan\\ho-so.csv"),
        ("“C:\\Users\\lan\\ho-so.csv” không tồn tại",),  # backslashes as typed, not doubled
    ),
    "control characters escaped": (
        ("dossier", "search", "x", "--limit", "\x1b[2J"),
        ("giá trị “\\x1b[2J” của “--limit”",),
    ),
    "option without its value": (
        ("dossier", "search", "x", "--limit"),
        ("tùy chọn “--limit” cần có giá trị đi kèm", "Xem thêm: tthc dossier search --help"),
    ),
    "option without its value, after the global option": (
        ("--db", "sqlite:///khong-dung.db", "dossier", "search", "x", "--limit"),
        ("Xem thêm: tthc dossier search --help",),
    ),
    "flag given a value": (
        ("dossier", "list", "--json=3"),
        ("tùy chọn “--json” không nhận giá trị", "Xem thêm: tthc dossier list --help"),
    ),
}

ENGLISH = re.compile(r"\b(Missing|Invalid|No such|Got unexpected|Input should|requires|does not)\b")


@pytest.mark.parametrize("case", CASES)
def test_usage_errors_are_told_in_vietnamese(cli: Runner, case: str) -> None:
    args, fragments = CASES[case]
    result = fails(cli(*args), "Lỗi: lệnh viết chưa đúng: ", "Xem thêm: tthc", *fragments)
    assert result.err.count("\n") == 1, result.err
    assert not ENGLISH.search(result.err), result.err
    assert ".. " not in result.err and "\x1b" not in result.err


def test_an_unexpected_error_shape_falls_back_to_typer_text() -> None:
    from tthc_tracker.cli.usage import describe

    class Odd(Exception):
        param = object()  # no get_error_hint: the Vietnamese path fails

        def format_message(self) -> str:
            return "Missing something."

    Odd.__name__ = "MissingParameter"
    assert describe(Odd()) == "Missing something"  # the lead adds its own full stop


def test_help_pages_translate_typer_frame_around_our_texts(cli: Runner) -> None:
    shown = ok(cli("stats", "month", "--help")).out
    assert shown.startswith("Cách dùng: tthc stats month [TÙY CHỌN] {month}\n")
    assert "\nĐối số:\n" in shown and "\nTùy chọn:\n" in shown
    assert "[bắt buộc]" in shown  # the argument
    assert "[mặc định:" in shown and "report]" in shown  # the line may wrap between them
    assert ok(cli("dossier", "--help")).out.startswith(
        "Cách dùng: tthc dossier [TÙY CHỌN] LỆNH [ĐỐI SỐ]...\n"
    )
    assert "\nLệnh:\n" in ok(cli("dossier", "--help")).out
