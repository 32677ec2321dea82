"""The README's settings table names every environment variable the assistant
reads (bot/config.py, each field's ``env`` names), so an operator can find
every setting in one place; and it names none that no longer exists."""

from __future__ import annotations

import dataclasses
import re

from bot.config import PROJECT_ROOT, Settings

# Read elsewhere than Settings, and documented in the same table.
OUTSIDE_SETTINGS = {"CCE_TLS_DIR", "CCE_TEST_POSTGRES_URL", "CCE_TEST_REDIS_URL"}


def documented() -> set[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(CCE_[A-Z0-9_]+)`", section, re.MULTILINE)) | set(
        re.findall(r"^\| `CCE_[A-Z0-9_]+` \(or `(CCE_[A-Z0-9_]+)`\)", section, re.MULTILINE)
    )


def read_by_the_assistant() -> set[str]:
    names = set()
    for field in dataclasses.fields(Settings):
        names.update(n for n in field.metadata.get("env", ()) if n.startswith("CCE_"))
    return names


def test_every_setting_is_in_the_readme_table():
    missing = read_by_the_assistant() - documented()
    assert not missing, f"add these to README.md, section Settings: {sorted(missing)}"


def test_the_readme_table_names_no_setting_that_does_not_exist():
    unknown = documented() - read_by_the_assistant() - OUTSIDE_SETTINGS
    assert not unknown, f"README.md names settings nothing reads: {sorted(unknown)}"
