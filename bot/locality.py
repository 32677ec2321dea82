"""The contact routes and document names of one area, from ``data/locality.yml``.

Every contact the assistant gives (999, the Integrated Front Door's e-mail, the
police force, the documents) comes from this one file, so another area adopts
the assistant by editing it. Texts refer to its values as ``{key}`` placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

REQUIRED_KEYS = (
    "area",
    "source_prefix",
    "emergency_number",
    "front_door_name",
    "front_door_email",
    "police_force",
    "exploitation_tool",
    "thresholds_document",
    "nrm_name",
    "intelligence_form",
)


class LocalityError(ValueError):
    """The locality file is missing, unreadable or lacks a required value."""


def load_locality(path: Path) -> dict[str, str]:
    """Loads and checks the locality file; every value becomes a string."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LocalityError(
            f"Locality file {path} not found. Copy data/locality.yml from the "
            f"repository or point CCE_DATA_DIR at a folder that has one."
        ) from exc
    except yaml.YAMLError as exc:
        raise LocalityError(f"Locality file {path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise LocalityError(f"Locality file {path} must be a mapping of key: value.")
    missing = [key for key in REQUIRED_KEYS if not raw.get(key)]
    if missing:
        raise LocalityError(
            f"Locality file {path} lacks {', '.join(missing)}; add them (see the "
            f"comments in data/locality.yml for what each one is)."
        )
    return {str(key): str(value) for key, value in raw.items() if not isinstance(value, Mapping)}


def load_contacts(path: Path) -> dict[str, dict[str, str]]:
    """The ``contacts:`` of the locality file, placeholders filled: id -> name, how."""
    locality = load_locality(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")).get("contacts") or {}
    contacts = {}
    for key, value in raw.items():
        where = f"Contact `{key}` in {path.name}"
        if not isinstance(value, Mapping) or not value.get("name") or not value.get("how"):
            raise LocalityError(f"{where} needs a `name` and a `how`.")
        contacts[str(key)] = {
            "name": fill(str(value["name"]), locality, where=where),
            "how": fill(str(value["how"]), locality, where=where),
        }
    return contacts


def fill(template: str, locality: Mapping[str, str], *, where: str = "text") -> str:
    """Fills ``{key}`` placeholders from the locality, naming the text on error."""
    try:
        return template.format_map(locality)
    except KeyError as exc:
        raise LocalityError(
            f"{where} uses the placeholder {{{exc.args[0]}}}, which data/locality.yml "
            f"does not define; add it there or fix the placeholder."
        ) from exc
    except (ValueError, IndexError) as exc:
        raise LocalityError(
            f"{where} has a brace that is not a placeholder ({exc}); write placeholders "
            f"as {{key}} and avoid other braces."
        ) from exc
