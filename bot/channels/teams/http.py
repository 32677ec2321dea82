"""The few HTTP calls the Teams channel makes: always async, always with a
timeout, always with a cap on what is read back."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple

import aiohttp

TIMEOUT_SECONDS = 10.0  # a token or a reply
KEYS_TIMEOUT_SECONDS = 5.0  # each of the two key documents, fetched while a request waits
MAX_RESPONSE = 1024 * 1024  # bytes read from any response


class HttpError(Exception):
    """A call failed: unreachable, timed out, non-2xx, or not the JSON expected."""


class Answer(NamedTuple):
    """What the Bot Connector answered a reply: its status (0 if it could not be
    reached), the seconds its ``Retry-After`` asked for, and the id it gave the
    activity (its ResourceResponse), when it said."""

    status: int
    retry_after: float | None = None
    activity_id: str | None = None


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


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
) -> tuple[int, bytes, str | None]:
    """(status, body, Retry-After) of one request; HttpError if it could not be made."""
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout(seconds)) as session,
            session.request(method, url, allow_redirects=False, **kwargs) as response,
        ):
            return response.status, await _read(response), response.headers.get("Retry-After")
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        raise HttpError(f"{method} {url} failed: {type(exc).__name__}") from exc


async def get_json(url: str) -> Any:
    status, body, _ = await _request("GET", url, KEYS_TIMEOUT_SECONDS)
    if status != 200:
        raise HttpError(f"GET {url} answered {status}")
    return _json(body, url)


async def post_form(url: str, form: dict[str, str]) -> Any:
    status, body, _ = await _request("POST", url, data=form)
    if status != 200:
        raise HttpError(f"POST {url} answered {status}")
    return _json(body, url)


def _activity_id(body: bytes) -> str | None:
    try:
        data = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    found = data.get("id") if isinstance(data, dict) else None
    return found if isinstance(found, str) and found else None


async def send_json(method: str, url: str, payload: dict[str, Any], token: str) -> Answer:
    """Sends ``payload`` (POST a new activity, PUT an update) with a bearer token."""
    try:
        status, body, wait = await _request(
            method, url, json=payload, headers={"Authorization": f"Bearer {token}"}
        )
    except HttpError:
        return Answer(0)
    return Answer(status, retry_after(wait), _activity_id(body) if 200 <= status < 300 else None)
