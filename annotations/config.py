"""The user's TOML config: tags (colour, key) and remapped key bindings.

    [tags.disputed]
    colour = "#8844cc"
    key = "p"

    [keys]
    undo = "ctrl+u"      # binding id = key(s), comma-separated
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from annotations.defaults import user_path
from annotations.errors import InputError
from annotations.model import check_tag_name

COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
KEY_RE = re.compile(r"(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*(?:[a-z][a-z0-9_]*|[!-~])\Z")
"""A key as Textual names it: modifiers, then a key name (``pageup``, ``question_mark``) or
one printable ASCII character. Anything else (an escape sequence above all) is refused."""


@dataclass(frozen=True, slots=True)
class TagSpec:
    name: str
    colour: str
    """``#rrggbb``"""
    key: str
    """One printable character that tags a selection in the reading screen."""


DEFAULT_TAGS = (
    TagSpec("claim", "#2f6fd6", "c"),
    TagSpec("unverified", "#c98a00", "u"),
    TagSpec("contradiction", "#d0343c", "x"),
)


def config_path() -> Path:
    """``FACTREAD_CONFIG`` or ``config.toml`` in the user config directory."""
    return user_path("FACTREAD_CONFIG", "config", "config.toml")


def _read(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InputError(f"{path}: not a readable TOML file ({err})") from None


def load_keys(path: Path | None = None) -> dict[str, str]:
    """``[keys]``: binding id to key(s), for the reading screen's keymap."""
    path = path or config_path()
    keys = _read(path).get("keys", {})
    if not isinstance(keys, dict):
        raise InputError(f"{path}: 'keys' must be a table of binding-id = \"key\"")
    for name, value in keys.items():
        parts = [k.strip() for k in value.split(",")] if isinstance(value, str) else []
        if not parts or len(value) > 100 or not all(KEY_RE.match(k) for k in parts):
            shown = ascii(value)[:60]
            raise InputError(f"{path}: [keys] {ascii(name)[1:-1][:40]} = {shown}: not a key "
                             "name (expected keys such as \"ctrl+u\" or \"f2,ctrl+e\")")
    return dict(keys)


def load_tags(path: Path | None = None) -> tuple[TagSpec, ...]:
    """The defaults, overridden or extended by ``[tags.NAME]`` tables."""
    path = path or config_path()
    config = _read(path)
    if not config:
        return DEFAULT_TAGS
    tables = config.get("tags", {})
    if not isinstance(tables, dict):
        raise InputError(f"{path}: 'tags' must be a table of [tags.NAME] tables")
    tags = {spec.name: spec for spec in DEFAULT_TAGS}
    for name, table in tables.items():
        where = f"{path}: [tags.{name}]"
        try:
            check_tag_name(name)
        except InputError as err:
            raise InputError(f"{where}: {err}") from None
        if not isinstance(table, dict):
            raise InputError(f"{where}: must be a table")
        unknown = set(table) - {"colour", "color", "key"}
        if unknown:
            raise InputError(f"{where}: unknown setting {sorted(unknown)[0][:40]!r}")
        base = tags.get(name)
        colour = table.get("colour", table.get("color", base.colour if base else None))
        key = table.get("key", base.key if base else None)
        if not isinstance(colour, str) or not COLOUR_RE.match(colour):
            raise InputError(f"{where}: colour = {colour!r}: expected \"#rrggbb\"")
        if not isinstance(key, str) or len(key) != 1 or not key.isprintable() or key.isspace():
            raise InputError(f"{where}: key = {key!r}: expected one printable character")
        tags[name] = TagSpec(name, colour.lower(), key)
    keys: dict[str, str] = {}
    for spec in tags.values():
        if spec.key in keys:
            raise InputError(
                f"{path}: key {spec.key!r} is used by both '{keys[spec.key]}' and '{spec.name}'"
            )
        keys[spec.key] = spec.name
    return tuple(tags.values())
