"""Every setting of the assistant, read from the environment in one place.

Each setting has a default that works on a fresh clone with no services: the
embedded SQLite file under ``var/``, the Rasa server on port 5005 with our actions
in it (a separate action server, when asked for, on port 5055). Read settings
through ``bot.bootstrap.app().settings``; nothing else in the project reads ``os.environ``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T", int, float)


class SettingsError(ValueError):
    """A setting is wrong; the message says which and how to fix it."""


Reader = Callable[[str, Any], Any]  # (variable, the field's default) -> value, or None: unset


def _raw(name: str, default: Any) -> str | None:
    return os.environ.get(name) or None


def _text(name: str, default: Any) -> str | None:
    """Without surrounding spaces; blank counts as unset."""
    return os.environ.get(name, "").strip() or None


def _lower(name: str, default: Any) -> str | None:
    return os.environ.get(name, "").strip().lower() or None


def _choice(name: str, default: Any) -> str | None:
    """Lower case; set but blank is kept (and refused by _checked)."""
    value = os.environ.get(name)
    return None if value is None else value.strip().lower()


def _path(name: str, default: Any) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def _url(name: str, default: Any) -> str | None:
    """An address without surrounding spaces or a trailing slash."""
    return os.environ.get(name, "").strip().rstrip("/") or None


def _number(name: str, default: T, parse: Callable[[str], T]) -> T | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise SettingsError(
            f"Setting {name}={value!r} is not a valid number; set it to e.g. {default} "
            f"or unset it to use the default."
        ) from exc


def _int(name: str, default: Any) -> int | None:
    return _number(name, default, int)


def _float(name: str, default: Any) -> float | None:
    return _number(name, default, float)


def _flag(name: str, default: Any) -> bool | None:
    value = os.environ.get(name)
    return None if value is None else value.strip().lower() in ("1", "true", "yes")


def _one(name: str, default: Any) -> bool | None:
    """True only for "1"."""
    value = os.environ.get(name)
    return None if value is None else value.strip() == "1"


def _comma_list(name: str, default: Any) -> tuple[str, ...] | None:
    value = os.environ.get(name)
    return None if value is None else tuple(p.strip() for p in value.split(",") if p.strip())


def _origins(name: str, default: Any) -> tuple[str, ...] | None:
    """Origins without a trailing slash; never ``*``."""
    value = os.environ.get(name)
    if value is None:
        return None
    return tuple(
        origin.strip().rstrip("/")
        for origin in value.split(",")
        if origin.strip() and origin.strip() != "*"
    )


def env(
    names: str | tuple[str, ...],
    read: Reader,
    default: Any = MISSING,
    *,
    factory: Callable[[], Any] | None = None,
    secret: bool = False,
) -> Any:
    """A setting's field: its default, written only here, and the environment
    variables it is read from (the first one set wins) with their reader."""
    metadata = {"env": (names,) if isinstance(names, str) else names, "read": read}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata, repr=not secret)
    return field(default=default, metadata=metadata, repr=not secret)


# Where our actions run (CCE_ACTIONS): in the Rasa server, or a separate action server.
ACTIONS_IN_PROCESS, ACTIONS_SERVER = "in-process", "server"
# How the servers write their log (CCE_LOG_FORMAT): rasa's lines, or one JSON object a line.
LOG_TEXT, LOG_JSON = "text", "json"
# The REST channel (CCE_ENABLE_REST): off, on, or on only while the server listens
# on a loopback address (what `make run` asks for).
REST_OFF, REST_ON, REST_LOCAL = "off", "on", "local"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
# The shortest bearer token accepted (HTTP API, REST channel): a shorter one turns nothing on.
MIN_TOKEN_CHARS = 16
RATE_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` requests per ``seconds`` (in bursts of up to ``count``);
    a count of 0 turns the limit off."""

    count: int
    seconds: float

    @property
    def on(self) -> bool:
        return self.count > 0


def parse_rate(name: str, value: str) -> RateLimit:
    """``"30/minute"`` (or ``/second``, ``/hour``); ``"off"`` or ``"0"``: no limit."""
    text = value.strip().lower()
    if text in ("off", "0", "none"):
        return RateLimit(0, 60.0)
    count, _, unit = text.partition("/")
    if count.strip().isdigit() and unit.strip() in RATE_UNITS and int(count) > 0:
        return RateLimit(int(count), RATE_UNITS[unit.strip()])
    raise ValueError(
        f"Setting {name}={value!r} is not a rate: write e.g. '30/minute' (units: "
        f"{', '.join(RATE_UNITS)}), or 'off' for no limit."
    )


