"""The check's summary: plain text a practitioner can copy into the Exploitation
Risk Assessment Tool or a referral. It never contains the free-text description."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.triage.engine import Triage
    from bot.triage.model import Assessment

ANSWER_WORDS = {"yes": "Yes", "no": "No", "unknown": "Not known"}


def render_summary(assessment: Assessment, title: str, triage: Triage) -> str:
    catalogue = triage.catalogue
    lines = [
        "Indicator check summary (CCE practitioner assistant)",
        f"Outcome: {title}",
    ]
    if assessment.nrm_referral:
        lines.append(
            "NRM referral: yes, the answers describe a potential victim of modern slavery."
        )
    lines.append("Answers:")
    lines += [
        f"- {triage.question_labels[q]}: {ANSWER_WORDS[a]}" for q, a in assessment.answers.items()
    ]
    lines.append(
        "Indicators noted: " + ("; ".join(catalogue.labels(assessment.indicators)) or "none")
    )
    lines.append(
        "Vulnerability factors noted: "
        + ("; ".join(catalogue.labels(assessment.vulnerabilities)) or "none")
    )
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
