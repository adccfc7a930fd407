"""Searching without caring about case or Vietnamese marks: "nguyen van duc" finds
"Nguyễn Văn Đức" (Đ/đ fold to d, which SQLite's remove_diacritics does not do)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, no diacritics, đ → d, single spaces."""
    lowered = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", lowered)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.split())


def search_text(applicant_name: str, code: str, phone: str) -> str:
    """The folded text a dossier is found by: applicant, code, and the phone's digits."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return " ".join(part for part in (fold(applicant_name), fold(code), digits) if part)
