"""The composition root: one accessor hands out parts loaded once; tests build
an App from explicit parts; importing it, or reading the settings, loads nothing."""

from __future__ import annotations

import subprocess
import sys

from bot import bootstrap
from bot.config import PROJECT_ROOT, Settings


def test_the_settings_alone_load_nothing_else():
    code = (
        "import sys\n"
        "from bot import bootstrap\n"
        "bootstrap.app().settings\n"
        "heavy = ('rasa', 'spacy', 'rasa_sdk', 'bot.knowledge.loader')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PROJECT_ROOT)


def test_each_part_is_loaded_once_and_handed_out_alike():
    app = bootstrap.App()
    assert app.knowledge is app.knowledge
    assert app.triage.catalogue is app.catalogue and app.triage.rules is app.rules
    assert app.matcher.catalogue is app.catalogue


def test_explicit_parts_are_used_as_given(app_parts):
    settings = Settings(retention_days=7)
    app = app_parts(settings=settings)
    assert bootstrap.app() is app and bootstrap.app().settings is settings


def test_a_reset_rereads_the_settings_and_keeps_what_they_did_not_change(monkeypatch):
    before = bootstrap.app()
    knowledge = before.knowledge
    monkeypatch.setenv("CCE_RETENTION_DAYS", "12")
    bootstrap.reset()
    assert bootstrap.app().settings.retention_days == 12
    assert bootstrap.app().knowledge is knowledge  # the content folder is the same
    monkeypatch.delenv("CCE_RETENTION_DAYS")
    bootstrap.reset()
    assert bootstrap.app().settings.retention_days == before.settings.retention_days
