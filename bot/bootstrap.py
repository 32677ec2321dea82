"""The composition root: the assistant's parts, each loaded once and handed out
by one accessor, :func:`app`.

An :class:`App` holds the settings and what is loaded from them: the server
secret, the guidance knowledge, the check's catalogue, questions (plan),
contacts and rules, the engine's inputs (triage), the texts, the spaCy
pipeline, the indicator matcher and the guidance search index. Each part is
built on first use from the others (so importing this module, or asking for
the settings, loads nothing else) and kept for the life of the process. A
process loads what its turns need before it serves (:meth:`App.load_for_actions`;
:mod:`bot.entrypoints`).

Rasa builds our NLU components, the tracker store and (through rasa-sdk) the
actions itself, so they reach their parts through :func:`app`. Tests build an
:class:`App` from explicit parts (``App(settings=..., catalogue=...)``; parts
not given are still loaded on first use) and install it with :func:`use`, or
start afresh after changing the environment with :func:`reset`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from spacy.language import Language

    from bot.config import Settings
    from bot.knowledge.model import Knowledge
    from bot.knowledge.search import LemmaIndex
    from bot.locality import Contact
    from bot.nlp.indicator_matcher import IndicatorMatcher
    from bot.secrets import Purpose
    from bot.texts.messages import Messages
    from bot.triage.catalogue import Catalogue
    from bot.triage.engine import Triage
    from bot.triage.plan import CheckPlan
    from bot.triage.rules import RuleSet

logger = logging.getLogger(__name__)
P = TypeVar("P")

PARTS = (
    "settings", "secret", "knowledge", "catalogue", "plan", "contacts", "rules", "triage",
    "texts", "nlp", "matcher", "search_index",
)  # fmt: skip


class App:
    """The assistant's parts (see the module's text). Each is built once, on
    first use; parts given to the constructor are used as they are."""

    def __init__(self, **parts: Any) -> None:
        unknown = set(parts) - set(PARTS)
        if unknown:
            raise TypeError(f"App has no part {', '.join(sorted(unknown))}")
        self._parts: dict[str, Any] = dict(parts)
        self._keys: dict[Any, bytes] = {}
        self._previous: App | None = None  # see reset()

    def _part(self, name: str, build: Callable[[], P]) -> P:
        try:
            return self._parts[name]
        except KeyError:
            pass
        part = self._carried(name)
        if part is None:
            part = build()
        self._parts[name] = part
        return part

    def _inputs(self, name: str) -> tuple[Any, ...]:
        """The settings a part is loaded from."""
        if name == "nlp":
            return ()
        if name == "secret":
            return (self.settings.var_dir, self.settings.secret_key)
        return (self.settings.content_dir,)

    def _carried(self, name: str) -> Any:
        """The previous App's part, if it had loaded it from the same settings."""
        previous = self._previous
        if previous is None or name == "settings" or name not in previous._parts:
            return None
        if "settings" not in previous._parts:  # parts given to it, not loaded
            return None
        if previous._inputs(name) != self._inputs(name):
            return None
        if name == "secret":
            self._keys.update(previous._keys)
        return previous._parts[name]

    @property
    def settings(self) -> Settings:
        from bot.config import load_settings

        return self._part("settings", load_settings)

    @property
    def secret(self) -> bytes:
        """The server secret: only for deriving keys (:meth:`key`), and for
        finding records stored before keys were derived."""
        from bot.secrets import load_or_create_secret

        settings = self.settings
        return self._part(
            "secret", lambda: load_or_create_secret(settings.var_dir, settings.secret_key)
        )

    def key(self, purpose: Purpose) -> bytes:
        """The key for `purpose`, derived from the secret."""
        from bot.secrets import derive_key

        key = self._keys.get(purpose)
        if key is None:
            key = self._keys[purpose] = derive_key(self.secret, purpose)
        return key

    @property
    def knowledge(self) -> Knowledge:
        from bot.knowledge.loader import load_knowledge

        settings = self.settings
        return self._part(
            "knowledge", lambda: load_knowledge(settings.guidance_dir, settings.locality_file)
        )

    @property
    def catalogue(self) -> Catalogue:
        from bot.triage.catalogue import load_catalogue

        return self._part(
            "catalogue",
            lambda: load_catalogue(
                self.settings.triage_dir / "catalogue.yml", self.knowledge.sections
            ),
        )

    @property
    def plan(self) -> CheckPlan:
        """The check's questions and screens, from check.yml."""
        from bot.triage.plan import load_plan

        return self._part(
            "plan", lambda: load_plan(self.settings.triage_dir / "check.yml", self.catalogue)
        )

    @property
    def contacts(self) -> dict[str, Contact]:
        from bot.locality import load_contacts

        return self._part("contacts", lambda: load_contacts(self.settings.locality_file))

    @property
    def rules(self) -> RuleSet:
        from bot.triage.rules import load_rules

        return self._part(
            "rules",
            lambda: load_rules(
                self.settings.triage_dir / "rules.yml",
                contact_ids=frozenset(self.contacts),
                section_ids=frozenset(self.knowledge.sections),
            ),
        )

    @property
    def triage(self) -> Triage:
        """The engine's inputs (without a free-text extractor)."""
        from bot.triage.engine import Triage

        def build() -> Triage:
            knowledge = self.knowledge
            return Triage(
                rules=self.rules,
                catalogue=self.catalogue,
                plan=self.plan,
                contacts=self.contacts,
                locality=knowledge.locality,
                source_line=knowledge.source_line,
                edition=knowledge.edition,
            )

        return self._part("triage", build)

    @property
    def texts(self) -> Messages:
        """The assistant's own texts (content/messages.yml), contacts filled in."""
        from bot.texts.messages import load_messages

        return self._part(
            "texts", lambda: load_messages(self.settings.messages_file, self.knowledge)
        )

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline (lemmas) every NLU component and the search share."""
        from bot.nlp.pipeline import build_nlp

        return self._part("nlp", build_nlp)

    @property
    def matcher(self) -> IndicatorMatcher:
        """The indicator matcher over the catalogue (and its concepts, if any)."""
        from bot.nlp.indicator_matcher import IndicatorMatcher

        def build() -> IndicatorMatcher:
            concepts = self.settings.triage_dir / "indicator_concepts.yml"
            return IndicatorMatcher(
                self.catalogue, concepts=concepts if concepts.exists() else None, nlp=self.nlp
            )

        return self._part("matcher", build)

    @property
    def search_index(self) -> LemmaIndex:
        """The guidance search's index (building it lemmatises every passage)."""
        from bot.knowledge.search import build_index
        from bot.nlp.pipeline import content_lemmas

        nlp = self.nlp
        return self._part(
            "search_index",
            lambda: build_index(self.knowledge, lambda text: content_lemmas(nlp(text.lower()))),
        )

    def load_for_actions(self) -> None:
        """Loads every part the actions use, so that no practitioner's turn pays
        for it; and migrates the records' schema once."""
        from bot.storage.records import ready

        for part in ("texts", "catalogue", "plan", "triage", "search_index"):
            getattr(self, part)
        try:
            ready(self.settings.effective_database_url)
        except Exception as exc:  # noqa: BLE001 - the server must start; a check retries
            logger.warning("The records database is not ready yet (%s).", type(exc).__name__)


_app: App | None = None


def app() -> App:
    """This process's parts."""
    global _app
    if _app is None:
        _app = App()
    return _app


def use(new: App | None) -> App | None:
    """Makes `new` this process's parts (None: a fresh App on next use); returns
    the App it replaces. For tests: see the ``app_parts`` fixture."""
    global _app
    replaced, _app = _app, new
    return replaced


def reset() -> None:
    """Reads the environment again on next use (after a test changed it): the
    settings anew, and each part again only if the settings it is loaded from
    (the content folder; for the secret, var/ and CCE_SECRET_KEY) changed."""
    global _app
    previous = _app
    _app = App()
    if previous is not None and not previous._parts:  # reset twice: carry from before
        previous = previous._previous
    if previous is not None:
        previous._previous = None
        _app._previous = previous
