"""sweep_run: count the dossiers whose 15 days for a supplement have run out

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 00:30:00.000000

The sweep flags a dossier still awaiting its supplement 15 days after the request
(ND 118/2025 Art. 19.5; domain/supplement.py); each run records how many it found, as it
does for the other kinds. Runs recorded before this revision count 0.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sweep_run") as batch:
        batch.add_column(
            sa.Column("supplement_expired", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("sweep_run") as batch:
        batch.drop_column("supplement_expired")
