"""Our log setup (:mod:`bot.monitoring.logs`) run right after rasa's own, in the
Rasa server, and after rasa-sdk's, in the action server."""

from __future__ import annotations

from typing import Any

from bot.monitoring.logs import configure
from bot.rasa_patches import original


def configure_structlog(*args: Any, **kwargs: Any) -> None:
    """Drop-in for ``rasa.__main__.configure_structlog``: rasa's, then ours."""
    original("rasa.__main__.configure_structlog")(*args, **kwargs)
    configure(with_structlog=True)


def update_sanic_log_level() -> None:
    """Drop-in for ``rasa_sdk.utils.update_sanic_log_level``: rasa-sdk's, then ours."""
    original("rasa_sdk.utils.update_sanic_log_level")()
    configure(with_structlog=False)
