"""Run scripted conversations against a live assistant over its REST channel.

``python -m bot converse --url http://localhost:5005 tests/conversations/*.yml``

A script file holds conversations; each is a list of steps, a user message and
what the bot's replies (all texts and button titles of that turn, joined) must
and must not contain. Each conversation gets a fresh sender id. The REST
channel's bearer token is sent from ``CCE_REST_TOKEN`` or, against the server
``make run`` started here, from ``var/rest.token`` (never from the command line).
A deployer can run the same scripts against their own deployment (with the REST
channel enabled there) as a smoke test::

    conversations:
      - name: cuckooing is answered with its source
        steps:
          - user: what is cuckooing
            contains: ["Source: NEL CCE guidance – Who is vulnerable"]
            not_contains: ["Source: NEL CCE guidance – Indicators"]
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content_file import ContentError, check_fields, load_yaml

Send = Callable[[str, str], list[dict[str, Any]]]


@dataclass
class Step:
    user: str
    contains: list[str] = field(default_factory=list)
    not_contains: list[str] = field(default_factory=list)


@dataclass
class Conversation:
    name: str
    steps: list[Step]
    source: str = ""


class ScriptError(ValueError):
    """A conversation script is not in the expected shape."""


def _step(raw: Any, name: str) -> Step:
    step = check_fields(raw, f"A step of {name!r}", ("user", "contains", "not_contains"), ("user",))
    return Step(
        user=str(step["user"]),
        contains=[str(s) for s in step.get("contains") or []],
        not_contains=[str(s) for s in step.get("not_contains") or []],
    )


def load_scripts(paths: list[Path]) -> list[Conversation]:
    conversations = []
    for path in paths:
        data = check_fields(load_yaml(path) or {}, path.name, ("conversations",))
        for index, raw in enumerate(data.get("conversations") or []):
            check_fields(raw, f"Conversation #{index + 1} in {path.name}", ("name", "steps"))
            name = raw.get("name") or f"#{index + 1}"
            steps = raw.get("steps")
            if not isinstance(steps, list) or not steps:
                raise ScriptError(f"{path}: conversation {name!r} has no `steps:` list.")
            conversations.append(
                Conversation(
                    name=name,
                    source=str(path),
                    steps=[_step(step, name) for step in steps],
                )
            )
    return conversations


def reply_text(messages: list[dict[str, Any]]) -> str:
    """Everything the user sees of a turn: texts and button titles."""
    parts = []
    for message in messages:
        if message.get("text"):
            parts.append(str(message["text"]))
        parts += [str(button.get("title", "")) for button in message.get("buttons") or []]
    return "\n".join(parts)


def run_conversation(conversation: Conversation, send: Send) -> list[str]:
    """Plays one conversation; returns the failures (empty when it passed)."""
    sender = f"converse-{uuid.uuid4().hex}"
    failures = []
    for number, step in enumerate(conversation.steps, start=1):
        try:
            text = reply_text(send(sender, step.user))
        except (OSError, ValueError) as exc:
            return [f"step {number} ({step.user!r}): no answer: {exc}"]
        if not text.strip():
            failures.append(f"step {number} ({step.user!r}): the bot said nothing")
        lowered = text.lower()
        for expected in step.contains:
            if expected.lower() not in lowered:
                failures.append(f"step {number} ({step.user!r}): missing {expected!r} in {text!r}")
        for unexpected in step.not_contains:
            if unexpected.lower() in lowered:
                failures.append(f"step {number} ({step.user!r}): unwanted {unexpected!r}")
    return failures


def rest_sender(url: str, token: str, timeout: float = 30.0) -> Send:
    """Sends one message over REST with the bearer token; returns the replies."""
    endpoint = url.rstrip("/") + "/webhooks/rest/webhook"
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    def send(sender: str, message: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
        request = urllib.request.Request(endpoint, data=body, headers=headers)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))

    return send


def main(args: argparse.Namespace) -> int:
    try:
        conversations = load_scripts([Path(p) for p in args.files])
    except (OSError, ScriptError, ContentError) as exc:
        print(f"Cannot read the scripts: {exc}", file=sys.stderr)
        return 2
    from bot import bootstrap
    from bot.channels.rest_tokens import client_token

    token = client_token(bootstrap.app().settings)
    if not token:
        print("The REST channel needs its token: set CCE_REST_TOKEN to the server's "
              "(against `make run` on this machine it is read from var/rest.token).",
              file=sys.stderr)  # fmt: skip
        return 2
    send = rest_sender(args.url, token, timeout=args.timeout)
    failed = 0
    for conversation in conversations:
        failures = run_conversation(conversation, send)
        status = "FAIL" if failures else "ok"
        print(f"{status:4} {conversation.source}: {conversation.name}")
        for failure in failures:
            print(f"     {failure}")
        failed += bool(failures)
    print(f"{len(conversations) - failed} passed, {failed} failed")
    return 1 if failed else 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("converse", help=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:5005", help="the assistant's base URL")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a turn")
    parser.add_argument("files", nargs="+", help="conversation scripts (YAML)")
    parser.set_defaults(func=main)
