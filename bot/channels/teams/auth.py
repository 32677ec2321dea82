"""Who may talk to the bot: the Bot Framework's rules for requests from the Bot
Connector service (Teams) to a bot, every one of them.

1. ``Authorization: Bearer <JWT>``.
2. The algorithm is one of ours (RS256, RS384, RS512, and among those the ones
   the OpenID metadata lists); the token's own ``alg`` is only compared with it.
3. Issuer ``https://api.botframework.com``; audience the bot's app id; ``exp``
   (required) and ``nbf`` with 5 minutes of clock skew.
4. The signing key (``kid``, required) from the ``jwks_uri`` of the OpenID
   metadata: fetched on first use (so an unreachable endpoint at start-up stops
   nothing), refreshed daily, and fetched again when an unknown key id arrives,
   at most once per ``CCE_TEAMS_KEY_REFETCH_SECONDS``.
5. The activity's ``channelId`` is ``msteams``: the Bot Connector signs the
   activities of every channel of the bot (Web Chat, Direct Line...), whose
   clients may write any ``channelData.tenant`` they like, so only Teams' word
   for the tenant counts. The key's ``endorsements`` include that channel; the
   token's ``serviceurl`` claim equals the activity's ``serviceUrl``; the tenant
   is in ``CCE_TEAMS_ALLOWED_TENANTS`` (or every tenant is allowed, which
   ``CCE_TEAMS_ALLOW_ANY_TENANT=true`` must say: bot.config refuses to start
   with neither, and without either this refuses every activity).

The metadata and the key set are fetched only over https (http only to this
machine, for the tests' fakes).

A bad or missing token is 401, a valid token for a request it does not allow
403, keys that cannot be fetched 503 (the Bot Connector retries). Never 500.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.algorithms import RSAAlgorithm

from bot.channels.teams import http
from bot.config import is_secure_url

logger = logging.getLogger(__name__)

ISSUER = "https://api.botframework.com"
TEAMS_CHANNEL = "msteams"
ALGORITHMS = ("RS256", "RS384", "RS512")
CLOCK_SKEW_SECONDS = 300
KEY_REFRESH_SECONDS = 24 * 3600
FAILED_FETCH_RETRY_SECONDS = 10.0  # after a failed fetch, no new one sooner (nor the interval)
MAX_TOKEN = 16 * 1024  # characters


class AuthError(Exception):
    """Why a request is refused, as an HTTP status and a message for its sender."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class SigningKey:
    kid: str
    public_key: Any
    endorsements: frozenset[str]


@dataclass(frozen=True)
class VerifiedToken:
    claims: dict[str, Any]
    key: SigningKey


def parse_keys(document: Any) -> dict[str, SigningKey]:
    """The RSA keys of a JWKS document by key id; other or malformed keys are skipped."""
    keys: dict[str, SigningKey] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        kid = entry.get("kid")
        endorsements = entry.get("endorsements") or []
        if not isinstance(kid, str) or not isinstance(endorsements, list):
            continue
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(entry))
        except (jwt.InvalidKeyError, ValueError, TypeError, KeyError):
            logger.warning("Skipping a malformed signing key in the Bot Framework key set.")
            continue
        names = frozenset(e for e in endorsements if isinstance(e, str))
        keys[kid] = SigningKey(kid, public_key, names)
    return keys


class SigningKeys:
    """The Bot Connector's signing keys, cached (see the module docstring, rule 4)."""

    def __init__(
        self,
        openid_url: str,
        refetch_seconds: float,
        refresh_seconds: float = KEY_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        get_json: Callable[[str], Awaitable[Any]] = http.get_json,
    ) -> None:
        self.openid_url = openid_url
        self.refetch_seconds = refetch_seconds
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._get_json = get_json
        self._keys: dict[str, SigningKey] = {}
        self.algorithms: tuple[str, ...] = ALGORITHMS
        self._fetched_at: float | None = None  # last successful fetch
        self._tried_at: float | None = None  # last attempt, successful or not
        self._lock: asyncio.Lock | None = None
        self.fetches = 0

    async def _fetch(self) -> None:
        self._tried_at = self._clock()
        self.fetches += 1
        metadata = await self._get_json(self.openid_url)
        jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise http.HttpError(f"{self.openid_url} names no jwks_uri")
        if not is_secure_url(jwks_uri):
            raise http.HttpError(f"{self.openid_url} names a jwks_uri that is not https")
        keys = parse_keys(await self._get_json(jwks_uri))
        if not keys:
            raise http.HttpError(f"{jwks_uri} lists no usable RSA keys")
        listed = metadata.get("id_token_signing_alg_values_supported")
        algorithms: tuple[str, ...] = ALGORITHMS
        if isinstance(listed, list):
            algorithms = tuple(a for a in ALGORITHMS if a in listed)
        self._keys, self.algorithms = keys, algorithms or ALGORITHMS
        self._fetched_at = self._clock()

    def _since(self, moment: float | None) -> float:
        return float("inf") if moment is None else self._clock() - moment

    async def _try_fetch(self, why: str) -> None:
        try:
            await self._fetch()
            logger.info("Fetched the Bot Framework signing keys (%s).", why)
        except http.HttpError as error:
            logger.warning("Could not fetch the Bot Framework signing keys (%s): %s", why, error)

    async def get(self, kid: str) -> SigningKey | None:
        """The key ``kid``, or None if it is not (or no longer) published.

        Raises :class:`http.HttpError` when no keys could be fetched at all."""
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            stale = self._since(self._fetched_at) >= self.refresh_seconds
            retry = min(FAILED_FETCH_RETRY_SECONDS, self.refetch_seconds)
            if stale and self._since(self._tried_at) >= retry:
                await self._try_fetch("first use" if self._fetched_at is None else "daily refresh")
            if not self._keys:
                raise http.HttpError("the Bot Framework signing keys are not available")
            if kid not in self._keys and self._since(self._tried_at) >= self.refetch_seconds:
                await self._try_fetch("unknown key id")
            return self._keys.get(kid)


