"""The server's own top-level pages, in place of rasa's "Hello from Rasa" at ``/``,
and the app's own limits.

rasa 3.6 adds its root route through ``rasa.server.add_root_route(app)``, both
with the HTTP API and without it, as it builds the Sanic app; the patch table
(:mod:`bot.rasa_patches`) replaces that function with :func:`add_site_routes`,
so the same call adds :func:`blueprint` instead: ``/`` is
the chat page a newcomer expects. Further top-level routes of the assistant
belong in this blueprint: ``/privacy`` and ``/accessibility`` (:mod:`bot.pages`),
with their stylesheet at ``/assets/page.css``, under the chat page's strict
Content-Security-Policy; and

- ``GET /health/live`` and ``GET /health/ready`` (:mod:`bot.monitoring.health`);
- ``GET /metrics``, the counts for Prometheus (:mod:`bot.monitoring.metrics`).

The same call sets the app's limits (:func:`limit`):

- ``REQUEST_MAX_SIZE``: a body larger than any channel accepts (``MAX_BODY``,
  256 KB) is refused with 413 (a JSON error, as the channels give) from its
  ``Content-Length``, before it is read (Sanic's default was 100 MB). The HTTP
  API's routes are held to it too, so upload models and training data on the
  server itself, not through the API.
- ``PROXIES_COUNT``: ``CCE_TRUSTED_PROXIES``, how many reverse proxies' entries in
  ``X-Forwarded-For`` name the client (for the per-client rate limit).
"""

from __future__ import annotations

import logging
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.pages import ACCESSIBILITY_PATH, PRIVACY_PATH, STYLESHEET_PATH

logger = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}


def _page(name: str) -> HTTPResponse:
    """A page of :mod:`bot.pages`, with the chat page's security headers."""
    from bot.channels.web import PAGE_SECURITY_HEADERS
    from bot.pages.render import render_page

    return response.html(render_page(name), headers=PAGE_SECURITY_HEADERS)


def blueprint() -> Blueprint:
    from bot.channels.web import page_response

    site = Blueprint("cce_site")

    @site.get("/")
    async def home(request: Request) -> HTTPResponse:
        return page_response()

    @site.head("/")
    async def home_head(request: Request) -> HTTPResponse:
        return response.empty(status=200)

    @site.get(PRIVACY_PATH)
    async def privacy(request: Request) -> HTTPResponse:
        return _page("privacy")

    @site.get(ACCESSIBILITY_PATH)
    async def accessibility(request: Request) -> HTTPResponse:
        return _page("accessibility")

    @site.get(STYLESHEET_PATH)
    async def page_css(request: Request) -> HTTPResponse:
        from bot.pages.render import stylesheet

        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
        return response.text(stylesheet(), headers=headers, content_type="text/css; charset=utf-8")

    @site.get("/health/live")
    async def live(request: Request) -> HTTPResponse:
        return response.json({"status": "alive"}, headers=NO_STORE)

    @site.get("/health/ready")
    async def ready(request: Request) -> HTTPResponse:
        from bot.monitoring.health import checks_for, readiness

        is_ready, body = await readiness(checks_for(request.app))
        return response.json(body, status=200 if is_ready else 503, headers=NO_STORE)

    @site.get("/metrics")
    async def metrics(request: Request) -> HTTPResponse:
        from bot.monitoring.metrics import exposition

        body, content_type = exposition()
        return response.raw(body, content_type=content_type, headers=NO_STORE)

    return site


MAX_BODY = 256 * 1024  # bytes: the largest body any channel accepts (REST, Teams)


async def too_large(request: Request, exception: Exception) -> HTTPResponse:
    """The 413 as the channels' JSON error, instead of Sanic's HTML page."""
    return response.json(
        {"error": f"The request is larger than {MAX_BODY // 1024} KB."}, status=413
    )


def limit(app: Any) -> None:
    """Sets the app's request size limit and trusted proxies (see the module's text)."""
    from sanic.exceptions import PayloadTooLarge

    from bot import bootstrap

    app.config.REQUEST_MAX_SIZE = MAX_BODY
    app.error_handler.add(PayloadTooLarge, too_large)
    proxies = bootstrap.app().settings.trusted_proxies
    if proxies > 0:
        app.config.PROXIES_COUNT = proxies


def add_site_routes(app: Any) -> None:
    """Stands in for ``rasa.server.add_root_route``."""
    limit(app)
    app.blueprint(blueprint())
