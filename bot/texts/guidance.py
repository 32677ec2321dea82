"""What the assistant says in reply to a guidance question, as plain data.

Pure functions from the knowledge and messages to :class:`~bot.texts.messages.Reply`
lists; the Rasa actions only send them. Every guidance answer ends with its
source line; when the classifier is unsure, :func:`search_replies` offers the
closest passages instead of guessing, and always keeps the check and the
emergency route one step away.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot import bootstrap
from bot.knowledge.answering import Plan
from bot.knowledge.model import INTENT_PREFIX
from bot.knowledge.search import search
from bot.texts.messages import FEEDBACK, Button, Reply


def guidance_answer(topic_id: str, answer_id: str | None = None) -> list[Reply]:
    """The answer to one topic, ending with its source line; with ``answer_id``,
    it carries what the widget and Teams need to ask whether it helped."""
    custom = {FEEDBACK: {"answer_id": answer_id, "topic": topic_id}} if answer_id else None
    return [Reply(bootstrap.app().knowledge.answer(topic_id).text, custom=custom)]


def plan_replies(
    the_plan: Plan,
    query: str,
    answer_ids: Sequence[str],
    limit: int = 3,
    classifier_ranking: Sequence[str] = (),
) -> list[Reply]:
    """What to say for a plan (:func:`bot.knowledge.answering.plan`): each answer
    with its source line, or the question asked back, or the search's passages;
    then the check, when offered. ``answer_ids`` go with the answers, in order."""
    messages = bootstrap.app().texts
    if the_plan.choices:
        knowledge = bootstrap.app().knowledge
        buttons = [
            Button(knowledge.topics[t].question, f"/{INTENT_PREFIX}{t}") for t in the_plan.choices
        ]
        buttons.append(messages.button("something_else"))
        replies = [Reply(messages.reply("clarify").text, tuple(buttons))]
    elif the_plan.route == "search":
        replies = search_replies(query, limit, classifier_ranking)
    elif the_plan.topics:
        replies = [
            reply
            for topic, answer_id in zip(the_plan.topics, answer_ids, strict=True)
            for reply in guidance_answer(topic, answer_id)
        ]
    else:
        replies = [messages.reply("search_none")]
    if the_plan.offer_check:
        replies.append(messages.reply("offer_check"))
    return replies


def message(key: str, **values: str) -> list[Reply]:
    return [bootstrap.app().texts.reply(key, **values)]


def search_replies(
    query: str, limit: int = 3, classifier_ranking: Sequence[str] = ()
) -> list[Reply]:
    """The closest passages of the guidance to ``query``, or a request to rephrase.

    The best passage is given in full with its source line; the next ones are
    offered by their question and source line, with a button to read each.
    ``classifier_ranking`` (topic ids) re-ranks what the lemma search found.
    """
    messages = bootstrap.app().texts
    hits = search(query or "", limit=limit, classifier_ranking=classifier_ranking)
    if not hits:
        return [messages.reply("search_none")]
    knowledge = bootstrap.app().knowledge
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
