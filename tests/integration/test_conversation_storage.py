"""Conversations kept in SQL with identifiers redacted, across a restart, and
retention and erasure by the command line (issue: conversations kept safely)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from bot.cli.converse import reply_text
from tests.integration.live import LiveAssistant

pytestmark = [pytest.mark.model, pytest.mark.live]

IDENTIFIERS = {
    "his mum's email is jane.doe@example.com": "jane.doe@example.com",
    "ring her on 07700 900123 after 5": "07700 900123",
    "they live at 14 Oak Tree Close, DN31 1AA": "DN31 1AA",
    "born 12/03/2011 and his NHS number is 943 476 5919": "943 476 5919",
    "NI number QQ 12 34 56 C": "QQ 12 34 56 C",
}


def stored_text(var_dir) -> str:
    with sqlite3.connect(var_dir / "tracker.db") as db:
        return "\n".join(row[0] for row in db.execute("select data from events"))


def run_bot(var_dir, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**os.environ, "CCE_VAR_DIR": str(var_dir)},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_identifiers_are_redacted_before_storage_but_the_message_is_answered(assistant):
    send = assistant.rest()
    for message in IDENTIFIERS:
        assert reply_text(send("storage-redaction", message)).strip()
    stored = stored_text(assistant.var_dir)
    for identifier in IDENTIFIERS.values():
        assert identifier not in stored
    assert "[EMAIL]" in stored and "[PHONE]" in stored and "[POSTCODE]" in stored
    log = assistant.log_text()
    for identifier in IDENTIFIERS.values():
        assert identifier not in log


def test_a_rest_request_cannot_choose_its_channel_or_store_metadata(assistant):
    """The body's input_channel and metadata are not what is stored (a REST client
    could otherwise label its turns as the widget's or keep anything in them)."""
    import json
    import urllib.request

    body = {
        "sender": "storage-spoof",
        "message": "what is cuckooing",
        "input_channel": "web",
        "metadata": {"note": "an invented note, pretend-name Alex Example"},
    }
    request = urllib.request.Request(
        assistant.url + "/webhooks/rest/webhook",
        data=json.dumps(body).encode(),
        headers=assistant.rest_headers,
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
    with sqlite3.connect(assistant.var_dir / "tracker.db") as db:
        rows = [
            json.loads(row[0])
            for row in db.execute(
                "select data from events where sender_id = 'storage-spoof' and type_name = 'user'"
            )
        ]
    assert rows and {row["input_channel"] for row in rows} == {"rest"}
    assert all("note" not in (row.get("metadata") or {}) for row in rows)  # rasa adds its own
    assert "Alex Example" not in stored_text(assistant.var_dir)


def test_the_database_files_are_for_their_owner_only(assistant):
    assert reply_text(assistant.rest()("storage-mode", "what is a graft phone")).strip()
    for path in assistant.var_dir.iterdir():
        if path.name.startswith(("tracker.db", "cce.db")) or path.suffix in (".key", ".token"):
            assert path.stat().st_mode & 0o077 == 0, f"{path.name}: {oct(path.stat().st_mode)}"


def test_erase_and_purge_report_counts_and_delete_exactly(assistant):
    send = assistant.rest()
    send("storage-erase-me", "what is cuckooing")
    send("storage-keep-me", "what is a graft phone")
    out = run_bot(assistant.var_dir, "erase", "storage-erase-me")
    assert "Deleted" in out and "storage-erase-me" not in out
    with sqlite3.connect(assistant.var_dir / "tracker.db") as db:
        senders = {row[0] for row in db.execute("select distinct sender_id from events")}
    assert "storage-erase-me" not in senders and "storage-keep-me" in senders
    assert "Deleted 0 conversations" in run_bot(assistant.var_dir, "purge", "--older-than", "30")
    out = run_bot(assistant.var_dir, "purge", "--older-than", "0")
    with sqlite3.connect(assistant.var_dir / "tracker.db") as db:
        assert db.execute("select count(*) from events").fetchone()[0] == 0
    assert "conversations" in out


def test_a_check_continues_after_a_restart(trained_model, project_root, tmp_path):
    first = LiveAssistant(project_root, var_dir=tmp_path)
    first.start()
    send = first.rest()
    send("restart-check", "/start_check")
    assert "under 18" in reply_text(send("restart-check", "/deny"))
    first.stop()
    second = LiveAssistant(project_root, var_dir=tmp_path)
    second.start()
    try:
        said = reply_text(second.rest()("restart-check", "/affirm"))
        assert "what have you noticed" in said  # the next question: the answers were kept
    finally:
        second.stop()
