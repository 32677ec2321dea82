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

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        for event in super()._additional_events(session, tracker):
            yield redact_event(event)
