"""Every setting of the assistant, read from the environment in one place.

Each setting has a default that works on a fresh clone with no services: the
embedded SQLite file under ``var/``, the Rasa server on port 5005 with our actions
in it (a separate action server, when asked for, on port 5055). Read settings
through :func:`get_settings`; nothing else in the project reads ``os.environ``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T", int, float)


class SettingsError(ValueError):
    """A setting is wrong; the message says which and how to fix it."""


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


def _env_number(name: str, default: T, parse: Callable[[str], T]) -> T:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return parse(value)
    except ValueError as exc:
        raise SettingsError(
            f"Setting {name}={value!r} is not a valid number; set it to e.g. {default} "
            f"or unset it to use the default."
        ) from exc


def _env_int(name: str, default: int) -> int:
    return _env_number(name, default, int)


def _env_float(name: str, default: float) -> float:
    return _env_number(name, default, float)


def _env_url(name: str) -> str:
    """An address setting without surrounding spaces or a trailing slash."""
    return os.environ.get(name, "").strip().rstrip("/")


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


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


def _env_rate(name: str, default: RateLimit) -> RateLimit:
    value = os.environ.get(name, "")
    return parse_rate(name, value) if value.strip() else default


@dataclass(frozen=True)
class Settings:
    """The assistant's configuration. See README.md, section Configuration."""

    # What the assistant knows and says: the guidance, the check's rules and
    # catalogue, the locality's contacts and the texts (content/ in the project).
    content_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "content")
    var_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var")
    models_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "models")
    # The address the servers listen on: this machine only unless a deployer says
    # otherwise (0.0.0.0 in a container, behind the reverse proxy).
    host: str = "127.0.0.1"
    port: int = 5005
    action_port: int = 5055
    # Where our actions run: "in-process" (in the Rasa server, by rasa-sdk's
    # executor) or "server" (a separate rasa-sdk action server, reached over HTTP).
    actions: str = ACTIONS_IN_PROCESS
    # Where the Rasa server finds the action server (endpoints.yml reads it from
    # the environment, which `serve` sets); by default the local action port.
    action_server_url_setting: str = ""
    # How many guidance passages the search offers when the classifier is unsure
    # (the confidence threshold itself is the FallbackClassifier's, in config.yml).
    search_results: int = 3
    database_url: str = ""
    # Where conversations (Rasa's tracker store) are kept; SQLite file by default.
    tracker_database_url: str = ""
    # Redis for the conversation lock store when several Rasa instances share the
    # tracker store, e.g. redis://127.0.0.1:6379/1; unset: in-memory locks.
    redis_url: str = ""
    # Processes (Sanic workers) of the Rasa server. More than one needs CCE_REDIS_URL,
    # so that a conversation is locked across them; one core each is a good start.
    workers: int = 1
    # Rasa's HTTP API (/model/parse, /conversations/...): off unless a deployer
    # turns it on, and then only with a token.
    enable_api: bool = False
    api_token: str = field(default="", repr=False)
    # The REST channel (POST /webhooks/rest/webhook): "off" (404), "on" (with
    # CCE_REST_TOKEN as a bearer token) or "local" (on only while `host` is a
    # loopback address; the token generated into var/rest.token if not set).
    rest: str = REST_OFF
    rest_token: str = field(default="", repr=False)
    # Sent by the Rasa server to a separate action server, which refuses requests
    # without it; empty: derived from the server secret (bot.rasa_patches.action_auth).
    action_secret: str = field(default="", repr=False)
    # The longest message (characters) any channel hands to the assistant; a longer
    # one is answered with a request to shorten it and never processed. (The widget's
    # limit before; the check reads the first 5,000 characters of a description.)
    max_message_chars: int = 10_000
    # Requests one client (IP address) may send to the REST and widget webhooks, and
    # messages one conversation may send, in any channel; beyond them, 429 and
    # Retry-After. The client's is generous: a council's staff may all reach the
    # server from one address.
    rate_limit_client: RateLimit = RateLimit(300, 60.0)
    rate_limit_conversation: RateLimit = RateLimit(30, 60.0)
    # Reverse proxies in front of the server whose X-Forwarded-For is trusted for
    # the client's address (1 behind deploy/nginx.conf; 0: the connection's address).
    trusted_proxies: int = 0
    # Seconds a turn may take before the user gets the holding message instead.
    turn_timeout: float = 5.5
    # Check every incremental tracker result of bot.rasa_patches.tracker_memo against
    # rasa's own, raising on a difference (the test servers do; it is slow).
    verify_tracker_memo: bool = False
    # How long conversations and check records are kept by `python -m bot purge`.
    retention_days: int = 90
    # Origins (scheme://host[:port]) of other sites that embed the web widget.
    widget_origins: tuple[str, ...] = ()
    # The assistant's public address (e.g. https://bot.example.org; CCE_PUBLIC_URL,
    # else CCE_TEAMS_PUBLIC_URL): links in its messages to its own pages (the
    # privacy notice) are made absolute with it. Empty: they are root-relative
    # (/privacy), which the web widget resolves against its server.
    public_url: str = ""
    # The servers' log: "text" (rasa's lines) or "json" (one object a line, for a
    # log collector). Message text is logged at DEBUG only, in either.
    log_format: str = LOG_TEXT
    # Where the servers' processes keep their Prometheus counts (one folder per
    # server, emptied when `serve` starts it); empty: var/metrics.
    metrics_dir_setting: str = ""
    # The folder prometheus_client counts in (PROMETHEUS_MULTIPROC_DIR), which
    # `serve` sets for the processes it starts; empty: each process counts alone.
    metrics_multiprocess_dir: str = ""
    # The secret every key is derived from (bot/secrets.py: widget tokens, the
    # hash of sender ids in records); generated into var/ when empty. Instances
    # behind one load balancer must share it.
    secret_key: str = field(default="", repr=False)
    # Minutes a widget token stays valid after the conversation's last message;
    # 0: the conversation's session length (session_expiration_time in domain.yml).
    widget_token_minutes: float = 0.0

    # ---- Microsoft Teams (bot/channels/teams/; README, section Microsoft Teams) ----
    # The bot's Microsoft App ID (Azure Bot registration). Empty: the Teams
    # webhook answers 503 and says what to set; the rest of the server runs.
    teams_app_id: str = ""
    # The app's client secret, for the token replies are sent with.
    teams_app_password: str = field(default="", repr=False)
    # Tenant the reply token is requested from: botframework.com for a
    # multi-tenant bot, the Azure tenant id for a single-tenant one.
    teams_tenant_id: str = "botframework.com"
    # Tenant ids (channelData.tenant.id) whose messages are accepted. Teams
    # refuses to start without them unless teams_allow_any_tenant says otherwise.
    teams_allowed_tenants: tuple[str, ...] = ()
    # Accept messages from every tenant (a bot offered to other organisations);
    # must be asked for, as it lets anyone with Teams use the bot.
    teams_allow_any_tenant: bool = False
    # The Bot Connector's OpenID metadata, which names the signing keys' URL.
    teams_openid_url: str = "https://login.botframework.com/v1/.well-known/openidconfiguration"
    # The token endpoint for replies; {tenant} becomes teams_tenant_id.
    teams_token_url: str = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    # Seconds between two re-fetches of the signing keys that an unknown key id
    # may cause (the keys are also refreshed daily).
    teams_key_refetch_seconds: float = 300.0
    # The bot's display name: in the app package, and stripped from messages.
    teams_bot_name: str = "CCE assistant"
    # The server's public https address (e.g. https://bot.example.org): the Teams
    # app package's website and valid domain. Needed by `teams-package` only.
    teams_public_url: str = ""
    # The privacy notice (and terms) page the Teams app links to; empty: /privacy
    # at the public address.
    teams_privacy_url: str = ""

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


