"""Rasa's HTTP API is off in the shipped configuration; turned on, it needs the
token in an Authorization header (never in the URL), and the token never reaches
the logs or a command line; CORS never allows every origin."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.integration.live import LiveAssistant

pytestmark = [pytest.mark.model, pytest.mark.live]
TOKEN = "test-api-token-0123456789abcdef"


def status(url: str, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_the_api_is_off_by_default(assistant):
    assert status(f"{assistant.url}/status")[0] == 404
    assert status(f"{assistant.url}/conversations/x/tracker")[0] == 404
    _, headers = status(f"{assistant.url}/webhooks/web/config", {"Origin": "https://evil.example"})
    assert headers.get("Access-Control-Allow-Origin") in (None, "")


def test_a_deployer_who_turns_it_on_must_use_the_token(trained_model, project_root):
    live = LiveAssistant(project_root, env={
        "CCE_ENABLE_API": "true", "CCE_API_TOKEN": TOKEN,
        "CCE_WIDGET_ORIGINS": "https://partnership.example, *",
    })  # fmt: skip
    live.start()
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    try:
        assert status(f"{live.url}/status")[0] == 401
        assert status(f"{live.url}/status?token=wrong")[0] == 401
        # only in the header: a token in a URL is kept by proxies, logs and browsers
        assert status(f"{live.url}/status?token={TOKEN}")[0] == 401
        assert status(f"{live.url}/status", bearer)[0] == 200
        _, headers = status(f"{live.url}/status", {**bearer, "Origin": "https://evil.example"})
        assert headers.get("Access-Control-Allow-Origin") not in ("*", "https://evil.example")
        _, headers = status(
            f"{live.url}/webhooks/web/config", {"Origin": "https://partnership.example"}
        )
        assert headers.get("Access-Control-Allow-Origin") == "https://partnership.example"
        assert TOKEN not in live.log_text()
        assert not processes_showing(TOKEN)  # no command line shows it (`ps`)
    finally:
        live.stop()


def processes_showing(secret: str) -> list[int]:
    """This machine's processes whose command line holds ``secret``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if secret.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:  # the process ended meanwhile
            continue
    return found


def test_turning_it_on_without_a_token_refuses_to_start(project_root, trained_model):
    live = LiveAssistant(project_root, env={"CCE_ENABLE_API": "true", "CCE_API_TOKEN": ""})
    with pytest.raises(RuntimeError, match="exited"):
        live.start(timeout=60)
    assert "CCE_API_TOKEN" in live.log_text()
