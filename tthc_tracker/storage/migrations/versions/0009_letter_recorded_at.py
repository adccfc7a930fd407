"""letter: when an issued letter was entered in the ledger, beside the date it bears

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 05:00:00.000000

`tthc letters issue --at` records a letter signed earlier (on paper, during an outage). The
date it bears is `issued_at`; the moment the ledger learnt of it is `recorded_at`. A letter
recorded after its apology deadline is a late apology whatever date it bears: the ledger can
only vouch for what it saw (ND 118/2025 Art. 19.6). Letters issued before this revision were
recorded when issued.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (SQLite ≥ 3.35 drops columns too): a batch copy of ``letter`` would reflect
# the tables it refers to, and SQLAlchemy cannot reflect the dossier's expression index.


def upgrade() -> None:
    op.add_column("letter", sa.Column("recorded_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE letter SET recorded_at = issued_at WHERE issued_at IS NOT NULL")


def downgrade() -> None:
    op.execute("ALTER TABLE letter DROP COLUMN recorded_at")
