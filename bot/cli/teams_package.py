"""Build the Microsoft Teams app package (dist/cce-teams.zip) to upload in Teams.

The zip holds, flat, ``manifest.json`` (app manifest schema 1.30, the current
one), ``color.png`` (192x192) and ``outline.png`` (32x32, white on transparent).
The app and bot id is ``CCE_TEAMS_APP_ID``; the website and valid domain come
from ``CCE_TEAMS_PUBLIC_URL``, the privacy (and terms of use) page is its
``/privacy`` unless ``CCE_TEAMS_PRIVACY_URL`` names another; the texts from
``content/messages.yml`` and ``content/locality.yml``.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot import bootstrap
from bot.config import PROJECT_ROOT, Settings
from bot.pages import PRIVACY_PATH

MANIFEST_VERSION = "1.30"
SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
APP_VERSION = "1.0.0"
ACCENT_COLOR = "#1d4f91"  # the widget's primary colour
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
DEFAULT_OUT = PROJECT_ROOT / "dist" / "cce-teams.zip"


class PackageError(Exception):
    """A setting the package needs is missing or wrong; the message says which."""


def _check(settings: Settings) -> None:
    if not settings.teams_app_id:
        raise PackageError(
            "CCE_TEAMS_APP_ID is not set: set it to the bot's Microsoft App ID (the "
            "Application (client) ID of its Azure Bot registration), then run this again."
        )
    if not GUID.match(settings.teams_app_id):
        raise PackageError(
            f"CCE_TEAMS_APP_ID={settings.teams_app_id!r} is not a Microsoft App ID: it "
            "must be a GUID like 00000000-0000-0000-0000-000000000000."
        )
    public = urlparse(settings.teams_public_url)
    if public.scheme != "https" or not public.hostname:
        raise PackageError(
            "CCE_TEAMS_PUBLIC_URL must be the server's public https address, e.g. "
            "https://bot.example.org (Teams links to it; its messaging endpoint is "
            "<that address>/webhooks/teams/webhook)."
        )
    if settings.teams_privacy_url and not settings.teams_privacy_url.startswith("https://"):
        raise PackageError("CCE_TEAMS_PRIVACY_URL must be an https URL (or unset).")


def build_manifest(settings: Settings) -> dict[str, Any]:
    _check(settings)
    messages, locality = bootstrap.app().texts, bootstrap.app().knowledge.locality
    website = f"{settings.teams_public_url}/webhooks/web/"
    privacy = settings.teams_privacy_url or f"{settings.teams_public_url}{PRIVACY_PATH}"
    short_name = settings.teams_bot_name[:30]
    scopes = ["personal", "team", "groupChat"]
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": APP_VERSION,
        "id": settings.teams_app_id,
        "developer": {
            "name": str(locality["area"])[:32],
            "websiteUrl": website,
            "privacyUrl": privacy,
            "termsOfUseUrl": privacy,
        },
        "name": {
            "short": short_name,
            "full": f"CCE practitioner assistant – {locality['area']}"[:100],
        },
        "description": {
            "short": messages.reply("teams_app_short").text[:80],
            "full": messages.reply("teams_app_full").text[:4000],
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT_COLOR,
        "bots": [
            {
                "botId": settings.teams_app_id,
                "scopes": scopes,
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": scopes,
                        "commands": [
                            {"title": "help", "description": "What the assistant can do"},
                            {
                                "title": "start an indicator check",
                                "description": "When you're worried about a child",
                            },
                        ],
                    }
                ],
            }
        ],
        "validDomains": [urlparse(settings.teams_public_url).hostname],
    }


def _png(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _speech_bubble(draw: Any, size: int, colour: Any, line: int = 0) -> None:
    """A speech bubble filled with ``colour``, or only outlined ``line`` pixels wide."""
    m, bottom = size // 6, size - size // 3
    box = (m, m, size - m, bottom)
    tail = [(size // 3, bottom - line), (size // 3, size - m), (size // 2, bottom - line)]
    if not line:
        draw.rounded_rectangle(box, radius=size // 8, fill=colour)
        draw.polygon(tail, fill=colour)
        return
    draw.rounded_rectangle(box, radius=size // 8, outline=colour, width=line)
    clear = (0, 0, 0, 0)
    draw.rectangle((size // 3 + line, bottom - line + 1, size // 2 - 1, bottom), fill=clear)
    draw.line([tail[0], tail[1], tail[2]], fill=colour, width=line)


def color_icon() -> bytes:
    """192x192, full colour: a white speech bubble on the accent colour."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (192, 192), ACCENT_COLOR)
    _speech_bubble(ImageDraw.Draw(image), 192, "white")
    return _png(image)


def outline_icon() -> bytes:
    """32x32, a white outline on a transparent background (Teams' rule)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    _speech_bubble(ImageDraw.Draw(image), 32, (255, 255, 255, 255), line=2)
    return _png(image)


def build_package(out: Path, settings: Settings) -> Path:
    manifest = build_manifest(settings)  # checks the settings first
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        package.writestr("color.png", color_icon())
        package.writestr("outline.png", outline_icon())
    return out


def main(args: argparse.Namespace) -> int:
    try:
        out = build_package(Path(args.out), bootstrap.app().settings)
    except PackageError as error:
        print(f"Cannot build the Teams app package: {error}", file=sys.stderr)
        return 1
    print(f"Wrote {out}: upload it in Teams (Apps > Manage your apps > Upload an app).")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("teams-package", help=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", default=str(DEFAULT_OUT), help=f"zip to write (default {DEFAULT_OUT})"
    )
    parser.set_defaults(func=main)