def _rest_mode(value: str) -> str:
    text = value.strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return REST_OFF
    if text in ("1", "true", "yes", "on"):
        return REST_ON
    return text


def load_settings() -> Settings:
    """Reads the settings from the environment (``CCE_*`` variables)."""
    return _checked(Settings(
        content_dir=_env_path("CCE_CONTENT_DIR", PROJECT_ROOT / "content"),
        var_dir=_env_path("CCE_VAR_DIR", PROJECT_ROOT / "var"),
        models_dir=_env_path("CCE_MODELS_DIR", PROJECT_ROOT / "models"),
        host=os.environ.get("CCE_HOST", "").strip() or Settings.host,
        port=_env_int("CCE_PORT", 5005),
        action_port=_env_int("CCE_ACTION_PORT", 5055),
        actions=os.environ.get("CCE_ACTIONS", ACTIONS_IN_PROCESS).strip().lower(),
        action_server_url_setting=os.environ.get("CCE_ACTION_SERVER_URL", ""),
        search_results=_env_int("CCE_SEARCH_RESULTS", 3),
        database_url=os.environ.get("CCE_DATABASE_URL", ""),
        tracker_database_url=os.environ.get("CCE_TRACKER_DB_URL", ""),
        redis_url=os.environ.get("CCE_REDIS_URL", ""),
        # rasa's own SANIC_WORKERS counts too, so that the lock store's check sees it.
        workers=_env_int("CCE_WORKERS", _env_int("SANIC_WORKERS", 1)),
        retention_days=_env_int("CCE_RETENTION_DAYS", 90),
        turn_timeout=_env_float("CCE_TURN_TIMEOUT", 5.5),
        verify_tracker_memo=os.environ.get("CCE_VERIFY_TRACKER_MEMO", "").strip() == "1",
        enable_api=_env_flag("CCE_ENABLE_API"),
        api_token=os.environ.get("CCE_API_TOKEN", ""),
        rest=_rest_mode(os.environ.get("CCE_ENABLE_REST", "")),
        rest_token=os.environ.get("CCE_REST_TOKEN", "").strip(),
        action_secret=os.environ.get("CCE_ACTION_SECRET", "").strip(),
        max_message_chars=_env_int("CCE_MAX_MESSAGE_CHARS", Settings.max_message_chars),
        rate_limit_client=_env_rate("CCE_RATE_LIMIT_CLIENT", Settings.rate_limit_client),
        rate_limit_conversation=_env_rate(
            "CCE_RATE_LIMIT_CONVERSATION", Settings.rate_limit_conversation
        ),
        trusted_proxies=_env_int("CCE_TRUSTED_PROXIES", Settings.trusted_proxies),
        secret_key=os.environ.get("CCE_SECRET_KEY", ""),
        log_format=os.environ.get("CCE_LOG_FORMAT", "").strip().lower() or LOG_TEXT,
        metrics_dir_setting=os.environ.get("CCE_METRICS_DIR", "").strip(),
        metrics_multiprocess_dir=os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip(),
        widget_token_minutes=_env_float("CCE_WIDGET_TOKEN_MINUTES", 0.0),
        widget_origins=tuple(
            origin.strip().rstrip("/")
            for origin in os.environ.get("CCE_WIDGET_ORIGINS", "").split(",")
            if origin.strip() and origin.strip() != "*"
        ),
        teams_app_id=os.environ.get("CCE_TEAMS_APP_ID", "").strip(),
        teams_app_password=os.environ.get("CCE_TEAMS_APP_PASSWORD", ""),
        teams_tenant_id=os.environ.get("CCE_TEAMS_TENANT_ID", "").strip() or "botframework.com",
        teams_allowed_tenants=tuple(
            tenant.strip()
            for tenant in os.environ.get("CCE_TEAMS_ALLOWED_TENANTS", "").split(",")
            if tenant.strip()
        ),
        teams_allow_any_tenant=_env_flag("CCE_TEAMS_ALLOW_ANY_TENANT"),
        teams_openid_url=os.environ.get("CCE_TEAMS_OPENID_URL", "").strip()
        or Settings.teams_openid_url,
        teams_token_url=os.environ.get("CCE_TEAMS_TOKEN_URL", "").strip()
        or Settings.teams_token_url,
        teams_key_refetch_seconds=_env_float("CCE_TEAMS_KEY_REFETCH_SECONDS", 300.0),
        teams_bot_name=os.environ.get("CCE_TEAMS_BOT_NAME", "").strip() or Settings.teams_bot_name,
        public_url=_env_url("CCE_PUBLIC_URL") or _env_url("CCE_TEAMS_PUBLIC_URL"),
        teams_public_url=_env_url("CCE_TEAMS_PUBLIC_URL") or _env_url("CCE_PUBLIC_URL"),
        teams_privacy_url=os.environ.get("CCE_TEAMS_PRIVACY_URL", "").strip(),
    ))  # fmt: skip


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
