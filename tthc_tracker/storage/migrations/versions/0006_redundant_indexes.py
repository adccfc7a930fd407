"""drop two indexes that a unique key already provides

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 23:00:00.000000

``dossier_event.dossier_id`` and ``sweep_flag.dossier_id`` each had an index of their own,
while the unique keys (dossier_id, seq) and (dossier_id, kind, due_at) start with the same
column and serve every lookup by dossier just as well. Each extra index was one more B-tree
to update per event and per flag: a province's first sweep writes 74,000 of each.
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_dossier_event_dossier_id", table_name="dossier_event")
    op.drop_index("ix_sweep_flag_dossier_id", table_name="sweep_flag")


def downgrade() -> None:
    op.create_index("ix_sweep_flag_dossier_id", "sweep_flag", ["dossier_id"])
    op.create_index("ix_dossier_event_dossier_id", "dossier_event", ["dossier_id"])
