"""``python -m bot.server.rasa_run ARGS``: rasa's own command line (``rasa ARGS``)
with :mod:`bot.server.speedups` installed first and, unless ``CCE_ACTIONS=server``,
our actions run in this process (:mod:`bot.server.inprocess_actions`). `python -m
bot serve` starts the Rasa server this way."""

from __future__ import annotations

import logging
import time

from bot.config import get_settings
from bot.server import speedups

logger = logging.getLogger(__name__)


def main() -> None:
    speedups.install()
    if get_settings().actions_in_process:
        from bot.server import inprocess_actions

        started = time.monotonic()
        inprocess_actions.install()
        logger.info("Actions loaded in process in %.1f s.", time.monotonic() - started)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
