"""The server secret and the keys derived from it.

The secret comes from CCE_SECRET_KEY, or is generated on first run and kept in
``var/secret.key`` (readable by the owner only). Nothing is keyed with the secret
itself: each purpose gets its own key, derived with HKDF-SHA256 (RFC 5869) and
the purpose's name as ``info``, so a value made for one purpose is no use for
another (a widget token's signature never equals a record owner's hash).

The same secret must be kept, and shared by every instance, for widget tokens to
be accepted and for erasure to find the records of a conversation.
"""

from __future__ import annotations

import os
import secrets
from enum import Enum
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_FILE = "secret.key"
KEY_BYTES = 32


class Purpose(Enum):
    """What a derived key is for; the value is HKDF's ``info`` (never reuse one
    for something else: change the version to start afresh)."""

    WIDGET_TOKENS = b"cce-assistant/widget-tokens/v1"
    RECORD_OWNERS = b"cce-assistant/record-owners/v1"


def load_or_create_secret(var_dir: Path, configured: str = "", name: str = SECRET_FILE) -> bytes:
    """``configured`` if set, else the value kept in ``var_dir/name``, made on first use."""
    if configured:
        return configured.encode("utf-8")
    path = var_dir / name
    if path.exists():
        return path.read_text(encoding="ascii").strip().encode("ascii")
    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    # Create it readable by the owner only; if two processes race, the first wins.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip().encode("ascii")
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value.encode("ascii")


def derive_key(secret: bytes, purpose: Purpose) -> bytes:
    """The key for ``purpose``: HKDF-SHA256 of the secret, no salt (the secret is
    already random or chosen by the deployer), the purpose as ``info``."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.value).derive(
        secret
    )
