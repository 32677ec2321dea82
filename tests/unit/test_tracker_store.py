"""The tracker store's turn trackers: kept between turns, and always the same
conversation as the database holds."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from sqlalchemy import event

from bot.storage.tracker_store import RedactingSQLTrackerStore

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet"],
        "slots": {"topic": {"type": "text", "mappings": [{"type": "custom"}]}},
    }
)


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def store(db_url: str) -> RedactingSQLTrackerStore:
    return RedactingSQLTrackerStore(domain=DOMAIN, url=db_url)


def stored_rows(db_url: str) -> list[str]:
    with closing(sqlite3.connect(db_url.removeprefix("sqlite:///"))) as db:
        return [row[0] for row in db.execute("select type_name from events order by id")]


def turn(tracker_store: RedactingSQLTrackerStore, sender: str, text: str) -> None:
    """What Rasa's processor does in a turn: get the tracker, add events, save."""
    tracker = run(tracker_store.get_or_create_tracker(sender, append_action_listen=False))
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered("hello"))
    tracker.update(ActionExecuted("action_listen"))
    run(tracker_store.save(tracker))


def start(tracker_store: RedactingSQLTrackerStore, sender: str) -> None:
    tracker = run(tracker_store.get_or_create_tracker(sender, append_action_listen=False))
    tracker.update(SessionStarted())
    tracker.update(SlotSet("topic", "set in the first turn"))
    tracker.update(ActionExecuted("action_listen"))
    run(tracker_store.save(tracker))


def test_every_event_is_stored_once_and_the_kept_tracker_has_them_all(db_url):
    tracker_store = store(db_url)
    start(tracker_store, "s")
    for n in range(30):
        turn(tracker_store, "s", f"message {n}")
    rows = stored_rows(db_url)
    assert rows.count("user") == 30 and len(rows) == 3 + 30 * 4
    tracker = run(tracker_store.retrieve("s"))
    assert len(tracker.events) == len(rows)  # the whole session: policies replay it
    assert tracker.get_slot("topic") == "set in the first turn"
    assert tracker.latest_message.text == "message 29"


def test_a_saved_tracker_is_reused_and_a_read_again_one_is_equal(db_url):
    tracker_store = store(db_url)
    start(tracker_store, "s")
    turn(tracker_store, "s", "one")
    kept = run(tracker_store.retrieve("s"))
    run(tracker_store.save(kept))  # nothing new: nothing written
    assert run(tracker_store.retrieve("s")) is kept
    fresh = store(db_url)  # another process: reads the database
    assert list(run(fresh.retrieve("s")).events) == list(kept.events)


def test_turns_by_another_instance_are_caught_up(db_url):
    first, second = store(db_url), store(db_url)
    start(first, "s")
    turn(first, "s", "to the first")
    turn(second, "s", "to the second")
    turn(first, "s", "to the first again")
    texts = [e.text for e in run(second.retrieve("s")).events if isinstance(e, UserUttered)]
    assert texts == ["to the first", "to the second", "to the first again"]
    assert stored_rows(db_url).count("user") == 3


def test_an_erased_conversation_is_not_served_from_memory(db_url):
    tracker_store = store(db_url)
    start(tracker_store, "s")
    turn(tracker_store, "s", "one")
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
        db.execute("delete from events where sender_id = 's'")
    assert run(tracker_store.retrieve("s")) is None


def test_identifiers_are_redacted_in_the_kept_tracker_too(db_url):
    tracker_store = store(db_url)
    start(tracker_store, "s")
    turn(tracker_store, "s", "her email is jane.doe@example.com")
    kept = run(tracker_store.retrieve("s"))
    assert "jane.doe@example.com" not in kept.latest_message.text
    assert all(
        "jane.doe@example.com" not in (e.text or "")
        for e in kept.events
        if isinstance(e, UserUttered)
    )


def test_a_turn_that_is_never_saved_leaves_nothing_behind(db_url):
    tracker_store = store(db_url)
    start(tracker_store, "s")
    abandoned = run(tracker_store.retrieve("s"))
    abandoned.update(SlotSet("topic", "half a turn"))  # e.g. a timed-out turn
    assert run(tracker_store.retrieve("s")).get_slot("topic") == "set in the first turn"


