"""Reading our own YAML files (``content/``, test scripts) strictly.

PyYAML quietly keeps the last of two equal keys and knows nothing of which
fields a file may have, so an edit that repeats a topic's ``answer:`` or
misspells ``evidence:`` would load without a word. Here every mapping is read
as a :class:`Fields` that remembers the line of each key, two equal keys in one
mapping are an error, and :func:`check_fields` refuses a field it does not
know; each error names the file and line and says what to do.

Built on PyYAML's own loader (its C parser when present), with one hook on how
mappings are built: no library we found does both checks with line numbers
without the slower round-trip parsers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContentError(ValueError):
    """A content file is missing, not valid YAML, or not in the expected shape."""


class Fields(dict):
    """A mapping read from YAML, with where each key was: ``where(key)``."""

    path: Path
    line: int
    lines: dict[Any, int]

    def where(self, key: Any = None) -> str:
        line = self.lines.get(key, self.line) if key is not None else self.line
        return f"{self.path}:{line}"


def _loader(path: Path) -> type:
    class StrictLoader(_BaseLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Fields:
            self.flatten_mapping(node)
            mapping = Fields()
            mapping.path, mapping.line, mapping.lines = path, node.start_mark.line + 1, {}
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=deep)
                line = key_node.start_mark.line + 1
                if key in mapping:
                    raise ContentError(
                        f"{path}:{line}: the key {key!r} appears twice in one mapping "
                        f"(first at line {mapping.lines[key]}); keep one of them."
                    )
                mapping[key] = self.construct_object(value_node, deep=deep)
                mapping.lines[key] = line
            return mapping

    StrictLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
        lambda loader, node: loader.construct_mapping(node, deep=True),
    )
    return StrictLoader


def load_yaml(path: Path) -> Any:
    """The file's YAML, with every mapping a :class:`Fields`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ContentError(f"{path} not found.") from exc
    try:
        return yaml.load(text, Loader=_loader(path))  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ContentError(f"{path} is not valid YAML: {exc}") from exc


def check_fields(
    mapping: Any,
    what: str,
    allowed: Iterable[str],
    required: Iterable[str] = (),
) -> Mapping[str, Any]:
    """``mapping`` if it has only ``allowed`` fields and all ``required`` ones;
    else a :class:`ContentError` naming the file, line and field."""
    allowed = tuple(allowed)
    if not isinstance(mapping, dict):
        place = f"{mapping.where()}: " if isinstance(mapping, Fields) else ""
        raise ContentError(f"{place}{what} must be a mapping of fields.")
    where = mapping.where if isinstance(mapping, Fields) else (lambda key=None: "?")
    for key in mapping:
        if key not in allowed:
            raise ContentError(
                f"{where(key)}: {what} has an unknown field {key!r}; "
                f"the fields are {', '.join(allowed)}."
            )
    for key in required:
        if key not in mapping or mapping[key] in (None, "", [], {}):
            raise ContentError(f"{where()}: {what} needs the field {key!r}.")
    return mapping
