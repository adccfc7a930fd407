"""letter.recorded_at: an aware UTC time on PostgreSQL, like every other time of the ledger

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 10:30:00.000000

Revision 0009 declared the column as a plain ``DateTime``; the model (like every time column)
is SQLModel's ``UTCDateTime``, stored as ``timestamp with time zone`` on PostgreSQL. SQLite
keeps both the same way (ISO text in UTC), so there is nothing to do there. On PostgreSQL the
values written into the plain column were converted with the session's ``TimeZone``;
``recorded_at::timestamptz`` reads them back with the same setting.
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE letter ALTER COLUMN recorded_at TYPE timestamp with time zone"
            " USING recorded_at::timestamptz"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE letter ALTER COLUMN recorded_at TYPE timestamp without time zone"
            " USING recorded_at::timestamp"
        )
