"""Inbound authentication of Teams requests, rule by rule, without a server: the
key set is served by a stand-in for the OpenID endpoints and time is a fake
clock. (tests/integration/test_teams_live.py runs the same matrix over HTTP.)"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bot.channels.teams import http
from bot.channels.teams.auth import (
    FAILED_FETCH_RETRY_SECONDS,
    KEY_REFRESH_SECONDS,
    AuthError,
    SigningKeys,
    TeamsAuthenticator,
    VerifiedToken,
)
from tests.integration.teams_fakes import (
    APP_ID,
    SigningKey,
    claims,
    hmac_token,
    mint,
    unsigned_token,
)

SERVICE_URL = "https://smba.trafficmanager.net/emea/"
OPENID_URL = "https://login.botframework.example/v1/.well-known/openidconfiguration"
KEY = SigningKey("key-1")
WEBCHAT_KEY = SigningKey("key-webchat", endorsements=["webchat"])
# The Bot Connector signs every channel of a bot; a key may be endorsed for several.
SHARED_KEY = SigningKey("key-shared", endorsements=["msteams", "webchat", "directline"])


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Endpoints:
    """The OpenID metadata and key set, as ``get_json`` sees them."""

    def __init__(self, keys: list[SigningKey], algorithms: list[str] | None = None) -> None:
        self.keys = keys
        self.algorithms = algorithms or ["RS256"]
        self.up = True
        self.jwks_uri = "https://login.botframework.example/v1/keys"
        self.calls: list[str] = []

    async def get_json(self, url: str) -> Any:
        self.calls.append(url)
        if not self.up:
            raise http.HttpError(f"GET {url} failed: ClientConnectorError")
        if url == OPENID_URL:
            return {
                "jwks_uri": self.jwks_uri,
                "id_token_signing_alg_values_supported": self.algorithms,
            }
        assert url == self.jwks_uri
        return {"keys": [key.jwk() for key in self.keys]}


def authenticator(
    endpoints: Endpoints, clock: Clock | None = None, refetch: float = 300, tenants=()
) -> TeamsAuthenticator:
    keys = SigningKeys(OPENID_URL, refetch, clock=clock or Clock(), get_json=endpoints.get_json)
    return TeamsAuthenticator(APP_ID, keys, tuple(tenants), allow_any_tenant=not tenants)


def verify(auth: TeamsAuthenticator, token: str, scheme: str = "Bearer") -> VerifiedToken:
    return asyncio.run(auth.verify(f"{scheme} {token}"))


def refused(auth: TeamsAuthenticator, header: str | None) -> AuthError:
    with pytest.raises(AuthError) as error:
        asyncio.run(auth.verify(header))
    assert error.value.message and "Traceback" not in error.value.message
    return error.value


def test_a_valid_token_is_accepted_and_allows_its_activity():
    auth = authenticator(Endpoints([KEY]))
    token = verify(auth, mint(KEY, claims(SERVICE_URL)))
    assert token.claims["aud"] == APP_ID
    auth.authorize(token, "msteams", SERVICE_URL.rstrip("/"), "tenant-a")


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"aud": "22222222-0000-0000-0000-000000000000"}, "another bot"),
        ({"iss": "https://sts.windows.net/evil/"}, "issuer"),
        ({"exp": -400}, "expired"),  # seconds from now, when the test runs
        ({"nbf": +400}, "not valid yet"),
        ({"exp": None}, "`exp`"),
        ({"aud": None}, "`aud`"),
    ],
)
def test_claims_outside_the_rules_are_401(overrides, words):
    # Times are offsets from now: parameters are made when the tests are collected,
    # which can be minutes before this one runs (beyond the 5 minutes of skew).
    overrides = {
        name: int(time.time()) + value if name in ("exp", "nbf") and value else value
        for name, value in overrides.items()
    }
    auth = authenticator(Endpoints([KEY]))
    error = refused(auth, f"Bearer {mint(KEY, claims(SERVICE_URL, **overrides))}")
    assert error.status == 401 and words in error.message


def test_five_minutes_of_clock_skew_are_allowed():
    auth = authenticator(Endpoints([KEY]))
    now = int(time.time())
    verify(auth, mint(KEY, claims(SERVICE_URL, exp=now - 200)))
    verify(auth, mint(KEY, claims(SERVICE_URL, nbf=now + 200)))


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "bearer-ish abc", "Bearer not.a.jwt"],
)
def test_a_missing_or_malformed_header_is_401(header):
    assert refused(authenticator(Endpoints([KEY])), header).status == 401


def test_unsigned_and_hmac_tokens_are_refused_whatever_they_claim():
    auth = authenticator(Endpoints([KEY]))
    payload = claims(SERVICE_URL)
    for token in (
        unsigned_token(payload, KEY.kid),
        hmac_token(payload, KEY.kid, b"any secret"),
        hmac_token(payload, KEY.kid, KEY.public_pem()),  # the public key as HMAC secret
    ):
        error = refused(auth, f"Bearer {token}")
        assert error.status == 401 and "not accepted" in error.message


def test_a_token_without_a_key_id_is_refused():
    auth = authenticator(Endpoints([KEY]))
    error = refused(auth, f"Bearer {mint(KEY, claims(SERVICE_URL), kid=None)}")
    assert error.status == 401 and "`kid`" in error.message


def test_a_signature_by_another_key_with_a_known_kid_is_refused():
    impostor = SigningKey("key-1")  # same kid, different key pair
    auth = authenticator(Endpoints([KEY]))
    error = refused(auth, f"Bearer {mint(impostor, claims(SERVICE_URL))}")
    assert error.status == 401 and "signature" in error.message


def test_only_the_algorithms_the_metadata_lists_are_used():
    auth = authenticator(Endpoints([KEY], algorithms=["RS256"]))
    verify(auth, mint(KEY, claims(SERVICE_URL)))
    assert refused(auth, f"Bearer {mint(KEY, claims(SERVICE_URL), 'RS512')}").status == 401
    auth = authenticator(Endpoints([KEY], algorithms=["RS256", "RS384", "RS512"]))
    verify(auth, mint(KEY, claims(SERVICE_URL), "RS512"))


def test_an_unknown_key_id_fetches_the_keys_again_at_most_once_per_interval():
    clock, endpoints = Clock(), Endpoints([KEY])
    auth = authenticator(endpoints, clock, refetch=300)
    verify(auth, mint(KEY, claims(SERVICE_URL)))
    assert len(endpoints.calls) == 2  # metadata, keys
    rotated = SigningKey("key-2")
    endpoints.keys = [rotated]
    clock.now += 301
    verify(auth, mint(rotated, claims(SERVICE_URL)))  # unknown kid: fetched again, accepted
    assert len(endpoints.calls) == 4
    # A flood of made-up key ids within the interval causes no further fetch.
    for n in range(20):
        error = refused(auth, f"Bearer {mint(SigningKey(f'made-up-{n}'), claims(SERVICE_URL))}")
        assert error.status == 401 and "not one the Bot Framework publishes" in error.message
    assert len(endpoints.calls) == 4
    clock.now += 301
    refused(auth, f"Bearer {mint(SigningKey('made-up'), claims(SERVICE_URL))}")
    assert len(endpoints.calls) == 6


def test_keys_are_refreshed_daily():
    clock, endpoints = Clock(), Endpoints([KEY])
    auth = authenticator(endpoints, clock)
    verify(auth, mint(KEY, claims(SERVICE_URL)))
    clock.now += KEY_REFRESH_SECONDS - 1
    verify(auth, mint(KEY, claims(SERVICE_URL)))
    assert len(endpoints.calls) == 2
    clock.now += 2
    verify(auth, mint(KEY, claims(SERVICE_URL)))
    assert len(endpoints.calls) == 4


def test_unreachable_metadata_is_503_and_the_channel_recovers_when_it_is_back():
    clock, endpoints = Clock(), Endpoints([KEY])
    endpoints.up = False
    auth = authenticator(endpoints, clock)
    header = f"Bearer {mint(KEY, claims(SERVICE_URL))}"
    error = refused(auth, header)
    assert error.status == 503 and "try again" in error.message
    refused(auth, header)
    assert len(endpoints.calls) == 1  # not asked again at once
    endpoints.up = True
    clock.now += FAILED_FETCH_RETRY_SECONDS
    asyncio.run(auth.verify(header))


def test_a_failed_daily_refresh_keeps_the_keys_it_has():
    clock, endpoints = Clock(), Endpoints([KEY])
    auth = authenticator(endpoints, clock)
    header = f"Bearer {mint(KEY, claims(SERVICE_URL))}"
    asyncio.run(auth.verify(header))
    endpoints.up = False
    clock.now += KEY_REFRESH_SECONDS + 1
    asyncio.run(auth.verify(header))


def test_authorize_checks_endorsement_service_url_and_tenant():
    auth = authenticator(Endpoints([KEY, WEBCHAT_KEY]), tenants=["tenant-a"])
    token = verify(auth, mint(KEY, claims(SERVICE_URL)))
    webchat_only = verify(auth, mint(WEBCHAT_KEY, claims(SERVICE_URL)))
    with pytest.raises(AuthError) as error:
        auth.authorize(webchat_only, "msteams", SERVICE_URL, "tenant-a")
    assert error.value.status == 403 and "not endorsed" in error.value.message
    cases = [
        (("msteams", "https://evil.example/", "tenant-a"), "serviceurl"),
        (("msteams", SERVICE_URL, "tenant-b"), "tenant"),
        (("msteams", SERVICE_URL, None), "tenant"),
    ]
    for arguments, words in cases:
        with pytest.raises(AuthError) as error:
            auth.authorize(token, *arguments)
        assert error.value.status == 403 and words in error.value.message
    no_claim = verify(auth, mint(KEY, claims(SERVICE_URL, serviceurl=None)))
    with pytest.raises(AuthError) as error:
        auth.authorize(no_claim, "msteams", SERVICE_URL, "tenant-a")
    assert error.value.status == 403


@pytest.mark.parametrize("channel", ["directline", "webchat", "emulator", "MSTeams"])
def test_only_teams_activities_are_accepted_whatever_tenant_they_claim(channel):
    # Direct Line and Web Chat clients write channelData.tenant themselves: an
    # allowed tenant id there proves nothing (before: accepted if the key was endorsed).
    auth = authenticator(Endpoints([SHARED_KEY]), tenants=["tenant-a"])
    token = verify(auth, mint(SHARED_KEY, claims(SERVICE_URL)))
    auth.authorize(token, "msteams", SERVICE_URL, "tenant-a")
    with pytest.raises(AuthError) as error:
        auth.authorize(token, channel, SERVICE_URL, "tenant-a")
    assert error.value.status == 403 and "only Microsoft Teams" in error.value.message


def test_every_tenant_only_when_asked_for():
    endpoints = Endpoints([KEY])
    keys = SigningKeys(OPENID_URL, 300, clock=Clock(), get_json=endpoints.get_json)
    closed = TeamsAuthenticator(APP_ID, keys, ())
    token = verify(closed, mint(KEY, claims(SERVICE_URL)))
    with pytest.raises(AuthError) as error:
        closed.authorize(token, "msteams", SERVICE_URL, "tenant-x")
    assert error.value.status == 403
    TeamsAuthenticator(APP_ID, keys, (), allow_any_tenant=True).authorize(
        token, "msteams", SERVICE_URL, "tenant-x"
    )


def test_a_key_set_named_over_plain_http_is_not_fetched():
    endpoints = Endpoints([KEY])
    endpoints.jwks_uri = "http://login.botframework.example/v1/keys"
    error = refused(authenticator(endpoints), f"Bearer {mint(KEY, claims(SERVICE_URL))}")
    assert error.status == 503
    assert endpoints.calls == [OPENID_URL]  # the metadata, never the http key set
