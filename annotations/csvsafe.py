"""factread's CSV: column order and spreadsheet formula safety (OWASP CSV injection)."""

from __future__ import annotations

COLUMNS = ("id", "article", "title", "article_sha256", "start", "end", "quote", "tag", "note",
           "links", "annotator", "created", "modified", "prefix", "suffix")
FREE_TEXT = frozenset({"quote", "note", "title", "article", "annotator", "prefix", "suffix"})
# A spreadsheet reads a cell starting with these as a formula (or strips the quote).
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "'")


def protect(value: str) -> str:
    """One leading ' so a spreadsheet shows the cell as text."""
    return "'" + value if value.startswith(_TRIGGERS) else value

# Import takes exactly that one ' off every free-text cell that starts with one (every
# exported cell starting with ' had one added), inline in importing._read_csv for speed.
