"""The guidance's full text, the source of truth, and where a quotation stands in it.

Every answer, rule, step and checklist item carries ``evidence``: the guidance's
own words it stands on. :class:`GuidanceText` finds a quotation in the text
(whitespace-normalised, nothing else) and says which section it is in, so a test
can hold every piece of content to words the guidance really contains, and to
the sections its source line names.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.content_file import ContentError

BOOKMARK = re.compile(r"\[bookmark: _bookmark\d+\]")


def normalise(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class GuidanceText:
    text: str  # whitespace-normalised, bookmark markers removed
    spans: Mapping[str, tuple[int, int]]  # section id -> [start, end) in `text`
    fingerprint: str  # the first 12 hex digits of the file's SHA-256

    def sections_of(self, quote: str) -> set[str]:
        """The sections a quotation occurs in (empty when the guidance lacks it)."""
        wanted = normalise(quote)
        found = set()
        start = self.text.find(wanted)
        while start >= 0:
            end = start + len(wanted)
            found |= {s for s, (a, b) in self.spans.items() if a <= start and end <= b}
            if not found:
                found.add("")  # in the text, across a section boundary or before the first
            start = self.text.find(wanted, start + 1)
        return found

    def contains(self, quote: str) -> bool:
        return normalise(quote) in self.text


def load_guidance_text(path: Path, section_starts: Mapping[str, str]) -> GuidanceText:
    """Reads the text; ``section_starts`` maps each section id, in document order,
    to its heading line as it stands in the text (sections.yml's ``starts``)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ContentError(
            f"The guidance text {path} is not found; it is part of the project."
        ) from exc
    lines = [BOOKMARK.sub("", line).strip() for line in raw.decode("utf-8").splitlines()]
    starts: dict[str, int] = {}
    offset, position, line_offsets = 0, 0, []
    for line in lines:
        line_offsets.append(offset)
        offset += len(normalise(line)) + 1 if normalise(line) else 0
    text = normalise(" ".join(lines))
    for section_id, heading in section_starts.items():
        found = next(
            (n for n in range(position, len(lines)) if normalise(lines[n]) == normalise(heading)),
            None,
        )
        if found is None:
            raise ContentError(
                f"Section {section_id!r}: its `starts` line {heading!r} is not a line of "
                f"{path.name} after the previous section's; copy the heading as it stands there."
            )
        starts[section_id] = line_offsets[found]
        position = found + 1
    ordered = list(starts.items())
    spans = {
        section_id: (start, ordered[n + 1][1] if n + 1 < len(ordered) else len(text))
        for n, (section_id, start) in enumerate(ordered)
    }
    return GuidanceText(text, spans, hashlib.sha256(raw).hexdigest()[:12])


def missing_quotes(
    guidance: GuidanceText, quotes: Iterable[str], sections: Iterable[str] = ()
) -> list[str]:
    """The quotations not in the guidance, or (when ``sections`` are given) in none
    of those sections."""
    wanted = set(sections)
    missing = []
    for quote in quotes:
        where = guidance.sections_of(quote)
        if not where or (wanted and not where & wanted):
            missing.append(quote)
    return missing
