"""The server secret: from CCE_SECRET_KEY, or generated on first run and kept in
``var/secret.key`` (readable by the owner only). It keys the hash of sender ids
in stored records, so the same secret must be kept for erasure to find them."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from bot.config import get_settings

SECRET_FILE = "secret.key"


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


@lru_cache(maxsize=1)
def get_secret() -> bytes:
    settings = get_settings()
    return load_or_create_secret(settings.var_dir, settings.secret_key)
