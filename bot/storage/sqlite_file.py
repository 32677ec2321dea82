"""A SQLite file kept open by the conversations' tracker store.

SQLAlchemy 1.4 opens and closes a SQLite file for every session, and rasa's
store makes two or three sessions a turn; each commit then also syncs a
rollback journal and the file. Here the file stays open in a small pool, and
is written through SQLite's write-ahead log with ``synchronous=FULL`` (a
committed turn still survives a power cut): a turn's commit is one append and
one sync of the log (README, "Performance"; docs/performance.md).

The write-ahead log lives beside the file (``tracker.db-wal``, ``-shm``) and
belongs to whatever file has that name. A connection left open on a file that
is moved away or deleted would leave its log at the path, to be applied to the
next file put there (a restored backup, a fresh database): rows of one file
mixed into another. So :meth:`OpenFile.available` checks before every turn that
the path still names the file the pool has open; when it does not, the pool's
connections are closed, each first folding its log into the file it has open
(``wal_checkpoint(TRUNCATE)``), and the next turn opens whatever is there now.
The same happens when the process exits. Replacing the file while the
assistant is stopped needs nothing more than removing its ``-wal`` and
``-shm`` files with it (README, "Configuration").

Erasure (:mod:`bot.cli.retention`): every SQLite connection of ours, here and
for the records (:mod:`bot.storage.database`), has ``secure_delete`` on, so a
deleted row's bytes are overwritten with zeros rather than left in free pages
(some builds of SQLite have it on by default, most do not); ``erase`` and
``purge`` then fold the log into the file and empty it (:func:`empty_log`), so
no earlier copy of an erased page stays in ``-wal``. A SQLite file is created
readable and writable by its owner only (0600, in a folder made 0700), and its
log files take the same permissions from it.
"""

from __future__ import annotations

import atexit
import logging
import os
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import QueuePool

logger = logging.getLogger(__name__)
_open_files: weakref.WeakSet[OpenFile] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for open_file in list(_open_files):
        open_file.engine.dispose()


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL, or None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def sqlite_file_with_folder(url: str | URL) -> Path | None:
    """:func:`sqlite_file`, with the folder it goes in made if it is missing, and
    the file itself made empty (which SQLite takes as a new database) for its
    owner only; an existing file others may read is narrowed to 0600 too."""
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        private_file(path)
    return path


def private_file(path: Path) -> None:
    """Creates ``path`` with mode 0600 if it is missing; narrows it if it is wider."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return
    except FileExistsError:
        pass
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)
            logger.warning("%s could be read by others; it is now 0600.", path.name)
    except OSError as exc:  # e.g. a file of another user: said, not fatal
        logger.warning("Could not make %s private (%s).", path.name, exc)


def secure_delete(dbapi_connection: Any, _record: Any = None) -> None:
    """A connection's deletions overwrite the deleted bytes (see the module's text)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def empty_log(engine: Engine) -> None:
    """Folds a SQLite file's write-ahead log into it and empties it (best effort:
    a reader in another process may hold it, and the next checkpoint does it)."""
    if engine.url.get_backend_name() != "sqlite":
        return
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception as exc:  # noqa: BLE001 - the deletion itself is done and committed
        logger.warning("Could not empty the SQLite log (%s).", exc)


def file_identity(path: Path) -> tuple[int, int] | None:
    """The file's device and inode, or None when it does not exist."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
    secure_delete(dbapi_connection)


def _before_close(dbapi_connection: Any, _record: Any) -> None:
    """Folds the log into the file this connection has open, and empties it.
    SQLite does this itself on closing the last connection, but not once the
    file has been moved or deleted, which is when it matters."""
    try:
        dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception as exc:  # noqa: BLE001 - closing must go on; the log is then kept
        logger.warning("Could not fold the SQLite log into its file (%s).", exc)


class OpenFile:
    """A SQLite file and the pool of connections that keeps it open."""

    def __init__(self, url: str | URL) -> None:
        path = sqlite_file_with_folder(url)
        if path is None:
            raise ValueError(f"{url!r} is not a SQLite file URL")
        self.path = path
        self.engine: Engine = create_engine(
            url,
            poolclass=QueuePool,
            pool_size=2,
            max_overflow=8,
            connect_args={"check_same_thread": False},  # the pool hands them to any thread
            hide_parameters=True,  # an error's text would carry the messages being written
        )
        event.listen(self.engine, "connect", _on_connect)
        event.listen(self.engine, "close", _before_close)
        self._opened = file_identity(path)
        _open_files.add(self)

    def available(self) -> bool:
        """Whether the file is there; if it is another file than the one open,
        the open one is closed first (see the module's text)."""
        identity = file_identity(self.path)
        if identity != self._opened:
            self.engine.dispose()  # each connection folds its log into its own file
            self._opened = identity
        return identity is not None
