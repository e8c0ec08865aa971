"""Where you were: each article's cursor and the focused article, per annotation file,
kept in the user's state directory (not in the annotation file, which is handed to
colleagues) and restored on the next start. Losing it loses nothing that matters: a file
that cannot be read is as if empty, and one that cannot be written is said, not fatal."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotations.defaults import user_path
from annotations.model import SHA_RE

MAX_FILES = 200
"""Annotation files remembered; the ones used longest ago are forgotten first."""
MAX_BYTES = 4 * 1024 * 1024


@dataclass
class Positions:
    cursors: dict[str, int] = field(default_factory=dict)
    """Article SHA-256 to cursor offset."""
    focused: str | None = None
    """The SHA-256 of the article that had the focus."""


def state_path() -> Path:
    """``FACTREAD_STATE`` or ``positions.json`` in the user state directory."""
    return user_path("FACTREAD_STATE", "state", "positions.json")


def _key(db: Path) -> str:
    return str(db.resolve())


def _read(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_BYTES:
            return {}
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def load(db: Path) -> Positions:
    """What was saved for annotation file ``db``; nothing when there is nothing sound."""
    return _entry(_read(state_path()), db)


def _entry(data: dict[str, Any], db: Path) -> Positions:
    entry = data.get(_key(db))
    if not isinstance(entry, dict):
        return Positions()
    cursors = entry.get("cursors")
    focused = entry.get("focused")
    found = Positions()
    if isinstance(cursors, dict):
        found.cursors = {sha: at for sha, at in cursors.items() if isinstance(sha, str)
                         and SHA_RE.match(sha) and type(at) is int and at >= 0}
    if isinstance(focused, str) and SHA_RE.match(focused):
        found.focused = focused
    return found


def save(db: Path, cursors: Mapping[str, int], focused: str | None) -> str | None:
    """Remember the positions for ``db`` (atomically); a problem is returned, not raised."""
    from annotations.storage import write_atomic

    path = state_path()
    data = _read(path)
    entry = _entry(data, db)  # the file read once: cursors of articles not open are kept
    entry.cursors.update(cursors)
    data[_key(db)] = {"cursors": entry.cursors, "focused": focused, "at": time.time()}
    if len(data) > MAX_FILES:
        def used(key: str) -> float:
            value = data[key].get("at") if isinstance(data[key], dict) else None
            return float(value) if isinstance(value, (int, float)) else 0.0

        for old in sorted(data, key=used)[: len(data) - MAX_FILES]:
            del data[old]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(data).encode("utf-8"))
    except OSError as err:
        return f"{path}: positions not saved ({err.strerror or err})"
    return None
