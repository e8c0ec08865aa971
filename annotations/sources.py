"""Where an article comes from: the outlet, address and dates a citation needs.

An article read from a web page or a URL carries a ``Source``; a plain text file has none.
The file stores it beside the text (see docs/FORMAT.md) and every export cites it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from annotations.model import SURROGATE_RE, is_time
from annotations.text import cut

MAX_URL = 2000
MAX_FIELD = 200
FIELDS = ("url", "outlet", "author", "published", "fetched", "fetched_from")

# What a stored field may not hold: C0/C1 controls, bidi controls, line separators (a
# title bar or a CSV cell would show them as the terminal or spreadsheet reads them).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Source:
    url: str = ""
    """The address to cite: the page's canonical URL when it names one, else where it was
    fetched from."""
    outlet: str = ""
    """The site's name ("Diario del Sur"), else its host name."""
    author: str = ""
    published: str = ""
    """YYYY-MM-DD, as the page gives it."""
    fetched: str = ""
    """UTC ISO-8601 time it was fetched; empty for a page saved to disk."""
    fetched_from: str = ""
    """The URL that was asked for (``--refresh`` fetches it again); empty for a file."""

    def record(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELDS}


def clean(value: object, limit: int = MAX_FIELD) -> str:
    """A metadata value from a page as factread stores it: one line, no controls, at most
    ``limit`` characters (cut with "…")."""
    if not isinstance(value, str):
        return ""
    value = SURROGATE_RE.sub("\ufffd", value)
    value = " ".join(_UNSAFE.sub(" ", value).split())
    return cut(value, limit)


def is_url(value: str) -> bool:
    return bool(_URL.fullmatch(value)) and len(value) <= MAX_URL and not _UNSAFE.search(value)


def source_record(record: Any) -> Source:
    """A stored source, checked; raise ValueError naming the field."""
    if not isinstance(record, dict):
        raise ValueError("not an object")
    unknown = set(record) - set(FIELDS)
    if unknown:
        raise ValueError(f"field {sorted(unknown)[0][:40]!r} is unknown")
    values: dict[str, str] = {}
    for name in FIELDS:
        value = record.get(name, "")
        limit = MAX_URL if name in ("url", "fetched_from") else MAX_FIELD
        if (not isinstance(value, str) or len(value) > limit or _UNSAFE.search(value)
                or SURROGATE_RE.search(value)):
            raise ValueError(f"field '{name}': not one line of at most {limit} characters")
        values[name] = value
    for name in ("url", "fetched_from"):
        if values[name] and not is_url(values[name]):
            raise ValueError(f"field '{name}' = {values[name][:60]!r}: not an http(s) URL")
    if values["published"] and not _DATE.fullmatch(values["published"]):
        raise ValueError(f"field 'published' = {values['published'][:40]!r}: not a date "
                         "(YYYY-MM-DD)")
    if values["fetched"] and not is_time(values["fetched"]):
        raise ValueError(f"field 'fetched' = {values['fetched'][:40]!r}: not a real UTC "
                         "ISO-8601 time")
    return Source(**values)


def reference(title: str, name: str, source: Source | None) -> str:
    """Outlet, "Title", date, URL; a text file with no source is its title and file name."""
    if source is None:
        return f'"{title}" ({name})'
    return ", ".join(p for p in (source.outlet, f'"{title}"', source.published, source.url)
                     if p)


def citation(quote: str, title: str, name: str, source: Source | None) -> str:
    """What ``y`` copies: «quote» — Outlet, "Title", date, URL."""
    return f"«{quote}» — {reference(title, name, source)}"
