"""The guidance as data: sections, question topics, answers with their source line,
and a lemma search over them."""

from bot.knowledge.model import Answer, Knowledge, Section, Topic

__all__ = ["Answer", "Knowledge", "Section", "Topic"]
