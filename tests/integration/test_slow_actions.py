"""The action server slow or stopped: within 6 seconds the user gets the holding
message with the 999 route and the Integrated Front Door; when the action server
is back, the conversation, and the check in progress, continue with no answer
lost. A proxy between Rasa and the real action server adds the delay or refuses."""

from __future__ import annotations

import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.cli.converse import reply_text
from bot.rasa_patches.action_auth import HEADER
from tests.integration.live import LiveAssistant, free_port

pytestmark = [pytest.mark.model, pytest.mark.live]


class ActionProxy:
    """Forwards to the action server after `delay` seconds, or answers 503 when `down`."""

    def __init__(self, target: str) -> None:
        self.delay = 0.0
        self.down = False
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(proxy.delay)
                if proxy.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                # passed on, as any proxy would: the action server needs the secret
                headers = {"Content-Type": "application/json",
                           HEADER: self.headers.get(HEADER, "")}  # fmt: skip
                request = urllib.request.Request(target, data=body, headers=headers)
                with urllib.request.urlopen(request, timeout=60) as response:
                    data = response.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def setup(trained_model, project_root, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("slow")
    actions = LiveAssistant(project_root, var_dir=var_dir, only="actions")
    actions.start()
    proxy = ActionProxy(f"http://127.0.0.1:{actions.action_port}/webhook")
    rasa = LiveAssistant(
        project_root,
        var_dir=var_dir,
        only="rasa",
        env={"CCE_ACTION_SERVER_URL": f"http://127.0.0.1:{proxy.port}/webhook"},
    )
    rasa.start()
    yield proxy, rasa
    rasa.stop()
    actions.stop()
    proxy.server.shutdown()


def assert_holding_in_time(send, sender: str, text: str) -> None:
    started = time.monotonic()
    said = reply_text(send(sender, text))
    assert time.monotonic() - started < 6, "no answer within 6 seconds"
    assert "call 999" in said and "NELCChildrensFrontDoor@nelincs.gov.uk" in said, said


@pytest.mark.parametrize("fault", ["slow", "stopped"])
def test_holding_message_then_the_check_continues(setup, fault):
    proxy, rasa = setup
    send = rasa.rest(timeout=30)
    sender = f"actions-{fault}"
    send(sender, "/start_check")
    assert "under 18" in reply_text(send(sender, "/deny"))
    proxy.delay, proxy.down = (8.0, False) if fault == "slow" else (0.0, True)
    assert_holding_in_time(send, sender, "/affirm")
    proxy.delay, proxy.down = 0.0, False
    time.sleep(8 if fault == "slow" else 0)  # let the abandoned request drain
    said = reply_text(send(sender, "/affirm"))
    assert "what have you noticed" in said, said  # the answer to "under 18" was not lost
