"""The check records repository and its unit of work. Callers never write SQL:
they add records and ask for counts inside ``with UnitOfWork(url) as uow:``."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from bot.storage.database import get_engine
from bot.storage.models import check_records

TransactionT = TypeVar("TransactionT", bound="Transaction")


@dataclass(frozen=True)
class CheckRecord:
    """One completed check, as stored: no free text, no names."""

    created_at: datetime  # UTC, naive
    channel: str
    outcome: str
    nrm_referral: bool
    indicators: tuple[str, ...]
    vulnerabilities: tuple[str, ...]
    answers: dict[str, str]
    sender_hash: str
    reference: str = ""  # the summary's random reference code
    rules: tuple[str, ...] = ()  # the rules that applied


def hash_sender(sender_id: str, key: bytes) -> str:
    """A keyed hash of the sender id: stable for erasure, not reversible."""
    return hmac.new(key, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()


class CheckRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, record: CheckRecord) -> None:
        self._connection.execute(
            check_records.insert().values(
                created_at=record.created_at,
                channel=record.channel[:32],
                outcome=record.outcome,
                nrm_referral=record.nrm_referral,
                indicators=json.dumps(sorted(record.indicators)),
                vulnerabilities=json.dumps(sorted(record.vulnerabilities)),
                answers=json.dumps(record.answers, sort_keys=True),
                sender_hash=record.sender_hash,
                reference=record.reference,
                rules=json.dumps(list(record.rules)),
            )
        )

    def _between(self, start: datetime | None, end: datetime | None) -> list[Any]:
        conditions = []
        if start is not None:
            conditions.append(check_records.c.created_at >= start)
        if end is not None:
            conditions.append(check_records.c.created_at < end)
        return conditions

    def count_by_outcome(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> dict[str, int]:
        query = (
            select(check_records.c.outcome, func.count())
            .where(*self._between(start, end))
            .group_by(check_records.c.outcome)
        )
        return {outcome: count for outcome, count in self._connection.execute(query)}

    def indicator_counts(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> Counter[str]:
        counts: Counter[str] = Counter()
        query = select(check_records.c.indicators).where(*self._between(start, end))
        for (indicators,) in self._connection.execute(query):
            counts.update(json.loads(indicators))
        return counts

    def by_reference(self, reference: str) -> dict[str, Any] | None:
        """What a check with this reference code found (its time, channel, outcome,
        NRM flag, answers and the rules that applied), to trace a summary quoted in
        case notes back to the advice it gave; None if there is no such check."""
        row = (
            self._connection.execute(
                select(check_records).where(check_records.c.reference == reference.strip().upper())
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        found = {k: row[k] for k in ("created_at", "channel", "outcome", "nrm_referral")}
        for key in ("indicators", "vulnerabilities", "answers", "rules"):
            found[key] = json.loads(row[key])
        return found

    def count(self) -> int:
        return int(
            self._connection.execute(select(func.count()).select_from(check_records)).scalar_one()
        )

    def delete_older_than(self, cutoff: datetime) -> int:
        result = self._connection.execute(
            delete(check_records).where(check_records.c.created_at < cutoff)
        )
        return int(result.rowcount or 0)

    def delete_for_sender(self, sender_hash: str) -> int:
        result = self._connection.execute(
            delete(check_records).where(check_records.c.sender_hash == sender_hash)
        )
        return int(result.rowcount or 0)


class Transaction:
    """One transaction on a database: committed when the block ends normally,
    rolled back on error. Subclasses attach their repositories in `_open`."""

    def __init__(self, url: str) -> None:
        self._url = url

    def _open(self, connection: Connection) -> None:
        """Attach the repositories this unit of work offers."""

    def __enter__(self: TransactionT) -> TransactionT:
        self._connection = get_engine(self._url).connect()
        self._transaction = self._connection.begin()
        self._open(self._connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self._transaction.commit()
            else:
                self._transaction.rollback()
        finally:
            self._connection.close()


class UnitOfWork(Transaction):
    """The check records, in one transaction."""

    def _open(self, connection: Connection) -> None:
        self.checks = CheckRepository(connection)
