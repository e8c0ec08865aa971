"""Finding an annotation again on another version of its article (a colleague's copy, or
the report as it reads after an update): the exact quote where its context matches best,
else the span between its prefix and suffix when it still resembles the quote.
"""

from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass, field

from annotations.articles import Article
from annotations.model import Annotation, context
from annotations.search import best_occurrence, find_exact
from annotations.store import AnnotationStore, Change

SIMILAR = 0.6
"""How alike (difflib ratio) an edited quote must be to the original to re-anchor on it."""


def _context_candidates(text: str, prefix: str, suffix: str, length: int,
                        ) -> list[tuple[int, int]]:
    """Spans between an occurrence of the prefix and the next occurrence of the suffix
    that are about as long as the quote was."""
    def ends_of(piece: str) -> list[int]:
        for cut in (piece, piece[-16:], piece[-8:]):
            found = [i + len(cut) for i in find_exact(text, cut)] if cut else []
            if found:
                return found
        return []

    def starts_of(piece: str) -> list[int]:
        for cut in (piece, piece[:16], piece[:8]):
            found = find_exact(text, cut) if cut else []
            if found:
                return found
        return []

    lefts = ends_of(prefix) if prefix else [0]
    rights = starts_of(suffix) if suffix else [len(text)]
    spans = []
    limit = 2 * length + 16
    for left in lefts[:200]:
        at = bisect.bisect_left(rights, left + 1)
        if at < len(rights) and rights[at] - left <= limit:
            spans.append((left, rights[at]))
        elif prefix and not rights:
            spans.append((left, min(len(text), left + length)))
    if not lefts and rights:
        spans += [(max(0, right - length), right) for right in rights[:200]]
    return spans


def reanchor(ann: Annotation, text: str) -> tuple[int, int] | None:
    """Where ``ann`` (made on another version of the article) falls in ``text``: the
    exact quote with the best-matching context, else the span between its prefix and
    suffix when it still resembles the quote (a word changed, text inserted inside)."""
    found = best_occurrence(text, ann.quote, ann.prefix, ann.suffix, ann.start)
    if found is not None:
        return found[1], found[1] + len(ann.quote)
    best: tuple[float, int, tuple[int, int]] | None = None
    for start, end in _context_candidates(text, ann.prefix, ann.suffix, len(ann.quote)):
        while start < end and text[start].isspace() and not ann.quote[0].isspace():
            start += 1
        while end > start and text[end - 1].isspace() and not ann.quote[-1].isspace():
            end -= 1
        if start >= end:
            continue
        ratio = difflib.SequenceMatcher(None, ann.quote, text[start:end], autojunk=False).ratio()
        key = (ratio, -abs(start - ann.start), (start, end))
        if ratio >= SIMILAR and (best is None or key[:2] > best[:2]):
            best = key
    return best[2] if best else None


@dataclass
class NewVersions:
    """Annotations moved from older versions of articles onto the versions just opened."""

    change: Change
    moved: dict[str, int] = field(default_factory=dict)
    """Article name to how many annotations moved onto its new version."""
    unplaced: list[Annotation] = field(default_factory=list)
    """Annotations that could not be placed: they stay on the old text, which stays."""

    def message(self) -> str:
        parts = []
        for name in sorted(set(self.moved) | {a.article for a in self.unplaced}):
            moved = self.moved.get(name, 0)
            lost = sum(1 for a in self.unplaced if a.article == name)
            text = (f"{moved} annotation{'s' * (moved != 1)} moved to the new version of "
                    f"{name}")
            if lost:
                text += f", {lost} could not be placed (listed in the panel, a)"
            parts.append(text)
        return "; ".join(parts)


def unplaced_on(store: AnnotationStore, article: Article) -> list[Annotation]:
    """Annotations on other versions of ``article`` (same name, other text)."""
    return [ann for other in store.articles.values()
            if other.name == article.name and other.sha256 != article.sha256
            for ann in store.for_article(other.sha256)]


def move_to_new_versions(store: AnnotationStore, articles: list[Article]) -> NewVersions:
    """A change moving every annotation that lies on an older version of one of
    ``articles`` (same name, other text) onto it, re-anchored; those that cannot be
    placed are left where they are and listed. The change also records the new versions
    it moves annotations onto."""
    pairs: list[tuple[Annotation | None, Annotation | None]] = []
    result = NewVersions(Change(()))
    needed: list[Article] = []
    for article in articles:
        older = unplaced_on(store, article)
        if not older:
            continue
        for ann in older:
            span = reanchor(ann, article.text)
            if span is None:
                result.unplaced.append(ann)
                continue
            start, end = span
            prefix, suffix = context(article.text, start, end)
            pairs.append((ann, ann.changed(article_sha256=article.sha256, start=start,
                                           end=end, quote=article.text[start:end],
                                           prefix=prefix, suffix=suffix)))
            result.moved[article.name] = result.moved.get(article.name, 0) + 1
        if article.name in result.moved:
            needed.append(article)
    result.change = Change(tuple(pairs), f"move annotations to new versions of "
                                         f"{', '.join(a.name for a in needed)}", tuple(needed))
    return result
