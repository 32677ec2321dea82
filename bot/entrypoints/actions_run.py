"""``python -m bot.entrypoints.actions_run ARGS``: the action server (rasa-sdk's
own command line, ``python -m rasa_sdk ARGS``), after loading what the actions
need so that no practitioner's turn pays for it.

Loaded lazily, the guidance search index alone took seconds on the first
unclear question a process saw (it lemmatises every passage with spaCy), long
enough to hit the turn timeout and give that user the holding message. Loading
happens here, when the server starts, never at import time. `python -m bot
serve` starts the action server this way (with ``CCE_ACTIONS=server`` or
``--only actions``); with the actions in the Rasa server,
:mod:`bot.entrypoints.inprocess_actions` loads the same data there
(:meth:`bot.bootstrap.App.load_for_actions`). Every
request but ``GET /health`` and ``GET /metrics`` must carry the Rasa server's
shared secret (:mod:`bot.rasa_patches.action_auth`).

It also answers ``GET /metrics`` (the check outcomes it counted) and writes its
log as the Rasa server does (the action server's group of :mod:`bot.rasa_patches`).
"""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)


def main() -> None:
    from bot import bootstrap, rasa_patches
    from bot.monitoring import logs
    from bot.rasa_patches import action_auth

    logs.early()
    started = time.monotonic()
    action_auth.install()  # requests without the Rasa server's shared secret get 401
    bootstrap.app().load_for_actions()
    logger.info("Action server data loaded in %.1f s.", time.monotonic() - started)
    from rasa_sdk.__main__ import main as rasa_sdk_main

    rasa_patches.install(rasa_patches.ACTION_SERVER)
    rasa_sdk_main()


if __name__ == "__main__":
    main()
