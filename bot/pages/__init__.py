"""The assistant's public pages beside the chat: the privacy notice and the
accessibility statement (served by :mod:`bot.rasa_patches.site`, built by
:mod:`bot.pages.render` from ``templates/``).

Their addresses are here, without the web framework or the templates, because
messages link to them too: the welcome names the privacy notice, and the Teams
app package gives it as its privacy URL.
"""

from __future__ import annotations

from bot import bootstrap
from bot.config import Settings

PRIVACY_PATH = "/privacy"
ACCESSIBILITY_PATH = "/accessibility"
STYLESHEET_PATH = "/assets/page.css"


def public_link(path: str, settings: Settings | None = None) -> str:
    """``path`` at the assistant's public address (CCE_PUBLIC_URL) when one is
    set, else the root-relative path itself, which the web widget resolves
    against its own server."""
    public_url = (settings or bootstrap.app().settings).public_url
    return f"{public_url}{path}" if public_url else path
