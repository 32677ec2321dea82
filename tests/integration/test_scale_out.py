"""Two Rasa servers sharing the PostgreSQL tracker store and a Redis lock store,
with one action server: concurrent load with each message sent to the instances
in turn, and one instance killed with SIGKILL under load and restarted.
Skipped, with the reason, where PostgreSQL or Redis is not reachable."""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from tests.integration.live import LiveAssistant
from tests.storage_urls import postgres_database

pytestmark = [pytest.mark.model, pytest.mark.live, pytest.mark.postgres]
REDIS_URL = os.environ.get("CCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
REST_TOKEN = "cluster-test-rest-token-0123456789"
SCRIPT = [  # one conversation: questions and a started check, 10 turns
    "what is cuckooing", "/start_check", "/deny", "/affirm", "what is a graft phone",
    "/deny", "/deny", "/deny", "who do I report modern slavery to", "/deny",
]  # fmt: skip


def redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({type(exc).__name__})")


@pytest.fixture(scope="module")
def cluster(trained_model, project_root, tmp_path_factory):
    redis_or_skip()
    with postgres_database() as database_url:
        var_dir = tmp_path_factory.mktemp("cluster")
        # This test is about order and completeness under load, not latency: give
        # turns time (by default a turn over 5.5 s gets the holding message), but
        # less than the web server's 60 s, after which rasa answers with nothing (a
        # conversation locked by the killed instance waits up to rasa's 60 s lock
        # lifetime: its user gets the holding message meanwhile).
        shared = {"CCE_TRACKER_DB_URL": database_url, "CCE_REDIS_URL": REDIS_URL,
                  "CCE_SECRET_KEY": "cluster-test-secret-of-32-characters",
                  "CCE_TURN_TIMEOUT": "30", "CCE_REST_TOKEN": REST_TOKEN}  # fmt: skip
        actions = LiveAssistant(project_root, env=shared, var_dir=var_dir, only="actions")
        actions.start()
        shared["CCE_ACTION_SERVER_URL"] = f"http://127.0.0.1:{actions.action_port}/webhook"
        nodes = [
            LiveAssistant(project_root, env=shared, var_dir=var_dir, only="rasa") for _ in "ab"
        ]
        for node in nodes:
            node.start()
        yield {"nodes": nodes, "database_url": database_url, "shared": shared, "var_dir": var_dir,
               "project_root": project_root}  # fmt: skip
        for node in [*nodes, actions]:
            node.stop()


def send(url: str, sender: str, message: str) -> list[dict]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {REST_TOKEN}"}
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def user_texts(database_url: str, sender: str) -> list[str]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("select data from events where sender_id = :s and type_name = 'user' order by id"),
            {"s": sender},
        )
        texts = [json.loads(row[0])["text"] for row in rows]
    engine.dispose()
    return texts


def converse(nodes, sender: str, offset: int, acknowledged: dict, stop: threading.Event) -> None:
    for turn, message in enumerate(SCRIPT):
        if stop.is_set():
            return
        node = nodes[(offset + turn) % len(nodes)]
        try:
            replies = send(node.url, sender, message)
        except (urllib.error.URLError, ConnectionError, OSError):
            continue  # not acknowledged: the user would see an error and resend
        assert replies, f"no reply to {message!r}"
        if any("send your message again" in (r.get("text") or "") for r in replies):
            continue  # the holding message: the user is asked to resend, nothing was kept
        acknowledged.setdefault(sender, []).append(message)


def test_the_action_server_answers_only_the_rasa_servers(cluster):
    """Anything on the network can reach the action server's port; only requests
    with the shared secret (which the Rasa servers send) run an action."""
    webhook = cluster["shared"]["CCE_ACTION_SERVER_URL"]
    call = {
        "next_action": "action_start_check",
        "sender_id": "intruder",
        "version": "3.6.21",
        "tracker": {"sender_id": "intruder", "events": [], "slots": {}},
        "domain": {},
    }
    request = urllib.request.Request(
        webhook, data=json.dumps(call).encode(), headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 401
    health = webhook.rsplit("/", 1)[0] + "/health"
    with urllib.request.urlopen(health, timeout=30) as response:
        assert response.status == 200
    # and the Rasa servers, which send it, still run the check's actions
    assert "under 18" in " ".join(
        m.get("text") or ""
        for m in send(cluster["nodes"][0].url, "with-secret", "/start_check")
        + send(cluster["nodes"][1].url, "with-secret", "/deny")
    )


def test_concurrent_conversations_across_two_instances_are_complete_and_ordered(cluster):
    nodes = cluster["nodes"]
    acknowledged: dict[str, list[str]] = {}
    stop = threading.Event()
    senders = [f"load-{i}" for i in range(50)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        for future in [pool.submit(converse, nodes, s, i, acknowledged, stop)
                       for i, s in enumerate(senders)]:  # fmt: skip
            future.result()
    turns = sum(len(v) for v in acknowledged.values())
    print(f"\nScale-out: {len(senders)} conversations, {turns} turns over 2 instances")
    assert turns == len(senders) * len(SCRIPT) >= 500
    for sender in senders:
        assert user_texts(cluster["database_url"], sender) == SCRIPT, sender
    for node in nodes:
        log = node.log_text()
        assert "LockError" not in log and "Traceback" not in log, log[-2000:]


def test_an_instance_killed_under_load_loses_no_acknowledged_message(cluster):
    nodes = cluster["nodes"]
    acknowledged: dict[str, list[str]] = {}
    stop = threading.Event()
    senders = [f"kill-{i}" for i in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [
            pool.submit(converse, nodes, s, i, acknowledged, stop) for i, s in enumerate(senders)
        ]
        threading.Event().wait(1.5)
        nodes[0].kill()  # SIGKILL the Rasa server in the middle of the load
        for future in futures:
            future.result()
    for sender in senders:
        stored = user_texts(cluster["database_url"], sender)
        for message in acknowledged.get(sender, []):
            assert message in stored, (sender, message)
    restarted = LiveAssistant(cluster["project_root"], env=cluster["shared"],
                              var_dir=cluster["var_dir"], only="rasa")  # fmt: skip
    restarted.port, restarted.url = nodes[0].port, nodes[0].url
    restarted._env["CCE_PORT"] = str(restarted.port)
    restarted.start()
    nodes[0] = restarted
    for sender in senders:  # every conversation goes on, on either instance
        assert send(restarted.url, sender, "what is the nrm")
        assert send(nodes[1].url, sender, "thanks")


def test_each_server_reports_its_health_and_counts(cluster):
    """A Rasa server alone is ready only with its action server and Redis; the
    action server answers /metrics too (the check outcomes are counted there)."""
    node = cluster["nodes"][1]
    with urllib.request.urlopen(f"{node.url}/health/ready", timeout=30) as response:
        report = json.loads(response.read())
    assert report == {"status": "ready", "checks": {
        "model": "ok", "conversations_database": "ok", "records_database": "ok", "redis": "ok",
        "action_server": "ok"}}  # fmt: skip
    actions = cluster["shared"]["CCE_ACTION_SERVER_URL"].removesuffix("/webhook")
    with urllib.request.urlopen(f"{actions}/metrics", timeout=30) as response:
        counts = response.read().decode()
    assert 'cce_check_outcomes_total{outcome="emergency"}' in counts
    with urllib.request.urlopen(f"{node.url}/metrics", timeout=30) as response:
        assert 'cce_turns_total{channel="rest"}' in response.read().decode()
