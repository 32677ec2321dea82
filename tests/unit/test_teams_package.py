"""`python -m bot teams-package`: the zip Teams accepts, built into a temporary
folder, checked against the app manifest schema's rules (v1.30: required fields,
id formats, lengths, icon sizes)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile

import pytest
from PIL import Image

from bot.cli.teams_package import MANIFEST_VERSION, SCHEMA_URL, PackageError, build_package
from bot.config import PROJECT_ROOT, Settings

APP_ID = "11111111-2222-3333-4444-555555555555"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
REQUIRED = ["manifestVersion", "version", "id", "developer", "name", "description", "icons",
            "accentColor"]  # fmt: skip


def settings(**changes: str) -> Settings:
    values = {"teams_app_id": APP_ID, "teams_public_url": "https://bot.example.org", **changes}
    return Settings(**values)  # type: ignore[arg-type]


def test_the_package_holds_a_valid_manifest_and_both_icons(tmp_path):
    out = build_package(tmp_path / "dist" / "cce-teams.zip", settings())
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color = Image.open(io.BytesIO(package.read("color.png")))
        outline = Image.open(io.BytesIO(package.read("outline.png")))
    assert manifest["$schema"] == SCHEMA_URL
    assert SCHEMA_URL.endswith(f"/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json")
    assert all(key in manifest for key in REQUIRED)
    assert manifest["manifestVersion"] == MANIFEST_VERSION
    assert re.match(r"^\d+\.\d+\.\d+$", manifest["version"])
    assert GUID.match(manifest["id"])
    assert re.match(r"^#[0-9a-fA-F]{6}$", manifest["accentColor"])
    developer = manifest["developer"]
    assert len(developer["name"]) <= 32
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert developer[key].startswith("https://")
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["name"]["full"]) <= 100
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert "999" in manifest["description"]["full"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert bot["supportsFiles"] is False
    assert manifest["validDomains"] == ["bot.example.org"]
    # Icons: colour 192x192; outline 32x32, only white and transparent pixels.
    assert color.size == (192, 192)
    assert outline.size == (32, 32) and outline.mode == "RGBA"
    pixels = set(outline.get_flattened_data())
    assert pixels <= {(255, 255, 255, 255), (0, 0, 0, 0)} and len(pixels) == 2


def test_privacy_and_terms_are_the_privacy_notice_at_the_public_address():
    from bot.cli.teams_package import build_manifest

    developer = build_manifest(settings())["developer"]
    assert developer["privacyUrl"] == "https://bot.example.org/privacy"
    assert developer["termsOfUseUrl"] == "https://bot.example.org/privacy"


def test_a_privacy_page_can_be_named():
    from bot.cli.teams_package import build_manifest

    manifest = build_manifest(settings(teams_privacy_url="https://example.org/privacy"))
    assert manifest["developer"]["privacyUrl"] == "https://example.org/privacy"
    assert manifest["developer"]["termsOfUseUrl"] == "https://example.org/privacy"


@pytest.mark.parametrize(
    ("changes", "variable"),
    [
        ({"teams_app_id": ""}, "CCE_TEAMS_APP_ID is not set"),
        ({"teams_app_id": "my-bot"}, "must be a GUID"),
        ({"teams_public_url": ""}, "CCE_TEAMS_PUBLIC_URL"),
        ({"teams_public_url": "http://bot.example.org"}, "CCE_TEAMS_PUBLIC_URL"),
        ({"teams_privacy_url": "http://example.org/privacy"}, "CCE_TEAMS_PRIVACY_URL"),
    ],
)
def test_missing_or_wrong_settings_say_which_variable_to_set(tmp_path, changes, variable):
    with pytest.raises(PackageError) as error:
        build_package(tmp_path / "cce-teams.zip", settings(**changes))
    assert variable in str(error.value)
    assert not (tmp_path / "cce-teams.zip").exists()


def test_the_command_fails_clearly_without_an_app_id(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "CCE_TEAMS_APP_ID": "", "CCE_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "teams-package", "--out", str(tmp_path / "x.zip")],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert "CCE_TEAMS_APP_ID" in result.stderr and "Traceback" not in result.stderr
