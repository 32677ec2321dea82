from __future__ import annotations

import pytest

from tests.integration.live import LiveAssistant


@pytest.fixture(scope="session")
def assistant(trained_model, project_root):
    live = LiveAssistant(project_root)
    live.start()
    yield live
    live.stop()
