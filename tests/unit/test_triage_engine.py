"""The decision engine: every rule and outcome, the findings of the review of the
check against the guidance (issue 15), and the safety properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import bootstrap
from bot.triage.engine import assess
from bot.triage.model import OUTCOMES, QUESTIONS, Answer, CheckInput, Stamp

TRIAGE = bootstrap.app().triage
CATALOGUE = bootstrap.app().catalogue
PLAN = bootstrap.app().plan
SHOWN = PLAN.catalogue_items
VULNERABILITIES = sorted(PLAN.vulnerability_items)
INDICATORS = [i for i in SHOWN if i not in PLAN.vulnerability_items]
HEADINGS_PREFIX = "Source: NEL CCE guidance – "


def check(indicators=(), vulnerabilities=(), not_known=(), **answers: str) -> CheckInput:
    """Every question answered no (age: under 18) and every item shown answered
    not seen, unless given otherwise."""
    base = {q: "no" for q in QUESTIONS} | {"age_under_18": "yes"} | answers
    items = {i: "no" for i in SHOWN} | dict.fromkeys(not_known, "unknown")
    items |= dict.fromkeys([*indicators, *vulnerabilities], "yes")
    return CheckInput.from_dict({**base, "items": items})


def rules(result) -> set[str]:
    return set(result.rules_applied)


def actions(result) -> str:
    return " ".join(step.action for step in result.steps)


def test_immediate_danger_is_an_emergency_with_999_first():
    result = assess(check(immediate_danger="yes"), TRIAGE)
    assert result.outcome == "emergency"
    assert result.steps[0].action.startswith("Call 999 now.")
    assert result.steps[0].how == "Call 999"


def test_the_emergency_follows_child_protection_procedures_and_the_tool_duty_still_applies():
    """Finding 5: 999 and the Front Door only; the guidance says Child Protection
    Procedures should always be followed where there is immediate risk of
    significant harm, and the exploitation tool duty still applies afterwards."""
    result = assess(check(immediate_danger="yes"), TRIAGE)
    contacts = [step.contact for step in result.steps]
    assert contacts[:2] == ["Emergency services", "Child Protection Procedures"]
    assert "should always be followed" in result.steps[1].action
    # review finding 21: the guidance's order, the tool and then the referral
    tool, referral = result.steps[2], result.steps[3]
    assert "Exploitation Risk Assessment Tool" in tool.action and "duty" in tool.action
    assert referral.contact == "Integrated Front Door"
    assert referral.action.startswith("Once it is completed, you must consider")


def test_not_sure_about_danger_puts_999_first_in_the_outcome():
    result = assess(check(immediate_danger="unknown", indicators=[INDICATORS[0]]), TRIAGE)
    assert result.steps[0].how == "Call 999"
    assert "not sure" in result.steps[0].action and "999" in result.steps[0].action
    assert any("immediate danger" in item for item in result.to_find_out)


def test_an_adult_is_outside_scope_and_pointed_to_their_own_procedures():
    result = assess(check(age_under_18="no"), TRIAGE)
    assert result.outcome == "outside_scope"
    assert "own agency's procedures" in result.steps[0].action
    assert result.steps[0].contact == "Your safeguarding lead"
    assert not result.nrm_referral


def test_an_adult_moved_to_deal_drugs_keeps_the_modern_slavery_route():
    """Finding 7: an 18-year-old being moved to deal drugs got only adult
    safeguarding; the guidance's reporting section covers all modern slavery crimes."""
    result = assess(check(age_under_18="no", moved_to_commit_crime="yes"), TRIAGE)
    assert result.outcome == "outside_scope"
    assert result.steps[0].contact == "Your local police force"
    assert "first point of contact" in result.steps[0].action
    assert "must be reported through to the Integrated Front Door" in result.steps[1].action
    assert not result.nrm_referral  # the guidance gives the NRM duty for young people


def test_adult_in_immediate_danger_is_still_an_emergency():
    assert assess(check(age_under_18="no", immediate_danger="yes"), TRIAGE).outcome == "emergency"


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("significant_harm", "immediate risk of significant harm"),
        ("parent_carer_involved", "facilitated by the child's parent or carer"),
        ("home_taken_over", "(a trap house)"),
    ],
)
def test_child_protection_triggers_say_why_in_the_guidances_terms(question, reason):
    result = assess(check(**{question: "yes"}), TRIAGE)
    assert result.outcome == "child_protection"
    cpp = next(s for s in result.steps if s.contact == "Child Protection Procedures")
    assert "should always be followed where" in cpp.action and reason in cpp.action
    assert "must always" not in actions(result)  # finding 8: the guidance says "should"
    assert any("NELCChildrensFrontDoor@nelincs.gov.uk" in s.how for s in result.steps)


