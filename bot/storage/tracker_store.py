"""Rasa's SQL tracker store, with user messages redacted before they are stored.

Configured in ``endpoints.yml`` as ``type: bot.storage.tracker_store.RedactingSQLTrackerStore``;
the database is ``CCE_TRACKER_DB_URL`` (any SQLAlchemy URL), by default the SQLite
file ``var/tracker.db``. The tracker in memory keeps the message as typed for the
turn in hand, so the assistant answers what it was given; what is written (and
read back on the next turn) has identifiers replaced by placeholders such as
``[EMAIL]`` (see :mod:`bot.privacy.redaction`).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.config import get_settings
from bot.privacy.redaction import redact

logger = logging.getLogger(__name__)

# The tracker store of this process, for the channels' availability check.
_active: RedactingSQLTrackerStore | None = None


def conversations_available() -> bool:
    """Whether the conversations database can be used right now (True when this
    process has no tracker store of ours, e.g. in tests of other parts)."""
    return _active.available() if _active is not None else True


def redact_event(event: Event) -> Event:
    """A copy of a user message event with its text redacted; other events as they are."""
    if not isinstance(event, UserUttered) or not event.text:
        return event
    redacted = redact(event.text)
    if not redacted.kinds:
        return event
    stored = copy.deepcopy(event)
    stored.text = redacted.text
    if isinstance(stored.parse_data, dict):
        stored.parse_data["text"] = redacted.text
    return stored


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQL tracker store that never writes an identifier a user typed."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        url = make_url(kwargs.pop("url", None) or get_settings().effective_tracker_database_url)
        if url.get_backend_name() == "sqlite" and url.database:
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
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
        self._sqlite_file = (
            Path(url.database).expanduser()
            if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
            else None
        )
        global _active
        _active = self

    def available(self) -> bool:
        """A cheap probe before each turn. A SQLite file that has disappeared counts
        as unavailable: reading on would silently start a new, empty database."""
        if self._sqlite_file is not None and not self._sqlite_file.exists():
            return False
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
