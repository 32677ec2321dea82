"""The action server answers ``GET /metrics`` too: the check outcomes are
counted where the actions run (see :mod:`bot.monitoring.metrics`)."""

from __future__ import annotations

from typing import Any

from bot.rasa_patches import original


def create_app(*args: Any, **kwargs: Any) -> Any:
    """Drop-in for ``rasa_sdk.endpoint.create_app``: rasa-sdk's app, with ``/metrics``."""
    from sanic import response

    from bot.monitoring.metrics import exposition

    app = original("rasa_sdk.endpoint.create_app")(*args, **kwargs)

    @app.get("/metrics")
    async def metrics(_: Any) -> Any:
        body, content_type = exposition()
        return response.raw(body, content_type=content_type)

    return app