@pytest.mark.parametrize("question", ["parent_carer_involved", "home_taken_over"])
def test_child_protection_keeps_the_exploitation_steps_when_indicators_were_given(question):
    """Finding 6: Child Protection outcomes from a parent facilitating or a home
    taken over dropped the tool, the multi-agency meeting and the thresholds."""
    result = assess(check(indicators=["going_missing"], **{question: "yes"}), TRIAGE)
    assert result.outcome == "child_protection"
    text = actions(result)
    assert "Exploitation Risk Assessment Tool" in text
    assert "multi-agency" in text
    assert "Thresholds of Harm" in text


def test_concern_with_a_guidance_vulnerability_is_child_protection_and_names_it():
    result = assess(check(indicators=[INDICATORS[0]], vulnerabilities=["in_care"]), TRIAGE)
    assert result.outcome == "child_protection"
    cpp = next(s for s in result.steps if s.contact == "Child Protection Procedures")
    assert "additional vulnerabilities" in cpp.action
    assert "factors that heighten a person's vulnerability" in cpp.action
    assert "being in care" in cpp.action
    assert "exploitation_concern" in rules(result)


@pytest.mark.parametrize(
    "factor", ["alternative_education", "poverty", "violence_in_family", "push_family_conflict"]
)
def test_only_the_guidances_list_of_vulnerability_factors_counts(factor):
    """Finding 9: push factors, background risk factors and places gangs target
    led to Child Protection; only the list of factors that heighten a person's
    vulnerability does now, and the check never asks for the others."""
    assert factor not in PLAN.vulnerability_items
    with pytest.raises(ValueError, match="not one of the indicators or vulnerability factors"):
        assess(check(indicators=[INDICATORS[0]], vulnerabilities=[factor]), TRIAGE)


def test_the_vulnerability_screen_is_the_guidances_list():
    assert PLAN.vulnerability_items == {
        "neglect_or_abuse_history", "unstable_home", "social_isolation", "economic_vulnerability",
        "homelessness", "gang_connections", "disability", "mental_health_issues",
        "substance_misuse", "in_care",
    }  # fmt: skip


def test_exploitation_concern_from_an_indicator():
    result = assess(check(indicators=[INDICATORS[0]]), TRIAGE)
    assert result.outcome == "exploitation_concern"
    text = actions(result)
    assert "Exploitation Risk Assessment Tool" in text and "duty" in text
    assert "multi-agency" in text and "Thresholds of Harm" in text


def test_any_exploitation_concern_is_offered_the_modern_slavery_route():
    """Finding 4: the NRM and the police were raised only for 'moved' or
    'exchange'; the guidance treats criminally exploited children as victims of
    modern slavery."""
    result = assess(check(indicators=["new_nickname"]), TRIAGE)
    police = next(s for s in result.steps if s.rule == "consider_modern_slavery")
    assert "If you believe the child is being criminally exploited" in police.action
    assert "local police force first" in police.action
    assert "NRM" in police.action
    assert "all concerns must be reported" in police.action


@pytest.mark.parametrize("question", ["moved_to_commit_crime", "exchange_or_coercion"])
def test_modern_slavery_puts_the_police_first_then_the_front_door_must(question):
    """Finding 4: where modern slavery is indicated, the police are the first point
    of contact (999 if an immediate response is needed), then all concerns must
    be reported to the Integrated Front Door."""
    result = assess(check(**{question: "yes"}), TRIAGE)
    assert result.nrm_referral
    assert result.steps[0].contact == "Your local police force"
    assert "999" in result.steps[0].action
    assert result.steps[1].contact == "Integrated Front Door"
    assert "must be reported" in result.steps[1].action
    assert "consider whether a referral is needed" not in actions(result)


