"""The server's own top-level pages, in place of rasa's "Hello from Rasa" at ``/``.

rasa 3.6 adds its root route through ``rasa.server.add_root_route(app)``, both
with the HTTP API and without it; :func:`install` replaces that function so the
same call adds :func:`blueprint` instead: ``/`` is the chat page a newcomer
expects. Further top-level routes of the assistant belong in this blueprint.
"""

from __future__ import annotations

import logging
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)
_ORIGINALS: dict[str, Any] = {}


def blueprint() -> Blueprint:
    from bot.channels.web import page_response

    site = Blueprint("cce_site")

    @site.get("/")
    async def home(request: Request) -> HTTPResponse:
        return page_response()

    @site.head("/")
    async def home_head(request: Request) -> HTTPResponse:
        return response.empty(status=200)

    return site


def add_site_routes(app: Any) -> None:
    """Stands in for ``rasa.server.add_root_route``."""
    app.blueprint(blueprint())


def install() -> None:
    """Makes rasa's server add our pages instead of its root route (idempotent)."""
    if _ORIGINALS:
        return
    import rasa.server

    _ORIGINALS["add_root_route"] = rasa.server.add_root_route
    rasa.server.add_root_route = add_site_routes
    logger.debug("The site's own routes replace rasa's root route.")
