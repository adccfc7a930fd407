"""Turning what a clerk types into search terms: pure functions, no database."""

from __future__ import annotations

import unicodedata

import pytest

from tthc_tracker.domain.search import query_terms, search_text
from tthc_tracker.storage.search import fts_query


@pytest.mark.parametrize(
    ("typed", "terms"),
    [
        ("nguyen van duc", [("nguyen",), ("van",), ("duc",)]),
        ("NGUYỄN VĂN ĐỨC", [("nguyen",), ("van",), ("duc",)]),
        (unicodedata.normalize("NFD", "Nguyễn Văn Đức"), [("nguyen",), ("van",), ("duc",)]),
        ("  đức  ", [("duc",)]),
        ("0912.345.678", [("0912.345.678", "0912345678")]),
        ("0912 345 678", [("0912 345 678", "0912345678")]),
        ("(0912) 345-678.", [("0912 345-678", "0912345678")]),
        ("0912345678", [("0912345678",)]),
        ("Duc 0912", [("duc",), ("0912",)]),
        ("H48-220921", [("h48-220921",)]),
        ("nguyen* (duc)", [("nguyen",), ("duc",)]),
        ('" * - ( )', []),
        ("", []),
    ],
)
def test_query_terms(typed: str, terms: list[tuple[str, ...]]) -> None:
    assert query_terms(typed) == terms


def test_a_query_folds_like_the_stored_text() -> None:
    stored = search_text("Nguyễn Văn Đức", "000.00.53.H48-260302-0001", "0912.345.678")
    assert stored == "nguyen van duc 000.00.53.h48-260302-0001 0912345678"
    for term in query_terms("NGUYỄN văn ĐỨC 0912.345.678"):
        assert any(spelling in stored for spelling in term)


@pytest.mark.parametrize(
    ("typed", "expression"),
    [
        ("nguyen van", '("nguyen"*) AND ("van"*)'),
        ("0912.345.678", '("0912.345.678"* OR "0912345678"*)'),
        ('say"hi', '("say""hi"*)'),
        ("AND OR NOT", '("and"*) AND ("or"*) AND ("not"*)'),
    ],
)
def test_fts_query_quotes_every_spelling(typed: str, expression: str) -> None:
    assert fts_query(query_terms(typed)) == expression
