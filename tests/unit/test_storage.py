"""Check records: repository, unit of work and migrations, on SQLite and on the
PostgreSQL server of this machine (skipped with a reason where it is absent)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect

from bot.storage.database import MIGRATIONS, DatabaseError, get_engine, migrate
from bot.storage.repository import CheckRecord, UnitOfWork, hash_sender

NOW = datetime(2026, 11, 1, 12, 0)


def record(outcome: str, indicators=(), days_ago: int = 0, sender: str = "s1") -> CheckRecord:
    return CheckRecord(
        created_at=NOW - timedelta(days=days_ago),
        channel="rest",
        outcome=outcome,
        nrm_referral=outcome == "child_protection",
        indicators=tuple(indicators),
        vulnerabilities=("in_care",),
        answers={"immediate_danger": "no", "age_under_18": "yes"},
        sender_hash=hash_sender(sender, b"test-key"),
    )


def test_migration_creates_the_table_and_is_idempotent(database_url):
    migrate(database_url)
    migrate(database_url)
    columns = {c["name"] for c in inspect(get_engine(database_url)).get_columns("check_records")}
    assert {"outcome", "indicators", "sender_hash", "answers"} <= columns
    assert not {"description", "sender_id", "text"} & columns  # never free text or clear ids


def test_counts_by_outcome_and_indicators_over_a_date_range(database_url):
    migrate(database_url)
    with UnitOfWork(database_url) as uow:
        uow.checks.add(record("exploitation_concern", ["going_missing", "multiple_phones"]))
        uow.checks.add(record("exploitation_concern", ["going_missing"], days_ago=2))
        uow.checks.add(record("emergency", days_ago=40))
    with UnitOfWork(database_url) as uow:
        assert uow.checks.count_by_outcome() == {"exploitation_concern": 2, "emergency": 1}
        recent = uow.checks.count_by_outcome(NOW - timedelta(days=7), NOW + timedelta(days=1))
        assert recent == {"exploitation_concern": 2}
        assert uow.checks.indicator_counts().most_common(1) == [("going_missing", 2)]


def test_a_check_is_found_by_its_reference_code_with_the_rules_that_applied(database_url):
    migrate(database_url)
    traced = CheckRecord(**{**record("child_protection").__dict__, "reference": "CCE-7K3F-9QX2",
                            "rules": ("child_protection", "exploitation_concern")})  # fmt: skip
    with UnitOfWork(database_url) as uow:
        uow.checks.add(record("emergency"))
        uow.checks.add(traced)
    with UnitOfWork(database_url) as uow:
        found = uow.checks.by_reference("cce-7k3f-9qx2 ")
        assert found["outcome"] == "child_protection"
        assert found["rules"] == ["child_protection", "exploitation_concern"]
        assert found["answers"]["age_under_18"] == "yes"
        assert uow.checks.by_reference("CCE-0000-0000") is None


def test_unit_of_work_rolls_back_on_error(database_url):
    migrate(database_url)
    with pytest.raises(RuntimeError), UnitOfWork(database_url) as uow:
        uow.checks.add(record("emergency"))
        raise RuntimeError("boom")
    with UnitOfWork(database_url) as uow:
        assert uow.checks.count() == 0


def test_delete_older_than_and_for_sender(database_url):
    migrate(database_url)
    with UnitOfWork(database_url) as uow:
        uow.checks.add(record("emergency", days_ago=100, sender="a"))
        uow.checks.add(record("emergency", days_ago=1, sender="a"))
        uow.checks.add(record("emergency", days_ago=1, sender="b"))
    with UnitOfWork(database_url) as uow:
        assert uow.checks.delete_older_than(NOW - timedelta(days=30)) == 1
        assert uow.checks.delete_for_sender(hash_sender("a", b"test-key")) == 1
        assert uow.checks.count() == 1


def test_sender_hash_is_keyed_and_not_the_id():
    hashed = hash_sender("web-123", b"key-one")
    assert "web-123" not in hashed and len(hashed) == 64
    assert hashed != hash_sender("web-123", b"key-two")
    assert hashed == hash_sender("web-123", b"key-one")


def test_unreachable_database_is_a_clear_error():
    with pytest.raises(DatabaseError, match="CCE_DATABASE_URL"):
        migrate("postgresql://nobody@127.0.0.1:1/none")


def test_the_migrate_command_says_whether_a_migration_is_due(tmp_path, monkeypatch, capsys):
    from bot import bootstrap
    from bot.__main__ import main

    monkeypatch.setenv("CCE_DATABASE_URL", f"sqlite:///{tmp_path / 'records.db'}")
    bootstrap.reset()
    try:
        assert main(["migrate", "--check"]) == 1
        assert main(["migrate"]) == 0
        assert main(["migrate", "--check"]) == 0
        monkeypatch.setenv("CCE_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
        bootstrap.reset()
        assert main(["migrate"]) == 2
    finally:
        bootstrap.reset()
    out, err = capsys.readouterr()
    head = sorted(p.stem[:4] for p in (MIGRATIONS / "versions").glob("0*.py"))[-1]
    assert f"Records schema at none; the code's newest is {head}." in out
    assert f"Records schema at {head} (was none)." in out
    assert "Check CCE_DATABASE_URL" in err
