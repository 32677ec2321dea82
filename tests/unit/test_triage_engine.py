"""The decision engine: every rule and outcome, and the safety properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.triage.engine import assess
from bot.triage.model import OUTCOMES, QUESTIONS, Answer, CheckInput
from bot.triage.service import get_catalogue, get_triage

TRIAGE = get_triage()
CATALOGUE = get_catalogue()
INDICATORS = sorted(i.id for i in CATALOGUE.items.values() if not i.is_vulnerability)
VULNERABILITIES = sorted(i.id for i in CATALOGUE.items.values() if i.is_vulnerability)
HEADINGS_PREFIX = "Source: NEL CCE guidance – "


def check(indicators=(), vulnerabilities=(), **answers: str) -> CheckInput:
    base = {q: "no" for q in QUESTIONS}
    base["age_under_18"] = "yes"
    base.update(answers)
    return CheckInput.from_dict(
        {**base, "indicators": list(indicators), "vulnerabilities": list(vulnerabilities)}
    )


def rules(result) -> set[str]:
    return set(result.rules_applied)


def test_immediate_danger_is_an_emergency_with_999_first():
    result = assess(check(immediate_danger="yes"), TRIAGE)
    assert result.outcome == "emergency"
    assert result.steps[0].action == "Call 999 now."
    assert result.steps[0].how == "Call 999"
    assert "Integrated Front Door" in result.steps[1].action


def test_adult_is_outside_scope_with_adult_safeguarding_and_999():
    result = assess(check(age_under_18="no"), TRIAGE)
    assert result.outcome == "outside_scope"
    assert "adult safeguarding" in result.steps[0].action
    assert "999" in result.steps[0].action
    assert not result.nrm_referral


def test_adult_in_immediate_danger_is_still_an_emergency():
    assert assess(check(age_under_18="no", immediate_danger="yes"), TRIAGE).outcome == "emergency"


def test_adult_moved_to_commit_crime_is_pointed_to_the_police():
    result = assess(check(age_under_18="no", moved_to_commit_crime="yes"), TRIAGE)
    assert result.outcome == "outside_scope"
    assert "adult_modern_slavery" in rules(result)
    assert not result.nrm_referral  # the NRM step of this guidance is for children


@pytest.mark.parametrize(
    "question", ["significant_harm", "parent_carer_involved", "home_taken_over"]
)
def test_child_protection_triggers(question):
    result = assess(check(**{question: "yes"}), TRIAGE)
    assert result.outcome == "child_protection"
    assert any("Child Protection Procedures" in s.action for s in result.steps)
    assert any("NELCChildrensFrontDoor@nelincs.gov.uk" in s.how for s in result.steps)


def test_concern_with_a_vulnerability_is_child_protection():
    result = assess(check(indicators=[INDICATORS[0]], vulnerabilities=[VULNERABILITIES[0]]), TRIAGE)
    assert result.outcome == "child_protection"
    assert "concern_with_vulnerability" in rules(result)
    # The exploitation concern's steps apply too.
    assert "exploitation_concern" in rules(result)


@pytest.mark.parametrize(
    "question", ["exchange_or_coercion", "moved_to_commit_crime", "missing_episodes"]
)
def test_exploitation_concern_from_answers(question):
    result = assess(check(**{question: "yes"}), TRIAGE)
    assert result.outcome == "exploitation_concern"
    actions = " ".join(s.action for s in result.steps)
    assert "Exploitation Risk Assessment Tool" in actions
    assert "multi-agency" in actions
    assert "Thresholds of Harm" in actions


def test_exploitation_concern_from_an_indicator():
    assert assess(check(indicators=[INDICATORS[0]]), TRIAGE).outcome == "exploitation_concern"


def test_no_indicator_is_never_worded_as_no_risk():
    result = assess(check(), TRIAGE)
    assert result.outcome == "no_indicators_identified"
    text = " ".join(s.action for s in result.steps) + result.summary
    assert "not at risk" not in text.lower() and "no risk" not in text.lower()
    assert "showed no indicator" in text
    assert "normal adolescent behaviour" in text
    assert "less likely they are to talk" in text
    assert "safeguarding lead" in text
    assert "still make a referral" in text


def test_nrm_when_moved_to_commit_crime():
    result = assess(check(moved_to_commit_crime="yes"), TRIAGE)
    assert result.nrm_referral
    nrm = " ".join(s.action for s in result.steps if s.rule == "nrm_referral")
    for phrase in ("first responder", "I believe but cannot prove", "more likely than not",
                   "45-day reflection period", "PVP"):  # fmt: skip
        assert phrase in nrm


def test_nrm_when_exchange_with_a_concern_but_not_for_exchange_alone_in_an_adult():
    assert assess(check(exchange_or_coercion="yes"), TRIAGE).nrm_referral
    assert not assess(check(missing_episodes="yes"), TRIAGE).nrm_referral


def test_pif_when_intelligence_on_methods_came_up():
    result = assess(check(home_taken_over="yes"), TRIAGE)
    assert any("PIF" in s.action for s in result.steps)
    assert not any("PIF" in s.action for s in assess(check(), TRIAGE).steps)


def test_unknown_never_counts_as_no_and_names_what_to_find_out():
    result = assess(check(immediate_danger="unknown", significant_harm="unknown"), TRIAGE)
    assert result.answers["immediate_danger"] == "unknown"
    found = " ".join(result.to_find_out)
    assert "immediate danger" in found and "999" in found
    assert "significant harm" in found
    # An unknown that could change nothing is not listed.
    result = assess(check(immediate_danger="yes", missing_episodes="unknown"), TRIAGE)
    assert result.outcome == "emergency"


def test_unknown_age_is_treated_as_a_child_and_to_be_confirmed():
    result = assess(check(age_under_18="unknown", missing_episodes="yes"), TRIAGE)
    assert result.outcome == "exploitation_concern"
    assert any("age" in item for item in result.to_find_out)


def test_unknown_indicator_id_is_a_clear_error():
    with pytest.raises(ValueError, match="not in the indicator catalogue"):
        assess(check(indicators=["no_such_indicator"]), TRIAGE)


def test_bad_answer_value_is_a_clear_error():
    with pytest.raises(ValueError, match="not an answer"):
        CheckInput.from_dict({"immediate_danger": "perhaps"})
    with pytest.raises(ValueError, match="Unknown field"):
        CheckInput.from_dict({"child_name": "x"})


def test_summary_has_outcome_answers_steps_and_no_description():
    data = {q: "no" for q in QUESTIONS} | {"age_under_18": "yes", "missing_episodes": "yes"}
    result = assess(CheckInput.from_dict({**data, "description": "SECRET DETAIL"}), TRIAGE)
    assert "Outcome:" in result.summary and "Next steps:" in result.summary
    assert "Missing episodes that cause concern: Yes" in result.summary
    assert "SECRET DETAIL" not in result.summary


# ---- properties -------------------------------------------------------------

answers = st.sampled_from(list(Answer))
check_inputs = st.builds(
    lambda a, i, v: CheckInput(answers=a, indicators=frozenset(i), vulnerabilities=frozenset(v)),
    st.fixed_dictionaries({q: answers for q in QUESTIONS}),
    st.sets(st.sampled_from(INDICATORS), max_size=4),
    st.sets(st.sampled_from(VULNERABILITIES), max_size=3),
)
URGENCY = {outcome: rank for rank, outcome in enumerate(OUTCOMES)}
# Turning `age_under_18` from no to yes moves a case from outside_scope into the
# guidance's scope: by the order that is "less urgent", by design. Every
# other question is a risk answer, for which the property must hold.
RISK_QUESTIONS = [q for q in QUESTIONS if q != "age_under_18"]


@settings(max_examples=400, deadline=None)
@given(check_inputs)
def test_immediate_danger_yes_always_gives_emergency(check_input):
    answers = {**check_input.answers, "immediate_danger": Answer.YES}
    result = assess(
        CheckInput(answers, check_input.indicators, check_input.vulnerabilities), TRIAGE
    )
    assert result.outcome == "emergency"
    assert result.steps[0].how == "Call 999"


@settings(max_examples=400, deadline=None)
@given(check_inputs, st.sampled_from(RISK_QUESTIONS), st.sampled_from(INDICATORS),
       st.sampled_from(VULNERABILITIES))  # fmt: skip
def test_more_concern_never_gives_a_less_urgent_outcome(check_input, question, indicator, vuln):
    before = assess(check_input, TRIAGE)
    more = [
        CheckInput(
            check_input.answers, check_input.indicators | {indicator}, check_input.vulnerabilities
        ),
        CheckInput(
            check_input.answers, check_input.indicators, check_input.vulnerabilities | {vuln}
        ),
    ]
    current = check_input.answers[question]
    for stronger in {Answer.NO: (Answer.UNKNOWN, Answer.YES), Answer.UNKNOWN: (Answer.YES,)}.get(
        current, ()
    ):
        more.append(
            CheckInput(
                {**check_input.answers, question: stronger},
                check_input.indicators,
                check_input.vulnerabilities,
            )  # fmt: skip
        )
    for after in more:
        result = assess(after, TRIAGE)
        assert URGENCY[result.outcome] <= URGENCY[before.outcome], (before.outcome, result.outcome)
        assert result.nrm_referral >= before.nrm_referral


@settings(max_examples=400, deadline=None)
@given(check_inputs)
def test_every_outcome_has_a_contact_and_every_step_a_source(check_input):
    result = assess(check_input, TRIAGE)
    assert result.outcome in OUTCOMES
    assert result.steps and any(step.contact and step.how for step in result.steps)
    for step in result.steps:
        assert step.source.startswith(HEADINGS_PREFIX)
        assert step.action and step.contact and step.how
    assert "not at risk" not in result.summary.lower()
