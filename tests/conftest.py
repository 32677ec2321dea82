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


@pytest.fixture
def app_parts():
    """Installs an App built from the parts given (``app_parts(catalogue=...)``;
    the rest loaded on first use) as the process's for one test; afterwards the
    process's App is the one before."""
    from bot import bootstrap

    replaced: list[bootstrap.App | None] = []

    def install(**parts: object) -> bootstrap.App:
        app = bootstrap.App(**parts)
        replaced.append(bootstrap.use(app))
        return app

    yield install
    if replaced:
        bootstrap.use(replaced[0])


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


FIGURES = {
    "heldout.json": ("Held-out questions", ["questions", "section_accuracy", "topic_accuracy",
                                            "out_of_scope_recognised"]),
    "indicator_extractor.json": ("Indicator extractor", ["sentences", "precision", "recall"]),
    "redaction.json": ("Redaction", ["cases", "with_identifiers"]),
    "redaction_corpus_tuning.json": ("Redaction, tuning corpus", ["identifiers", "removed",
                                                                  "clean_messages",
                                                                  "clean_altered"]),
    "redaction_corpus_untouched.json": ("Redaction, untouched corpus", ["identifiers", "removed",
                                                                        "clean_messages",
                                                                        "clean_altered"]),
}  # fmt: skip


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Print the measured figures (written to results/ by the tests that ran)."""
    import json

    results = PROJECT_ROOT / "results"
    lines = []
    for name, (title, keys) in FIGURES.items():
        path = results / name
        started = getattr(terminalreporter, "_sessionstarttime", 0)
        if path.exists() and path.stat().st_mtime >= started:
            data = json.loads(path.read_text())
            figures = ", ".join(f"{key} {data[key]}" for key in keys if key in data)
            extra = ""
            if name == "redaction.json":
                extra = f", survived {len(data['survived'])}, mangled {len(data['mangled'])}"
            lines.append(f"{title}: {figures}{extra}")
    if lines:
        terminalreporter.write_sep("-", "measured figures")
        for line in lines:
            terminalreporter.write_line(line)
