"""Rasa's HTTP API, when a deployer turns it on: the token only in an
Authorization header, never in the URL; refusals as rasa's own (bot/rasa_patches/api_auth.py)."""

from __future__ import annotations

import asyncio

import pytest
import rasa.server

from bot import bootstrap, rasa_patches
from tests.unit.rasa_app import get, serving

TOKEN = "api-test-token-0123456789abcdef"
NOT_READY = 409  # past the token check, rasa finds no model loaded (the stand-in agent)


@pytest.fixture
def api_token(monkeypatch):
    monkeypatch.setenv("CCE_API_TOKEN", TOKEN)
    bootstrap.reset()
    yield
    bootstrap.reset()


def statuses(requests: list[tuple[str, dict[str, str]]], auth_token: str | None = None) -> list:
    async def run() -> list:
        async with serving([], enable_api=True, auth_token=auth_token) as (base, _):
            return [await get(base + path, headers) for path, headers in requests]

    return asyncio.run(run())


def test_the_token_is_taken_from_the_header_only(api_token):
    answers = statuses(
        [
            ("/status", {}),
            ("/status", {"Authorization": "Bearer wrong-token-0123456789"}),
            (f"/status?token={TOKEN}", {}),  # rasa's own way; a URL is kept in logs and histories
            (f"/status?token={TOKEN}", {"Authorization": f"Bearer {TOKEN}"}),
            ("/status", {"Authorization": f"Bearer {TOKEN}"}),
        ]
    )
    assert [status for status, _ in answers] == [401, 401, 401, 401, NOT_READY]
    assert "never accepted" in answers[2][1]["message"]


def test_without_a_configured_token_every_request_is_refused(monkeypatch):
    monkeypatch.setenv("CCE_API_TOKEN", "")
    bootstrap.reset()
    # rasa's own check would let every request through when it is given no token.
    answers = statuses([("/status", {}), ("/status", {"Authorization": "Bearer "})])
    assert [status for status, _ in answers] == [401, 401]
    bootstrap.reset()


def test_refusals_are_rasas_own(api_token, monkeypatch):
    """A refused request gets the same JSON error as rasa's own check gives."""
    ours = statuses([("/status?token=wrong", {})])[0]
    monkeypatch.setattr(
        rasa.server, "requires_auth", rasa_patches.original("rasa.server.requires_auth")
    )
    rasas = statuses([("/status?token=wrong", {})], auth_token=TOKEN)[0]
    assert ours[0] == rasas[0] == 401
    assert sorted(ours[1]) == sorted(rasas[1])
    assert {k: ours[1][k] for k in ("status", "reason", "code")} == {
        k: rasas[1][k] for k in ("status", "reason", "code")
    }
    # and rasa's own check is the one that took the token from the URL:
    assert statuses([(f"/status?token={TOKEN}", {})], auth_token=TOKEN)[0][0] == NOT_READY
