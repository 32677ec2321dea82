"""Engine creation and schema migration. Engines are created on first use, never
at import time, and once per URL per process.

The conversations' SQLite file (written every turn) is kept open in a pool of
connections: SQLAlchemy 1.4 opens and closes a SQLite file for every session,
which cost more than the turn's query. It keeps SQLite's rollback journal, not
the write-ahead log: the log would be quicker to commit, but a log left beside a
file that is moved away while the assistant runs is applied to whatever file is
put at that path next, and the store must survive that (see ``available`` in
:mod:`bot.storage.tracker_store`).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import QueuePool

MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseError(RuntimeError):
    """The records database cannot be reached or migrated."""


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL, or None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def create_sqlite_file_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine for a SQLite file (its folder created) that keeps its connections
    open between sessions."""
    path = sqlite_file(url)
    if path is None:
        raise ValueError(f"{url!r} is not a SQLite file URL")
    path.parent.mkdir(parents=True, exist_ok=True)
    return create_engine(
        url,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=8,
        connect_args={"check_same_thread": False},  # the pool hands a connection to any thread
        **kwargs,
    )


def file_identity(path: Path) -> tuple[int, int] | None:
    """The file's device and inode, or None when it does not exist: a pooled
    connection holds on to the file it opened even after a rename or delete."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


@lru_cache(maxsize=4)
def get_engine(url: str) -> Engine:
    """One engine per URL; for a SQLite file, its folder is created. (The records
    are written once a check, so their SQLite file is opened for each write.)"""
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, future=True, pool_pre_ping=True)


def migrate(url: str) -> None:
    """Brings the schema up to date with the Alembic migrations (idempotent)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    try:
        with get_engine(url).begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as exc:  # noqa: BLE001 - any driver error, reported with a remedy
        raise DatabaseError(
            f"Cannot migrate the records database at {make_url(url).render_as_string()}: {exc}. "
            "Check CCE_DATABASE_URL and that the database server is running."
        ) from exc