def test_the_sqlite_file_is_kept_open_between_turns(db_url):
    tracker_store = store(db_url)
    start(tracker_store, "kept")
    opened = []
    event.listen(tracker_store.engine, "connect", lambda *_: opened.append(1))
    for text in ("one", "two", "three"):
        assert tracker_store.available()
        turn(tracker_store, "kept", text)
    assert opened == []
    assert stored_rows(db_url).count("user") == 3


def test_the_sqlite_file_is_written_through_its_log_and_synced(db_url):
    tracker_store = store(db_url)
    start(tracker_store, "logged")
    with tracker_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def user_texts(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        rows = db.execute("select data from events where type_name = 'user' order by id")
        return [json.loads(row[0])["text"] for row in rows]


def in_another_process(code: str) -> None:
    """What an administrator does to the file, from outside the server's process."""
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_sqlite_file_restored_under_a_running_store_is_opened_again(db_url, tmp_path):
    """The store keeps its connections open. When the file at its path is replaced
    (restored from a backup, say), the next turn must write to the new file, and
    nothing of the old file's log may reach it."""
    tracker_store = store(db_url)
    path, backup, old = tmp_path / "tracker.db", tmp_path / "backup.db", tmp_path / "old.db"
    start(tracker_store, "restored")
    in_another_process(
        f"import sqlite3; sqlite3.connect({str(path)!r}).backup(sqlite3.connect({str(backup)!r}))"
    )
    turn(tracker_store, "restored", "before the restore")
    in_another_process(
        f"import os, shutil; os.rename({str(path)!r}, {str(old)!r}); "
        f"shutil.copyfile({str(backup)!r}, {str(path)!r})"
    )
    assert tracker_store.available()
    turn(tracker_store, "restored", "after the restore")
    assert user_texts(path) == ["after the restore"]
    assert user_texts(old) == ["before the restore"]


def test_a_sqlite_file_deleted_under_a_running_store_leaves_nothing_to_the_next(db_url, tmp_path):
    tracker_store = store(db_url)
    path, backup = tmp_path / "tracker.db", tmp_path / "backup.db"
    start(tracker_store, "deleted")
    in_another_process(
        f"import sqlite3; sqlite3.connect({str(path)!r}).backup(sqlite3.connect({str(backup)!r}))"
    )
    turn(tracker_store, "deleted", "in the deleted file")
    in_another_process(f"import os; os.remove({str(path)!r})")
    assert not tracker_store.available()
    in_another_process(f"import shutil; shutil.copyfile({str(backup)!r}, {str(path)!r})")
    assert tracker_store.available()
    turn(tracker_store, "deleted", "in the new file")
    assert user_texts(path) == ["in the new file"]


REFUSE_INSERTS = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'no'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no'; END $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER refuse BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}


def test_a_failed_write_does_not_carry_the_message_into_the_error(database_url):
    # The error reaches the log (the holding wrapper logs a failed turn's
    # traceback), and SQLAlchemy's text of it listed every value being written.
    tracker_store = RedactingSQLTrackerStore(domain=DOMAIN, url=database_url)
    turn(tracker_store, "refused", "first words")
    with tracker_store.engine.begin() as connection:
        for statement in REFUSE_INSERTS[tracker_store.engine.dialect.name]:
            connection.exec_driver_sql(statement)
    with pytest.raises(Exception, match="no") as caught:
        turn(tracker_store, "refused", "words that must never reach a log")
    assert "never reach a log" not in str(caught.value)
    assert "parameters hidden" in str(caught.value)
    tracker_store.engine.dispose()


def test_the_channels_find_our_store_behind_rasas_wrappers(db_url):
    """Rasa wraps the store it builds from endpoints.yml; the channels and the
    readiness check find ours in the app's context (tracker_store_in)."""
    from types import SimpleNamespace

    from rasa.core.tracker_store import (
        AwaitableTrackerStore,
        FailSafeTrackerStore,
        InMemoryTrackerStore,
    )

    from bot.storage.tracker_store import tracker_store_in

    ours = store(db_url)
    wrapped = FailSafeTrackerStore(AwaitableTrackerStore(ours))
    assert tracker_store_in(SimpleNamespace(agent=SimpleNamespace(tracker_store=wrapped))) is ours
    other = FailSafeTrackerStore(InMemoryTrackerStore(DOMAIN))
    assert tracker_store_in(SimpleNamespace(agent=SimpleNamespace(tracker_store=other))) is None
    assert tracker_store_in(SimpleNamespace()) is None  # no model loaded yet
    assert tracker_store_in(None) is None
