"""Rasa's own conversation tests: tests/test_stories.yml, failing on any wrong
prediction (intent or action)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.model


def test_stories_pass_with_no_prediction_error(trained_model, project_root, tmp_path):
    result = subprocess.run(
        [
            sys.executable, "-m", "rasa", "test", "core",
            "--model", str(trained_model),
            "--stories", str(project_root / "tests/test_stories.yml"),
            "--fail-on-prediction-errors",
            "--out", str(tmp_path),
        ],
        cwd=project_root,
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    failed = tmp_path / "failed_test_stories.yml"
    detail = (
        failed.read_text() if failed.exists() else result.stdout[-4000:] + result.stderr[-4000:]
    )
    assert result.returncode == 0, detail
