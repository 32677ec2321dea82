"""Every place where this project replaces a callable of rasa 3.6 (or rasa-sdk),
in one table, installed by one function.

:data:`PATCHES` lists, per patch, the callable replaced (its dotted path), ours
(its dotted path), a one-line why, whether it is a pure speed-up (rasa's results
exactly, less work) or a behaviour change (security, the site), and the group it
is installed with. A process installs the groups it needs (:func:`install`):
the Rasa server (:mod:`bot.entrypoints.rasa_run`) the speed-ups, the site, the
API's token check, the log setup and, by default, the in-process actions; the
action server (:mod:`bot.entrypoints.actions_run`) its log setup and ``/metrics``.

The patches were written against the internals of rasa :data:`WRITTEN_FOR`. On
any other version :func:`install` installs none of them, logs a warning naming
both versions, and the process runs plain rasa. Installing is idempotent: what
was installed is recorded (with rasa's original, :func:`original`) and not
installed again.

Not in the table, as it replaces nothing: the action server's shared-secret
check (:mod:`bot.rasa_patches.action_auth`) registers itself through rasa-sdk's
public plugin hook, on every version.

Why each patch exists, with the figures measured: ``docs/performance.md``.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

WRITTEN_FOR = "3.6.21"  # the rasa version whose internals these patches replace

SPEED, BEHAVIOUR = "speed-up", "behaviour"
# The groups a process installs (see the module's text).
SPEEDUPS = "speed-ups"
SITE = "site"
API_AUTH = "api-auth"
STARTUP = "startup"
RASA_LOGS = "rasa-logs"
INPROCESS_ACTIONS = "in-process-actions"
ACTION_SERVER = "action-server"
RASA_SERVER = (SPEEDUPS, STARTUP, SITE, API_AUTH, RASA_LOGS)  # always, in the Rasa server

_P = "bot.rasa_patches"


@dataclass(frozen=True)
class Patch:
    target: str  # the callable replaced, e.g. "rasa.server.add_root_route"
    replacement: str  # ours, by dotted name (imported when installed)
    why: str
    kind: str  # SPEED or BEHAVIOUR
    group: str


PATCHES: tuple[Patch, ...] = (
    # ---- speed-ups: rasa's results exactly, less work ----
    Patch("rasa.core.actions.action.RemoteAction._validate_action_result",
          f"{_P}.actions.validate_action_result",
          "jsonschema re-checked the constant schema against its meta-schema for every "
          "action response; we check it once and only each event's own schema",
          SPEED, SPEEDUPS),
    Patch("rasa.core.actions.action.RemoteAction._action_call_format",
          f"{_P}.actions.action_call_format",
          "an action is sent the state whole but only the events from the "
          "third-last user message on (bot.action_events)",
          SPEED, SPEEDUPS),
    Patch("rasa.utils.endpoints.EndpointConfig.session",
          f"{_P}.actions.shared_session",
          "one aiohttp session per endpoint and event loop: no new TCP connection per action call",
          SPEED, SPEEDUPS),
    Patch("rasa.shared.core.events.Event.resolve_by_type",
          f"{_P}.lookups.resolve_by_type",
          "the class found for an event type name is kept instead of walking every "
          "subclass of Event for each event read",
          SPEED, SPEEDUPS),
    Patch("rasa.shared.core.domain.Domain.is_empty",
          f"{_P}.lookups.domain_is_empty",
          "worked out once per domain instead of comparing the whole domain twice a message",
          SPEED, SPEEDUPS),
    Patch("rasa.engine.runner.dask.DaskGraphRunner.run",
          f"{_P}.graph_runner.run",
          "the graph's nodes called in a fixed order instead of through dask's scheduler",
          SPEED, SPEEDUPS),
    Patch("rasa.core.policies.rule_policy.RulePolicy._get_possible_keys",
          f"{_P}.rule_matching.get_possible_keys",
          "a rule is tried only where it can match, and the answer kept per tail of states",
          SPEED, SPEEDUPS),
    Patch("rasa.core.policies.rule_policy.RulePolicy.format_tracker_states",
          f"{_P}.rule_matching.format_tracker_states",
          "the debug text of every state is built only when debug logging is on",
          SPEED, SPEEDUPS),
    Patch("rasa.shared.core.trackers.DialogueStateTracker.applied_events",
          f"{_P}.tracker_memo.applied_events",
          "folded incrementally over the new events instead of over all of them",
          SPEED, SPEEDUPS),
    Patch("rasa.shared.core.trackers.DialogueStateTracker.past_states",
          f"{_P}.tracker_memo.past_states",
          "replayed from a checkpoint instead of from the first event",
          SPEED, SPEEDUPS),
    Patch("rasa.shared.core.trackers.DialogueStateTracker.copy",
          f"{_P}.tracker_memo.copy_tracker",
          "a kept replay is cloned instead of replaying every event",
          SPEED, SPEEDUPS),
    Patch("rasa.core.actions.forms.FormAction._temporary_tracker",
          f"{_P}.tracker_memo.temporary_tracker",
          "the tracker is copied instead of replaying every event since the restart",
          SPEED, SPEEDUPS),
    Patch("rasa.core.run.load_agent_on_start",
          f"{_P}.agent_loading.load_then_freeze",
          "once the model is loaded, the redaction worker starts and the loaded objects "
          "are frozen out of the garbage collector's sight",
          SPEED, STARTUP),
    # ---- behaviour changes ----
    Patch("rasa.server.add_root_route",
          f"{_P}.site.add_site_routes",
          "our pages (chat, privacy, accessibility, health, metrics) instead of "
          "'Hello from Rasa', and the request size limit and trusted proxies",
          BEHAVIOUR, SITE),
    Patch("rasa.server.requires_auth",
          f"{_P}.api_auth.requires_auth",
          "the HTTP API's token from the environment, only in an Authorization header",
          BEHAVIOUR, API_AUTH),
    Patch("rasa.__main__.configure_structlog",
          f"{_P}.logs.configure_structlog",
          "our log setup (JSON lines, no message text above DEBUG) after rasa's",
          BEHAVIOUR, RASA_LOGS),
    Patch("rasa.core.utils.AvailableEndpoints.read_endpoints",
          "bot.entrypoints.inprocess_actions.read_endpoints",
          "our actions run in the Rasa server by rasa-sdk's executor, not over HTTP",
          BEHAVIOUR, INPROCESS_ACTIONS),
    Patch("rasa_sdk.utils.update_sanic_log_level",
          f"{_P}.logs.update_sanic_log_level",
          "our log setup after rasa-sdk's, in the action server",
          BEHAVIOUR, ACTION_SERVER),
    Patch("rasa_sdk.endpoint.create_app",
          f"{_P}.action_server.create_app",
          "the action server answers GET /metrics too (the check outcomes it counted)",
          BEHAVIOUR, ACTION_SERVER),
)  # fmt: skip

_ORIGINALS: dict[str, Any] = {}  # target -> rasa's own callable, for what is installed


def rasa_version() -> str:
    """The installed rasa's version (``rasa.__version__``), read without importing
    rasa (the action server does not otherwise)."""
    from importlib.metadata import version

    return version("rasa")


def _resolve(dotted: str) -> tuple[Any, str]:
    """The object holding the last name of `dotted` (a module or a class), and the name."""
    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner: Any = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for name in parts[split:-1]:
            owner = getattr(owner, name)
        return owner, parts[-1]
    raise ImportError(f"cannot find {dotted!r}")


def load(dotted: str) -> Any:
    """The object a dotted name names."""
    owner, name = _resolve(dotted)
    return getattr(owner, name)


def install(*groups: str) -> list[str]:
    """Installs the patches of `groups` not installed yet; the targets installed
    now. On a rasa version other than :data:`WRITTEN_FOR`, none (plain rasa)."""
    found = rasa_version()
    if found != WRITTEN_FOR:
        logger.warning(
            "The Rasa patches were written for rasa %s but rasa %s is installed: none is "
            "installed, and plain rasa behaviour is used (%s).",
            WRITTEN_FOR, found, ", ".join(groups),
        )  # fmt: skip
        return []
    done = []
    for patch in PATCHES:
        if patch.group not in groups or patch.target in _ORIGINALS:
            continue
        owner, name = _resolve(patch.target)
        replacement = load(patch.replacement)
        if inspect.isclass(owner) and isinstance(
            inspect.getattr_static(owner, name), (staticmethod, classmethod)
        ):
            replacement = staticmethod(replacement)  # called as rasa calls the original
        _ORIGINALS[patch.target] = getattr(owner, name)
        setattr(owner, name, replacement)
        done.append(patch.target)
    if done:
        logger.debug("Rasa patches installed: %s.", ", ".join(done))
    return done


def original(target: str) -> Any:
    """Rasa's own callable that the installed patch of `target` replaced."""
    return _ORIGINALS[target]


def installed() -> frozenset[str]:
    """The targets installed in this process."""
    return frozenset(_ORIGINALS)
