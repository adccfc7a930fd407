"""dossier: index completion time with the receipt time

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 23:30:00.000000

A month's statistics read the dossiers completed since the period's start and received
before its end. With an index on ``completed_at`` alone every completed dossier since the
start was fetched from the table to test its receipt (790,000 rows for 346,000 kept on a
province's 10 million); with ``(completed_at, received_at)`` the receipt is tested in the
index. The new index serves every lookup the old one did, which it replaces.
"""

from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_dossier_completed_received", "dossier", ["completed_at", "received_at"]
    )
    op.drop_index("ix_dossier_completed_at", table_name="dossier")


def downgrade() -> None:
    op.create_index("ix_dossier_completed_at", "dossier", ["completed_at"])
    op.drop_index("ix_dossier_completed_received", table_name="dossier")
