"""Fills the page templates (``templates/``) from content/locality.yml and the settings.

Jinja2 (already installed with rasa and sanic) with autoescaping, so a value in
the locality file that holds ``<`` or ``&`` shows as written and cannot add
markup, and with ``StrictUndefined``, so a template naming a value the context
lacks fails instead of printing nothing. The values the partnership must set
(who controls the data, where to write) may still be empty: the page then says
so and what to do meanwhile, and a warning is logged once per process.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from bot import bootstrap
from bot.config import Settings
from bot.locality import PAGE_KEYS, load_locality
from bot.pages import ACCESSIBILITY_PATH, PRIVACY_PATH, STYLESHEET_PATH

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STYLESHEET = HERE / "static" / "page.css"
# Page name -> (template, the locality values it needs the partnership to set).
PAGES = {
    "privacy": ("privacy.html", ("privacy_controller", "privacy_contact")),
    "accessibility": ("accessibility.html", ("accessibility_contact",)),
}
_ADDRESS = re.compile(
    r"(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
    r"|(?P<url>https?://[^\s<>\"']+)"
)
_warned: set[str] = set()


def linked(text: object) -> Markup:
    """``text`` escaped, with its e-mail and web addresses as links."""
    value = str(text)
    parts: list[str] = []
    last = 0
    for match in _ADDRESS.finditer(value):
        address = match.group(0)
        trailing = ""
        if match.group("url"):  # "see https://x.org." ends before the full stop
            stripped = address.rstrip(".,;:!?)")
            address, trailing = stripped, address[len(stripped) :]
        href = f"mailto:{address}" if match.group("email") else address
        parts.append(str(escape(value[last : match.start()])))
        parts.append(f'<a href="{escape(href)}">{escape(address)}</a>{escape(trailing)}')
        last = match.end()
    parts.append(str(escape(value[last:])))
    return Markup("".join(parts))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["linked"] = linked
    return environment


@lru_cache(maxsize=4)
def _locality(path: Path) -> dict[str, str]:
    return load_locality(path)


def page_context(locality: Mapping[str, str], settings: Settings) -> dict[str, Any]:
    """What the templates are filled with."""
    number = locality["emergency_number"]
    days = settings.retention_days
    return {
        **{key: locality.get(key, "").strip() for key in PAGE_KEYS},
        "area": locality["area"],
        "emergency_number": number,
        "emergency_tel": "tel:" + re.sub(r"[^0-9+]", "", number),
        "front_door_name": locality["front_door_name"],
        "front_door_email": locality["front_door_email"],
        "retention": f"{days} day" if days == 1 else f"{days} days",
        "links": {
            "home": "/",
            "privacy": PRIVACY_PATH,
            "accessibility": ACCESSIBILITY_PATH,
            "stylesheet": STYLESHEET_PATH,
        },
    }


def render_page(
    name: str, locality: Mapping[str, str] | None = None, settings: Settings | None = None
) -> str:
    """The HTML of page ``name`` (a key of :data:`PAGES`), from the configured
    locality file and settings unless given."""
    template, to_set = PAGES[name]
    settings = settings or bootstrap.app().settings
    if locality is None:
        locality = _locality(settings.locality_file)
    context = page_context(locality, settings)
    for key in to_set:
        if not context[key] and key not in _warned:
            _warned.add(key)
            logger.warning(
                "%s is not set in content/locality.yml: the /%s page says so. Set it "
                "before the assistant goes live (see the comments in that file).",
                key,
                name,
            )
    return _environment().get_template(template).render(page=name, **context)


def stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")
