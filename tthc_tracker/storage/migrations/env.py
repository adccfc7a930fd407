"""Alembic environment: runs on the connection handed over by tthc_tracker.storage.db."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from tthc_tracker.storage import models  # noqa: F401 - registers the tables on the metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
