"""Engine creation and schema migration. Engines are created on first use, never
at import time, and once per URL per process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from bot.storage.sqlite_file import secure_delete, sqlite_file_with_folder

MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseError(RuntimeError):
    """The records database cannot be reached or migrated."""


@lru_cache(maxsize=4)
def get_engine(url: str) -> Engine:
    """One engine per URL; for a SQLite file, its folder is created. (The records
    are written once a check, so their SQLite file is opened for each write.)"""
    # hide_parameters: a database error's text (which gets logged) names no values.
    engine = create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)
    if sqlite_file_with_folder(url) is not None:
        event.listen(engine, "connect", secure_delete)  # erasure overwrites (sqlite_file)
    return engine


def _alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def revisions(url: str) -> tuple[str | None, str | None]:
    """(the schema's Alembic revision now, the newest one the code has)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config(url)).get_current_head()
    try:
        with get_engine(url).connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as exc:  # noqa: BLE001 - any driver error, reported with a remedy
        raise DatabaseError(
            f"Cannot read the records database at {make_url(url).render_as_string()} "
            f"({type(exc).__name__}). Check CCE_DATABASE_URL and that the database server "
            "is running."
        ) from exc
    return current, head


def migrate(url: str) -> None:
    """Brings the schema up to date with the Alembic migrations (idempotent)."""
    from alembic import command

    config = _alembic_config(url)
    try:
        with get_engine(url).begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as exc:  # noqa: BLE001 - any driver error, reported with a remedy
        raise DatabaseError(
            f"Cannot migrate the records database at {make_url(url).render_as_string()}: {exc}. "
            "Check CCE_DATABASE_URL and that the database server is running."
        ) from exc
