"""Fixtures shared by the Teams modules (test_teams_live.py, test_teams_robustness.py):
the fake Microsoft services and ONE assistant configured against them, started
once for the session and stopped after the last test that uses it."""

from __future__ import annotations

import pytest

from tests.integration.live import LiveAssistant
from tests.integration.teams_fakes import KEY_REFETCH_SECONDS, FakeMicrosoft

TEAMS_LIVE_MODULE = "test_teams_live.py"  # its first test needs the server as it started
LAST_TEAMS_TEST = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def microsoft():
    fake = FakeMicrosoft()
    fake.openid_down = True  # until test_teams_live.py has seen the server start without it
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def teams(trained_model, project_root, microsoft):
    """The assistant with Teams configured against the fakes (started once)."""
    env = {
        **microsoft.env,
        "CCE_TEAMS_ALLOWED_TENANTS": "tenant-a, tenant-b",
        # The least allowed, so that the key cases wait only a second (KEY_REFETCH_WAIT).
        "CCE_TEAMS_KEY_REFETCH_SECONDS": str(KEY_REFETCH_SECONDS),
        "CCE_PUBLIC_URL": "https://bot.example.org",  # links in messages are absolute
    }
    live = LiveAssistant(project_root, env=env)
    live.start()
    yield live
    live.stop()


def uses_teams(item: pytest.Item) -> bool:
    return "teams" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """test_teams_live.py runs before any other test of the shared Teams assistant
    (its first test checks the start with the signing keys unreachable), and the
    assistant stops after the last test that uses it."""
    live = [item for item in items if item.path.name == TEAMS_LIVE_MODULE]
    others = [item for item in items if item.path.name != TEAMS_LIVE_MODULE]
    first = next((n for n, item in enumerate(others) if uses_teams(item)), None)
    if live and first is not None and items.index(others[first]) < items.index(live[0]):
        items[:] = others[:first] + live + others[first:]
    users = [item for item in items if uses_teams(item)]
    if users:
        config.stash[LAST_TEAMS_TEST] = users[-1].nodeid


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if item.nodeid == item.config.stash.get(LAST_TEAMS_TEST, None):
        live = getattr(item, "funcargs", {}).get("teams")
        if isinstance(live, LiveAssistant):
            live.stop()  # idempotent: the fixture's own stop at the session's end does nothing
