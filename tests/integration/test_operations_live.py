"""What operators see of the running assistant, live: /health/live and
/health/ready (also while the conversations database is gone), /metrics after
the conversation scripts (counts moved, no text), and the JSON log.

The assistant runs as a deployer would run it with ``CCE_WORKERS=2`` (two Sanic
worker processes, Redis for their locks) and ``CCE_LOG_FORMAT=json``, so the
counts must add up across processes whichever worker answers /metrics. Skipped,
with the reason, where Redis is not reachable."""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from bot.cli.converse import load_scripts, run_conversation
from bot.config import PROJECT_ROOT
from tests.integration.live import LiveAssistant

pytestmark = [pytest.mark.model, pytest.mark.live]
REDIS_URL = os.environ.get("CCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
SCRIPTS = sorted((PROJECT_ROOT / "tests" / "conversations").glob("*.yml"))
SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(?:\{(?P<labels>[^}]*)\})? (?P<value>\S+)$")


def get(url: str) -> tuple[int, bytes, Message]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def metrics(base: str) -> dict[str, float]:
    """/metrics as {'name{labels}': value}."""
    status, body, headers = get(f"{base}/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    found = {}
    for line in body.decode().splitlines():
        match = SAMPLE.match(line)
        if match:
            key = match["name"] + (f"{{{match['labels']}}}" if match["labels"] else "")
            found[key] = float(match["value"])
    return found


def moved(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: v - before.get(k, 0.0) for k, v in after.items() if v != before.get(k, 0.0)}


@pytest.fixture(scope="module")
def workers(trained_model, project_root):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({type(exc).__name__})")
    live = LiveAssistant(
        project_root,
        env={"CCE_WORKERS": "2", "CCE_REDIS_URL": REDIS_URL, "CCE_LOG_FORMAT": "json"},
    )
    live.start()
    yield live
    live.stop()


def test_liveness_and_readiness(workers):
    status, body, headers = get(f"{workers.url}/health/live")
    assert (status, json.loads(body)) == (200, {"status": "alive"})
    assert headers["Cache-Control"] == "no-store"
    status, body, _ = get(f"{workers.url}/health/ready")
    assert status == 200, body
    assert json.loads(body) == {
        "status": "ready",
        "checks": {"model": "ok", "conversations_database": "ok",
                   "records_database": "ok", "redis": "ok"},
    }  # fmt: skip


def test_the_scripts_move_the_counts_and_metrics_hold_no_text(workers):
    conversations = load_scripts(SCRIPTS)
    before = metrics(workers.url)
    send = workers.rest()
    sent: list[str] = []
    senders: list[str] = []

    def recording(sender: str, message: str) -> list[dict]:
        sent.append(message)
        senders.append(sender)
        return send(sender, message)

    failures = [f for c in conversations for f in run_conversation(c, recording)]
    assert not failures, failures
    # Two workers count in their own files; every answer of /metrics adds them up.
    readings = [metrics(workers.url) for _ in range(6)]
    assert all(r == readings[0] for r in readings), "workers disagree on the counts"
    change = moved(before, readings[0])
    print("\n/metrics moved by the conversation scripts:")
    for key, value in sorted(change.items()):
        if not key.startswith("cce_turn_duration_seconds_bucket"):
            print(f"  {key} +{value:g}")
    assert change['cce_turns_total{channel="rest"}'] == len(sent)
    assert change['cce_turn_duration_seconds_count{channel="rest"}'] == len(sent)
    assert change['cce_turn_duration_seconds_sum{channel="rest"}'] > 0
    outcomes = {k: v for k, v in change.items() if k.startswith("cce_check_outcomes_total")}
    assert outcomes.get('cce_check_outcomes_total{outcome="emergency"}', 0) >= 1, change
    assert sum(outcomes.values()) >= 3, outcomes
    _, body, _ = get(f"{workers.url}/metrics")
    text = body.decode()
    for message in {m for m in sent if len(m) > 3 and not m.startswith("/")}:
        assert message not in text
    assert not any(sender in text for sender in senders)


def test_without_the_conversations_database_it_is_not_ready_and_says_which(workers):
    tracker = Path(workers.var_dir) / "tracker.db"
    away = tracker.with_name("tracker.db.away")
    before = metrics(workers.url)
    shutil.move(tracker, away)
    try:
        status, body, _ = get(f"{workers.url}/health/ready")
        assert status == 503
        report = json.loads(body)
        assert report["status"] == "not ready"
        assert report["checks"]["conversations_database"] == "unavailable"
        assert report["checks"]["model"] == "ok" and report["checks"]["redis"] == "ok"
        # Still alive (a restart would not help), and a turn gets the holding message.
        assert get(f"{workers.url}/health/live")[0] == 200
        reply = workers.rest()("db-gone", "what is cuckooing")
        assert "999" in reply[0]["text"]
    finally:
        shutil.move(away, tracker)
    key = 'cce_holding_messages_total{channel="rest",reason="database_unavailable"}'
    assert moved(before, metrics(workers.url))[key] == 1
    assert get(f"{workers.url}/health/ready")[0] == 200


def test_the_log_is_json_lines_and_holds_no_message_text(workers):
    workers.rest()("log-check", "my colleague Jordan Example saw two phones")
    log = workers.log_text()
    assert "Jordan Example" not in log and "two phones" not in log
    lines = [line for line in log.splitlines() if line.strip()]
    # Every line is JSON but the one `serve` itself prints (to the terminal).
    records = [json.loads(line) for line in lines if not line.startswith("The assistant is ready")]
    assert len(records) == len(lines) - 1, log[-2000:]
    assert all({"timestamp", "level", "logger", "event"} <= set(r) for r in records)
    assert {r["process"] for r in records if r["logger"].startswith("rasa")}, records[:5]
    assert "Traceback" not in log, log[-3000:]
