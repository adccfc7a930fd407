"""Helpers for import/export tests: small files written on the fly, in each encoding."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path
from typing import Any

from tests.backends import Ledger

HEADER = ["MaHoSo", "MaTTHC", "DonViXuLy", "ChuHoSo", "KenhThucHien", "NgayTiepNhan"]


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letter + combining tone mark."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            out += unicodedata.normalize("NFC", parts[:-1]).encode("cp1258")
            out += parts[-1].encode("cp1258")
    return out


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    def quote(cell: str) -> str:
        if any(ch in cell for ch in ',"\n\r'):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    return "\r\n".join(",".join(quote(c) for c in line) for line in [header, *rows]) + "\r\n"


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    text = csv_text(header, rows)
    if encoding == "cp1258":
        path.write_bytes(to_cp1258(text))
    elif encoding == "utf-8-sig":
        path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    else:
        path.write_bytes(text.encode(encoding))
    return path


def dossier_rows(ledger: Ledger) -> list[dict[str, Any]]:
    return ledger.dicts("SELECT * FROM dossier ORDER BY code")


def events_of(ledger: Ledger, code: str) -> list[dict[str, Any]]:
    query = (
        "SELECT e.* FROM dossier_event e JOIN dossier d ON d.id = e.dossier_id "
        "WHERE d.code = :code ORDER BY e.seq"
    )
    return ledger.dicts(query, {"code": code})
