"""Alembic environment: runs on the connection handed over by tthc_tracker.storage.db."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from tthc_tracker.storage import models  # noqa: F401 - registers the tables on the metadata
from tthc_tracker.storage.search import in_models

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
    # the search index (FTS5 table, its shadow tables, triggers) is made by migration 0004
    # beside the models, not from them: autogenerate must not propose dropping it
    include_object=in_models,
)
with context.begin_transaction():
    context.run_migrations()
