"""No silent amnesia: with the conversations database unavailable the user gets
the holding message (999 and the Integrated Front Door), nothing is processed on
a blank conversation, and once the database is back the conversation continues
where it was. PostgreSQL stopped for our database; a SQLite file gone away."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.cli.converse import reply_text
from tests.integration.live import LiveAssistant
from tests.storage_urls import POSTGRES_ADMIN_URL, postgres_database

pytestmark = [pytest.mark.model, pytest.mark.live]


def assert_holding(said: str) -> None:
    assert "call 999" in said and "NELCChildrensFrontDoor@nelincs.gov.uk" in said, said
    assert "send your message again" in said


def run_outage(live: LiveAssistant, take_down, bring_back) -> None:
    send = live.rest()
    send("outage", "/start_check")
    assert "under 18" in reply_text(send("outage", "/deny"))
    take_down()
    assert_holding(reply_text(send("outage", "/affirm")))
    assert_holding(reply_text(send("outage", "/affirm")))
    bring_back()
    said = reply_text(send("outage", "/affirm"))
    assert "what have you noticed" in said, said  # the check goes on from its last answer


def test_sqlite_file_gone_then_back(trained_model, project_root, tmp_path):
    live = LiveAssistant(project_root, var_dir=tmp_path)
    live.start()
    database = tmp_path / "tracker.db"
    away = tmp_path / "tracker.db.away"
    try:
        run_outage(live, lambda: database.rename(away), lambda: away.rename(database))
    finally:
        live.stop()


@pytest.mark.postgres
def test_postgresql_stopped_then_back(trained_model, project_root, tmp_path):
    with postgres_database() as url:
        name = make_url(url).database
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)

        def set_connections(allowed: bool) -> None:
            with admin.connect() as connection:
                connection.execute(
                    text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')
                )
                if not allowed:
                    connection.execute(text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                    ), {"n": name})  # fmt: skip

        live = LiveAssistant(project_root, env={"CCE_TRACKER_DB_URL": url}, var_dir=tmp_path)
        live.start()
        try:
            run_outage(live, lambda: set_connections(False), lambda: set_connections(True))
        finally:
            live.stop()
            set_connections(True)
            admin.dispose()
