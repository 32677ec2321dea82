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
