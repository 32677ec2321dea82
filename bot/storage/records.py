"""Recording completed checks, for the partnership's pattern report."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from functools import lru_cache

from bot.config import get_settings
from bot.secrets import get_secret
from bot.storage.database import migrate
from bot.storage.repository import CheckRecord, UnitOfWork, hash_sender
from bot.triage.model import Assessment

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def ready(url: str) -> str:
    """Migrates the schema once per process and URL; returns the URL."""
    migrate(url)
    return url


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
        sender_hash=hash_sender(sender_id, get_secret()),
        reference=assessment.reference,
        rules=assessment.rules_applied,
    )
    try:
        with UnitOfWork(ready(get_settings().effective_database_url)) as uow:
            uow.checks.add(record)
    except Exception as exc:  # noqa: BLE001 - any database failure
        logger.warning("Could not store a check record (%s): %s", type(exc).__name__, exc)
        return False
    return True
