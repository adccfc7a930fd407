"""Searching without caring about case or Vietnamese marks: "nguyen van duc" finds
"Nguyễn Văn Đức" (Đ/đ fold to d, which SQLite's remove_diacritics does not do)."""

from __future__ import annotations

import re
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


_PUNCTUATED_NUMBER = re.compile(r"[\d.\-()+/]*\d[\d.\-()+/]*")
"""A word made of digits and the punctuation people type in phone numbers and codes."""

Term = tuple[str, ...]
"""One word of a query, as the folded spellings that may match it (any one will do)."""


def query_terms(text: str) -> list[Term]:
    """The terms a dossier must all match, folded the way ``search_text`` folds its parts.

    Punctuation around a word is dropped ("(duc)", "nguyen*" are "duc", "nguyen"), and so
    are words with no letter or digit ("-", "*", "("): they match nothing. Consecutive
    words of digits and punctuation ("0912.345.678", "0912 345 678") also match the phone's
    digits, so each such run is one term: as typed, or its digits alone.
    """
    words = [w for w in (_trim(w) for w in fold(text).split()) if w]
    terms: list[Term] = []
    index = 0
    while index < len(words):
        end = index
        while end < len(words) and _PUNCTUATED_NUMBER.fullmatch(words[end]):
            end += 1
        if end == index:
            terms.append((words[index],))
            index += 1
            continue
        typed = " ".join(words[index:end])
        digits = "".join(ch for word in words[index:end] for ch in word if ch.isdigit())
        terms.append((typed,) if typed == digits else (typed, digits))
        index = end
    return terms


def _trim(word: str) -> str:
    """The word without the punctuation around it."""
    start, end = 0, len(word)
    while start < end and not word[start].isalnum():
        start += 1
    while end > start and not word[end - 1].isalnum():
        end -= 1
    return word[start:end]
