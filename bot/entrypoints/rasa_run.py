"""``python -m bot.entrypoints.rasa_run ARGS``: rasa's own command line (``rasa
ARGS``) with our Rasa patches installed first (:mod:`bot.rasa_patches`): the
speed-ups, the site's own routes and limits, the HTTP API's token check, our log
setup and, unless ``CCE_ACTIONS=server``, our actions run in this process
(:mod:`bot.entrypoints.inprocess_actions`). `python -m bot serve` starts the
Rasa server this way.
"""

from __future__ import annotations

import logging
import time

from bot import bootstrap, rasa_patches
from bot.monitoring import logs

logger = logging.getLogger(__name__)


def main() -> None:
    logs.early()
    in_process = bootstrap.app().settings.actions_in_process
    extra = (rasa_patches.INPROCESS_ACTIONS,) if in_process else ()
    rasa_patches.install(*rasa_patches.RASA_SERVER, *extra)
    if in_process:
        from bot.entrypoints.inprocess_actions import load_actions_data

        started = time.monotonic()
        load_actions_data()
        logger.info("Actions loaded in process in %.1f s.", time.monotonic() - started)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
