"""Erasure in SQLite files: an erased conversation leaves no bytes behind in the
database or its log, and the files are for their owner only (bot/storage/sqlite_file.py)."""

from __future__ import annotations

import argparse
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from bot import bootstrap
from bot.cli import retention
from bot.storage.database import get_engine, migrate
from bot.storage.repository import CheckRecord, UnitOfWork, hash_sender
from tests.unit.test_tracker_store import start, store, turn

MARKER = "zebra-crossing-marker-4711"  # an invented text, easy to find in raw bytes


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _deletes_in_place(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=OFF")
    cursor.close()


@pytest.fixture
def sqlite_without_secure_delete() -> Iterator[None]:
    """This machine's SQLite (Debian's) overwrites deleted rows by default; SQLite's
    own default is not to. Every new connection here starts with SQLite's default."""
    event.listen(Pool, "connect", _deletes_in_place)
    yield
    event.remove(Pool, "connect", _deletes_in_place)


@pytest.fixture
def var_dir(tmp_path, monkeypatch) -> Iterator[Path]:
    var = tmp_path / "var"
    monkeypatch.setenv("CCE_VAR_DIR", str(var))
    monkeypatch.setenv("CCE_SECRET_KEY", "erasure-test-secret-of-32-characters")
    for name in ("CCE_TRACKER_DB_URL", "CCE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    bootstrap.reset()
    yield var
    bootstrap.reset()


def all_bytes(folder: Path, name: str) -> bytes:
    """The database file and its log files, as they are on disk."""
    return b"".join(p.read_bytes() for p in folder.glob(name + "*") if p.is_file())


def test_database_files_are_created_for_their_owner_only(var_dir):
    settings = bootstrap.app().settings
    tracker_store = store(settings.effective_tracker_database_url)
    start(tracker_store, "private")
    migrate(settings.effective_database_url)
    files = sorted(p for p in var_dir.iterdir() if p.name.startswith(("tracker.db", "cce.db")))
    assert {p.name for p in files} >= {"tracker.db", "tracker.db-wal", "cce.db"}
    assert {p.name: oct(mode(p)) for p in files} == {p.name: "0o600" for p in files}
    assert mode(var_dir) == 0o700


def test_a_database_file_others_could_read_is_narrowed(tmp_path):
    path = tmp_path / "records.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    get_engine(f"sqlite:///{path}")
    assert mode(path) == 0o600


def test_erase_leaves_no_bytes_of_the_conversation_in_the_files(
    var_dir, sqlite_without_secure_delete
):
    settings = bootstrap.app().settings
    tracker_store = store(settings.effective_tracker_database_url)
    for n in range(30):  # enough rows that the erased ones share pages with kept ones
        turn(tracker_store, f"kept-{n}", f"what is cuckooing, asked {n} times")
    turn(tracker_store, "erase-me", f"a message with {MARKER} in it")
    turn(tracker_store, "kept-0", "and another question")
    url = settings.effective_database_url
    migrate(url)
    with UnitOfWork(url) as records:
        records.checks.add(
            CheckRecord(
                created_at=datetime(2026, 11, 1),
                channel="rest",
                outcome="child_protection",
                nrm_referral=True,
                indicators=(MARKER,),
                vulnerabilities=(),
                answers={},
                sender_hash=hash_sender("erase-me", b"erasure-test-secret-of-32-characters"),
            )
        )
    assert MARKER.encode() in all_bytes(var_dir, "tracker.db")
    assert MARKER.encode() in all_bytes(var_dir, "cce.db")

    assert retention.erase(argparse.Namespace(sender_id="erase-me")) == 0

    assert MARKER.encode() not in all_bytes(var_dir, "tracker.db")
    assert MARKER.encode() not in all_bytes(var_dir, "cce.db")
    assert b"what is cuckooing, asked 29 times" in all_bytes(var_dir, "tracker.db")
