"""The gateway key: authorises the admin API; generated on first start into the state folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def new_key() -> str:
    return "agk_" + secrets.token_urlsafe(32)


def write_key(path: Path, key: str) -> None:
    """Write atomically with mode 0600 (the key grants the admin API)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def load_or_create_key(path: Path) -> str:
    if path.exists():
        key = path.read_text().strip()
        if key:
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
            return key
    key = new_key()
    write_key(path, key)
    return key
