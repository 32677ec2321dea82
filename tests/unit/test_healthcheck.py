"""`python -m bot healthcheck` (the image's HEALTHCHECK): 0 only for a 200 from the
right endpoint of this container's server, 1 for anything else."""

from __future__ import annotations

import argparse
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot import bootstrap
from bot.cli import healthcheck
from tests.integration.live import free_port


@pytest.fixture
def server(monkeypatch):
    """A server answering each path with the status set in ``statuses``."""
    statuses: dict[str, int] = {}
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append(self.path)
            self.send_response(statuses.get(self.path, 404))
            self.send_header("Content-Length", "0")
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = httpd.server_address[1]
    monkeypatch.setenv("CCE_PORT", str(port))
    monkeypatch.setenv("CCE_ACTION_PORT", str(port))
    bootstrap.reset()
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield statuses, seen
    httpd.shutdown()
    httpd.server_close()
    bootstrap.reset()


def run(**flags: bool) -> int:
    args = argparse.Namespace(**{"ready": False, "actions": False, "timeout": 2.0, **flags})
    return healthcheck.main(args)


def test_live_by_default_ready_or_the_action_server_when_asked(server):
    statuses, seen = server
    statuses.update({"/health/live": 200, "/health/ready": 503, "/health": 200})
    assert run() == 0 and seen[-1] == "/health/live"
    assert run(ready=True) == 1 and seen[-1] == "/health/ready"
    assert run(actions=True) == 0 and seen[-1] == "/health"


def test_a_missing_route_or_no_server_is_unhealthy(server, monkeypatch):
    assert run() == 1  # 404: no such route
    monkeypatch.setenv("CCE_PORT", str(free_port()))
    bootstrap.reset()
    assert run() == 1  # nothing listening
