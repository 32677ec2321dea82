"""The indicator extractor beyond its catalogue phrases: spelling normalisation,
concept rules (bot/nlp/concepts.py, content/triage/indicator_concepts.yml), negation,
and its precision and recall on the development sets (never the held-out set)."""

from __future__ import annotations

import sys

import pytest

from bot import bootstrap
from bot.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "bench"))
from indicator_dev_eval import DEV_SETS, load, score  # noqa: E402

# What each development set must keep: 0.9 on the three the patterns were tuned on;
# on dev4, written blind to them and measured first at precision 0.741 and recall
# 0.726, regression floors below the 0.839 / 0.903 it reaches now (it was written
# with some labelling conventions of its own, which the rules do not follow).
# dev5 (school/health) and dev6 (social care/police/youth work), also written blind and
# first measured at 0.798 / 0.752 and 0.812 / 0.747: floors a little below what they reach.
FLOORS = {
    "dev1": (0.9, 0.9),
    "dev2": (0.9, 0.9),
    "dev3": (0.9, 0.9),
    "dev4": (0.79, 0.85),
    "dev5": (0.83, 0.9),
    "dev6": (0.83, 0.89),
    "dev7": (0.80, 0.86),
    "dev8": (0.80, 0.88),
    # dev9 (chat-box answers: vulnerabilities, push/pull factors, control methods) and dev10
    # (single observations, many phrasings of each indicator), written blind and first measured
    # at 0.755 / 0.773 and 0.807 / 0.782; floors about 0.05 below what they reach now.
    "dev9": (0.77, 0.85),
    "dev10": (0.82, 0.90),
    # dev11 (many near-misses: negated, innocent or adult situations), written blind and
    # measured once at 0.806 / 0.919 before any tuning; one tuning round on it reached
    # 0.853 / 0.964. Floors about 0.03 below the tuned figures.
    "dev11": (0.82, 0.93),
    # dev12 and dev13, by two more blind writers, measured at 0.849 / 0.792 and 0.824 / 0.728
    # before and again after the twelfth tuning round (which never read them); the thirteenth
    # round, on them, reached 0.891 / 0.938 and 0.878 / 0.908. Floors about 0.03 below.
    "dev12": (0.86, 0.90),
    "dev13": (0.85, 0.88),
    # dev14 and dev15, two more blind writers, never tuned on: 0.786 / 0.651 and 0.792 / 0.768
    # with the rules as of 61cf246, 0.794 / 0.665 and 0.794 / 0.778 after the thirteenth
    # round. Floors under those blind figures: regressions only.
    "dev14": (0.76, 0.63),
    "dev15": (0.76, 0.74),
}


@pytest.mark.parametrize("name", [n for n, path in DEV_SETS.items() if n in FLOORS])
def test_precision_and_recall_on_the_development_sets(name):
    result = score(load(name), bootstrap.app().matcher.ids)
    precision_floor, recall_floor = FLOORS[name]
    assert result["precision"] >= precision_floor, result["errors"]
    assert result["recall"] >= recall_floor, result["errors"]


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("hes been threatend by the olders", "violence_or_threats"),  # typo, no apostrophe
        ("they cant explain where all the cash came from", "unexplained_money_or_goods"),
        ("can't explain the new trainers or the money", "unexplained_money_or_goods"),
        (
            "a bloke in a black car keeps waiting for her at the end of the road",
            "unknown_adults_picking_up",
        ),
        ("police found him in a flat in Hull, a long way from home", "found_out_of_area"),
        ("he doesnt talk to his mum or his brothers any more", "withdrawn_from_family"),
    ],
)
def test_phrasings_the_catalogue_does_not_spell_out(text, item):
    assert item in bootstrap.app().matcher.ids(text)


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("no weapons were found when his room was searched", "carrying_weapons"),
        ("he does not use drugs or drink alcohol", "substance_misuse"),
        ("nothing to suggest he is carrying drugs for anyone", "tasks_for_reward"),
        ("police gave a talk on county lines to year 9", "tasks_for_reward"),
        ("he saves his pocket money and his nan gave him £20", "pull_money_or_gifts"),
        (
            "the family went on holiday and came back with lots of presents",
            "unexplained_money_or_goods",
        ),
        ("mum has seen nothing to worry about", "parental_concerns"),
        # a negation reaches every item of a list that ends "... or X"
        ("no sign of any extra cash, new clothes or a second phone", "multiple_phones"),
        ("he has never been missing, out late or excluded", "staying_out_late"),
        ("neither a second phone nor cash he can't explain", "multiple_phones"),
    ],
)
def test_negated_or_ordinary_events_are_not_found(text, item):
    assert item not in bootstrap.app().matcher.ids(text)


@pytest.mark.parametrize(
    ("text", "item"),
    [
        # an "or" in an earlier phrase does not carry a negation over a comma
        (
            "nobody cares if he's in or not, social care were involved before for neglect",
            "neglect_or_abuse_history",
        ),
        ("he has no job, but two phones, new trainers or a bike every week", "multiple_phones"),
        # a negation inside a match that is about something else
        (
            "he had a broken hand but wouldn't go to hospital for days, then lied about it",
            "unexplained_injuries",
        ),
    ],
)
def test_a_negation_reaches_only_its_own_words(text, item):
    assert item in bootstrap.app().matcher.ids(text)


def test_an_account_in_the_next_sentence_completes_an_injury():
    text = "Noticed a graze and a swollen eye on Monday. He wouldn't say how he got them."
    assert "unexplained_injuries" in bootstrap.app().matcher.ids(text)
    # but a rule stays inside its clauses: the next sentence alone is not an injury
    assert "unexplained_injuries" not in bootstrap.app().matcher.ids(
        "He wouldn't say how he got them."
    )


@pytest.mark.parametrize("value", [0, 4, "two"])
def test_a_rule_spanning_an_impossible_number_of_clauses_is_refused(tmp_path, value):
    from bot.nlp.concepts import ConceptError, ConceptMatcher

    path = tmp_path / "concepts.yml"
    path.write_text(
        f"classes: {{X: [graze]}}\nrules:\n  - item: a\n    all: [X, say]\n    clauses: {value!r}\n"
    )
    with pytest.raises(ConceptError, match="'clauses' must be a whole number from 1 to 3"):
        ConceptMatcher(path, bootstrap.app().matcher.nlp)


def test_matches_point_at_the_text_as_typed():
    text = "Hes been goin missin and wont say where he gets the money"
    for match in bootstrap.app().matcher.match(text):
        assert text.lower()[match.start : match.end] == match.text
