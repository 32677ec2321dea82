"""Deploy smoke test with real parts: Debian's nginx with the shipped
configuration (deploy/nginx.conf, adapted only in ports, upstream addresses and
certificates) in front of two assistant instances on PostgreSQL and Redis (with
a password) and one action server, as deploy/docker-compose.yml runs them
(tests/integration/deployment.py). Everything goes through nginx's https port:
the widget, Teams (against the local fakes of Microsoft's services), TLS and
HSTS, the rate limits and body limits; then one instance is stopped in the
middle of conversations on both channels and nothing is lost. About two minutes.
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.channels import rest, web
from bot.channels.teams import activities
from bot.channels.teams.activities import sender_id
from tests.integration.deployment import scaled_out
from tests.integration.proxy import nginx_binary
from tests.integration.teams_fakes import (
    TENANT,
    FakeMicrosoft,
    activity,
    good_token,
    post,
    said,
)
from tests.storage_urls import postgres_database

pytestmark = [pytest.mark.model, pytest.mark.live, pytest.mark.postgres]
SCRIPT = [  # one conversation: questions and a started check, 10 turns
    "what is cuckooing", "/start_check", "/deny", "/affirm", "what is a graft phone",
    "/deny", "/deny", "/deny", "who do I report modern slavery to", "/deny",
]  # fmt: skip
HOLDING = "send your message again"  # the holding message: the turn was not kept
HSTS = "max-age=63072000; includeSubDomains"
LOG_LINE = re.compile(r'^(?P<time>\S+) (?P<client>\S+) "(?P<request>[^"]*)" (?P<status>\d+) '
                      r'"(?P<upstream>[^"]*)"$')  # fmt: skip


@pytest.fixture(scope="module")
def microsoft():
    fake = FakeMicrosoft().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def deployment(trained_model, project_root, microsoft):
    if nginx_binary() is None:
        pytest.fail("Debian's nginx is not installed: run `make deploy-tools` (make test does).")
    # Turns get time (the default 5.5 s gives the holding message): this test is about
    # losing nothing on a small shared machine, not about latency.
    env = {**microsoft.env, "CCE_TEAMS_ALLOWED_TENANTS": TENANT, "CCE_TURN_TIMEOUT": "30"}
    with postgres_database() as database_url, scaled_out(project_root, database_url, env=env) as d:
        yield {**d, "database_url": database_url}


def call(deployment, method: str, path: str, body: Any = None, source: str = "127.0.0.1",
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
    """One request through nginx's https port, from the address ``source``."""
    connection = deployment["proxy"].connection(source)
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    try:
        headers = {"Content-Type": "application/json", **(headers or {})}
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class Widget:
    """One widget conversation through nginx: a signed session, then messages."""

    def __init__(self, deployment: dict, source: str) -> None:
        self.deployment, self.source = deployment, source
        status, _, body = call(deployment, "POST", "/webhooks/web/session", {}, source)
        assert status == 200, body
        self.token = json.loads(body)["token"]
        self.sender = self.token.split(".")[0]

    def say(self, message: str) -> str:
        status, _, body = call(self.deployment, "POST", "/webhooks/web/message",
                               {"token": self.token, "text": message}, self.source)  # fmt: skip
        assert status == 200, (status, body[:300])
        return "\n".join(m["text"] for m in json.loads(body)["messages"])


class TeamsUser:
    """One Teams conversation: activities posted to nginx, replies at the fake connector."""

    def __init__(self, deployment: dict, fake: FakeMicrosoft, conversation: str) -> None:
        self.deployment, self.fake, self.conversation = deployment, fake, conversation
        self.sender = sender_id(conversation, "29:user-1")

    def say(self, message: str) -> str:
        sent = activity(self.fake, message, conversation=self.conversation)
        authorization = {"Authorization": f"Bearer {good_token(self.fake)}"}
        status, _, body = call(self.deployment, "POST", activities_path(), sent,
                               headers=authorization)  # fmt: skip
        assert status == 200 and json.loads(body)["status"] == "accepted", (status, body)
        replies = self.fake.wait_for_reply(self.conversation, sent["id"], timeout=60)
        assert replies, f"no Teams reply to {message!r}"
        time.sleep(0.5)  # a turn's replies are sent together; let the rest arrive
        return "\n".join(said(m) for m in self.fake.replies_to(self.conversation, sent["id"]))


def activities_path() -> str:
    return "/webhooks/teams/webhook"


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


# ------------------------------------------------------------------ the proxy


def test_http_is_redirected_and_https_answers_with_hsts(deployment):
    proxy = deployment["proxy"]
    plain = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=10)
    plain.request("GET", "/webhooks/web/?x=1")
    redirect = plain.getresponse()
    assert redirect.status == 301
    assert redirect.getheader("Location") == "https://127.0.0.1/webhooks/web/?x=1"
    status, headers, body = call(deployment, "GET", "/")
    assert status == 200 and b"webhooks/web/static/widget.js" in body
    assert headers["Strict-Transport-Security"] == HSTS
    # Nothing but the public paths: rasa's API and anything else is not proxied.
    for path in ("/model/parse", "/conversations/x/tracker", "/version", "/webhooks/rest/"):
        status, headers, _ = call(deployment, "GET", path)
        assert status == 404 and headers["Strict-Transport-Security"] == HSTS, path


def test_redis_refuses_a_client_without_the_password(deployment):
    assert deployment["redis"].refuses_without_password()


