"""Find in all articles (``F``): every match of a query across the open articles, in pane
order, with the same accent- and case-insensitive matching as ``/``; and the step from
one result to the next across articles (``n``/``N``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from annotations.articles import Article
from annotations.search import FoldedText

AROUND = 40
"""Characters of context shown on each side of a match in its row."""


class Hit(NamedTuple):
    article: Article
    start: int
    end: int


class Finder:
    """Keeps each article's folded text, so a second query costs only the scan."""

    def __init__(self) -> None:
        self._folded: dict[str, FoldedText] = {}

    def find(self, articles: Sequence[Article], query: str) -> list[Hit]:
        """Every match in ``articles``, article by article in the order given, each in
        text order."""
        hits: list[Hit] = []
        for article in articles:
            folded = self._folded.get(article.sha256)
            if folded is None:
                folded = self._folded[article.sha256] = FoldedText(article.text)
            hits += [Hit(article, start, end) for start, end in folded.find_all(query)]
        return hits


def snippet(text: str, start: int, end: int, around: int = AROUND) -> tuple[str, str, str]:
    """(before, match, after) on one line: the match with up to ``around`` characters each
    side, line breaks as spaces, cut at a word where it can be, "…" where text goes on."""
    head = max(0, start - around)
    before = text[head:start]
    if head > 0:
        space = before.find(" ")
        before = "…" + (before[space + 1:] if 0 <= space < around // 2 else before)
    tail = min(len(text), end + around)
    after = text[end:tail]
    if tail < len(text):
        space = after.rfind(" ")
        after = (after[:space] if space > around // 2 else after) + "…"
    return (before.replace("\n", " "), text[start:end].replace("\n", " "),
            after.replace("\n", " "))


def step(hits: Sequence[Hit], order: Sequence[str], sha: str, selection: tuple[int, int] | None,
         cursor: int, *, backwards: bool = False) -> tuple[int, bool]:
    """The index of the result after the place (the selection, else the cursor) in article
    ``sha`` (before it ``backwards``), articles taken in ``order`` (SHA-256s), and whether
    that went round the last article's end (the first's start). ``hits`` is in that order
    and not empty."""
    rank = {s: n for n, s in enumerate(order)}
    here = rank.get(sha, -1)
    at = selection[0] if selection else cursor
    keys = [(rank.get(h.article.sha256, -1), h.start) for h in hits]
    if backwards:
        before = [n for n, key in enumerate(keys) if key < (here, at)]
        return (before[-1], False) if before else (len(hits) - 1, True)
    after = (here, at)  # after a tag the cursor sits on the match just tagged: n goes on
    for n, key in enumerate(keys):
        if key > after:
            return n, False
    return 0, True