def test_the_nrm_step_assigns_no_first_responder_role():
    """Finding 3: "complete an NRM referral as first responder"; the guidance never
    says who the first responder is."""
    result = assess(check(moved_to_commit_crime="yes"), TRIAGE)
    nrm = next(s for s in result.steps if s.rule == "nrm_referral")
    assert "as first responder" not in nrm.action and "as first responder" not in nrm.how
    assert "does not say who acts as the first responder" in nrm.action
    assert "safeguarding lead" in nrm.action
    assert "believe to be potential victims" in nrm.action
    for phrase in ("I believe but cannot prove", "more likely than not", "45 day", "PVP"):
        assert phrase in nrm.action


def test_pif_when_intelligence_on_methods_came_up():
    def pif(result) -> bool:
        return any("PIF" in step.action for step in result.steps)

    assert pif(assess(check(home_taken_over="yes"), TRIAGE))
    assert pif(assess(check(indicators=["multiple_phones"]), TRIAGE))
    assert not pif(assess(check(), TRIAGE))


def test_no_indicator_is_never_worded_as_no_risk():
    result = assess(check(), TRIAGE)
    assert result.outcome == "no_indicators_identified"
    text = actions(result) + result.summary
    assert "not at risk" not in text.lower() and "no risk" not in text.lower()
    assert "showed no indicator" in text
    assert "normal adolescent behaviours" in text
    assert "less likely they are to talk" in text
    assert "safeguarding lead" in text


def test_an_item_not_answered_is_not_known_never_not_seen():
    """The check shows every indicator; the engine holds it to that: an item left
    out of the answers is listed as not known, and to be found out."""
    answers = {q: "no" for q in QUESTIONS} | {"age_under_18": "yes"}
    result = assess(CheckInput.from_dict(answers), TRIAGE)
    assert set(result.not_known) == set(SHOWN)
    assert any("which you did not know" in item for item in result.to_find_out)


def test_not_known_items_are_listed_to_find_out_in_the_guidances_order():
    result = assess(check(not_known=["carrying_weapons", "going_missing"]), TRIAGE)
    assert result.not_known == ("going_missing", "carrying_weapons")
    line = next(i for i in result.to_find_out if "did not know" in i)
    assert "Going missing" in line and "Carrying weapons" in line
    assert "partner agencies" in line


def test_unknown_never_counts_as_no_and_names_what_to_find_out():
    result = assess(check(significant_harm="unknown"), TRIAGE)
    assert result.answers["significant_harm"] == "unknown"
    assert any("significant harm" in item for item in result.to_find_out)
    # An unknown that could change nothing is not listed.
    result = assess(check(immediate_danger="yes", parent_carer_involved="unknown"), TRIAGE)
    assert not any("parent or carer" in item for item in result.to_find_out)


def test_unknown_age_is_treated_as_a_child_and_to_be_confirmed():
    result = assess(check(age_under_18="unknown", indicators=["going_missing"]), TRIAGE)
    assert result.outcome == "exploitation_concern"
    assert any("age" in item for item in result.to_find_out)


def test_unknown_item_id_is_a_clear_error():
    with pytest.raises(ValueError, match="not in the indicator catalogue"):
        assess(check(indicators=["no_such_indicator"]), TRIAGE)


def test_bad_answer_value_is_a_clear_error():
    with pytest.raises(ValueError, match="not an answer"):
        CheckInput.from_dict({"immediate_danger": "perhaps"})
    with pytest.raises(ValueError, match="Unknown field"):
        CheckInput.from_dict({"child_name": "x"})


def test_summary_has_time_reference_edition_outcome_and_no_description():
    data = {q: "no" for q in QUESTIONS} | {"age_under_18": "yes"}
    stamp = Stamp("6 Dec 2026 18:30 GMT", "CCE-7K3F-9QX2", TRIAGE.edition)
    check_input = CheckInput.from_dict(
        {**data, "items": {"going_missing": "yes"}, "description": "SECRET DETAIL"}
    )
    result = assess(check_input, TRIAGE, stamp)
    assert "Checked: 6 Dec 2026 18:30 GMT. Reference: CCE-7K3F-9QX2." in result.summary
    assert "text fingerprint" in result.summary and "North East Lincolnshire" in result.summary
    assert "Outcome:" in result.summary and "Next steps:" in result.summary
    assert "Indicators seen: Going missing" in result.summary
    assert "SECRET DETAIL" not in result.summary
    assert result.reference == "CCE-7K3F-9QX2"


