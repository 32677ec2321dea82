"""`python -m bot report` over stored records, with its PNG chart."""

from __future__ import annotations

import subprocess
import sys

from bot.storage.database import migrate
from bot.storage.repository import UnitOfWork
from tests.unit.test_storage import record


def test_report_prints_counts_and_writes_a_png(tmp_path, project_root):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    migrate(url)
    with UnitOfWork(url) as uow:
        uow.checks.add(record("exploitation_concern", ["going_missing"]))
        uow.checks.add(record("emergency"))
    png = tmp_path / "report.png"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--png", str(png)],
        env={"CCE_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "CCE_VAR_DIR": str(tmp_path)},
        cwd=project_root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Total: 2" in result.stdout
    assert "Going missing" in result.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def seed_answers(url: str) -> None:
    """A seeded log of answers: a gap asked about in six conversations, one in
    two (too few to show), and answers that settled their question."""
    from datetime import datetime, timedelta

    from bot.storage.repository import AnswerRecord

    start = datetime(2026, 11, 2, 9, 0)
    with UnitOfWork(url) as uow:
        for n in range(6):  # six conversations whose "return interviews" answers did not help
            uow.answers.add(AnswerRecord(f"{n:024x}", start + timedelta(hours=n), "web",
                                         f"conversation-{n}", "return_interviews", "search", 0.2,
                                         "who does the return interview for [NAME]"))  # fmt: skip
        for n in range(2):  # a gap in only two conversations: never shown
            uow.answers.add(AnswerRecord(f"{100 + n:024x}", start + timedelta(days=1, hours=n),
                                         "web", f"rare-{n}", "pvp_officer", "clarify", 0.3,
                                         "a rare question"))  # fmt: skip
        for n in range(5):  # settled: confident, not asked again, not marked
            uow.answers.add(AnswerRecord(f"{200 + n:024x}", start + timedelta(days=2, hours=n),
                                         "web", f"fine-{n}", "cuckooing", "classifier", 0.9,
                                         "what is cuckooing"))  # fmt: skip
        assert uow.answers.feedback(f"{202:024x}", ("fine-2",), False, "hard_to_understand")
        assert not uow.answers.feedback(f"{203:024x}", ("someone-else",), False, None)


def test_the_report_lists_content_gaps_and_suppresses_small_groups(tmp_path, project_root):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    migrate(url)
    seed_answers(url)
    png = tmp_path / "report.png"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--png", str(png)],
        env={"CCE_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "CCE_VAR_DIR": str(tmp_path)},
        cwd=project_root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Content gaps" in out
    assert "return interview" in out.lower() and "(6 conversations: 6 searched" in out
    assert "6 x who does the return interview for [NAME]" in out
    assert "a rare question" not in out  # two conversations: too few to show
    assert "(and 3 from topics asked about in fewer than 5 conversations, not shown)" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
