"""dossier: partial index of the dossiers finished late without an extension

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 22:00:00.000000

The nightly sweep flags dossiers finished after their legal due time that had no extension
(workflow._finished_late_unextended). They are a few per cent of the finished dossiers; on a
province's 10 million the sweep used to read all finished rows since the horizon to find
them (SQLite 20.7 s). This index holds only those rows, keyed by the finishing time.

Its WHERE clause must stay the same terms as the query's: SQLite uses a partial index only
when each of its terms appears in the query. The expression and the clause are the model's
(models.py), so ``compare_metadata`` and the CREATE INDEX below agree.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

FINISHED = "coalesce(completed_at, returned_at)"


def upgrade() -> None:
    false = "false" if op.get_context().dialect.name == "postgresql" else "0"
    where = sa.text(f"extended IS {false} AND {FINISHED} > original_due_at")
    op.create_index(
        "ix_dossier_late_finished",
        "dossier",
        [sa.text(FINISHED)],
        sqlite_where=where,
        postgresql_where=where,
    )


def downgrade() -> None:
    op.drop_index("ix_dossier_late_finished", table_name="dossier")
