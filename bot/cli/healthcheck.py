"""``python -m bot healthcheck``: exit 0 if the server in this container answers
its health endpoint with 200, else 1 (the image's ``HEALTHCHECK``, and compose's).

By default it asks the Rasa server (``CCE_PORT``) whether the process is up
(``/health/live``); ``--ready`` asks whether it can serve (``/health/ready``: model
loaded, databases and Redis reachable); ``--actions`` asks a separate action
server (``CCE_ACTION_PORT``, rasa-sdk's ``/health``). Only the standard library
is used, so a check costs a fraction of a second.
"""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request

from bot import bootstrap

LIVE_PATH = "/health/live"
READY_PATH = "/health/ready"
ACTION_SERVER_PATH = "/health"


def health_url(ready: bool = False, actions: bool = False) -> str:
    settings = bootstrap.app().settings
    if actions:
        return f"http://127.0.0.1:{settings.action_port}{ACTION_SERVER_PATH}"
    return f"http://127.0.0.1:{settings.port}{READY_PATH if ready else LIVE_PATH}"


def check(url: str, timeout: float) -> tuple[bool, str]:
    """(healthy, what was seen) for one GET of ``url``."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200, f"{url}: {response.status}"
    except urllib.error.HTTPError as error:
        return False, f"{url}: {error.code}"
    except OSError as error:
        return False, f"{url}: {error}"


def main(args: argparse.Namespace) -> int:
    healthy, seen = check(health_url(args.ready, args.actions), args.timeout)
    print(seen, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("healthcheck", help=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--ready", action="store_true", help=f"ask {READY_PATH}, not {LIVE_PATH}")
    which.add_argument("--actions", action="store_true", help="ask the action server instead")
    parser.add_argument("--timeout", type=float, default=4.0, help="seconds (default 4)")
    parser.set_defaults(func=main)
