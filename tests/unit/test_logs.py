"""The log setup without a server: message text withheld above DEBUG from rasa's
structlog events, and JSON lines when asked for. Each case runs in a fresh
process set up as rasa's command line sets up logging, then ours."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from bot.config import PROJECT_ROOT
from bot.monitoring.logs import WITHHELD, withhold_text

SECRET = "Jordan Example was seen at the trap house"  # invented

AS_RASA_DOES = textwrap.dedent(
    """
    import logging, sys
    import structlog
    from rasa.utils.io import configure_colored_logging
    from rasa.utils.log_utils import configure_structlog
    from bot.monitoring import logs

    level = logging.getLevelName(sys.argv[2])
    configure_colored_logging(level)   # what rasa's main does, in this order
    configure_structlog(level)
    logs.configure(with_structlog=True)

    secret = sys.argv[1]
    rasa_events = structlog.get_logger()
    rasa_events.error("rest.message.received.failure", text=secret, sender_id="abc")
    rasa_events.debug("processor.message.parse", parse_data_text=secret)
    logging.getLogger("bot.channels.holding").warning("A turn took too long.")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("bot.channels.holding").exception("A turn failed.")
    logging.getLogger("sanic.error").error("Sanic says something")
    """
)


def run_logging(log_format: str, level: str = "INFO") -> str:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "CCE_LOG_FORMAT": log_format}
    done = subprocess.run(
        [sys.executable, "-c", AS_RASA_DOES, SECRET, level],
        env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return done.stdout + done.stderr


def test_text_fields_are_withheld_above_debug_only():
    event = {"event": "rest.message.received.failure", "text": SECRET, "sender_id": "abc"}
    assert withhold_text(None, "error", dict(event)) == {**event, "text": WITHHELD}
    assert withhold_text(None, "debug", dict(event)) == event


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_rasas_own_error_event_does_not_log_the_message(log_format):
    # rasa's REST channel logs the message's text at ERROR when a turn fails.
    out = run_logging(log_format)
    assert "rest.message.received.failure" in out
    assert SECRET not in out
    assert WITHHELD in out


def test_at_debug_the_text_is_there_for_whoever_asked_for_it():
    assert SECRET in run_logging("json", "DEBUG")


def test_json_lines_are_one_object_each_with_when_what_and_where():
    lines = [line for line in run_logging("json").splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON
    assert len(records) == 4  # each once (the DEBUG event is not logged at INFO)
    assert all(list(record)[:5] == ["timestamp", "level", "logger", "process", "event"]
               for record in records)  # fmt: skip
    by_event = {record["event"]: record for record in records}
    failure = by_event["rest.message.received.failure"]
    assert failure["level"] == "error" and failure["text"] == WITHHELD
    assert failure["sender_id"] == "abc" and failure["timestamp"].endswith("+00:00")
    slow = by_event["A turn took too long."]
    assert slow["level"] == "warning" and slow["logger"] == "bot.channels.holding"
    assert isinstance(slow["process"], int)
    failed = by_event["A turn failed."]
    assert "RuntimeError: boom" in failed["exception"] and "Traceback" in failed["exception"]
    assert by_event["Sanic says something"]["logger"] == "sanic.error"


def test_text_mode_keeps_rasas_lines():
    out = run_logging("text")
    assert "WARNING  bot.channels.holding  - A turn took too long." in out
