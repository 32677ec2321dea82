"""The RulePolicy's per-prediction work, with rasa's results.

- **Rule matching.** ``_get_possible_keys`` tried every rule against every
  state of the conversation, though no rule is longer than three states. A rule
  is now tried only where it can match: on the last state only if it expects the
  action that has just run, and no further back than its own length. Which
  rules match depends only on the last states (as many as the longest rule
  has), and conversations pass through the same few states again and again,
  so the answer is kept for each such tail of states.
- **Debug text.** ``format_tracker_states`` formatted every state of the
  conversation for a debug log line on each prediction; only when debug logging
  is on, now.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from typing import Any

from bot.rasa_patches import original

KEPT_TAILS = 4096  # answers kept per lookup; the cache starts again when full


def format_tracker_states(states: list[dict]) -> str:
    """Drop-in for ``RulePolicy.format_tracker_states``, which builds a text of every state of the
    conversation for a debug log line on each prediction, even when nothing is
    logged at debug level; it is built only when something is."""
    if not logging.getLogger("rasa.core.policies.rule_policy").isEnabledFor(logging.DEBUG):
        return ""
    return original("rasa.core.policies.rule_policy.RulePolicy.format_tracker_states")(states)


def _rule_index(
    policy: Any, lookup: dict[str, str]
) -> tuple[dict[Any, set[str]], int, dict[Hashable, frozenset[str]]]:
    """The lookup's rules grouped by the action their last state says has just
    run (None: any), its longest rule and the answers kept for tails of
    states, made once per lookup."""
    from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
    from rasa.shared.nlu.constants import ACTION_NAME

    indexes = policy.__dict__.setdefault("_cce_rule_indexes", {})
    cached = indexes.get(id(lookup))
    if cached is not None and cached[0] is lookup:
        return cached[1], cached[2], cached[3]
    by_action: dict[Any, set[str]] = {None: set()}
    longest = 0
    for key in lookup:
        rule_states = policy._rule_key_to_state(key)
        longest = max(longest, len(rule_states))
        name = (
            (rule_states[-1].get(PREVIOUS_ACTION) or {}).get(ACTION_NAME) if rule_states else None
        )
        if isinstance(name, str) and name and name != SHOULD_NOT_BE_SET:
            by_action.setdefault(name, set()).add(key)
        else:
            by_action[None].add(key)
    answers: dict[Hashable, frozenset[str]] = {}
    indexes[id(lookup)] = (lookup, by_action, longest, answers)
    return by_action, longest, answers


def _frozen(states: list[dict]) -> Hashable | None:
    """The states as a dictionary key (each is a dict of dicts of strings and
    tuples), or None if one holds something unhashable."""
    try:
        frozen = tuple(
            tuple(sorted((name, tuple(sorted(part.items()))) for name, part in state.items()))
            for state in states
        )
        hash(frozen)
    except (TypeError, AttributeError):
        return None
    return frozen


def get_possible_keys(self: Any, lookup: dict[str, str], states: list[dict]) -> set[str]:
    """Drop-in for ``RulePolicy._get_possible_keys``: the rules whose states match the
    conversation's last ones, with rasa's result. rasa tries every rule on every
    state of the conversation. Here a rule is tried on the last state only if
    the action it expects to have just run is the one that has (any other would
    fail on that feature), and no rule is tried further back than its length,
    past which rasa counts it applicable."""
    from rasa.shared.core.constants import PREVIOUS_ACTION
    from rasa.shared.nlu.constants import ACTION_NAME

    if not states:
        return set(lookup.keys())
    by_action, longest, answers = _rule_index(self, lookup)
    tail = states[-longest:] if longest else []
    frozen = _frozen(tail)
    if frozen is not None and frozen in answers:
        return set(answers[frozen])
    just_run = (states[-1].get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
    possible_keys = by_action[None] | by_action.get(just_run, set())
    for index, state in enumerate(reversed(tail)):
        # _is_rule_applicable is True for every rule further back than its length
        possible_keys = {
            key for key in possible_keys if self._is_rule_applicable(key, index, state)
        }
    if frozen is not None:
        if len(answers) >= KEPT_TAILS:
            answers.clear()
        answers[frozen] = frozenset(possible_keys)
    return possible_keys
