"""Redaction before storage: measured on tests/data/redaction_cases.yml (messages
with and without identifiers, invented values only)."""

from __future__ import annotations

import json

import yaml
from rasa.shared.core.events import UserUttered

from bot.config import PROJECT_ROOT
from bot.privacy.redaction import redact
from bot.storage.tracker_store import redact_event

CASES = yaml.safe_load((PROJECT_ROOT / "tests/data/redaction_cases.yml").read_text())["cases"]


def test_no_identifier_survives_and_ordinary_text_is_untouched():
    assert len(CASES) >= 60
    survived, mangled = [], []
    for case in CASES:
        result = redact(case["text"])
        if case["identifiers"]:
            survived += [(case["text"], i) for i in case["identifiers"] if i in result.text]
            # Digits of an identifier must not survive in pieces either.
            for identifier in case["identifiers"]:
                digits = "".join(ch for ch in identifier if ch.isdigit())
                if len(digits) >= 6 and digits in "".join(ch for ch in result.text if ch.isdigit()):
                    survived.append((case["text"], identifier))
        elif result.text != case["text"]:
            mangled.append((case["text"], result.text))
    with_ids = sum(1 for case in CASES if case["identifiers"])
    report = {"cases": len(CASES), "with_identifiers": with_ids, "survived": survived,
              "mangled": mangled}  # fmt: skip
    (PROJECT_ROOT / "results").mkdir(exist_ok=True)
    (PROJECT_ROOT / "results/redaction.json").write_text(json.dumps(report, indent=2))
    print(
        f"\nRedaction: {len(CASES)} cases ({with_ids} with identifiers): "
        f"{len(survived)} identifiers survived, {len(mangled)} clean messages changed"
    )
    assert not survived, survived
    assert not mangled, mangled


def test_placeholders_name_the_kind():
    result = redact("email a.b@example.com, ring 07700 900123, DN31 1AA")
    assert result.text == "email [EMAIL], ring [PHONE], [POSTCODE]"
    assert result.kinds == ("EMAIL", "POSTCODE", "PHONE")


def test_stored_event_is_a_redacted_copy():
    event = UserUttered(
        "my email is a.b@example.com", parse_data={"text": "my email is a.b@example.com"}
    )
    stored = redact_event(event)
    assert stored.text == "my email is [EMAIL]"
    assert stored.parse_data["text"] == "my email is [EMAIL]"
    assert event.text == "my email is a.b@example.com"  # the turn in hand keeps what was typed
    clean = UserUttered("what is cuckooing")
    assert redact_event(clean) is clean


def test_identifying_messages_are_spotted_and_guidance_questions_are_not():
    from bot.privacy.redaction import looks_identifying

    for text in ["his name is jay", "a lad called Jay keeps going missing", "Mrs Smith rang",
                 "dob 01/02/2012", "email me at a@example.com"]:  # fmt: skip
        assert looks_identifying(text), text
    for text in ["what is cuckooing", "what is the 45 day reflection period", "call 999",
                 "what's the NRM called", "a year 9 lad in my class"]:  # fmt: skip
        assert not looks_identifying(text), text


def test_the_privacy_reminder_is_given_once():
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from bot.texts.messages import Reply
    from bot.texts.send import REMINDED, send

    def turn(slots: dict) -> tuple[list, list]:
        tracker = Tracker("t", slots, {"text": "his name is jay"}, [], False, None, {}, "")
        dispatcher = CollectingDispatcher()
        events = send(dispatcher, [Reply("answer")], tracker)
        return events, dispatcher.messages

    events, messages = turn({})
    assert events == [{"event": "slot", "timestamp": None, "name": REMINDED, "value": True}]
    assert "please don't type names" in messages[-1]["text"]
    events, messages = turn({REMINDED: True})
    assert events == [] and len(messages) == 1
