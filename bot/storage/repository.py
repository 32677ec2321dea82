"""The check records repository and its unit of work. Callers never write SQL:
they add records and ask for counts inside ``with UnitOfWork(url) as uow:``."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from bot.storage.database import get_engine
from bot.storage.models import answer_records, check_records

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


REASONS = ("not_my_question", "wrong_part", "hard_to_understand", "something_else")
ASKED_AGAIN_SECONDS = 120  # another question this soon after an answer: it did not settle it
GAP_ROUTES = frozenset({"search", "clarify"})  # answered by the search, or asked back


@dataclass(frozen=True)
class AnswerRecord:
    """One guidance answer, as stored: the question only as redacted."""

    answer_id: str
    created_at: datetime  # UTC, naive
    channel: str
    sender_hash: str
    topic: str
    route: str
    confidence: float
    question: str


@dataclass
class Gap:
    """The content-gap report's line for one topic."""

    topic: str
    answers: int = 0
    conversations: int = 0
    searched: int = 0
    asked_again: int = 0
    not_helpful: int = 0
    questions: Counter[str] = field(default_factory=Counter)


class AnswerRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, record: AnswerRecord) -> None:
        self._connection.execute(
            answer_records.insert().values(
                answer_id=record.answer_id,
                created_at=record.created_at,
                channel=record.channel[:32],
                sender_hash=record.sender_hash,
                topic=record.topic[:64],
                route=record.route[:16],
                confidence=float(record.confidence),
                question=record.question[:2000],
            )
        )

    def feedback(
        self, answer_id: str, sender_hashes: tuple[str, ...], helpful: bool, reason: str | None
    ) -> bool:
        """Marks an answer helpful or not; only the conversation it was given in
        may. False when no such answer is theirs."""
        if reason is not None and reason not in REASONS:
            raise ValueError(f"reason must be one of {', '.join(REASONS)}")
        result = self._connection.execute(
            update(answer_records)
            .where(answer_records.c.answer_id == answer_id)
            .where(answer_records.c.sender_hash.in_(sender_hashes))
            .values(helpful=helpful, reason=None if helpful else reason)
        )
        return bool(result.rowcount)

    def content_gaps(
        self, start: datetime | None = None, end: datetime | None = None, smallest: int = 5
    ) -> tuple[list[Gap], int]:
        """Topics whose answers did not settle the question: answered from the
        search or asked back, asked again within two minutes, or marked not
        helpful. Topics from fewer than ``smallest`` conversations are left out
        (so no conversation can be picked out) and only counted: (gaps, left out)."""
        conditions = []
        if start is not None:
            conditions.append(answer_records.c.created_at >= start)
        if end is not None:
            conditions.append(answer_records.c.created_at < end)
        rows = self._connection.execute(
            select(answer_records)
            .where(*conditions)
            .order_by(answer_records.c.sender_hash, answer_records.c.created_at)
        ).mappings().all()  # fmt: skip
        gaps: dict[str, Gap] = {}
        senders: dict[str, set[str]] = {}
        for n, row in enumerate(rows):
            after = rows[n + 1] if n + 1 < len(rows) else None
            again = bool(
                after is not None
                and after["sender_hash"] == row["sender_hash"]
                and (after["created_at"] - row["created_at"]).total_seconds() <= ASKED_AGAIN_SECONDS
            )
            searched = row["route"] in GAP_ROUTES
            not_helpful = row["helpful"] is False
            if not (again or searched or not_helpful):
                continue
            gap = gaps.setdefault(row["topic"], Gap(row["topic"]))
            gap.answers += 1
            gap.searched += searched
            gap.asked_again += again
            gap.not_helpful += not_helpful
            gap.questions[row["question"]] += 1
            senders.setdefault(row["topic"], set()).add(row["sender_hash"])
        shown, left_out = [], 0
        for topic, gap in gaps.items():
            gap.conversations = len(senders[topic])
            if gap.conversations >= smallest:
                shown.append(gap)
            else:
                left_out += gap.answers
        return sorted(shown, key=lambda g: -g.answers), left_out

    def delete_older_than(self, cutoff: datetime) -> int:
        result = self._connection.execute(
            delete(answer_records).where(answer_records.c.created_at < cutoff)
        )
        return int(result.rowcount or 0)

    def delete_for_sender(self, sender_hash: str) -> int:
        result = self._connection.execute(
            delete(answer_records).where(answer_records.c.sender_hash == sender_hash)
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
    """The check and answer records, in one transaction."""

    def _open(self, connection: Connection) -> None:
        self.checks = CheckRepository(connection)
        self.answers = AnswerRepository(connection)
