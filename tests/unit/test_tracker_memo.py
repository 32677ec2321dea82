"""bot.rasa_patches.tracker_memo: the incremental tracker methods give exactly what
rasa's own give, for any sequence of events, checked after every event."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.actions.forms import FormAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_patches
from bot.config import PROJECT_ROOT
from bot.rasa_patches import tracker_memo

FORM = "indicator_check_form"
FIXTURES_OK = [HealthCheck.function_scoped_fixture]  # the domain is only read


@pytest.fixture(scope="module")
def domain() -> Domain:
    rasa_patches.install(rasa_patches.SPEEDUPS)
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


def _events(domain: Domain) -> st.SearchStrategy:
    intents = st.sampled_from(sorted(domain.intents)[:12])
    slots = st.sampled_from([slot.name for slot in domain.slots][:8])
    actions = st.sampled_from(["action_listen", FORM, "action_answer_question", "utter_x"])
    return st.one_of(
        intents.map(lambda i: UserUttered("text", {"name": i, "confidence": 1.0})),
        actions.map(ActionExecuted),
        st.sampled_from([FORM, None, "other_form"]).map(ActiveLoop),
        st.tuples(slots, st.sampled_from(["yes", "no", None])).map(lambda t: SlotSet(*t)),
        st.sampled_from([FORM, "action_listen"]).map(ActionExecutionRejected),
        st.booleans().map(LoopInterrupted),
        st.booleans().map(DefinePrevUserUtteredFeaturization),
        st.sampled_from(
            [
                ActionReverted,
                UserUtteranceReverted,
                Restarted,
                SessionStarted,
                lambda: BotUttered("hello"),
            ]  # fmt: skip
        ).map(lambda make: make()),
    )


def _same(tracker: DialogueStateTracker, domain: Domain) -> None:
    original = {
        name: rasa_patches.original(f"{tracker_memo.TRACKER}.{name}")
        for name in ("applied_events", "past_states", "copy")
    }
    ours = tracker.applied_events()
    theirs = original["applied_events"](tracker)
    assert len(ours) == len(theirs) and all(a is b for a, b in zip(ours, theirs, strict=True))
    assert tracker.past_states(domain) == original["past_states"](tracker, domain)
    assert tracker.past_states(domain, omit_unset_slots=True) == original["past_states"](
        tracker, domain, omit_unset_slots=True
    )
    tracker_memo._check_same_tracker(tracker.copy(), original["copy"](tracker), "copy")


@pytest.mark.parametrize("lag", [0, 1, 3, tracker_memo.LAG])
@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURES_OK)
@given(data=st.data())
def test_every_prefix_of_any_event_sequence_gives_rasas_results(domain, lag, data, monkeypatch):
    # A short lag puts the checkpoint just behind the end, where undos reach it.
    monkeypatch.setattr(tracker_memo, "LAG", lag)
    tracker = DialogueStateTracker("memo-test", domain.slots)
    for event in data.draw(st.lists(_events(domain), max_size=40)):
        tracker.update(event)
        _same(tracker, domain)


@settings(max_examples=30, deadline=None, suppress_health_check=FIXTURES_OK)
@given(data=st.data())
def test_a_copy_goes_on_as_the_original_would(domain, data):
    tracker = DialogueStateTracker("memo-test", domain.slots)
    for event in data.draw(st.lists(_events(domain), max_size=20)):
        tracker.update(event)
    tracker.past_states(domain)
    copied = tracker.copy()
    for event in data.draw(st.lists(_events(domain), max_size=20)):
        copied.update(event)
        _same(copied, domain)


def test_long_conversations_beyond_the_checkpoint(domain):
    # More events than the checkpoint lags behind, with a form's happy-path steps
    # (which undo events) and reverts after the checkpoint has moved on.
    tracker = DialogueStateTracker("memo-test", domain.slots)
    for turn in range(80):
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered("text", {"name": "affirm", "confidence": 1.0}))
        if turn % 3 == 0:  # a question in the middle of the form: its unhappy path
            tracker.update(ActionExecuted("action_answer_question"))
        if turn % 10 == 0:
            tracker.update(ActiveLoop(FORM))
        tracker.update(ActionExecuted(FORM))
        tracker.update(SlotSet("requested_slot", f"q{turn % 3}"))
        if turn % 7 == 0:
            tracker.update(UserUtteranceReverted())
        if turn % 10 == 9:
            tracker.update(ActiveLoop(None))
        _same(tracker, domain)
    assert tracker_memo._updated_memo(tracker).checkpoints[False].size > 0  # the checkpoint moved


def test_a_replaced_event_is_seen_once_the_memo_is_forgotten(domain):
    tracker = DialogueStateTracker("memo-test", domain.slots)
    for event in [ActionExecuted("action_listen"), UserUttered("a", {"name": "affirm"})]:
        tracker.update(event)
    tracker.applied_events()
    redacted = UserUttered("[redacted]", {"name": "affirm"})
    tracker.events[-1] = redacted
    tracker_memo.forget(tracker)
    assert tracker.applied_events()[-1] is redacted
    _same(tracker, domain)


def test_the_forms_temporary_tracker_matches_rasas(domain):
    tracker = DialogueStateTracker("memo-test", domain.slots)
    for event in [
        ActionExecuted("action_listen"), UserUttered("a", {"name": "start_check"}),
        ActionExecuted(FORM), ActiveLoop(FORM), SlotSet("requested_slot", "immediate_danger"),
        ActionExecuted("action_listen"), Restarted(), ActionExecuted("action_listen"),
        UserUttered("b", {"name": "deny"}),
    ]:  # fmt: skip
        tracker.update(event)
    form = FormAction(FORM, None)
    extra = [SlotSet("immediate_danger", "no")]
    ours = tracker_memo.temporary_tracker(form, tracker, extra, domain)
    theirs = rasa_patches.original(tracker_memo.TEMPORARY_TRACKER)(form, tracker, extra, domain)
    tracker_memo._check_same_tracker(ours, theirs, "temporary", events_identical=False)
    assert len(ours.events) == len(theirs.events) == 5  # only the events after the restart


@pytest.fixture()
def verifying(monkeypatch):
    from bot import bootstrap

    monkeypatch.setenv("CCE_VERIFY_TRACKER_MEMO", "1")
    bootstrap.reset()
    yield
    monkeypatch.delenv("CCE_VERIFY_TRACKER_MEMO")
    bootstrap.reset()


def test_a_difference_is_reported_when_verifying(domain, verifying):
    tracker = DialogueStateTracker("memo-test", domain.slots)
    tracker.update(UserUttered("a", {"name": "affirm"}))
    tracker.update(ActionExecuted("action_listen"))
    tracker.applied_events()
    tracker.events[0] = UserUttered("b", {"name": "affirm"})  # replaced, memo not told
    with pytest.raises(AssertionError, match="differs from rasa's own"):
        tracker.applied_events()


SCENARIOS = {
    # The checkpoint sits right behind the end; the form's next execution removes
    # the user message just replayed into it, so it must be rebuilt.
    "a form's step undoes the last replayed event": [
        UserUttered("a", {"name": "affirm"}), ActiveLoop(FORM), ActionExecuted(FORM),
        UserUttered("b", {"name": "deny"}), ActionExecuted(FORM),
        UserUttered("c", {"name": "greet"}), ActionExecuted("action_listen"),
        ActionExecuted(FORM),
    ],
    "a form's first step undoes from the start": [
        ActiveLoop(FORM), UserUttered("a", {"name": "affirm"}), ActionExecuted("action_listen"),
        ActionExecuted(FORM), ActionExecuted(FORM),
    ],
    # DefinePrevUserUtteredFeaturization edits the latest user message in place,
    # so states already kept for it must be computed again (found by hypothesis).
    "a later featurization choice changes earlier states": [
        UserUttered("text", {"name": "affirm"}), ActionExecuted("action_listen"),
        ActionExecuted("action_listen"), DefinePrevUserUtteredFeaturization(False),
    ],
}  # fmt: skip


@pytest.mark.parametrize("lag", [0, 1])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_undos_just_behind_the_checkpoint(domain, scenario, lag, monkeypatch):
    monkeypatch.setattr(tracker_memo, "LAG", lag)
    tracker = DialogueStateTracker("memo-test", domain.slots)
    for event in SCENARIOS[scenario]:
        tracker.update(event)
        _same(tracker, domain)
