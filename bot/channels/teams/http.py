"""The few HTTP calls the Teams channel makes: always async, always with a
timeout, always with a cap on what is read back."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

TIMEOUT_SECONDS = 10.0  # a token or a reply
KEYS_TIMEOUT_SECONDS = 5.0  # each of the two key documents, fetched while a request waits
MAX_RESPONSE = 1024 * 1024  # bytes read from any response


class HttpError(Exception):
    """A call failed: unreachable, timed out, non-2xx, or not the JSON expected."""


def timeout(seconds: float = TIMEOUT_SECONDS) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=seconds, connect=seconds / 2)


async def _read(response: aiohttp.ClientResponse) -> bytes:
    body = await response.content.read(MAX_RESPONSE + 1)
    if len(body) > MAX_RESPONSE:
        raise HttpError(f"{response.url} sent more than {MAX_RESPONSE // 1024} KB")
    return body


def _json(body: bytes, url: str) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HttpError(f"{url} did not answer with JSON") from exc


async def _request(
    method: str, url: str, seconds: float = TIMEOUT_SECONDS, **kwargs: Any
) -> tuple[int, bytes]:
    """(status, body) of one request; HttpError if it could not be made."""
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout(seconds)) as session,
            session.request(method, url, allow_redirects=False, **kwargs) as response,
        ):
            return response.status, await _read(response)
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        raise HttpError(f"{method} {url} failed: {type(exc).__name__}") from exc


async def get_json(url: str) -> Any:
    status, body = await _request("GET", url, KEYS_TIMEOUT_SECONDS)
    if status != 200:
        raise HttpError(f"GET {url} answered {status}")
    return _json(body, url)


async def post_form(url: str, form: dict[str, str]) -> Any:
    status, body = await _request("POST", url, data=form)
    if status != 200:
        raise HttpError(f"POST {url} answered {status}")
    return _json(body, url)


async def post_json(url: str, payload: dict[str, Any], token: str) -> int:
    """POSTs ``payload`` with a bearer token; returns the status (0 if unreachable)."""
    try:
        status, _ = await _request(
            "POST", url, json=payload, headers={"Authorization": f"Bearer {token}"}
        )
    except HttpError:
        return 0
    return status
