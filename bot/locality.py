"""The contact routes and document names of one area, from ``content/locality.yml``.

Every contact the assistant gives (999, the Integrated Front Door's e-mail, the
police force, the documents) comes from this one file, so another area adopts
the assistant by editing it. Texts refer to its values as ``{key}`` placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.content_file import ContentError, check_fields, load_yaml

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
# The pages' values (see the comments in content/locality.yml).
PAGE_KEYS = (
    "privacy_controller",
    "privacy_contact",
    "accessibility_contact",
    "privacy_regulator",
    "privacy_regulator_url",
    "accessibility_enforcement",
    "accessibility_enforcement_url",
)
# Values texts may use besides the required ones, and the contact routes.
OPTIONAL_KEYS = (
    "guidance_title",
    "exploitation_tool_file",
    "thresholds_document_guidance",
    "thresholds_document_file",
    "adolescent_strategy",
    "guidance_edition",
    # Not in the guidance: set by the partnership that runs the assistant, for its
    # privacy notice and accessibility statement (bot/pages/); empty means not set.
    *PAGE_KEYS,
)
CONTACT_FIELDS = ("name", "how", "evidence")


class LocalityError(ContentError):
    """The locality file is missing, unreadable or lacks a required value."""


def load_locality(path: Path) -> dict[str, str]:
    """Loads and checks the locality file; every value becomes a string."""
    if not path.exists():
        raise LocalityError(
            f"Locality file {path} not found. Copy content/locality.yml from the "
            f"repository or point CCE_CONTENT_DIR at a folder that has one."
        )
    raw = check_fields(load_yaml(path), path.name, (*REQUIRED_KEYS, *OPTIONAL_KEYS, "contacts"))
    missing = [key for key in REQUIRED_KEYS if not raw.get(key)]
    if missing:
        raise LocalityError(
            f"Locality file {path} lacks {', '.join(missing)}; add them (see the "
            f"comments in content/locality.yml for what each one is)."
        )
    return {str(key): str(value) for key, value in raw.items() if not isinstance(value, Mapping)}


@dataclass(frozen=True)
class Contact:
    """A contact route: who, how to reach them, and the guidance's words for it
    (none for the safeguarding lead, where the assistant points when the
    guidance is silent)."""

    name: str
    how: str
    evidence: tuple[str, ...] = ()


def load_contacts(path: Path) -> dict[str, Contact]:
    """The ``contacts:`` of the locality file, placeholders filled."""
    locality = load_locality(path)
    raw = load_yaml(path).get("contacts") or {}
    contacts = {}
    for key, value in raw.items():
        where = f"Contact `{key}` in {path.name}"
        check_fields(value, where, CONTACT_FIELDS, ("name", "how"))
        contacts[str(key)] = Contact(
            name=fill(str(value["name"]), locality, where=where),
            how=" ".join(fill(str(value["how"]), locality, where=where).split()),
            evidence=tuple(" ".join(str(q).split()) for q in value.get("evidence") or ()),
        )
    return contacts


def fill(template: str, locality: Mapping[str, str], *, where: str = "text") -> str:
    """Fills ``{key}`` placeholders from the locality, naming the text on error."""
    try:
        return template.format_map(locality)
    except KeyError as exc:
        raise LocalityError(
            f"{where} uses the placeholder {{{exc.args[0]}}}, which content/locality.yml "
            f"does not define; add it there or fix the placeholder."
        ) from exc
    except (ValueError, IndexError) as exc:
        raise LocalityError(
            f"{where} has a brace that is not a placeholder ({exc}); write placeholders "
            f"as {{key}} and avoid other braces."
        ) from exc
