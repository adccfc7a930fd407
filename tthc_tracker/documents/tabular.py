"""Reading and writing tables in files: CSV (any of the encodings offices use), XLSX, JSON.

Reading gives every non-empty line with its line number and its cells exactly as stored
(text stays text: "0012" is never 12); decoding, NFC and the refusal of legacy TCVN3/VNI
text happen here. Which line is the header and what the columns mean is the domain's call.
openpyxl is imported only when an .xlsx file is read or written.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import json
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from tthc_tracker.domain.errors import FileAccessError, FileFormatError, LegacyEncodingError
from tthc_tracker.domain.legacy_text import FONTS, legacy_encoding, marks

Cell = str | int | float | bool | datetime | date | time | None
FORMATS = ("csv", "xlsx", "json")


@dataclass(frozen=True, slots=True)
class RawTable:
    """The lines of a file: (line number from 1, cells)."""

    path: str
    lines: list[tuple[int, list[Cell]]]
    encoding: str = ""
    text: str | None = None  # a CSV file's decoded text: the legacy check reads it whole


def file_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise FileFormatError(str(path), "chỉ nhận tệp .csv, .xlsx hoặc .json")
    return suffix


def read_table(path: Path) -> RawTable:
    """Read a .csv, .xlsx or .json file; refuse legacy-encoded Vietnamese."""
    kind = file_format(path)
    try:
        if kind == "xlsx":
            table = _read_xlsx(path)
        else:
            raw = path.read_bytes()
            text, encoding = decode(raw, str(path))
            table = _read_json(path, text) if kind == "json" else _read_csv(path, text, encoding)
    except OSError as exc:  # missing, a folder, no permission: said in Vietnamese
        raise FileAccessError(str(path), exc.errno, exc.strerror or str(exc)) from exc
    _refuse_legacy(table)
    return replace(table, text=None)  # the lines are what callers read: free the text


def decode(raw: bytes, path: str) -> tuple[str, str]:
    """Text of a file in UTF-8 (BOM or not), UTF-16 (BOM, or NULs between ASCII) or
    Windows-1258, normalised to NFC (Windows-1258 writes tones as combining marks)."""
    if raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif len(raw) >= 4 and raw[1] == 0 and raw[3] == 0:
        encoding = "utf-16-le"
    elif len(raw) >= 4 and raw[0] == 0 and raw[2] == 0:
        encoding = "utf-16-be"
    else:
        try:
            return unicodedata.normalize("NFC", raw.decode("utf-8")), "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1258"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FileFormatError(path, f"không giải mã được theo {encoding}") from exc
    return unicodedata.normalize("NFC", text), encoding


_SEP_LINE = re.compile(r"sep=([,;\t])\r?\n")


def _dialect(text: str) -> tuple[Any, str]:
    """The CSV dialect of ``text`` and the text to read. Excel's "sep=;" first line names the
    delimiter (and is dropped, keeping the line count); otherwise csv's sniffer decides, and
    when title lines above the header confuse it, the delimiter found most often on one line
    of the first ones."""
    declared = _SEP_LINE.match(text)
    if declared:
        dialect: Any = type("_Declared", (csv.excel,), {"delimiter": declared.group(1)})
        return dialect, "\n" + text[declared.end() :]
    sample = text[:4096]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t"), text
    except csv.Error:
        lines = sample.splitlines()[:50]
        best = max(",;\t", key=lambda d: max((line.count(d) for line in lines), default=0))
        return type("_Counted", (csv.excel,), {"delimiter": best}), text


def _read_csv(path: Path, text: str, encoding: str) -> RawTable:
    dialect, text = _dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:  # a quote never closed, text after a closing quote …
        raise FileFormatError(str(path), _csv_problem(text, dialect)) from exc
    if reader.line_num != len(rows):  # some cell spans lines (Alt+Enter in Excel)
        _refuse_swallowed_lines(path, rows, dialect.delimiter)
    lines: list[tuple[int, list[Cell]]] = [
        (number, row)  # type: ignore[misc]  # list[str] is a list of cells
        for number, row in enumerate(rows, start=1)
        if "".join(row).strip()
    ]
    return RawTable(str(path), lines, encoding, text)


def _csv_problem(text: str, dialect: Any) -> str:
    """Where and why the CSV reader stopped, in Vietnamese: read again, line by line."""
    reader = csv.reader(io.StringIO(text, newline=""), dialect, strict=True)
    start = 1  # the line the failing row begins on
    try:
        for _row in reader:
            start = reader.line_num + 1
    except csv.Error as exc:
        if "end of data" in str(exc) or "field limit" in str(exc):
            return (
                f'dòng {start}: có dấu ngoặc kép (") mở một ô mà không đóng lại, nên ô đó '
                "nuốt cả các dòng sau; hãy sửa dòng này trong tệp"
            )
        return (
            f'dòng {reader.line_num}: sau dấu ngoặc kép (") đóng một ô phải là dấu phân '
            f"cách “{dialect.delimiter}” hoặc hết dòng"
        )
    return "tệp CSV không đúng định dạng"  # pragma: no cover - the first read failed


def _refuse_swallowed_lines(path: Path, rows: list[list[str]], delimiter: str) -> None:
    """A cell on several lines is kept (a name typed on two lines), but not one holding whole
    rows of the file: a quote opened in one cell and closed rows later took them in."""
    width = max((len(row) for row in rows), default=0)
    if width < 3:
        return
    for number, row in enumerate(rows, start=1):
        for cell in row:
            if "\n" not in cell and "\r" not in cell:
                continue
            if any(line.count(delimiter) >= width - 1 for line in cell.splitlines()[1:]):
                raise FileFormatError(
                    str(path),
                    f"dòng {number}: một ô chứa cả những dòng sau của tệp (một dấu ngoặc kép "
                    '(") mở ô này và chỉ đóng ở dòng sau); hãy sửa dòng này trong tệp',
                )


def _read_json(path: Path, text: str) -> RawTable:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(str(path), f"JSON sai ở dòng {exc.lineno}") from exc
    if isinstance(data, dict) and isinstance(data.get("dossiers"), list):
        data = data["dossiers"]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise FileFormatError(str(path), "JSON phải là một danh sách các đối tượng")
    headers: list[str] = []
    for item in data:
        headers.extend(key for key in item if key not in headers)
    lines: list[tuple[int, list[Cell]]] = [(1, list[Cell](headers))]
    for index, item in enumerate(data, start=2):
        lines.append((index, [_json_cell(item.get(key)) for key in headers]))
    _refuse_lone_surrogates(path, lines)
    return RawTable(str(path), lines, "utf-8")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_lone_surrogates(path: Path, lines: list[tuple[int, list[Cell]]]) -> None:
    """JSON may escape half of a UTF-16 pair ("\\ud800"), which is no character at all and
    cannot be stored: the file is refused, naming the first such cell."""
    headers = lines[0][1]
    for number, cells in lines:
        for header, cell in zip(headers, cells, strict=True):
            found = _LONE_SURROGATE.search(cell) if isinstance(cell, str) else None
            if found:
                where = "tên cột" if number == 1 else f"dòng {number}, cột “{header}”"
                raise FileFormatError(
                    str(path),
                    f"{where} có mã \\u{ord(found.group()):04x} (một nửa cặp UTF-16, không"
                    " phải ký tự): hãy sửa tệp JSON",
                )


def _json_cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | bool):
        return unicodedata.normalize("NFC", value) if isinstance(value, str) else value
    return json.dumps(value, ensure_ascii=False)


def _read_xlsx(path: Path) -> RawTable:
    from openpyxl import load_workbook  # noqa: PLC0415 - 0.3 s: only when .xlsx is read

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except OSError:
        raise
    except zipfile.BadZipFile as exc:  # an old .xls, a CSV renamed, an empty or broken file
        raise FileFormatError(
            str(path),
            "không phải tệp Excel .xlsx (có thể là tệp .xls cũ, tệp đổi tên hoặc tệp hỏng); "
            "hãy mở bằng Excel và lưu lại dưới dạng .xlsx",
        ) from exc
    except Exception as exc:  # openpyxl raises many kinds of error for a bad file
        raise FileFormatError(str(path), f"không mở được tệp Excel ({exc})") from exc
    try:
        # the first sheet a person sees: a hidden one holds old data or lists, not the table
        visible = [s for s in workbook.worksheets if s.sheet_state == "visible"]
        sheet = (visible or workbook.worksheets)[0]
        lines = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_xlsx_cell(value) for value in row]
            if any(c is not None and str(c).strip() for c in cells):
                lines.append((number, cells))
    finally:
        workbook.close()
    return RawTable(str(path), lines, "xlsx")


def _xlsx_cell(value: object) -> Cell:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if value is None or isinstance(value, int | float | bool | datetime | date | time):
        return value
    return str(value)


def _refuse_legacy(table: RawTable) -> None:
    if table.text is not None:
        # The same count as over the cells: delimiters, quotes and line ends are none of
        # the characters it looks at, and they keep cells apart as the joining does.
        encoding = legacy_encoding(table.text)
    else:
        texts = [c for _, cells in table.lines for c in cells if isinstance(c, str)]
        encoding = legacy_encoding("\n".join(texts))
    if encoding is None:
        return
    for number, cells in table.lines:
        for column, cell in enumerate(cells, start=1):
            if isinstance(cell, str) and marks(cell, encoding):
                where = f"dòng {number}, cột {column}"
                raise LegacyEncodingError(table.path, encoding, FONTS[encoding], where, cell)
    raise LegacyEncodingError(table.path, encoding, FONTS[encoding], "tệp", "")


# -- writing -------------------------------------------------------------------------------


def write_table(
    path: Path, headers: Sequence[str], rows: Sequence[Sequence[Cell]], kind: str
) -> None:
    """Write rows as CSV (UTF-8 with BOM, so Excel reads the marks), XLSX or JSON: whole or
    not at all (written beside ``path``, then renamed over it). A failure names ``path``."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        _write_table(temporary, headers, rows, kind)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _write_table(
    path: Path, headers: Sequence[str], rows: Sequence[Sequence[Cell]], kind: str
) -> None:
    if kind == "xlsx":
        _write_xlsx(path, headers, rows)
    elif kind == "json":
        records = [
            {
                h: c.isoformat() if isinstance(c, datetime | date) else c
                for h, c in zip(headers, row, strict=True)
            }
            for row in rows
        ]
        path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", "utf-8")
    else:
        path.write_bytes(csv_bytes(headers, rows))


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[_csv_text(c) for c in row] for row in rows])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def _csv_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(cell, date):
        return cell.strftime("%d/%m/%Y")
    return str(cell)


def _write_xlsx(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    from openpyxl import Workbook  # noqa: PLC0415 - 0.3 s: only when .xlsx is written

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(_xlsx_values(row)))
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm:ss"
            elif isinstance(cell.value, str):
                cell.number_format = "@"  # text: codes stay codes when edited in Excel
                keep_text(cell)
    workbook.save(path)


def keep_text(cell: Any) -> None:
    """openpyxl stores a text beginning with "=" as a formula: a summary "=> cấp đổi" would be
    lost on the way back, and "=HYPERLINK(…)" typed by someone would run in Excel. Text is
    stored as text."""
    if cell.data_type == "f":
        cell.data_type = "s"


def _xlsx_values(row: Sequence[Cell]) -> Iterator[Cell]:
    for cell in row:
        yield cell.replace(tzinfo=None) if isinstance(cell, datetime) else cell