class TeamsAuthenticator:
    """Checks a request's token (:meth:`verify`) and what it allows (:meth:`authorize`)."""

    def __init__(
        self,
        app_id: str,
        keys: SigningKeys,
        allowed_tenants: tuple[str, ...],
        allow_any_tenant: bool = False,
    ) -> None:
        self.app_id = app_id
        self.keys = keys
        self.allowed_tenants = frozenset(allowed_tenants)
        self.allow_any_tenant = allow_any_tenant and not allowed_tenants

    async def verify(self, header: str | None) -> VerifiedToken:
        """Rules 1 to 4; raises :class:`AuthError`."""
        scheme, _, token = (header or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError(401, "An `Authorization: Bearer <token>` header is required.")
        token = token.strip()
        if len(token) > MAX_TOKEN:
            raise AuthError(401, "The bearer token is too long to be a Bot Framework token.")
        try:
            header_fields = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError(401, "The bearer token is not a well-formed JWT.") from exc
        algorithm = header_fields.get("alg")
        if algorithm not in ALGORITHMS:
            raise AuthError(
                401,
                f"Tokens signed with {algorithm!r} are not accepted; use {', '.join(ALGORITHMS)}.",
            )
        kid = header_fields.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError(401, "The token names no signing key (`kid`).")
        try:
            key = await self.keys.get(kid)
        except http.HttpError as exc:
            raise AuthError(
                503, "The Bot Framework signing keys cannot be fetched just now; try again shortly."
            ) from exc
        if key is None:
            raise AuthError(401, "The token's signing key is not one the Bot Framework publishes.")
        try:
            claims = jwt.decode(
                token,
                key.public_key,
                algorithms=list(self.keys.algorithms),
                audience=self.app_id,
                issuer=ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError(401, "The token has expired.") from exc
        except jwt.ImmatureSignatureError as exc:
            raise AuthError(401, "The token is not valid yet (`nbf`).") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthError(
                401, "The token is for another bot (audience is not this app id)."
            ) from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthError(401, f"The token's issuer is not {ISSUER}.") from exc
        except jwt.InvalidSignatureError as exc:
            raise AuthError(401, "The token's signature does not verify.") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise AuthError(401, f"The token has no `{exc.claim}` claim.") from exc
        except jwt.PyJWTError as exc:
            raise AuthError(401, "The token is not valid.") from exc
        return VerifiedToken(claims, key)

    def authorize(
        self, token: VerifiedToken, channel_id: str, service_url: str, tenant_id: str | None
    ) -> None:
        """Rule 5: a valid token, but is this activity one it allows? Raises AuthError(403)."""
        if channel_id != TEAMS_CHANNEL:
            raise AuthError(
                403, f"This bot takes only Microsoft Teams activities, not {channel_id[:40]!r}."
            )
        if channel_id not in token.key.endorsements:
            raise AuthError(403, f"The signing key is not endorsed for channel {channel_id!r}.")
        claimed = token.claims.get("serviceurl")
        if not isinstance(claimed, str) or claimed.rstrip("/") != service_url.rstrip("/"):
            raise AuthError(403, "The token's `serviceurl` claim does not match the activity's.")
        if not self.allow_any_tenant and tenant_id not in self.allowed_tenants:
            raise AuthError(403, "This bot does not accept messages from this tenant.")
