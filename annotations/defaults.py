"""Which file and which annotator, when the command line does not say. Kept apart from the
store so that the reading screen can start without importing TinyDB."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

DEFAULT_DB = "factread.json"


def default_db_path(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("FACTREAD_DB") or DEFAULT_DB)


def user_path(env: str, kind: Literal["config", "state", "cache"], name: str) -> Path:
    """The path in environment variable ``env``, else ``name`` in the user's ``kind``
    directory (platformdirs: ~/.config/factread, ~/.local/state/factread,
    ~/.cache/factread on Linux)."""
    explicit = os.environ.get(env)
    if explicit:
        return Path(explicit)
    import platformdirs

    base = {"config": platformdirs.user_config_path, "state": platformdirs.user_state_path,
            "cache": platformdirs.user_cache_path}[kind]
    return base("factread") / name


def default_annotator(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    env = os.environ.get("FACTREAD_USER")
    if env:
        return env
    try:
        return os.getlogin()
    except OSError:
        import getpass

        return getpass.getuser()
