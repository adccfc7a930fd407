"""Adapters for data at rest: the database (SQLModel/SQLAlchemy/Alembic) and shipped data files.

The only package that imports sqlmodel, sqlalchemy, sqlite_utils, alembic and holidays.
"""
