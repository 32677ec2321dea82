"""The check's pre-selection keeps its precision on descriptions its classifier
was not trained on: dev14 and dev15, with the confirming classifier trained on
dev1-dev13 only (bench/preselection_eval.py). The threshold was chosen on these
two sets, so their figures are optimistic; the untouched figure (dev16, scored
once) is in docs/indicator-evaluation.md. Floors: the issue's 0.9 precision;
recall is reported, not a target, but must not collapse (it was 0.613 / 0.733)."""

from __future__ import annotations

import sys

import pytest

from bot.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "bench"))
from preselection_eval import evaluate  # noqa: E402

PRECISION = 0.9
RECALL_FLOOR = 0.55


@pytest.fixture(scope="module")
def results():
    return evaluate(["dev14", "dev15"], train="1-13")


@pytest.mark.parametrize("name", ["dev14", "dev15"])
def test_pre_selection_is_precise_on_descriptions_it_did_not_learn_from(results, name):
    result = results[name]
    print(f"\n{name}: pre-selection precision {result['precision']:.3f}, "
          f"recall {result['recall']:.3f}")  # fmt: skip
    assert result["precision"] >= PRECISION, result["errors"]
    assert result["recall"] >= RECALL_FLOOR


def test_the_confirming_classifier_raises_precision_over_the_rules_alone(results):
    rules = evaluate(["dev14", "dev15"], rules_only=True)
    for name, confirmed in results.items():
        assert confirmed["precision"] > rules[name]["precision"]
