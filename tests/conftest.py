"""Shared test fixtures. Tests never use real children's data: every message
here is invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.storage_urls import database_url  # noqa: F401 - a fixture for every test module

MODEL = PROJECT_ROOT / "models" / "cce.tar.gz"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def trained_model() -> Path:
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test does).")
    return MODEL


@pytest.fixture(scope="session")
def assistant(trained_model, project_root):
    """The whole assistant running on free ports, shared by the live tests."""
    from tests.integration.live import LiveAssistant

    live = LiveAssistant(project_root)
    live.start()
    yield live
    live.stop()
