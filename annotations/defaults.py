"""Which file and which annotator, when the command line does not say. Kept apart from the
store so that the reading screen can start without importing TinyDB."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = "factread.json"


def default_db_path(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("FACTREAD_DB") or DEFAULT_DB)


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
