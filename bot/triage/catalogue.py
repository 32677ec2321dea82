"""The catalogue of indicators, vulnerability factors, push and pull factors and
control methods the guidance names (``content/triage/catalogue.yml``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content_file import ContentError, check_fields, load_yaml

KINDS = ("indicator", "vulnerability", "push_factor", "pull_factor", "control_method")
# Which list of the check an item of each kind goes to: vulnerability factors
# (and the push factors, which describe the child's circumstances) are
# vulnerabilities; what the child shows or is subjected to are indicators.
VULNERABILITY_KINDS = frozenset({"vulnerability", "push_factor"})


ITEM_FIELDS = (
    "id", "kind", "label", "section", "evidence", "phrases", "token_patterns", "implies",
    "intelligence",
)  # fmt: skip


class CatalogueError(ContentError):
    """The catalogue file is malformed, or an id is not in it."""


@dataclass(frozen=True)
class CatalogueItem:
    id: str
    kind: str
    label: str
    section: str
    evidence: tuple[str, ...] = ()  # the guidance's own words for the item
    phrases: tuple[str, ...] = ()
    token_patterns: tuple[Any, ...] = ()
    # Answers of the check this item, recognised in a description, pre-selects for
    # the practitioner to confirm (e.g. cuckooing: `home_taken_over: yes`).
    implies: Mapping[str, str] = field(default_factory=dict)
    # Whether knowing of it is intelligence on perpetrators' methods (for the PIF).
    intelligence: bool = False

    @property
    def is_vulnerability(self) -> bool:
        return self.kind in VULNERABILITY_KINDS


class Catalogue:
    def __init__(self, items: Iterable[CatalogueItem]) -> None:
        self.items: dict[str, CatalogueItem] = {}
        for item in items:
            if item.id in self.items:
                raise CatalogueError(f"Catalogue id {item.id!r} is listed twice.")
            self.items[item.id] = item

    def __getitem__(self, item_id: str) -> CatalogueItem:
        try:
            return self.items[item_id]
        except KeyError as exc:
            raise CatalogueError(
                f"{item_id!r} is not in the indicator catalogue; "
                f"`python -m bot indicators` lists the ids."
            ) from exc

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.items

    def labels(self, ids: Iterable[str]) -> list[str]:
        return [self[i].label for i in ids]

    def of_kind(self, kind: str) -> list[str]:
        """The ids of one kind, in the catalogue's (the guidance's) order."""
        return [i.id for i in self.items.values() if i.kind == kind]

    def as_list(self) -> list[dict[str, Any]]:
        """The catalogue as JSON-ready data (ids, kinds, labels, sections)."""
        return [
            {"id": i.id, "kind": i.kind, "label": i.label, "section": i.section}
            for i in self.items.values()
        ]


def load_catalogue(path: Path, section_ids: Iterable[str] = ()) -> Catalogue:
    raw = check_fields(load_yaml(path) or {}, path.name, ("items",), ("items",))
    known_sections = set(section_ids)
    items = []
    for entry in raw.get("items") or []:
        where = f"Catalogue item {entry.get('id', '?')!r} in {path.name}"
        check_fields(entry, where, ITEM_FIELDS, ("id", "kind", "label", "section", "evidence"))
        if entry.get("kind") not in KINDS:
            raise CatalogueError(f"{where}: kind must be one of {', '.join(KINDS)}.")
        if known_sections and entry.get("section") not in known_sections:
            raise CatalogueError(f"{where}: unknown section {entry.get('section')!r}.")
        if not entry.get("id") or not entry.get("label"):
            raise CatalogueError(f"{where}: needs an `id` and a `label`.")
        items.append(
            CatalogueItem(
                id=str(entry["id"]),
                kind=str(entry["kind"]),
                label=str(entry["label"]),
                section=str(entry.get("section", "")),
                evidence=tuple(" ".join(str(q).split()) for q in entry["evidence"]),
                phrases=tuple(str(p) for p in entry.get("phrases") or ()),
                token_patterns=tuple(entry.get("token_patterns") or ()),
                implies={str(k): str(v) for k, v in (entry.get("implies") or {}).items()},
                intelligence=bool(entry.get("intelligence", False)),
            )
        )
    if not items:
        raise CatalogueError(f"{path} has no items under `items:`.")
    return Catalogue(items)