def _rate(name: str, default: Any) -> RateLimit | None:
    value = os.environ.get(name, "")
    return parse_rate(name, value) if value.strip() else None


def _rest_mode(name: str, default: Any) -> str | None:
    value = os.environ.get(name)
    if value is None:
        return None
    text = value.strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return REST_OFF
    if text in ("1", "true", "yes", "on"):
        return REST_ON
    return text


@dataclass(frozen=True)
class Settings:
    """The assistant's configuration. See README.md, section Settings."""

    # What the assistant knows and says: the guidance, the check's rules and
    # catalogue, the locality's contacts and the texts (content/ in the project).
    content_dir: Path = env("CCE_CONTENT_DIR", _path, factory=lambda: PROJECT_ROOT / "content")
    var_dir: Path = env("CCE_VAR_DIR", _path, factory=lambda: PROJECT_ROOT / "var")
    models_dir: Path = env("CCE_MODELS_DIR", _path, factory=lambda: PROJECT_ROOT / "models")
    # The address the servers listen on: this machine only unless a deployer says
    # otherwise (0.0.0.0 in a container, behind the reverse proxy).
    host: str = env("CCE_HOST", _text, "127.0.0.1")
    port: int = env("CCE_PORT", _int, 5005)
    action_port: int = env("CCE_ACTION_PORT", _int, 5055)
    # Where our actions run: "in-process" (in the Rasa server, by rasa-sdk's
    # executor) or "server" (a separate rasa-sdk action server, reached over HTTP).
    actions: str = env("CCE_ACTIONS", _choice, ACTIONS_IN_PROCESS)
    # Where the Rasa server finds the action server (endpoints.yml reads it from
    # the environment, which `serve` sets); by default the local action port.
    action_server_url_setting: str = env("CCE_ACTION_SERVER_URL", _raw, "")
    # How many guidance passages the search offers when the classifier is unsure
    # (the confidence threshold itself is the FallbackClassifier's, in config.yml).
    search_results: int = env("CCE_SEARCH_RESULTS", _int, 3)
    database_url: str = env("CCE_DATABASE_URL", _raw, "")
    # Where conversations (Rasa's tracker store) are kept; SQLite file by default.
    tracker_database_url: str = env("CCE_TRACKER_DB_URL", _raw, "")
    # Redis for the conversation lock store when several Rasa instances share the
    # tracker store, e.g. redis://127.0.0.1:6379/1; unset: in-memory locks.
    redis_url: str = env("CCE_REDIS_URL", _raw, "")
    # Processes (Sanic workers) of the Rasa server. More than one needs CCE_REDIS_URL,
    # so that a conversation is locked across them; one core each is a good start.
    # rasa's own SANIC_WORKERS counts too, so that the lock store's check sees it.
    workers: int = env(("CCE_WORKERS", "SANIC_WORKERS"), _int, 1)
    # Rasa's HTTP API (/model/parse, /conversations/...): off unless a deployer
    # turns it on, and then only with a token.
    enable_api: bool = env("CCE_ENABLE_API", _flag, False)
    api_token: str = env("CCE_API_TOKEN", _raw, "", secret=True)
    # The REST channel (POST /webhooks/rest/webhook): "off" (404), "on" (with
    # CCE_REST_TOKEN as a bearer token) or "local" (on only while `host` is a
    # loopback address; the token generated into var/rest.token if not set).
    rest: str = env("CCE_ENABLE_REST", _rest_mode, REST_OFF)
    rest_token: str = env("CCE_REST_TOKEN", _text, "", secret=True)
    # Sent by the Rasa server to a separate action server, which refuses requests
    # without it; empty: derived from the server secret (bot.rasa_patches.action_auth).
    action_secret: str = env("CCE_ACTION_SECRET", _text, "", secret=True)
    # The longest message (characters) any channel hands to the assistant; a longer
    # one is answered with a request to shorten it and never processed. (The widget's
    # limit before; the check reads the first 5,000 characters of a description.)
    max_message_chars: int = env("CCE_MAX_MESSAGE_CHARS", _int, 10_000)
    # Requests one client (IP address) may send to the REST and widget webhooks, and
    # messages one conversation may send, in any channel; beyond them, 429 and
    # Retry-After. The client's is generous: a council's staff may all reach the
    # server from one address.
    rate_limit_client: RateLimit = env("CCE_RATE_LIMIT_CLIENT", _rate, RateLimit(300, 60.0))
    rate_limit_conversation: RateLimit = env(
        "CCE_RATE_LIMIT_CONVERSATION", _rate, RateLimit(30, 60.0)
    )
    # Reverse proxies in front of the server whose X-Forwarded-For is trusted for
    # the client's address (1 behind deploy/nginx.conf; 0: the connection's address).
    trusted_proxies: int = env("CCE_TRUSTED_PROXIES", _int, 0)
    # Seconds a turn may take before the user gets the holding message instead.
    turn_timeout: float = env("CCE_TURN_TIMEOUT", _float, 5.5)
    # Check every incremental tracker result of bot.rasa_patches.tracker_memo against
    # rasa's own, raising on a difference (the test servers do; it is slow).
    verify_tracker_memo: bool = env("CCE_VERIFY_TRACKER_MEMO", _one, False)
    # How long conversations and check records are kept by `python -m bot purge`.
    retention_days: int = env("CCE_RETENTION_DAYS", _int, 90)
    # Origins (scheme://host[:port]) of other sites that embed the web widget.
    widget_origins: tuple[str, ...] = env("CCE_WIDGET_ORIGINS", _origins, ())
    # The assistant's public address (e.g. https://bot.example.org; CCE_PUBLIC_URL,
    # else CCE_TEAMS_PUBLIC_URL): links in its messages to its own pages (the
    # privacy notice) are made absolute with it. Empty: they are root-relative
    # (/privacy), which the web widget resolves against its server.
    public_url: str = env(("CCE_PUBLIC_URL", "CCE_TEAMS_PUBLIC_URL"), _url, "")
    # The servers' log: "text" (rasa's lines) or "json" (one object a line, for a
    # log collector). Message text is logged at DEBUG only, in either.
    log_format: str = env("CCE_LOG_FORMAT", _lower, LOG_TEXT)
    # Where the servers' processes keep their Prometheus counts (one folder per
    # server, emptied when `serve` starts it); empty: var/metrics.
    metrics_dir_setting: str = env("CCE_METRICS_DIR", _text, "")
    # The folder prometheus_client counts in (PROMETHEUS_MULTIPROC_DIR), which
    # `serve` sets for the processes it starts; empty: each process counts alone.
    metrics_multiprocess_dir: str = env("PROMETHEUS_MULTIPROC_DIR", _text, "")
    # The secret every key is derived from (bot/secrets.py: widget tokens, the
    # hash of sender ids in records); generated into var/ when empty. Instances
    # behind one load balancer must share it.
    secret_key: str = env("CCE_SECRET_KEY", _raw, "", secret=True)
    # Minutes a widget token stays valid after the conversation's last message;
    # 0: the conversation's session length (session_expiration_time in domain.yml).
    widget_token_minutes: float = env("CCE_WIDGET_TOKEN_MINUTES", _float, 0.0)

    # ---- Microsoft Teams (bot/channels/teams/; docs/teams.md) ----
    # The bot's Microsoft App ID (Azure Bot registration). Empty: the Teams
    # webhook answers 503 and says what to set; the rest of the server runs.
    teams_app_id: str = env("CCE_TEAMS_APP_ID", _text, "")
    # The app's client secret, for the token replies are sent with.
    teams_app_password: str = env("CCE_TEAMS_APP_PASSWORD", _raw, "", secret=True)
    # Tenant the reply token is requested from: botframework.com for a
    # multi-tenant bot, the Azure tenant id for a single-tenant one.
    teams_tenant_id: str = env("CCE_TEAMS_TENANT_ID", _text, "botframework.com")
    # Tenant ids (channelData.tenant.id) whose messages are accepted. Teams
    # refuses to start without them unless teams_allow_any_tenant says otherwise.
    teams_allowed_tenants: tuple[str, ...] = env("CCE_TEAMS_ALLOWED_TENANTS", _comma_list, ())
    # Accept messages from every tenant (a bot offered to other organisations);
    # must be asked for, as it lets anyone with Teams use the bot.
    teams_allow_any_tenant: bool = env("CCE_TEAMS_ALLOW_ANY_TENANT", _flag, False)
    # The Bot Connector's OpenID metadata, which names the signing keys' URL.
    teams_openid_url: str = env(
        "CCE_TEAMS_OPENID_URL",
        _text,
        "https://login.botframework.com/v1/.well-known/openidconfiguration",
    )
    # The token endpoint for replies; {tenant} becomes teams_tenant_id.
    teams_token_url: str = env(
        "CCE_TEAMS_TOKEN_URL", _text, "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    )
    # Seconds between two re-fetches of the signing keys that an unknown key id
    # may cause (the keys are also refreshed daily).
    teams_key_refetch_seconds: float = env("CCE_TEAMS_KEY_REFETCH_SECONDS", _float, 300.0)
    # The bot's display name: in the app package, and stripped from messages.
    teams_bot_name: str = env("CCE_TEAMS_BOT_NAME", _text, "CCE assistant")
    # The server's public https address (e.g. https://bot.example.org): the Teams
    # app package's website and valid domain. Needed by `teams-package` only.
    teams_public_url: str = env(("CCE_TEAMS_PUBLIC_URL", "CCE_PUBLIC_URL"), _url, "")
    # The privacy notice (and terms) page the Teams app links to; empty: /privacy
    # at the public address.
    teams_privacy_url: str = env("CCE_TEAMS_PRIVACY_URL", _text, "")

    @property
    def rest_enabled(self) -> bool:
        """Whether the REST channel answers (see ``rest``)."""
        if self.rest == REST_LOCAL:
            return self.host in LOOPBACK_HOSTS
        return self.rest == REST_ON

    @property
    def teams_configured(self) -> bool:
        return bool(self.teams_app_id and self.teams_app_password)

    @property
    def teams_token_endpoint(self) -> str:
        return self.teams_token_url.replace("{tenant}", self.teams_tenant_id)

    @property
    def actions_in_process(self) -> bool:
        return self.actions == ACTIONS_IN_PROCESS

    @property
    def action_server_url(self) -> str:
        return self.action_server_url_setting or f"http://127.0.0.1:{self.action_port}/webhook"

    @property
    def guidance_dir(self) -> Path:
        return self.content_dir / "guidance"

    @property
    def guidance_text_file(self) -> Path:
        """The guidance's full text: the source of truth every quotation is checked against."""
        return self.guidance_dir / "nel-cce-guidance.txt"

    @property
    def locality_file(self) -> Path:
        return self.content_dir / "locality.yml"

    @property
    def messages_file(self) -> Path:
        return self.content_dir / "messages.yml"

    @property
    def triage_dir(self) -> Path:
        return self.content_dir / "triage"

    @property
    def metrics_dir(self) -> Path:
        return (
            Path(self.metrics_dir_setting).expanduser()
            if self.metrics_dir_setting
            else (self.var_dir / "metrics")
        )

    @property
    def effective_tracker_database_url(self) -> str:
        """The SQLAlchemy URL for conversations: the configured one or the SQLite file."""
        return self.tracker_database_url or f"sqlite:///{self.var_dir / 'tracker.db'}"

    @property
    def effective_database_url(self) -> str:
        """The SQLAlchemy URL for records: the configured one or the SQLite file."""
        return self.database_url or f"sqlite:///{self.var_dir / 'cce.db'}"


# Sanic (under rasa) ends a request after this many seconds, and rasa's REST channel
# then answers with nothing: a turn must give up, with the holding message, before.
SANIC_RESPONSE_TIMEOUT = 60.0
# Least length of a configured CCE_SECRET_KEY: it signs widget conversation ids and
# keys the hash of sender ids, so it must not be guessable (a generated one has 64).
MIN_SECRET_KEY_LENGTH = 32


# Bounds of CCE_WIDGET_TOKEN_MINUTES and CCE_TEAMS_KEY_REFETCH_SECONDS (see _checked).
MAX_WIDGET_TOKEN_MINUTES = 24 * 60
KEY_REFETCH_RANGE = (1.0, 24 * 3600.0)


def is_secure_url(url: str) -> bool:
    """https, or http to this machine (the local tests' fake Microsoft services)."""
    parsed = urlparse(url)
    if not parsed.hostname:
        return False
    return parsed.scheme == "https" or (
        parsed.scheme == "http" and parsed.hostname in LOOPBACK_HOSTS
    )


def _check_teams(settings: Settings) -> None:
    no_tenants = not settings.teams_allowed_tenants and not settings.teams_allow_any_tenant
    if settings.teams_configured and no_tenants:
        raise SettingsError(
            "Teams is configured (CCE_TEAMS_APP_ID, CCE_TEAMS_APP_PASSWORD) but "
            "CCE_TEAMS_ALLOWED_TENANTS is not set: set it to your Azure tenant id (several "
            "comma-separated), or set CCE_TEAMS_ALLOW_ANY_TENANT=true if people of every "
            "organisation may use the bot."
        )
    if settings.teams_allowed_tenants and settings.teams_allow_any_tenant:
        raise SettingsError(
            "CCE_TEAMS_ALLOWED_TENANTS and CCE_TEAMS_ALLOW_ANY_TENANT=true contradict each "
            "other: keep the tenant list and unset CCE_TEAMS_ALLOW_ANY_TENANT (or the reverse)."
        )
    low, high = KEY_REFETCH_RANGE
    if not low <= settings.teams_key_refetch_seconds <= high:
        raise SettingsError(
            f"Setting CCE_TEAMS_KEY_REFETCH_SECONDS={settings.teams_key_refetch_seconds:g} must "
            f"be between {low:g} and {high:g} seconds (a day, when the keys are refreshed "
            "anyway): less would let every request naming an unknown key make the server fetch "
            "Microsoft's keys. The default is 300."
        )
    for name, url in (
        ("CCE_TEAMS_OPENID_URL", settings.teams_openid_url),
        ("CCE_TEAMS_TOKEN_URL", settings.teams_token_endpoint),
    ):
        if not is_secure_url(url):
            raise SettingsError(
                f"Setting {name}={url!r} must be an https URL (http only to 127.0.0.1, ::1 or "
                "localhost): the bot's signing keys and reply tokens must not travel in the clear."
            )


def _checked(settings: Settings) -> Settings:
    if settings.actions not in (ACTIONS_IN_PROCESS, ACTIONS_SERVER):
        raise SettingsError(
            f"Setting CCE_ACTIONS={settings.actions!r} is not known: use "
            f"'{ACTIONS_IN_PROCESS}' (the default: actions run in the Rasa server) or "
            f"'{ACTIONS_SERVER}' (a separate action server at CCE_ACTION_SERVER_URL)."
        )
    if settings.public_url and not re.match(r"^https?://[^/\s]+(/\S*)?$", settings.public_url):
        raise ValueError(
            f"The public address {settings.public_url!r} (CCE_PUBLIC_URL, or else "
            "CCE_TEAMS_PUBLIC_URL) is not a web address: set it to the assistant's public "
            "address, e.g. https://bot.example.org, or unset it."
        )
    if not 0 < settings.turn_timeout < SANIC_RESPONSE_TIMEOUT:
        raise SettingsError(
            f"Setting CCE_TURN_TIMEOUT={settings.turn_timeout} must be more than 0 and less "
            f"than {SANIC_RESPONSE_TIMEOUT:.0f} seconds (the web server ends a request then, "
            "and the user would get no answer at all); the default is 5.5."
        )
    if settings.log_format not in (LOG_TEXT, LOG_JSON):
        raise ValueError(
            f"Setting CCE_LOG_FORMAT={settings.log_format!r} is not known: use '{LOG_TEXT}' "
            f"(the default) or '{LOG_JSON}' (one JSON object a line)."
        )
    if not 0 <= settings.widget_token_minutes <= MAX_WIDGET_TOKEN_MINUTES:
        raise SettingsError(
            f"Setting CCE_WIDGET_TOKEN_MINUTES={settings.widget_token_minutes:g} must be between "
            f"0 and {MAX_WIDGET_TOKEN_MINUTES} minutes (a day); unset or 0, a widget token lasts "
            "the conversation's session length (session_expiration_time in domain.yml)."
        )
    _check_teams(settings)
    if settings.secret_key and len(settings.secret_key) < MIN_SECRET_KEY_LENGTH:
        raise ValueError(
            f"Setting CCE_SECRET_KEY is {len(settings.secret_key)} characters long; it must have "
            f"at least {MIN_SECRET_KEY_LENGTH} (it signs conversation ids and keys the hash of "
            "sender ids). Make one with `python -c 'import secrets; print(secrets.token_hex(32))'` "
            "and set the same value on every instance, or unset it on a single instance to have "
            "one generated into var/secret.key."
        )
    if settings.rest not in (REST_OFF, REST_ON, REST_LOCAL):
        raise ValueError(
            f"Setting CCE_ENABLE_REST={settings.rest!r} is not known: use 1 (on, with "
            f"CCE_REST_TOKEN), '{REST_LOCAL}' (on only while CCE_HOST is a loopback address) "
            "or 0 (off, the default)."
        )
    if settings.max_message_chars < 1:
        raise ValueError(
            f"Setting CCE_MAX_MESSAGE_CHARS={settings.max_message_chars} must be at least 1; "
            f"the default is {Settings.max_message_chars}."
        )
    return settings


def load_settings() -> Settings:
    """Reads the settings from the environment (``CCE_*`` variables): each field's
    variables and reader are on the field (:func:`env`); unset, its default."""
    values: dict[str, Any] = {}
    for setting in fields(Settings):
        read: Reader | None = setting.metadata.get("read")
        if read is None:
            continue
        default: Any = setting.default
        if default is MISSING and callable(setting.default_factory):
            default = setting.default_factory()
        for name in setting.metadata["env"]:
            value = read(name, default)
            if value is not None:
                values[setting.name] = value
                break
    return _checked(Settings(**values))
