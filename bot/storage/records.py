"""Recording completed checks and guidance answers, for the partnership's reports.

A record names its conversation only by a keyed hash of the sender id
(:func:`owner_hash`), with a key of its own derived from the server secret
(:mod:`bot.secrets`). Records stored before keys were derived were hashed
with the secret itself; erasure looks for both (:func:`owner_hashes`), and
``purge`` removes those older records with the rest once they pass retention.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timezone
from functools import lru_cache

from bot import bootstrap
from bot.secrets import Purpose
from bot.storage.database import migrate
from bot.storage.repository import AnswerRecord, CheckRecord, UnitOfWork, hash_sender
from bot.triage.model import Assessment

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def ready(url: str) -> str:
    """Migrates the schema once per process and URL; returns the URL."""
    migrate(url)
    return url


def owner_hash(sender_id: str) -> str:
    """The hash a record of ``sender_id``'s conversation is stored with."""
    return hash_sender(sender_id, bootstrap.app().key(Purpose.RECORD_OWNERS))


def owner_hashes(sender_id: str) -> tuple[str, str]:
    """Every hash a record of ``sender_id`` may carry: today's, and the one of
    records stored before keys were derived (HMAC with the secret itself)."""
    return owner_hash(sender_id), hash_sender(sender_id, bootstrap.app().secret)


def record_check(assessment: Assessment, sender_id: str, channel: str) -> bool:
    """Stores one completed check. Returns False (and logs, without any content)
    if the database cannot be written: the practitioner's outcome must not wait
    on it or fail because of it."""
    record = CheckRecord(
        created_at=datetime.now(timezone.utc).replace(tzinfo=None),
        channel=channel or "unknown",
        outcome=assessment.outcome,
        nrm_referral=assessment.nrm_referral,
        indicators=assessment.indicators,
        vulnerabilities=assessment.vulnerabilities,
        answers=dict(assessment.answers),
        sender_hash=owner_hash(sender_id),
        reference=assessment.reference,
        rules=assessment.rules_applied,
    )
    try:
        with UnitOfWork(ready(bootstrap.app().settings.effective_database_url)) as uow:
            uow.checks.add(record)
    except Exception as exc:  # noqa: BLE001 - any database failure
        logger.warning("Could not store a check record (%s): %s", type(exc).__name__, exc)
        return False
    return True


def new_answer_id() -> str:
    """A random id sent with an answer, by which feedback finds its record."""
    return secrets.token_hex(12)


def record_answer(
    answer_id: str,
    sender_id: str,
    channel: str,
    topic: str,
    route: str,
    confidence: float,
    question: str,
) -> bool:
    """Stores one guidance answer, its question redacted (as the conversation
    store keeps it). Returns False (and logs, without content) when the database
    cannot be written: the answer itself never waits on it."""
    from bot.privacy.redaction import redact

    record = AnswerRecord(
        answer_id=answer_id,
        created_at=datetime.now(timezone.utc).replace(tzinfo=None),
        channel=channel or "unknown",
        sender_hash=owner_hash(sender_id),
        topic=topic,
        route=route,
        confidence=confidence,
        question=redact(question).text,
    )
    try:
        with UnitOfWork(ready(bootstrap.app().settings.effective_database_url)) as uow:
            uow.answers.add(record)
    except Exception as exc:  # noqa: BLE001 - any database failure
        logger.warning("Could not store an answer record (%s).", type(exc).__name__)
        return False
    return True


def record_feedback(answer_id: str, sender_id: str, helpful: bool, reason: str | None) -> bool:
    """Marks an answer of ``sender_id``'s conversation helpful or not; False when
    it is not theirs (or the database cannot be written)."""
    try:
        with UnitOfWork(ready(bootstrap.app().settings.effective_database_url)) as uow:
            return uow.answers.feedback(answer_id, owner_hashes(sender_id), helpful, reason)
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - any database failure
        logger.warning("Could not store feedback (%s).", type(exc).__name__)
        return False
