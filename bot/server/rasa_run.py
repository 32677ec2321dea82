"""``python -m bot.server.rasa_run ARGS``: rasa's own command line (``rasa ARGS``)
with :mod:`bot.server.speedups` installed first, the site's own routes and limits
(:mod:`bot.server.site`), the HTTP API's token check (:mod:`bot.server.api_auth`),
our log setup (:mod:`bot.monitoring.logs`) and, unless ``CCE_ACTIONS=server``, our
actions run in this process (:mod:`bot.server.inprocess_actions`). `python -m bot
serve` starts the Rasa server this way.

Once the model is loaded, everything loaded so far (the model, spaCy, the
guidance index: millions of objects that live as long as the process) is moved
out of the garbage collector's sight with ``gc.freeze()``. Otherwise the first
full collection, which came during the first busy minute, walked all of them:
288 ms in which no turn moved (p95 with 20 users 418 ms instead of 140 ms).
Frozen objects are never collected as cycles: a model replaced through rasa's
HTTP API (off unless ``CCE_ENABLE_API`` is set) would leave the old one's
cycles in memory, so restart the server to change the model.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

from bot.config import get_settings
from bot.monitoring import logs
from bot.server import api_auth, site, speedups

logger = logging.getLogger(__name__)


def _freeze_after_loading() -> None:
    """Makes rasa's server freeze the collector's view once its agent is loaded."""
    import rasa.core.run

    load_agent_on_start = rasa.core.run.load_agent_on_start

    async def load_then_freeze(*args: Any, **kwargs: Any) -> Any:
        from bot.privacy import offload

        agent = await load_agent_on_start(*args, **kwargs)
        offload.warm_up()  # the redaction worker, started before the first message
        gc.collect()
        gc.freeze()
        logger.debug("%d objects frozen out of the garbage collector.", gc.get_freeze_count())
        return agent

    rasa.core.run.load_agent_on_start = load_then_freeze


def main() -> None:
    logs.early()
    speedups.install()
    site.install()
    logs.install_in_rasa()
    api_auth.install()
    _freeze_after_loading()
    if get_settings().actions_in_process:
        from bot.server import inprocess_actions

        started = time.monotonic()
        inprocess_actions.install()
        logger.info("Actions loaded in process in %.1f s.", time.monotonic() - started)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
