"""The servers' log: rasa's own lines, or one JSON object a line
(``CCE_LOG_FORMAT=json``), and in either no message text above DEBUG.

rasa sets up logging itself when its command line starts (coloredlogs on the
root logger, then structlog for its own events); rasa-sdk does the same in the
action server. :func:`configure` runs right after theirs (the hooks are in
:mod:`bot.rasa_patches.logs`):

- rasa's structlog events carry the text of messages in a few named fields
  (``text``, ``user_text``, ``parse_data_text``, ``rasa_events``, ...; the ones
  rasa marks for its anonymiser). Above DEBUG those fields are replaced by
  :data:`WITHHELD` (rasa logs some of them at ERROR, e.g. when a REST turn fails).
  Our own log lines never hold message text (a test reads a server's log).
- In JSON mode every line (rasa's events, plain ``logging`` records, Sanic's,
  Python's warnings) is an object with ``timestamp`` (UTC), ``level``, ``logger``, ``process``,
  ``event`` (the message) and an event's own fields; an exception's traceback
  is in ``exception``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from datetime import datetime, timezone
from typing import Any

from bot import bootstrap
from bot.config import LOG_JSON

# The fields of rasa's structlog events that hold what a user or the bot said
# (rasa 3.6: those it deep-copies for its anonymiser).
TEXT_FIELDS = frozenset({
    "text", "user_text", "message", "response", "response_text", "token_text",
    "parse_data_text", "parse_data_entities", "rasa_event", "rasa_events",
    "prediction_events", "tracker_latest_message", "slot_values", "slot_candidates",
    "prefilled_slots", "tracker_states", "states", "old_states", "current_states",
    "entity", "current_entity", "next_entity", "successes",
})  # fmt: skip
WITHHELD = "[withheld above DEBUG]"
SANIC_LOGGERS = ("sanic.root", "sanic.error", "sanic.access")


def withhold_text(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor: message text stays only in DEBUG events."""
    if method_name != "debug":
        for key in TEXT_FIELDS.intersection(event_dict):
            event_dict[key] = WITHHELD
    return event_dict


def _from_record(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """When, how bad and where (from the ``logging`` record every line passes
    through) first, then what."""
    record: logging.LogRecord | None = event_dict.pop("_record", None)
    event_dict.pop("_from_structlog", None)
    if record is None:
        return event_dict
    when = datetime.fromtimestamp(record.created, timezone.utc)
    return {
        "timestamp": when.isoformat(timespec="milliseconds"),
        "level": event_dict.pop("level", None) or record.levelname.lower(),
        "logger": record.name,
        "process": record.process,
        "event": event_dict.pop("event", None),
        **event_dict,
    }


def json_formatter() -> logging.Formatter:
    import structlog

    return structlog.stdlib.ProcessorFormatter(
        processors=[
            _from_record,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(sort_keys=False),
        ],
    )


def _configure_structlog(json: bool) -> None:
    """rasa's structlog chain with :func:`withhold_text` first; in JSON mode its
    events go on as dicts to the JSON formatter instead of being rendered."""
    import structlog

    processors = list(structlog.get_config()["processors"])
    processors = [p for p in processors if p is not withhold_text]
    if json:
        # rasa's last processor renders the event; the JSON formatter does instead.
        kept = [p for p in processors[:-1] if p is not structlog.processors.dict_tracebacks]
        processors = [*kept, structlog.stdlib.ProcessorFormatter.wrap_for_formatter]
    structlog.configure(processors=[withhold_text, *processors])


def _write_json() -> None:
    formatter = json_formatter()
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
    for handler in root.handlers:
        handler.setFormatter(formatter)
    for name in SANIC_LOGGERS:
        sanic_logger = logging.getLogger(name)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(formatter)
        sanic_logger.handlers = [handler]
        sanic_logger.propagate = False  # as rasa has it: each line once


def early() -> None:
    """In JSON mode, from a server process's start: Python's warnings (which
    libraries print while rasa loads) go through ``logging``, as JSON lines."""
    if bootstrap.app().settings.log_format != LOG_JSON:
        return
    logging.captureWarnings(True)
    _write_json()


def configure(with_structlog: bool) -> None:
    """Our setup, once rasa's (or rasa-sdk's) is done."""
    json = bootstrap.app().settings.log_format == LOG_JSON
    if with_structlog:
        _configure_structlog(json)
    if json:
        _write_json()
