"""Dossier search: one folded column (``dossier.search_text``) on every backend; on SQLite an
FTS5 index over it, kept in sync by triggers that migration 0004 creates.

The FTS5 table, its shadow tables and its triggers (and, on PostgreSQL, a trigram index) are
created by the migrations but are not SQLModel tables: their names start with
``SEARCH_OBJECTS_PREFIX`` and ``in_models`` leaves them out of the migrations-versus-models
comparison (and out of autogenerate, which would otherwise propose dropping them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, column, false, func, literal_column, or_, table

from tthc_tracker.domain.search import Term
from tthc_tracker.storage.models import DossierRow

SEARCH_OBJECTS_PREFIX = "dossier_fts"
FTS_TABLE = "dossier_fts"  # FTS5, external content = dossier, content_rowid = id
_FTS = table(FTS_TABLE, column("rowid"))  # a bare table clause: not on the models' metadata


def in_models(
    _object: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic ``include_object``: skip the search objects that live beside the models."""
    beside_models = reflected and compare_to is None and type_ in ("table", "index")
    return not (beside_models and (name or "").startswith(SEARCH_OBJECTS_PREFIX))


def fts_query(terms: list[Term]) -> str:
    """An FTS5 MATCH expression: every term, each as any of its spellings, each a prefix.

    Each spelling is an FTS5 string ("…", quotes doubled), so nothing the user typed is read
    as FTS5 syntax (``AND``, ``*``, ``-``, ``(``); the table's tokenizer splits a string
    such as "h48-220921" into a phrase of adjacent tokens.
    """
    return " AND ".join("(" + " OR ".join(_fts_string(s) for s in term) + ")" for term in terms)


def _fts_string(spelling: str) -> str:
    escaped = spelling.replace('"', '""')
    return f'"{escaped}"*'


def matching(statement: Select[Any], terms: list[Term], dialect: str) -> Select[Any]:
    """``statement`` (a select over ``dossier``) narrowed to dossiers matching every term,
    best first, then the latest received. "Best" is bm25 on SQLite; elsewhere the shortest
    folded text (every row matches every term, so the shortest is the closest match: the
    order bm25 gives when the terms occur once each)."""
    dossier = DossierRow.__table__  # type: ignore[attr-defined]
    if not terms:
        return statement.where(false())
    latest = (dossier.c.received_at.desc(), dossier.c.code)
    if dialect == "sqlite":
        fts: ColumnElement[str] = literal_column(FTS_TABLE)
        return (
            statement.join(_FTS, _FTS.c.rowid == dossier.c.id)
            .where(fts.match(fts_query(terms)))
            .order_by(func.bm25(fts), *latest)
        )
    for term in terms:
        spellings: list[ColumnElement[bool]] = [
            dossier.c.search_text.contains(s, autoescape=True) for s in term
        ]
        statement = statement.where(or_(*spellings))
    return statement.order_by(func.length(dossier.c.search_text), *latest)
