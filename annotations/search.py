"""Finding text in an article: exact (for scripts) and folded (for people).

Folded search ignores case and accents, so "moscu" finds "Moscú", and maps each match
back to offsets in the original text.
"""

from __future__ import annotations

import bisect
import unicodedata
from functools import lru_cache


def find_exact(text: str, quote: str) -> list[int]:
    """Start offsets of every occurrence of ``quote``, overlapping ones included."""
    starts: list[int] = []
    at = text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many characters of the recorded context surround this occurrence."""
    score = 0
    for a, b in zip(reversed(text[max(0, start - len(prefix)):start]), reversed(prefix),
                    strict=False):
        if a != b:
            break
        score += 1
    for a, b in zip(text[end:end + len(suffix)], suffix, strict=False):
        if a != b:
            break
        score += 1
    return score


def best_occurrence(text: str, quote: str, prefix: str, suffix: str,
                    hint: int | None = None) -> tuple[tuple[int, int], int] | None:
    """(rank, start) of the occurrence of ``quote`` in ``text`` whose surroundings best
    match ``prefix`` and ``suffix``, then nearest ``hint``; higher ranks are better. Used to
    place imported annotations and to re-anchor a colleague's on an edited article."""
    best: tuple[tuple[int, int], int] | None = None
    for start in find_exact(text, quote):
        rank = (_context_score(text, start, start + len(quote), prefix, suffix),
                -abs(start - hint) if hint is not None else 0)
        if best is None or rank > best[0]:
            best = (rank, start)
    return best


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return stripped.casefold()


def fold(text: str) -> str:
    return "".join(fold_char(ch) for ch in text)


class FoldedText:
    """An article's text folded once; queries are folded the same way."""

    def __init__(self, text: str) -> None:
        table = {ord(ch): fold_char(ch) for ch in set(text) if fold_char(ch) != ch}
        self.folded = text.translate(table)
        # Most characters fold to exactly one; only then are offsets shared.
        self._origin: list[int] | None = None
        if any(len(v) != 1 for v in table.values()):
            origin: list[int] = []
            for index, ch in enumerate(text):
                origin.extend([index] * len(fold_char(ch)))
            origin.append(len(text))
            self._origin = origin

    def find_all(self, query: str) -> list[tuple[int, int]]:
        """(start, end) in the original text of every match of ``query``."""
        needle = fold(query)
        if not needle:
            return []
        spans: list[tuple[int, int]] = []
        at = self.folded.find(needle)
        while at != -1:
            spans.append(self._span(at, at + len(needle)))
            at = self.folded.find(needle, at + 1)
        return spans

    def _span(self, start: int, end: int) -> tuple[int, int]:
        if self._origin is None:
            return start, end
        return self._origin[start], self._origin[end - 1] + 1


def next_match(matches: list[tuple[int, int]], selection: tuple[int, int] | None, cursor: int,
               *, backwards: bool = False, here: bool = False) -> tuple[int, int]:
    """The match after the selection (or the cursor; ``here``: one starting at the cursor
    counts), or before it ``backwards``, wrapping around. ``matches`` is sorted, not empty."""
    if backwards:
        last = selection[0] if selection else cursor
        before = [m for m in matches if m[0] < last]
        return before[-1] if before else matches[-1]
    first = selection[0] + 1 if selection else cursor + (0 if here else 1)
    return matches[bisect.bisect_left(matches, (first, -1)) % len(matches)]
