"""Alembic environment: runs migrations on the connection bot.storage.database hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bot.storage.models import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic` run from the command line with sqlalchemy.url set
    connection = create_engine(config.get_main_option("sqlalchemy.url")).connect()

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
