"""Redaction of a turn's message in a worker process, once, before the turn.

Every user message is redacted twice a turn: by the tracker store before it is
saved, and by the actions, which remind a user who seems to type an identifier.
Both ran on the Rasa server's event loop, where regular expressions (which never
release the interpreter's lock, so a thread would not help) held up every other
conversation for as long as they took: 200,000 characters without a space took
minutes, and the turn timeout cannot interrupt work that never yields.

Every channel caps a message's length first (``CCE_MAX_MESSAGE_CHARS``,
:mod:`bot.channels.holding`), which bounds that work; and the holding wrapper
calls :func:`prepare` with each message: a message longer than
:data:`IN_PLACE` characters is redacted, and checked for identifiers, in a
worker process (:func:`assess`), while the event loop serves others (a shorter
one costs less in place, even at its worst, than the trip; docs/performance.md). The result
is kept by text for the rest of the turn, where :func:`redaction` and
:func:`identifying` answer from it; a text not prepared (e.g. in a separate
action server, or once evicted by 256 newer ones) is worked out there and then,
as before. A redaction that takes longer than :data:`TIMEOUT` seconds is
abandoned, its worker replaced, and the message stored as :data:`UNCHECKED`
(never as typed).

The worker is one process, started by ``spawn`` on first use (so it shares no
state with the server; it imports the server's main module and the redaction
patterns), in each server process.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os
import signal
import threading
from collections import OrderedDict
from typing import Any

from bot.privacy.redaction import Redaction, looks_identifying, redact

logger = logging.getLogger(__name__)
TIMEOUT = 3.0  # seconds a message's redaction may take (under the turn's 5.5 s)
IN_PLACE = 256  # characters: a message up to this long is redacted where it is needed
KEPT = 256  # prepared results kept: more than the turns one process runs at once
UNCHECKED = Redaction("[not stored: not checked for identifiers in time]", ("UNCHECKED",))

Assessment = tuple[Redaction, bool]  # the redaction, and whether the text looks identifying
_kept: OrderedDict[str, Assessment] = OrderedDict()
_lock = threading.Lock()
_pool: dict[int, Any] = {}  # process id -> its worker pool


def assess(text: str) -> Assessment:
    """What the worker computes: the redaction and the identifier check."""
    return redact(text), looks_identifying(text)


def _worker_pool() -> Any:
    """This process's pool (a forked Sanic worker makes its own)."""
    pid = os.getpid()
    pool = _pool.get(pid)
    if pool is None:
        from pebble import ProcessPool

        pool = _pool[pid] = ProcessPool(
            max_workers=1, context=multiprocessing.get_context("spawn"), initializer=_killable
        )
    return pool


def _killable() -> None:
    """In the worker: SIGTERM ends it at once. pebble's own handler waits for
    the interpreter, which a regular expression holds until it is done, so a
    timed-out worker took pebble's 3 s grace (and the next message with it)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _discard_pool() -> None:
    pool = _pool.pop(os.getpid(), None)
    if pool is not None:
        pool.stop()


def _keep(text: str, assessment: Assessment) -> None:
    with _lock:
        _kept[text] = assessment
        _kept.move_to_end(text)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)


def _kept_for(text: str) -> Assessment | None:
    with _lock:
        return _kept.get(text)


async def prepare(text: str, timeout: float = TIMEOUT) -> None:
    """Redacts ``text`` in the worker process and keeps the result for the turn."""
    if len(text) <= IN_PLACE or _kept_for(text) is not None:
        return
    future: Any = None
    try:
        # pebble stops the worker once the timeout passes, which can take it a few
        # seconds more (a worker busy in a regular expression dies only to SIGKILL):
        # the turn does not wait for that.
        future = _worker_pool().schedule(assess, args=(text,), timeout=timeout)
        assessment = await asyncio.wait_for(asyncio.wrap_future(future), timeout)
    except (TimeoutError, asyncio.TimeoutError, concurrent.futures.TimeoutError):
        logger.warning("Redaction took over %.0f s; the message is not stored as typed.", timeout)
        assessment = (UNCHECKED, True)
    except asyncio.CancelledError:
        if future is not None:
            future.cancel()
        raise
    except Exception as exc:  # noqa: BLE001 - a dead worker must not lose the turn
        logger.warning("The redaction worker failed (%s); the message is not stored as typed.",
                       type(exc).__name__)  # fmt: skip
        _discard_pool()  # a broken pool stays broken: the next message starts a new one
        assessment = (UNCHECKED, True)
    _keep(text, assessment)


def redaction(text: str) -> Redaction:
    """The text's redaction: prepared, or worked out now."""
    kept = _kept_for(text)
    return kept[0] if kept is not None else redact(text)


def identifying(text: str) -> bool:
    """Whether the text seems to hold an identifier: prepared, or worked out now."""
    kept = _kept_for(text)
    return kept[1] if kept is not None else looks_identifying(text)


def warm_up() -> None:
    """Starts the worker now rather than on the first message (best effort)."""
    try:
        _worker_pool().schedule(assess, args=("",))
    except Exception as exc:  # noqa: BLE001 - the first message will try again
        logger.warning("The redaction worker did not start (%s).", type(exc).__name__)


def forget_all() -> None:
    """Drops the kept results (tests)."""
    with _lock:
        _kept.clear()
