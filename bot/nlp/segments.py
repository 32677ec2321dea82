"""A message split into its sentences and questions, so that each can be
classified on its own.

Practitioners write "What's a trap house and what's a graft phone?", or a
situation first and the question after it ("Year 9 lad, two phones, attendance
dropped. What am I meant to do?"). Classified whole, such a message gets one
topic, often the wrong one. Here it is cut at sentence ends, and within a
sentence before a second question ("... and what's a graft phone"); each piece
is a *question* (it asks something) or a *statement* (context).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at ., ! or ? (one or more) followed by a space, or at a line break.
SENTENCE_END = re.compile(r"(?<=[.!?])[.!?]*\s+|\s*\n\s*")
QUESTION_WORDS = (
    r"what(?:'s|s)?|who(?:'s)?|whom|whose|where(?:'s)?|when|why|how(?:'s)?|which|"
    r"is|are|was|were|does|do|did|can|could|should|would|will|must|may|has|have|"
    r"am\s+i|any|wat|wot|wht|hw|whats|wheres|whos"
)
QUESTION_START = re.compile(
    rf"^(?:(?:and|also|so|but|plus|then|ok|okay|oh)\s+)*(?:{QUESTION_WORDS})\b", re.IGNORECASE
)
# Where a second question starts inside a sentence: "..., and what's ...", "... also who
# fills ...", but not an embedded clause ("... and what he is doing").
PRONOUN = r"(?:i|you|he|she|it|we|they|him|her|them|his|their|my|your|our|this|that|a|an|the)"
SECOND_QUESTION = re.compile(
    rf"(?:,?\s+(?:and|also|plus|&)\s+|,\s+)(?=(?:also\s+)?(?:{QUESTION_WORDS})\b(?!\s+{PRONOUN}\b))",
    re.IGNORECASE,
)
MIN_WORDS = 2
MAX_SEGMENTS = 6


@dataclass(frozen=True)
class Segment:
    start: int  # character offsets in the message
    end: int
    question: bool  # asks something (rather than setting the scene)

    def text(self, message: str) -> str:
        return message[self.start : self.end]


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut where each second question inside it begins (the joining
    "and" or comma belongs to neither piece)."""
    bounds, piece_start = [], start
    for match in SECOND_QUESTION.finditer(text, start, end):
        if match.start() - piece_start > 8:  # not at the very start
            bounds.append((piece_start, match.start()))
            piece_start = match.end()
    bounds.append((piece_start, end))
    return bounds


def split(text: str) -> list[Segment]:
    """The message's segments, in order; a single segment when it has one part."""
    sentences, position = [], 0
    for match in SENTENCE_END.finditer(text):
        sentences.append((position, match.start()))
        position = match.end()
    sentences.append((position, len(text)))
    segments: list[Segment] = []
    for start, end in sentences:
        for a, b in _pieces(text, start, end):
            piece = text[a:b].strip(" ,;:-–")
            if len(re.findall(r"\w+", piece)) < MIN_WORDS:
                continue
            a = text.index(piece, a)
            asks = "?" in text[a : min(len(text), a + len(piece) + 3)] or bool(
                QUESTION_START.match(piece)
            )
            segments.append(Segment(a, a + len(piece), asks))
    return segments[:MAX_SEGMENTS]
