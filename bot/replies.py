"""What the assistant says in reply to a guidance question, as plain data.

Pure functions from the knowledge and messages to :class:`~bot.messages.Reply`
lists; the Rasa actions only send them. Every guidance answer ends with its
source line; when the classifier is unsure, :func:`search_replies` offers the
closest passages instead of guessing, and always keeps the check and the
emergency route one step away.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.knowledge.loader import get_knowledge
from bot.knowledge.model import INTENT_PREFIX
from bot.knowledge.search import search
from bot.messages import Button, Reply, get_messages


def guidance_answer(topic_id: str) -> list[Reply]:
    """The answer to one topic, ending with its source line."""
    return [Reply(get_knowledge().answer(topic_id).text)]


def message(key: str, **values: str) -> list[Reply]:
    return [get_messages().reply(key, **values)]


def search_replies(
    query: str, limit: int = 3, classifier_ranking: Sequence[str] = ()
) -> list[Reply]:
    """The closest passages of the guidance to ``query``, or a request to rephrase.

    The best passage is given in full with its source line; the next ones are
    offered by their question and source line, with a button to read each.
    ``classifier_ranking`` (topic ids) re-ranks what the lemma search found.
    """
    messages = get_messages()
    hits = search(query or "", limit=limit, classifier_ranking=classifier_ranking)
    if not hits:
        return [messages.reply("search_none")]
    knowledge = get_knowledge()
    best = knowledge.answer(hits[0].topic_id)
    replies = [
        messages.reply("search_intro"),
        Reply(f"**{knowledge.topics[best.topic_id].question}**\n{best.text}"),
    ]
    others = hits[1:]
    if others:
        lines = []
        buttons = []
        for hit in others:
            topic = knowledge.topics[hit.topic_id]
            lines.append(f"- {topic.question} ({knowledge.source_line(topic.section_ids)})")
            buttons.append(Button(topic.question, f"/{INTENT_PREFIX}{topic.id}"))
        intro = messages.reply("search_more").text
        replies.append(Reply("\n".join([intro, *lines]), tuple(buttons)))
    replies.append(messages.reply("search_footer"))
    return replies
