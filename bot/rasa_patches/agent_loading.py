"""Once the Rasa server's model is loaded, everything loaded so far (the model,
spaCy, the guidance index: millions of objects that live as long as the
process) is moved out of the garbage collector's sight with ``gc.freeze()``.
Otherwise the first full collection, during the first busy minute, walked all
of them while no turn moved. Frozen objects are never collected as cycles: a
model replaced through rasa's HTTP API (off unless ``CCE_ENABLE_API`` is set)
would leave the old one's cycles in memory, so restart the server to change the
model.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from bot.rasa_patches import original

logger = logging.getLogger(__name__)


async def load_then_freeze(*args: Any, **kwargs: Any) -> Any:
    """Drop-in for ``rasa.core.run.load_agent_on_start``: rasa's, then the
    redaction worker started and the loaded objects frozen."""
    from bot.privacy import offload

    agent = await original("rasa.core.run.load_agent_on_start")(*args, **kwargs)
    offload.warm_up()  # the redaction worker, started before the first message
    gc.collect()
    gc.freeze()
    logger.debug("%d objects frozen out of the garbage collector.", gc.get_freeze_count())
    return agent
