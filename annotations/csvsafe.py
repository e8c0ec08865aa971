"""factread's CSV: column order and spreadsheet formula safety (OWASP CSV injection)."""

from __future__ import annotations

import re

BASE_COLUMNS = ("id", "article", "title", "article_sha256", "start", "end", "quote", "tag",
                "note", "links", "annotator", "created", "modified", "prefix", "suffix")
"""The columns before sources were exported: such a CSV still imports."""
SOURCE_COLUMNS = ("url", "outlet", "published")
COLUMNS = BASE_COLUMNS + SOURCE_COLUMNS
FREE_TEXT = frozenset({"quote", "note", "title", "article", "annotator", "prefix", "suffix",
                       "url", "outlet"})

# A spreadsheet reads a cell starting with these as a formula (or strips the quote).
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "'")
# A spreadsheet told to split on another separator than the file's (a Spanish-locale one
# splits on ';'), or one that loses track of the quotes, starts a new cell after a
# separator or a line break inside a cell: a formula character there is a formula too
# (LibreOffice 7.4 does this under ';' and tab even with every text cell quoted).
_INNER = re.compile("[,;\t\r\n](?=[=+\\-@'\"])")
_INNER_ESCAPED = re.compile("([,;\t\r\n])'")


def _escape(match: re.Match[str]) -> str:
    return match.group() + "'"


def protect(value: str) -> str:
    """A cell a spreadsheet shows as text: one leading ', and one ' after each separator
    or line break that stands before a formula character, a ' or a ". Reversible:
    ``unprotect`` gives the value back."""
    if value.startswith(_TRIGGERS) or _INNER.search(value):
        return "'" + _INNER.sub(_escape, value)
    return value


def unprotect(cell: str) -> str:
    """The value of a cell ``protect`` wrote (every cell starting with ' is one)."""
    if cell[:1] != "'":
        return cell
    return _INNER_ESCAPED.sub(r"\1", cell[1:])
