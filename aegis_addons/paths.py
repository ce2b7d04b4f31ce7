"""Where Aegis finds its rule packs, shipped model and state folder."""

from __future__ import annotations

import os
from pathlib import Path

# The repository (or source distribution) root: rules/ and model/ live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = PROJECT_ROOT / "rules"
MODEL_DIR = PROJECT_ROOT / "model"


def aegis_home() -> Path:
    """The state folder: SQLite database, mitmproxy confdir (CA) and the generated gateway key."""
    return Path(os.environ.get("AEGIS_HOME") or PROJECT_ROOT / "var").resolve()
