"""``python -m bot.server.actions_run ARGS``: the action server (rasa-sdk's own
command line, ``python -m rasa_sdk ARGS``), after loading what the actions need
so that no practitioner's turn pays for it.

Loaded lazily, the guidance search index alone took 3-9 s on the first
unclear question a process saw (it lemmatises every passage with spaCy), long
enough to hit the turn timeout and give that user the holding message. Loading
happens here, when the server starts, never at import time. `python -m bot
serve` starts the action server this way (with ``CCE_ACTIONS=server`` or ``--only
actions``); with the actions in the Rasa server, :mod:`bot.server.inprocess_actions`
loads the same data there. Every request but ``GET /health`` must carry the
Rasa server's shared secret (:mod:`bot.server.action_auth`).

It also answers ``GET /metrics`` (the check outcomes it counted) and writes its
log as the Rasa server does (:mod:`bot.monitoring.logs`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

logger = logging.getLogger(__name__)


def load_everything() -> None:
    """Builds every per-process cache the actions use; safe to call twice."""
    from bot.config import get_settings
    from bot.knowledge.search import prepare_search
    from bot.messages import get_messages
    from bot.storage.records import ready
    from bot.triage.service import get_catalogue, get_plan, get_triage

    get_messages()
    get_catalogue()
    get_plan()
    get_triage()
    prepare_search()
    try:
        ready(get_settings().effective_database_url)  # the records' schema, migrated once
    except Exception as exc:  # noqa: BLE001 - the server must start; a check retries
        logger.warning("The records database is not ready yet (%s).", type(exc).__name__)


def _with_metrics_route() -> None:
    """The action server answers ``GET /metrics`` too: the check outcomes are
    counted where the actions run (see :mod:`bot.monitoring.metrics`)."""
    import rasa_sdk.endpoint
    from sanic import response

    create_app = rasa_sdk.endpoint.create_app

    def create_app_with_metrics(*args: Any, **kwargs: Any) -> Any:
        from bot.monitoring.metrics import exposition

        app = create_app(*args, **kwargs)

        @app.get("/metrics")
        async def metrics(_: Any) -> Any:
            body, content_type = exposition()
            return response.raw(body, content_type=content_type)

        return app

    rasa_sdk.endpoint.create_app = create_app_with_metrics


def main() -> None:
    from bot.monitoring import logs
    from bot.server import action_auth

    logs.early()
    started = time.monotonic()
    action_auth.install()  # requests without the Rasa server's shared secret get 401
    load_everything()
    logger.info("Action server data loaded in %.1f s.", time.monotonic() - started)
    from rasa_sdk.__main__ import main as rasa_sdk_main

    logs.install_in_action_server()
    _with_metrics_route()

    rasa_sdk_main()


if __name__ == "__main__":
    main()
