"""Each setting's default is written once, on its field, with the variables it
is read from: with none of them set, the settings are the fields' defaults."""

from __future__ import annotations

from dataclasses import fields

import pytest

from bot.config import Settings, SettingsError, load_settings


@pytest.fixture
def no_settings(monkeypatch):
    for setting in fields(Settings):
        for name in setting.metadata["env"]:
            monkeypatch.delenv(name, raising=False)


def test_every_setting_names_its_variables():
    for setting in fields(Settings):
        names = setting.metadata.get("env")
        assert names and all(n.startswith(("CCE_", "SANIC_", "PROMETHEUS_")) for n in names)


def test_unset_is_the_fields_default(no_settings):
    assert load_settings() == Settings()


def test_the_first_variable_set_wins(no_settings, monkeypatch):
    monkeypatch.setenv("SANIC_WORKERS", "3")
    assert load_settings().workers == 3
    monkeypatch.setenv("CCE_WORKERS", "2")
    assert load_settings().workers == 2
    monkeypatch.setenv("CCE_TEAMS_PUBLIC_URL", "https://teams.example.org/")
    assert load_settings().public_url == "https://teams.example.org"
    monkeypatch.setenv("CCE_PUBLIC_URL", "https://bot.example.org")
    assert load_settings().public_url == "https://bot.example.org"
    assert load_settings().teams_public_url == "https://teams.example.org"


def test_a_bad_number_names_the_default(no_settings, monkeypatch):
    monkeypatch.setenv("CCE_PORT", "fifty")
    with pytest.raises(SettingsError, match="e.g. 5005"):
        load_settings()
