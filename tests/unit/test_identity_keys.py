"""One secret, a key per purpose (bot/secrets.py): widget tokens and record
owners' hashes are keyed apart, and erasure still finds a conversation's
records, those stored before keys were derived included (docs/identity.md)."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
from datetime import datetime

from bot.config import PROJECT_ROOT
from bot.secrets import Purpose, derive_key
from bot.storage.database import migrate
from bot.storage.repository import CheckRecord, UnitOfWork, hash_sender

SECRET = b"an-invented-test-secret-0123456789"
SENDER = "web-0123456789abcdef0123456789abcdef"


def hkdf_sha256(secret: bytes, info: bytes, length: int = 32) -> bytes:
    """RFC 5869 written out with hmac, to check the library is used as meant."""
    prk = hmac.new(b"\0" * 32, secret, hashlib.sha256).digest()  # no salt: zeros
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm, counter = okm + block, counter + 1
    return okm[:length]


def test_each_purpose_has_its_own_key_derived_from_the_one_secret():
    keys = {purpose: derive_key(SECRET, purpose) for purpose in Purpose}
    assert len(set(keys.values())) == len(Purpose)
    assert SECRET not in keys.values()
    for purpose, key in keys.items():
        assert key == hkdf_sha256(SECRET, purpose.value)
        assert key == derive_key(SECRET, purpose)  # stable: erasure depends on it
        assert key != derive_key(SECRET + b"x", purpose)


def test_a_record_owner_hash_is_not_what_the_token_key_would_make():
    widget = derive_key(SECRET, Purpose.WIDGET_TOKENS)
    owners = derive_key(SECRET, Purpose.RECORD_OWNERS)
    # Before: both were HMAC(secret, sender id), so a record's hash was its token's signature.
    assert hash_sender(SENDER, owners) != hash_sender(SENDER, widget)
    assert hash_sender(SENDER, owners) != hash_sender(SENDER, SECRET)


def run_bot(env: dict[str, str], *args: str, code: str | None = None) -> str:
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "bot", *args]
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_erase_finds_new_records_and_those_stored_before_keys_were_derived(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "CCE_VAR_DIR": str(tmp_path),
        "CCE_SECRET_KEY": SECRET.decode(),
        "CCE_DATABASE_URL": f"sqlite:///{tmp_path / 'records.db'}",
        "CCE_TRACKER_DB_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
    }
    # A check recorded the way the check's action records it, in its own process.
    record_one = (
        "from bot.storage.records import record_check\n"
        "from bot.triage.model import Assessment\n"
        "assessment = Assessment('emergency', False, (), (), (), (), (), ())\n"
        f"assert record_check(assessment, {SENDER!r}, 'web')\n"
        "assert record_check(assessment, 'web-someone-else', 'web')\n"
    )
    run_bot(env, code=record_one)
    url = env["CCE_DATABASE_URL"]
    migrate(url)
    with UnitOfWork(url) as uow:  # one stored before keys were derived: HMAC with the secret
        uow.checks.add(
            CheckRecord(
                created_at=datetime(2026, 11, 1),
                channel="web",
                outcome="emergency",
                nrm_referral=False,
                indicators=(),
                vulnerabilities=(),
                answers={},
                sender_hash=hash_sender(SENDER, SECRET),
            )
        )
    with UnitOfWork(url) as uow:
        assert uow.checks.count() == 3
    output = run_bot(env, "erase", SENDER)
    assert "2 check records" in output
    with UnitOfWork(url) as uow:
        assert uow.checks.count() == 1  # the other conversation's record stays
