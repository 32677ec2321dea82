"""Rasa's SQL tracker store, with user messages redacted before they are stored.

Configured in ``endpoints.yml`` as ``type: bot.storage.tracker_store.RedactingSQLTrackerStore``;
the database is ``CCE_TRACKER_DB_URL`` (any SQLAlchemy URL), by default the SQLite
file ``var/tracker.db``. The tracker in memory keeps the message as typed for the
turn in hand, so the assistant answers what it was given; what is written (and
read back on the next turn) has identifiers replaced by placeholders such as
``[EMAIL]`` (see :mod:`bot.privacy.redaction`).

The tracker saved at the end of a turn is kept for the conversation's next
turn (:mod:`bot.storage.turn_cache`), checked against the database first, so a
turn does not re-read and deserialise every event of a long conversation
(README, "Performance"). The tracker keeps every event of the session: Rasa's
policies rebuild their states by replaying the tracker's events from an empty
state, so a tracker cut to its last events lost the active form and the slots
set before the cut, and a rule that must hold during the check ("a child is in
danger" gives the 999 response) stopped applying in long conversations.
``cached_conversations`` can be set in ``endpoints.yml`` under ``tracker_store``.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from functools import cached_property
from typing import Any, NamedTuple

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from bot import bootstrap
from bot.privacy.offload import redaction
from bot.rasa_contracts import STORED, events_replaced
from bot.storage.sqlite_file import OpenFile, sqlite_file_with_folder
from bot.storage.turn_cache import Head, TurnCache

logger = logging.getLogger(__name__)


CACHED_CONVERSATIONS = 500
# STORED is the attribute on a turn's tracker saying what is already stored: a
# `Stored`. Trackers without it (new ones, which Rasa creates itself, or full
# ones) are saved the way Rasa's SQL store does it and are not kept.


class Stored(NamedTuple):
    """The last event of a tracker already stored, and the stored head then."""

    last_event: Event | None
    head: Head


def _mark(tracker: DialogueStateTracker, head: Head) -> None:
    setattr(tracker, STORED, Stored(tracker.events[-1] if tracker.events else None, head))


def tracker_store_in(context: Any) -> RedactingSQLTrackerStore | None:
    """The tracker store of the Rasa app whose context (``app.ctx``) this is, if
    it is ours: the one rasa built from endpoints.yml for the loaded agent, which
    rasa wraps (``FailSafeTrackerStore``, ``AwaitableTrackerStore``, each holding
    the store it wraps as ``_tracker_store``). None before a model is loaded."""
    store = getattr(getattr(context, "agent", None), "tracker_store", None)
    while store is not None and not isinstance(store, RedactingSQLTrackerStore):
        store = getattr(store, "_tracker_store", None)
    return store


def redact_event(event: Event) -> Event:
    """A copy of a user message event with its text redacted; other events as they are.
    (The redaction was usually worked out before the turn, off the event loop.)"""
    if not isinstance(event, UserUttered) or not event.text:
        return event
    redacted = redaction(event.text)
    if not redacted.kinds:
        return event
    stored = copy.deepcopy(event)
    stored.text = redacted.text
    if isinstance(stored.parse_data, dict):
        stored.parse_data["text"] = redacted.text
    return stored


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQL tracker store that never writes an identifier a user typed."""

    engine: Engine

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        cached_conversations: int = CACHED_CONVERSATIONS,
        **kwargs: Any,
    ) -> None:
        self._cache = TurnCache(int(cached_conversations))
        url = make_url(
            kwargs.pop("url", None) or bootstrap.app().settings.effective_tracker_database_url
        )
        path = sqlite_file_with_folder(url)
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database or "",
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
        )
        # A database error's text (which gets logged) must not carry the events
        # being written, with what users typed: SQLAlchemy names no values then.
        self.engine.hide_parameters = True
        # A SQLite file is kept open (bot.storage.sqlite_file); rasa's engine
        # opened it for every session.
        self._sqlite: OpenFile | None = None
        if path is not None:
            self.engine.dispose()
            self._sqlite = OpenFile(self.engine.url)
            self.engine = self._sqlite.engine
            self.sessionmaker.configure(bind=self.engine)

    def available(self) -> bool:
        """A cheap probe before each turn. A SQLite file that has disappeared counts
        as unavailable: reading on would silently start a new, empty database
        (and a file put in its place is opened afresh, see bot.storage.sqlite_file)."""
        if self._sqlite is not None:
            return self._sqlite.available()
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - any driver error means unavailable
            logger.warning("The conversations database is unavailable (%s).", type(exc).__name__)
            return False
        return True

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        for event in super()._additional_events(session, tracker):
            yield redact_event(event)

    # ---------------------------------------------------------------- a turn's tracker

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker of the conversation's latest session: what a turn works
        on, kept from the last turn when the database has nothing newer. (Rasa
        wraps this store, so its processor reaches this method for every turn.)"""
        return self._retrieve_for_turn(sender_id)

    async def retrieve_session(self, sender_id: str) -> DialogueStateTracker | None:
        """Every event of the latest session, as Rasa's SQL store retrieves it
        (e.g. for the widget to redraw a conversation)."""
        return await self._retrieve(sender_id, fetch_events_from_all_sessions=False)

    def _head(self, session: Any, sender_id: str) -> Head | None:
        # Plain SQL: building the ORM query cost more than running it, every turn.
        last_id, rows = session.execute(self._head_sql, {"sender_id": sender_id}).one()
        return Head(int(last_id), int(rows)) if last_id is not None else None

    @cached_property
    def _head_sql(self) -> Any:
        table = self.SQLEvent.__table__.name
        return text(f"SELECT max(id), count(id) FROM {table} WHERE sender_id = :sender_id")

    @cached_property
    def _last_id_sql(self) -> Any:
        table = self.SQLEvent.__table__.name
        return text(f"SELECT max(id) FROM {table} WHERE sender_id = :sender_id")

    def _retrieve_for_turn(self, sender_id: str) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            head = self._head(session, sender_id)
            kept = self._cache.take(sender_id)
            if head is None:
                return None
            if kept is not None and self._catch_up(session, kept, head):
                _mark(kept, head)
                return kept
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            events = [json.loads(row.data) for row in rows.all()]
        if not events or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        _mark(tracker, head)
        return tracker

    def _catch_up(self, session: Any, tracker: DialogueStateTracker, head: Head) -> bool:
        """Brings a kept tracker up to the stored head, if only events were added
        (by another instance); False when it must be read again in full."""
        known = getattr(tracker, STORED).head  # what was stored when it was kept
        if head == known:
            return True
        if head.last_id < known.last_id:
            return False
        rows = (
            session.query(self.SQLEvent)
            .filter(self.SQLEvent.sender_id == tracker.sender_id)
            .filter(self.SQLEvent.id > known.last_id)
            .order_by(self.SQLEvent.id)
            .all()
        )
        if known.rows + len(rows) != head.rows:
            return False  # rows were also deleted
        if any(row.type_name == SessionStarted.type_name for row in rows):
            return False  # a new session: read it as Rasa would
        for row in rows:
            event = Event.from_parameters(json.loads(row.data))
            if event is not None:
                tracker.update(event)
        return True

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the events the tracker has that are not stored yet (redacted),
        and keeps a turn's tracker for the conversation's next turn."""
        await self.stream_events(tracker)
        stored: Stored | None = getattr(tracker, STORED, None)
        if stored is None:  # a tracker rasa made: stored the way rasa's store does it
            with self.session_scope() as session:
                new_events = list(self._additional_events(session, tracker))
                if new_events:
                    session.execute(
                        self._insert, [self._row(tracker.sender_id, e) for e in new_events]
                    )
                session.commit()
            self._cache.discard(tracker.sender_id)
            return
        new_events = self._redact_in_place(tracker, events_after(tracker, stored.last_event))
        head = stored.head
        if new_events:
            # One INSERT for all, on a plain connection: the ORM's unit of work, and
            # then its session, cost more than the SQL.
            rows = [self._row(tracker.sender_id, event) for event in new_events]
            with self.engine.begin() as connection:
                connection.execute(self._insert, rows)
                # The conversation is locked for the turn: its newest row is the last one here.
                last_id = connection.execute(
                    self._last_id_sql, {"sender_id": tracker.sender_id}
                ).scalar()
            head = Head(int(last_id), stored.head.rows + len(rows))
        # The head this process expects; the next turn checks it against the database.
        _mark(tracker, head)
        self._cache.put(tracker.sender_id, tracker)

    @cached_property
    def _insert(self) -> Any:
        return self.SQLEvent.__table__.insert()

    @staticmethod
    def _row(sender_id: str, event: Event) -> dict[str, Any]:
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    @staticmethod
    def _redact_in_place(tracker: DialogueStateTracker, events: list[Event]) -> list[Event]:
        """The redacted events, which also replace the typed ones in the tracker
        kept for the next turn (``events`` are its last ones): the next turn sees
        what a reload would."""
        stored = [redact_event(event) for event in events]
        start = len(tracker.events) - len(events)
        for offset, (typed, redacted) in enumerate(zip(events, stored, strict=True)):
            if redacted is typed:
                continue
            tracker.events[start + offset] = redacted
            if tracker.latest_message is typed:
                tracker.latest_message = redacted
            events_replaced(tracker)  # e.g. the incremental tracker held the typed event
        return stored


def events_after(tracker: DialogueStateTracker, stored_up_to: object) -> list[Event]:
    """The tracker's events after the (identical) event ``stored_up_to``; all of
    them when it is None."""
    if stored_up_to is None:
        return list(tracker.events)
    newer: list[Event] = []
    for event in reversed(tracker.events):
        if event is stored_up_to:
            return newer[::-1]
        newer.append(event)
    raise RuntimeError(
        "The last stored event is no longer in the tracker, so what is new cannot be "
        "told apart; the turn is not stored. (Trackers here keep every event.)"
    )
