"""dossier search: folded search_text, FTS5 index and triggers on SQLite

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:00:00.000000

``dossier.search_text`` holds ``domain.search.search_text(applicant_name, code, phone)``:
lower case, no marks, đ → d, the phone's digits. SQL cannot fold Vietnamese the same way on
every backend, so existing rows are filled here in Python, in batches.

SQLite: an FTS5 table over that column (external content: the index stores no copy of the
text) and triggers that keep it in sync with every insert, update and delete, whoever writes
(repository, import, raw SQL). PostgreSQL: a trigram index for ``LIKE '%…%'`` when the
pg_trgm extension is available. None of these are SQLModel tables: their names start with
``dossier_fts`` and the migrations-versus-models comparison skips them
(tthc_tracker.storage.search.in_models).

Caution for later migrations: recreating the ``dossier`` table (batch "move and copy") drops
its triggers; such a migration must create them again (tests/search checks they exist).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from tthc_tracker.domain.search import search_text


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

BATCH = 10_000

SQLITE_UP = (
    "CREATE VIRTUAL TABLE dossier_fts USING fts5(search_text, content='dossier',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "INSERT INTO dossier_fts(dossier_fts) VALUES ('rebuild')",
    "CREATE TRIGGER dossier_fts_ai AFTER INSERT ON dossier BEGIN"
    " INSERT INTO dossier_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER dossier_fts_ad AFTER DELETE ON dossier BEGIN"
    " INSERT INTO dossier_fts(dossier_fts, rowid, search_text)"
    " VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER dossier_fts_au AFTER UPDATE OF search_text ON dossier"
    " WHEN old.search_text IS NOT new.search_text BEGIN"
    " INSERT INTO dossier_fts(dossier_fts, rowid, search_text)"
    " VALUES ('delete', old.id, old.search_text);"
    " INSERT INTO dossier_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS dossier_fts_au",
    "DROP TRIGGER IF EXISTS dossier_fts_ad",
    "DROP TRIGGER IF EXISTS dossier_fts_ai",
    "DROP TABLE IF EXISTS dossier_fts",
)
POSTGRESQL_TRIGRAM = (
    "CREATE INDEX dossier_fts_trgm ON dossier USING gin (search_text gin_trgm_ops)"
)


def fill_search_text(bind: sa.Connection, batch: int = BATCH) -> int:
    """Write search_text for every dossier, in batches by id; returns how many."""
    dossier = sa.table(
        'dossier',
        sa.column('id'),
        sa.column('applicant_name'),
        sa.column('code'),
        sa.column('phone'),
        sa.column('search_text'),
    )
    write = (
        sa.update(dossier)
        .where(dossier.c.id == sa.bindparam('row_id'))
        .values(search_text=sa.bindparam('text'))
    )
    done, last = 0, 0
    while True:
        rows = bind.execute(
            sa.select(dossier.c.id, dossier.c.applicant_name, dossier.c.code, dossier.c.phone)
            .where(dossier.c.id > last)
            .order_by(dossier.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return done
        bind.execute(
            write,
            [
                {'row_id': r.id, 'text': search_text(r.applicant_name, r.code, r.phone or '')}
                for r in rows
            ],
        )
        done += len(rows)
        last = rows[-1].id


def upgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'search_text',
                sqlmodel.sql.sqltypes.AutoString(),
                server_default='',
                nullable=False,
            )
        )
    bind = op.get_bind()
    fill_search_text(bind)
    if bind.dialect.name == 'sqlite':
        for statement in SQLITE_UP:
            op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        available = bind.execute(
            sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        ).first()
        if available:
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            op.execute(POSTGRESQL_TRIGRAM)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS dossier_fts_trgm")
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('search_text')
