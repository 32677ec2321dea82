"""Microsoft's side of a Teams conversation, on 127.0.0.1, for tests without the
internet: RSA signing keys made here, the Bot Framework OpenID metadata and key
set, the login service's token endpoint (issues reply tokens) and the Bot
Connector (receives replies, gives each an id, records card updates, and refuses
replies with 429 or 5xx on demand). Plus token minting, activity builders, and
posting an activity to the assistant's webhook."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

APP_ID = "11111111-2222-3333-4444-555555555555"
BOT_ID = f"28:{APP_ID}"
BOT_NAME = "CCE assistant"
ISSUER = "https://api.botframework.com"
TENANT = "tenant-a"
WEBHOOK = "/webhooks/teams/webhook"
KEY_REFETCH_SECONDS = 1  # the test assistant's CCE_TEAMS_KEY_REFETCH_SECONDS (the least allowed)
KEY_REFETCH_WAIT = KEY_REFETCH_SECONDS + 0.1  # s a key case waits for a new fetch to be allowed


@dataclass
class SigningKey:
    kid: str
    endorsements: list[str] = field(default_factory=lambda: ["msteams"])
    private: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwk(self) -> dict[str, Any]:
        data = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**data, "kid": self.kid, "use": "sig", "endorsements": self.endorsements}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def claims(service_url: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": APP_ID,
        "nbf": now - 10,
        "exp": now + 3600,
        "serviceurl": service_url,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def mint(
    key: SigningKey, payload: dict[str, Any], algorithm: str = "RS256", kid: Any = "same"
) -> str:
    headers = {} if kid is None else {"kid": key.kid if kid == "same" else kid}
    token = jwt.encode(payload, key.private, algorithm=algorithm, headers=headers)
    if kid is None:  # PyJWT adds no kid unless asked; make sure there is none
        assert "kid" not in jwt.get_unverified_header(token)
    return token


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(payload: dict[str, Any], kid: str) -> str:
    """``alg: none``: a token anyone can write."""
    header = {"alg": "none", "typ": "JWT", "kid": kid}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}."


def hmac_token(payload: dict[str, Any], kid: str, secret: bytes) -> str:
    """HS256 signed with ``secret``: the classic attack uses the public key as the secret."""
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


class FakeMicrosoft:
    """``url``/openid, /keys, /token/<tenant>/oauth2/v2.0/token, /connector/v3/..."""

    def __init__(self) -> None:
        self.keys: list[SigningKey] = [SigningKey("key-1")]
        self.replies: list[dict[str, Any]] = []
        self.token_requests: list[dict[str, Any]] = []
        self.fetches = {"openid": 0, "keys": 0}
        self.openid_down = False  # the OpenID endpoint answers 503 while True
        self.updates: list[dict[str, Any]] = []  # PUTs on an activity (card updates)
        self.refused: list[dict[str, Any]] = []  # replies answered with a refusal
        # conversation id -> (status, Retry-After or None) to answer its next replies with
        self._refusals: dict[str, list[tuple[int, str | None]]] = {}
        self.reply_delay = 0.0  # seconds the Bot Connector takes to accept each reply
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)  # notified on every reply
        self._tokens = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.service_url = f"{self.url}/connector/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeMicrosoft:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def env(self) -> dict[str, str]:
        return {
            "CCE_TEAMS_APP_ID": APP_ID,
            "CCE_TEAMS_APP_PASSWORD": "test-app-secret",
            "CCE_TEAMS_TENANT_ID": "single-tenant-id",
            "CCE_TEAMS_OPENID_URL": f"{self.url}/openid",
            "CCE_TEAMS_TOKEN_URL": f"{self.url}/token/{{tenant}}/oauth2/v2.0/token",
            "CCE_TEAMS_BOT_NAME": BOT_NAME,
        }

    def refuse(self, conversation_id: str, *answers: tuple[int, str | None]) -> None:
        """The conversation's next replies (or updates; typing indicators pass)
        are refused, one answer each: e.g. ``(429, "1")`` (with ``Retry-After:
        1``), ``(503, None)``."""
        with self.lock:
            self._refusals.setdefault(conversation_id, []).extend(answers)

    def _refusal(self, conversation_id: str) -> tuple[int, str | None] | None:
        with self.lock:
            queued = self._refusals.get(conversation_id)
            return queued.pop(0) if queued else None

    def updates_of(self, conversation_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [u for u in self.updates if u["conversation"] == conversation_id]

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                r["activity"]
                for r in self.replies
                if r["conversation"] == conversation_id and r["activity"].get("type") == "message"
            ]

    def replies_to(self, conversation_id: str, activity_id: str) -> list[dict[str, Any]]:
        """The messages sent so far in reply to one activity."""
        return [m for m in self.messages(conversation_id) if m.get("replyToId") == activity_id]

    def wait_for_reply(
        self, conversation_id: str, activity_id: str, timeout: float
    ) -> list[dict[str, Any]]:
        """The replies to one activity once the first has arrived ([] after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                found = [
                    r["activity"]
                    for r in self.replies
                    if r["conversation"] == conversation_id
                    and r["activity"].get("type") == "message"
                    and r["activity"].get("replyToId") == activity_id
                ]
                left = deadline - time.monotonic()
                if found or left <= 0:
                    return found
                self.arrived.wait(left)

    def wait_until_quiet(self, quiet: float = 1.0, timeout: float = 15.0) -> None:
        """Returns once no reply has arrived for ``quiet`` s (or after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while time.monotonic() < deadline:
                count = len(self.replies)
                self.arrived.wait(min(quiet, max(deadline - time.monotonic(), 0)))
                if len(self.replies) == count:
                    return

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if self.path == "/openid":
                    with fake.lock:
                        fake.fetches["openid"] += 1
                    if fake.openid_down:
                        self._send(503, {"error": "unavailable"})
                        return
                    self._send(200, {
                        "issuer": ISSUER,
                        "jwks_uri": f"{fake.url}/keys",
                        "id_token_signing_alg_values_supported": ["RS256", "RS384", "RS512"],
                    })  # fmt: skip
                elif self.path == "/keys":
                    with fake.lock:
                        fake.fetches["keys"] += 1
                        keys = [key.jwk() for key in fake.keys]
                    self._send(200, {"keys": keys})
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith("/token/"):
                    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                    with fake.lock:
                        fake.token_requests.append({"path": self.path, "form": form})
                        token = f"outbound-{next(fake._tokens)}"
                    self._send(
                        200, {"token_type": "Bearer", "expires_in": 3600, "access_token": token}
                    )
                    return
                self._connector("POST", body)

            def do_PUT(self) -> None:  # noqa: N802 - an activity updated (a card)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._connector("PUT", body)

            def _connector(self, method: str, body: bytes) -> None:
                parts = self.path.split("/")  # /connector/v3/conversations/<id>/activities[/<id>]
                if not (self.path.startswith("/connector/v3/conversations/") and len(parts) >= 6):
                    self._send(404, {"error": "not found"})
                    return
                time.sleep(fake.reply_delay)
                conversation = unquote(parts[4])
                target = unquote(parts[6]) if len(parts) > 6 else None
                is_typing = b'"typing"' in body and json.loads(body).get("type") == "typing"
                refusal = None if is_typing else fake._refusal(conversation)
                if refusal is not None:
                    status, wait = refusal
                    with fake.lock:
                        fake.refused.append({"conversation": conversation, "status": status,
                                             "method": method, "at": time.monotonic()})  # fmt: skip
                    data = json.dumps({"error": {"code": "Throttled"}}).encode()
                    self.send_response(status)
                    if wait is not None:
                        self.send_header("Retry-After", wait)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                record = {
                    "conversation": conversation,
                    "authorization": self.headers.get("Authorization"),
                    "activity": json.loads(body),
                }
                if method == "PUT":
                    with fake.arrived:
                        fake.updates.append({**record, "activity_id": target})
                        fake.arrived.notify_all()
                    self._send(200, {"id": target})
                    return
                new_id = str(uuid.uuid4())
                record["reply_to"] = target
                record["activity"]["id"] = new_id  # as Teams then knows it
                with fake.arrived:
                    fake.replies.append(record)
                    fake.arrived.notify_all()
                self._send(200, {"id": new_id})

        return Handler


def activity(
    fake: FakeMicrosoft,
    text: str | None = "hello",
    conversation: str = "a:personal-1",
    user: str = "29:user-1",
    kind: str = "message",
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": kind,
        "id": extra.pop("id", str(uuid.uuid4())),
        "timestamp": "2026-11-28T10:00:00.000Z",
        "channelId": "msteams",
        "serviceUrl": fake.service_url,
        "from": {"id": user, "name": "A Practitioner", "aadObjectId": str(uuid.uuid4())},
        "conversation": {"id": conversation, "conversationType": "personal", "tenantId": TENANT},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "channelData": {"tenant": {"id": TENANT}},
    }
    if text is not None:
        data["text"] = text
    data.update(extra)
    return data


def good_token(fake: FakeMicrosoft, **overrides: Any) -> str:
    return mint(fake.keys[0], claims(fake.service_url, **overrides))


def post(base: str, body: bytes | dict, token: str | None = None) -> tuple[int, dict]:
    """POSTs an activity (or raw bytes) to the Teams webhook: (status, JSON answer)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + WEBHOOK, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return error.code, {"raw": raw[:200].decode(errors="replace")}


def said(message: dict) -> str:
    """What a reply shows: its text, or its card's text blocks."""
    parts = [message.get("text") or ""]
    for attachment in message.get("attachments") or []:
        for block in attachment["content"]["body"]:
            if block["type"] == "TextBlock":
                parts.append(block["text"])
    return "\n".join(p for p in parts if p)


def buttons(message: dict) -> dict[str, dict]:
    """A reply's card buttons: title -> the Action.Submit's data."""
    found = {}
    for attachment in message.get("attachments") or []:
        for block in attachment["content"]["body"]:
            for action in block.get("actions") or []:
                found[action["title"]] = action["data"]
    return found
