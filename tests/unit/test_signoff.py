"""The sign-off table (docs/decision-rules.md) is the rules as they are, and says
for each rule what it stands on."""

from __future__ import annotations

from bot import bootstrap
from bot.cli.rules import SIGNOFF_FILE, signoff_text


def test_the_signoff_table_in_docs_is_not_stale():
    assert SIGNOFF_FILE.read_text(encoding="utf-8") == signoff_text(), (
        "docs/decision-rules.md is stale: run `make rules`."
    )


def test_every_rule_step_quotation_and_reading_is_in_the_table():
    text = signoff_text()
    for rule in bootstrap.app().rules.rules:
        assert f"`{rule.id}`" in text
        for quote in rule.evidence:
            assert f"“{quote}”" in text
        if rule.reading:
            assert rule.reading in text
        for reason in rule.reasons:
            assert reason.text.split("{")[0] in text
            assert not reason.reading or reason.reading in text
    assert "Reading, for sign-off" in text
    assert "{" not in text  # every placeholder is filled