def test_reference_codes_are_random_and_readable():
    from bot.triage.summary import REFERENCE_ALPHABET, new_reference

    codes = {new_reference() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert code.startswith("CCE-") and len(code) == 13
        assert set(code[4:].replace("-", "")) <= set(REFERENCE_ALPHABET)


# ---- properties -------------------------------------------------------------

answers = st.sampled_from(list(Answer))
check_inputs = st.builds(
    lambda a, items: CheckInput(answers=a, items=items),
    st.fixed_dictionaries({q: answers for q in QUESTIONS}),
    st.dictionaries(st.sampled_from(SHOWN), answers, max_size=12),
)
URGENCY = {outcome: rank for rank, outcome in enumerate(OUTCOMES)}
# Turning `age_under_18` from no to yes moves a case from outside_scope into the
# guidance's scope: by the order that is "less urgent", by design. Every
# other question is a risk answer, for which the property must hold.
RISK_QUESTIONS = [q for q in QUESTIONS if q != "age_under_18"]
STRONGER = {Answer.NO: (Answer.UNKNOWN, Answer.YES), Answer.UNKNOWN: (Answer.YES,)}


@settings(max_examples=300, deadline=None)
@given(check_inputs)
def test_immediate_danger_yes_always_gives_emergency(check_input):
    answers = {**check_input.answers, "immediate_danger": Answer.YES}
    result = assess(CheckInput(answers, check_input.items), TRIAGE)
    assert result.outcome == "emergency"
    assert result.steps[0].how == "Call 999"


@settings(max_examples=300, deadline=None)
@given(check_inputs)
def test_not_sure_about_danger_always_puts_999_first(check_input):
    answers = {**check_input.answers, "immediate_danger": Answer.UNKNOWN}
    result = assess(CheckInput(answers, check_input.items), TRIAGE)
    assert result.steps[0].how == "Call 999"


@settings(max_examples=300, deadline=None)
@given(check_inputs, st.sampled_from(RISK_QUESTIONS), st.sampled_from(SHOWN))
def test_more_concern_never_gives_a_less_urgent_outcome(check_input, question, item):
    before = assess(check_input, TRIAGE)
    more = [
        CheckInput(check_input.answers, {**check_input.items, item: stronger})
        for stronger in STRONGER.get(check_input.item(item), ())
    ]
    more += [
        CheckInput({**check_input.answers, question: stronger}, check_input.items)
        for stronger in STRONGER.get(check_input.answer(question), ())
    ]
    for after in more:
        result = assess(after, TRIAGE)
        assert URGENCY[result.outcome] <= URGENCY[before.outcome], (before.outcome, result.outcome)
        assert result.nrm_referral >= before.nrm_referral


@settings(max_examples=300, deadline=None)
@given(check_inputs)
def test_every_outcome_has_a_contact_and_every_step_a_source_and_evidence(check_input):
    result = assess(check_input, TRIAGE)
    assert result.outcome in OUTCOMES
    assert result.steps and any(step.contact and step.how for step in result.steps)
    for step in result.steps:
        assert step.source.startswith(HEADINGS_PREFIX)
        assert step.action and step.contact and step.how and step.evidence
        assert "{" not in step.action
    assert "not at risk" not in result.summary.lower()


@settings(max_examples=300, deadline=None)
@given(check_inputs)
def test_no_indicator_only_when_every_item_was_answered_or_listed_to_find_out(check_input):
    result = assess(check_input, TRIAGE)
    if result.outcome == "no_indicators_identified":
        unanswered = [i for i in SHOWN if check_input.item(i) is Answer.UNKNOWN]
        assert set(unanswered) == set(result.not_known)
        if unanswered:
            assert any("did not know" in item for item in result.to_find_out)


@pytest.mark.parametrize("contact_id", ["police", "child_protection", "intelligence"])
def test_a_contact_the_guidance_gives_no_route_for_says_so_and_names_who_to_ask(contact_id):
    """Review findings 8, 13, 22: the guidance names these but not how to reach or
    start them; the contact line says so instead of filling the gap."""
    how = TRIAGE.contacts[contact_id].how
    assert "safeguarding lead" in how
    assert "Humberside" not in how


def test_being_given_things_alone_is_not_modern_slavery():
    """Review finding 1: a child given clothes (a pull factor) went to the police
    modern slavery route; only exchange for crime, or being moved, does."""
    result = assess(check(indicators=["unexplained_money_or_goods"]), TRIAGE)
    assert not result.nrm_referral
    assert all(s.rule != "modern_slavery_report" for s in result.steps)
