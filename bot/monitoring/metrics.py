"""What the assistant counts for Prometheus (``GET /metrics``): turns and how long
they took, holding messages and why, check outcomes by type, and Teams replies
that could not be delivered. Counts and durations only: no label ever holds a
message, a name or a conversation id, only a value from the short lists below.

Several processes answer on one port (Sanic workers, ``CCE_WORKERS``), and a
separate action server started by ``serve`` counts the outcomes. So each process
counts in its own files in one folder (prometheus_client's multiprocess mode,
``PROMETHEUS_MULTIPROC_DIR``, which ``serve`` sets and empties for the servers it
starts), and ``/metrics``, whichever worker answers it, adds them all up. A
process started otherwise (tests, the command line) counts in memory alone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

from bot import bootstrap

CHANNELS = ("rest", "web", "teams")  # anything else (REST lets a client name one) is "other"
OTHER = "other"
# Why a user got the holding message (bot.channels.holding).
HOLDING_REASONS = ("database_unavailable", "timeout", "error", "no_reply")
# What a Teams reply was (bot.channels.teams.connector) and why it failed for good.
TEAMS_KINDS = ("message", "typing", "card_update")
TEAMS_FAILURES = ("rate_limited", "server_error", "unreachable", "refused", "no_token", "untrusted")
TEAMS_RETRY_REASONS = ("rate_limited", "server_error", "unreachable")
# Seconds; the default turn timeout is 5.5 s (CCE_TURN_TIMEOUT).
TURN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

TURNS = Counter("cce_turns", "Messages received by a channel (each one a turn).", ["channel"])
TURN_SECONDS = Histogram(
    "cce_turn_duration_seconds",
    "Time from a message's arrival to its answer being ready (holding message included).",
    ["channel"],
    buckets=TURN_BUCKETS,
)
CANCELLED = Counter(
    "cce_turns_cancelled", "Turns whose request went away before they ended.", ["channel"]
)
HOLDING = Counter(
    "cce_holding_messages",
    "Turns answered with the holding message (999 and the Front Door), by reason.",
    ["channel", "reason"],
)
OUTCOMES = Counter("cce_check_outcomes", "Indicator checks completed, by outcome.", ["outcome"])
TEAMS_FAILED = Counter(
    "cce_teams_replies_failed",
    "Replies to Teams given up on (after any retries), by kind and reason.",
    ["kind", "reason"],
)
TEAMS_RETRIES = Counter(
    "cce_teams_reply_retries", "Replies to Teams sent again after a refusal.", ["reason"]
)


def _known(value: object, allowed: tuple[str, ...]) -> str:
    text = str(value or "")
    return text if text in allowed else OTHER


def channel_label(input_channel: object) -> str:
    return _known(input_channel, CHANNELS)


@contextmanager
def turn(input_channel: object) -> Iterator[str]:
    """Counts one turn and times it; yields the channel's label."""
    channel = channel_label(input_channel)
    TURNS.labels(channel).inc()
    started = time.perf_counter()
    try:
        yield channel
    finally:
        TURN_SECONDS.labels(channel).observe(time.perf_counter() - started)


def holding_message(channel: str, reason: str) -> None:
    HOLDING.labels(_known(channel, (*CHANNELS, OTHER)), _known(reason, HOLDING_REASONS)).inc()


def turn_cancelled(channel: str) -> None:
    CANCELLED.labels(_known(channel, (*CHANNELS, OTHER))).inc()


def check_outcome(outcome: str) -> None:
    from bot.triage.model import OUTCOMES as KNOWN

    OUTCOMES.labels(_known(outcome, KNOWN)).inc()


def teams_reply_failed(kind: str, reason: str) -> None:
    TEAMS_FAILED.labels(_known(kind, TEAMS_KINDS), _known(reason, TEAMS_FAILURES)).inc()


def teams_reply_retried(reason: str) -> None:
    TEAMS_RETRIES.labels(_known(reason, TEAMS_RETRY_REASONS)).inc()


def _start_at_zero() -> None:
    """Every outcome and holding reason is shown from the start, at 0, so a rate
    or an alert works before the first one happens."""
    from bot.triage.model import OUTCOMES as KNOWN

    for outcome in KNOWN:
        OUTCOMES.labels(outcome)
    for channel in CHANNELS:
        TURNS.labels(channel)
        CANCELLED.labels(channel)
        for reason in HOLDING_REASONS:
            HOLDING.labels(channel, reason)
    for kind in TEAMS_KINDS:
        for reason in TEAMS_FAILURES:
            TEAMS_FAILED.labels(kind, reason)
    for reason in TEAMS_RETRY_REASONS:
        TEAMS_RETRIES.labels(reason)


def exposition() -> tuple[bytes, str]:
    """The text ``/metrics`` answers with, and its content type: every process's
    counts added up in multiprocess mode, this process's otherwise."""
    folder = bootstrap.app().settings.metrics_multiprocess_dir
    if folder:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=folder)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


_start_at_zero()
