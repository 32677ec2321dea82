"""The table of Rasa patches: every entry names a real rasa callable and one of
ours; installing is idempotent; on another rasa version none is installed."""

from __future__ import annotations

import logging

import pytest

from bot import rasa_patches
from bot.rasa_patches import PATCHES

GROUPS = {
    rasa_patches.SPEEDUPS, rasa_patches.STARTUP, rasa_patches.SITE, rasa_patches.API_AUTH,
    rasa_patches.RASA_LOGS, rasa_patches.INPROCESS_ACTIONS, rasa_patches.ACTION_SERVER,
}  # fmt: skip


def test_written_for_the_installed_rasa():
    import rasa

    assert rasa.__version__ == rasa_patches.rasa_version() == rasa_patches.WRITTEN_FOR


@pytest.mark.parametrize("patch", PATCHES, ids=lambda patch: patch.target)
def test_each_entry_names_a_rasa_callable_ours_and_why(patch):
    assert patch.target.startswith(("rasa.", "rasa_sdk."))
    owner, name = rasa_patches._resolve(patch.target)
    assert hasattr(owner, name)
    assert callable(rasa_patches.load(patch.replacement))
    assert patch.replacement.startswith("bot.")
    assert patch.kind in (rasa_patches.SPEED, rasa_patches.BEHAVIOUR)
    assert patch.group in GROUPS
    assert patch.why.strip()


def test_one_entry_per_target():
    targets = [patch.target for patch in PATCHES]
    assert len(targets) == len(set(targets))


def test_installing_twice_installs_once():
    from rasa.core.policies.rule_policy import RulePolicy

    from bot.rasa_patches import rule_matching

    rasa_patches.install(rasa_patches.SPEEDUPS)
    assert rasa_patches.install(rasa_patches.SPEEDUPS) == []
    assert RulePolicy._get_possible_keys is rule_matching.get_possible_keys
    target = "rasa.core.policies.rule_policy.RulePolicy._get_possible_keys"
    assert target in rasa_patches.installed()
    assert rasa_patches.original(target) is not rule_matching.get_possible_keys


def test_on_another_rasa_version_none_is_installed(monkeypatch, caplog):
    import rasa.server

    monkeypatch.setattr(rasa_patches, "_ORIGINALS", {})  # as in a fresh process
    monkeypatch.setattr(rasa_patches, "rasa_version", lambda: "3.7.0")
    before = rasa.server.add_root_route
    with caplog.at_level(logging.WARNING, logger="bot.rasa_patches"):
        assert rasa_patches.install(*rasa_patches.RASA_SERVER) == []
    assert rasa.server.add_root_route is before
    assert rasa_patches.installed() == frozenset()
    warning = caplog.records[-1]
    assert warning.levelno == logging.WARNING
    assert "3.6.21" in warning.getMessage() and "3.7.0" in warning.getMessage()
    assert "plain rasa" in warning.getMessage()