@pytest.mark.parametrize(("path", "limit"), [
    ("/webhooks/rest/webhook", rest.MAX_BODY),
    ("/webhooks/web/message", web.MAX_BODY),
    ("/webhooks/teams/webhook", activities.MAX_BODY),
])  # fmt: skip
def test_bodies_over_the_channels_limit_stop_at_nginx_and_up_to_it_reach_the_app(
    deployment, path, limit
):
    source = "127.0.0.20"  # its own address: the rate limit test's requests are not counted
    status, headers, body = call(deployment, "POST", path, b"x" * (limit + 1), source)
    assert status == 413 and headers["Strict-Transport-Security"] == HSTS
    assert json.loads(body) == {"error": "The request is too large: send a shorter message."}
    status, _, body = call(deployment, "POST", path, b"x" * limit, source)
    assert status in (400, 401), (status, body[:200])  # the app's own answer to a bad body


def burst(deployment, path: str, count: int, source: str) -> list[tuple[int, dict, bytes]]:
    """``count`` requests with an empty JSON body as fast as one kept-alive connection goes."""
    connection = deployment["proxy"].connection(source)
    answers = []
    try:
        for _ in range(count):
            connection.request(
                "POST", path, body=b"{}", headers={"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            answers.append((response.status, dict(response.getheaders()), response.read()))
    finally:
        connection.close()
    return answers


def test_a_client_over_its_rate_gets_429_with_retry_after_and_others_are_not_held_up(deployment):
    # A request nginx passes on costs the app little: without the REST token it is a 401.
    answers = burst(deployment, "/webhooks/rest/webhook", 40, "127.0.0.30")
    statuses = [status for status, _, _ in answers]
    assert statuses[:21] == [401] * 21 and statuses.count(429) >= 10, statuses
    for status, headers, body in answers:
        if status == 429:
            assert headers["Retry-After"] == "1" and headers["Strict-Transport-Security"] == HSTS
            assert "wait a second" in json.loads(body)["error"]
    # Another client is not limited by the first one's requests; the widget shares the allowance.
    assert burst(deployment, "/webhooks/rest/webhook", 1, "127.0.0.31")[0][0] == 401
    assert burst(deployment, "/webhooks/web/session", 1, "127.0.0.30")[0][0] == 429
    time.sleep(1.5)  # what Retry-After asked for (and a little more)
    assert burst(deployment, "/webhooks/rest/webhook", 1, "127.0.0.30")[0][0] == 401
    # Teams has its own, larger allowance (Microsoft's few addresses carry every user).
    teams = [status for status, _, _ in burst(deployment, activities_path(), 80, "127.0.0.32")]
    assert teams[:41] == [401] * 41 and teams.count(429) >= 10, teams


# -------------------------------------------------------- an instance stopped


def test_the_widget_and_teams_through_nginx_lose_nothing_when_an_instance_stops(
    deployment, microsoft
):
    started = time.time()
    widgets = [Widget(deployment, f"127.0.0.{40 + i}") for i in range(4)]
    teams = [TeamsUser(deployment, microsoft, f"a:deploy-smoke-{i}") for i in range(2)]
    users: list[Widget | TeamsUser] = [*widgets, *teams]
    done = {id(user): 0 for user in users}
    failures: list[str] = []
    lock = threading.Lock()

    def converse(user: Widget | TeamsUser) -> None:
        for message in SCRIPT:
            try:
                reply = user.say(message)
                if not reply or HOLDING in reply:
                    failures.append(f"{user.sender}: {message!r} got {reply[:120]!r}")
            except Exception as error:  # noqa: BLE001 - every failure is reported below
                failures.append(f"{user.sender}: {message!r} failed: {error}")
            with lock:
                done[id(user)] += 1
            time.sleep(0.2)

    threads = [threading.Thread(target=converse, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    while min(done.values()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    stopped = deployment["nodes"][0]
    # A Teams turn the stopping instance has accepted (200: Teams will not send it again)
    # and is still running, held up by a slow Bot Connector, when the stop comes.
    in_flight = activity(microsoft, "what is county lines", conversation="a:in-flight")
    microsoft.reply_delay = 2.0
    assert post(stopped.url, in_flight, good_token(microsoft)) == (200, {"status": "accepted"})
    stopped_at = time.time()
    stopped.stop()  # SIGTERM, as compose, Kubernetes or systemd stop a server
    stopped_by = time.time()
    microsoft.reply_delay = 0.0
    for thread in threads:
        thread.join(timeout=300)
    assert not [t for t in threads if t.is_alive()], "a conversation hung"
    assert not failures, "\n".join(failures)
    # Every message is kept, in order, whichever instance took it.
    for user in users:
        assert user_texts(deployment["database_url"], user.sender) == SCRIPT, user.sender
    # The stopped instance finished the Teams turn it had accepted before it exited.
    assert microsoft.replies_to("a:in-flight", in_flight["id"]), "the accepted Teams turn was lost"
    in_flight_sender = sender_id("a:in-flight", "29:user-1")
    assert user_texts(deployment["database_url"], in_flight_sender) == ["what is county lines"]
    # Both instances served turns before the stop; once it had stopped, only the other did
    # (a request that found it gone was passed on: its log line names both).
    stopped_address = f"127.0.0.1:{stopped.port}"
    served = [LOG_LINE.match(line) for line in deployment["proxy"].access_log()]
    served = [m for m in served if m and float(m["time"]) >= started and (
        "/message" in m["request"] or "/teams/webhook" in m["request"])]  # fmt: skip
    assert all(m["status"] == "200" for m in served), [m.group(0) for m in served]
    assert any(m["upstream"] == stopped_address for m in served if float(m["time"]) < stopped_at)
    after = [m["upstream"] for m in served if float(m["time"]) > stopped_by]
    assert after and stopped_address not in after, after


def test_the_scheduled_purge_runs_against_the_deployments_database(deployment, project_root):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "purge"], cwd=project_root, capture_output=True, text=True,
        env={**deployment["nodes"][1]._env}, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Deleted 0 conversations" in result.stdout  # all of today's are kept for 90 days
