"""The check's summary: plain text a practitioner can copy into the Exploitation
Risk Assessment Tool, a referral or case notes. It never contains the free-text
description; it carries when the check was done, its reference code and the
guidance it was checked against, so it can be traced later."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.triage.engine import Triage
    from bot.triage.model import Assessment, Stamp

ANSWER_WORDS = {"yes": "Yes", "no": "No", "unknown": "Not known"}
# Crockford's base32 without I, L, O and U: nothing to misread when copied by hand.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    """A random reference code such as ``CCE-7K3F-9QX2`` (40 bits), linked to no one."""
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CCE-{code[:4]}-{code[4:]}"


def checked_at(moment: datetime) -> str:
    """``6 Dec 2026 18:30 GMT``: the time in the UK, with its zone."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo("Europe/London"))
    return f"{local.day} {local:%b %Y %H:%M} {local.tzname()}"


def render_summary(
    assessment: Assessment, title: str, triage: Triage, stamp: Stamp | None = None
) -> str:
    catalogue = triage.catalogue
    lines = ["Indicator check summary (CCE practitioner assistant)"]
    if stamp is not None:
        lines += [
            f"Checked: {stamp.checked_at}. Reference: {stamp.reference}.",
            f"Checked against: {stamp.edition}.",
        ]
    lines.append(f"Outcome: {title}")
    if assessment.nrm_referral:
        lines.append(
            "NRM: the answers describe a potential victim of modern slavery; see the steps."
        )
    lines.append("Answers:")
    lines += [
        f"- {triage.plan.questions[q].label}: {ANSWER_WORDS[a]}"
        for q, a in assessment.answers.items()
    ]

    def listed(ids: tuple[str, ...]) -> str:
        return "; ".join(catalogue.labels(ids)) or "none"

    lines.append(f"Indicators seen: {listed(assessment.indicators)}")
    lines.append(f"Vulnerability factors: {listed(assessment.vulnerabilities)}")
    if assessment.not_known:
        lines.append(f"Not known: {listed(assessment.not_known)}")
    lines.append("Next steps:")
    lines += [
        f"{n}. {step.action} Contact: {step.contact} ({step.how}). {step.source}"
        for n, step in enumerate(assessment.steps, start=1)
    ]
    if assessment.to_find_out:
        lines.append("To find out:")
        lines += [f"- {item}" for item in assessment.to_find_out]
    lines.append(
        "This summary supports, and does not replace, professional judgement. "
        "It holds no names or identifying details."
    )
    return "\n".join(lines)
