"""Reviewing a colleague's annotation file against mine.

Their annotations are placed on my articles (re-anchored by quote, prefix and suffix where
they annotated another version of an article), then each is classified against mine:
agree, tag conflict, boundary conflict, both, or only theirs; each of mine that nothing of theirs
touches is only mine. Accepting, rejecting and keeping are ``Change``s on my file, durable
and undoable like any other; their file is only ever read.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from annotations.anchoring import reanchor
from annotations.articles import Article
from annotations.errors import InputError
from annotations.model import MAX_NOTE, Annotation, context, now_iso
from annotations.review_items import (
    AGREE,
    BOTH,
    BOUNDARY,
    ONLY_MINE,
    ONLY_THEIRS,
    TAG,
    Item,
    Orphan,
)
from annotations.store import AnnotationStore, Change, Draft, apart, overlapping_in
from annotations.text import cut


def _shared(a: Annotation, b: Annotation) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def merged_note(mine: str, theirs: Annotation) -> tuple[str, bool]:
    """My note with theirs added, marked with their name, unless mine already says it.
    Returns the note and whether theirs was added."""
    if not theirs.note.strip() or theirs.note.strip() in mine:
        return mine, False
    signed = f"— {theirs.annotator or 'their note'}: {theirs.note}"
    note = f"{mine}\n\n{signed}" if mine.strip() else signed
    return note[:MAX_NOTE], True


def review_articles(mine: Mapping[str, Article], theirs: Mapping[str, Article]
                    ) -> list[Article]:
    """The articles a review shows, in name order: mine, and theirs that are no version of
    one of mine (same name or title). The screen computes it from the articles alone, to
    show the texts before both files are open."""
    names = {a.name for a in mine.values()}
    titles = {a.title for a in mine.values()}
    shown = list(mine.values())
    shown += [a for sha, a in theirs.items() if sha not in mine
              and a.name not in names and a.title not in titles]
    return sorted(shown, key=lambda a: a.name)


@dataclass
class ReviewSession:
    mine: AnnotationStore
    theirs: AnnotationStore
    articles: list[Article] = field(default_factory=list)
    placed: list[Annotation] = field(default_factory=list)
    moved: int = 0
    """How many of theirs were re-anchored onto another version of the article."""
    orphans: list[Orphan] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    original: dict[str, Annotation] = field(default_factory=dict)
    """Their annotations as in their file, by id."""
    _open: list[Item] = field(default_factory=list, repr=False)
    _open_key: tuple[int, int] | None = field(default=None, repr=False)
    _generation: int = field(default=0, repr=False)
    """Counts reclassifications: with my file's version, says when ``_open`` is stale."""

    classify: bool = True
    """False: only place theirs on my articles (``factread agree`` needs no classes)."""

    def __post_init__(self) -> None:
        self._align()
        if self.classify:
            self.refresh()

    # ------------------------------------------------------------ placing theirs
    def _align(self) -> None:
        by_name = {a.name: a for a in self.mine.articles.values()}
        by_title = {a.title: a for a in self.mine.articles.values()}
        self.articles = review_articles(self.mine.articles, self.theirs.articles)
        theirs_only = {a.sha256 for a in self.articles} - set(self.mine.articles)
        for ann in self.theirs.all():
            self.original[ann.id] = ann
            if ann.article_sha256 in self.mine.articles or ann.article_sha256 in theirs_only:
                self.placed.append(ann)
                continue
            their_article = self.theirs.articles[ann.article_sha256]
            target = by_name.get(their_article.name) or by_title.get(their_article.title)
            assert target is not None
            span = reanchor(ann, target.text)
            if span is None:
                self.orphans.append(Orphan(ann, f"«{ann.quote[:40]}» no longer found in "
                                                f"{target.name}"))
                continue
            start, end = span
            prefix, suffix = context(target.text, start, end)
            self.placed.append(ann._replace(article_sha256=target.sha256, article=target.name,
                                            start=start, end=end, quote=target.text[start:end],
                                            prefix=prefix, suffix=suffix))
            self.moved += 1
        order = {a.sha256: n for n, a in enumerate(self.articles)}
        self.placed.sort(key=lambda a: (order[a.article_sha256], a.start, a.end, a.id))
        self._theirs_by_article: dict[str, list[Annotation]] = {}
        for ann in self.placed:
            self._theirs_by_article.setdefault(ann.article_sha256, []).append(ann)
        self._theirs_apart = {sha: apart(anns) for sha, anns in self._theirs_by_article.items()}
        self._order = order

    def theirs_overlapping(self, sha: str, start: int, end: int) -> list[Annotation]:
        """Theirs sharing a character with [start, end), in position order."""
        anns = self._theirs_by_article.get(sha)
        return overlapping_in(anns, self._theirs_apart[sha], start, end) if anns else []

    # ------------------------------------------------------------ classifying
    def _classify(self, ann: Annotation, touched: set[str] | None = None) -> Item:
        """One of theirs against mine; adds the ids of mine it overlaps to ``touched``."""
        over = self.mine.overlapping(ann.article_sha256, ann.start, ann.end)
        if touched is not None:
            touched.update(a.id for a in over)
        same = tuple(a for a in over if (a.start, a.end) == (ann.start, ann.end))
        if any(a.tag == ann.tag for a in same):
            kind, related = AGREE, tuple(a for a in same if a.tag == ann.tag)
        elif same:
            kind, related = TAG, same
        elif any(a.tag == ann.tag for a in over):
            kind, related = BOUNDARY, tuple(a for a in over if a.tag == ann.tag)
        elif over:
            kind, related = BOTH, tuple(over)
        else:
            kind, related = ONLY_THEIRS, ()
        return Item(kind, ann.article_sha256, ann.start, ann, related)

    def _alone(self, ann: Annotation) -> bool:
        """Mine, on an article under review, and touched by nothing of theirs."""
        return (ann.article_sha256 in self._order
                and not self.theirs_overlapping(ann.article_sha256, ann.start, ann.end))

    @staticmethod
    def _only_mine(ann: Annotation) -> Item:
        return Item(ONLY_MINE, ann.article_sha256, ann.start, None, (ann,))

    def _item_order(self, item: Item) -> tuple[int, int, str, str]:
        # Total (the id last), so that reclassifying a part gives the order of the whole.
        return (self._order[item.article], item.start, item.kind, item.key)

    def refresh(self, change: Change | None = None) -> None:
        """Classify again after ``change`` to my file (a decision, an edit, an undo): only
        what it touched, ~1 ms instead of ~100 ms at 10,000 a side. Without ``change``,
        everything."""
        if change is None:
            touched: set[str] = set()
            items = [self._classify(ann, touched) for ann in self.placed]
            items += [self._only_mine(ann) for ann in self.mine.all()
                      if ann.id not in touched and ann.article_sha256 in self._order]
            items.sort(key=self._item_order)
            self.items = items
            self._generation += 1
            return
        theirs: dict[str, Annotation] = {}
        mine: set[str] = set()
        for pair in change.pairs:
            for ann in pair:
                if ann is None:
                    continue
                mine.add(ann.id)
                for other in self.theirs_overlapping(ann.article_sha256, ann.start, ann.end):
                    theirs[other.id] = other
        if not mine:
            return
        kept = [i for i in self.items
                if not (i.theirs.id in theirs if i.theirs is not None else i.mine[0].id in mine)]
        kept += [self._classify(ann) for ann in theirs.values()]
        for ann_id in mine:
            ann = self.mine.get(ann_id)
            if ann is not None and self._alone(ann):
                kept.append(self._only_mine(ann))
        kept.sort(key=self._item_order)  # nearly sorted: a merge, not a full sort
        self.items = kept
        self._generation += 1

    def decided(self, item: Item) -> str | None:
        return self.mine.reviews.get(item.key)

    def disagreements(self) -> list[Item]:
        """Items still to decide, in article and position order. Kept until the items or
        my file change: the panel, the status line and every key ask for it."""
        key = (self._generation, self.mine.version)
        if self._open_key != key:
            self._open = [i for i in self.items if i.kind != AGREE and self.decided(i) is None]
            self._open_key = key
        return self._open

    def _position(self, item: Item) -> tuple[int, int]:
        return (self._order[item.article], item.start)

    def index_near(self, sha: str, offset: int) -> int:
        """Index in ``disagreements()`` of the first one at or after this place."""
        return bisect.bisect_left(self.disagreements(), (self._order.get(sha, 0), offset),
                                  key=self._position)

    def index_of(self, item: Item) -> int:
        """Where ``item`` (one of ``disagreements()``) is in that list: "3/12"."""
        items = self.disagreements()
        at = bisect.bisect_left(items, self._position(item), key=self._position)
        while at < len(items) and items[at] is not item:
            at += 1
        return at

    def step(self, sha: str, offset: int, direction: int) -> Item | None:
        """The next (direction > 0) or previous undecided disagreement from this place,
        across articles in order, wrapping around."""
        items = self.disagreements()
        if not items:
            return None
        here = (self._order.get(sha, 0), offset)
        if direction > 0:
            return items[bisect.bisect_right(items, here, key=self._position) % len(items)]
        return items[(bisect.bisect_left(items, here, key=self._position) - 1) % len(items)]

    def item_at(self, sha: str, offset: int) -> Item | None:
        """The undecided disagreement whose span (theirs or mine) covers this place."""
        items = self.disagreements()
        order = self._order.get(sha)
        if order is None:
            return None
        first = bisect.bisect_left(items, (order, -1), key=self._position)
        last = bisect.bisect_left(items, (order + 1, -1), key=self._position)
        for item in items[first:last]:
            spans = [(a.start, a.end) for a in (item.theirs, *item.mine) if a is not None]
            if item.start == offset or any(s <= offset < e for s, e in spans):
                return item
        return None

    def counts(self) -> Counter[str]:
        counts = Counter(i.kind for i in self.items)
        counts["decided"] = counts.total() - counts[AGREE] - len(self.disagreements())
        counts["orphans"] = len(self.orphans)
        return counts

    # ------------------------------------------------------------ deciding
    def prepare_accept(self, item: Item) -> Change:
        """Take their side of a disagreement into my file, keeping my work: on a tag
        conflict my annotation takes their tag, on a boundary conflict their span; my note
        and links stay, and their note is added to mine (marked with their name). Only an
        annotation of theirs that none of mine overlaps is added as theirs. The change's
        label says what changed."""
        if item.theirs is None:
            raise InputError("only mine: there is nothing of theirs to accept")
        theirs = item.theirs
        article = next(a for a in self.articles if a.sha256 == item.article)
        decision = self.mine.reviews.get(theirs.id)
        reviews = ((theirs.id, decision, None),) if decision is not None else ()
        draft = Draft(self.mine)
        if item.kind in (TAG, BOUNDARY, BOTH) and item.mine:
            mine = max(item.mine, key=lambda a: (_shared(a, theirs), -a.start))
            note, added = merged_note(mine.note, theirs)
            fields: dict[str, object] = {}
            if item.kind in (TAG, BOTH):
                fields["tag"] = theirs.tag
            if item.kind in (BOUNDARY, BOTH):
                prefix, suffix = context(article.text, theirs.start, theirs.end)
                quote = article.text[theirs.start:theirs.end]
                fields.update(start=theirs.start, end=theirs.end, quote=quote, prefix=prefix,
                              suffix=suffix)
            if item.kind == TAG:
                what = f"accepted their tag: my {mine.tag} is now {theirs.tag}"
            elif item.kind == BOUNDARY:
                what = f"accepted their span: my {mine.tag} now covers «{cut(theirs.quote, 40)}»"
            else:
                what = (f"accepted their tag and span: my {mine.tag} is now {theirs.tag} on "
                        f"«{cut(theirs.quote, 40)}»")
            draft.put(mine.changed(note=note, **fields))
            kept = ["my note" if mine.note else "",
                    f"{len(mine.links)} link{'s' * (len(mine.links) != 1)}" if mine.links else ""]
            kept_text = " and ".join(k for k in kept if k)
            label = what + (f"; {kept_text} kept" if kept_text else "") + \
                (f"; {theirs.annotator or 'their'}'s note added" if added else "")
            return draft.change(label, (article,), reviews)
        prefix, suffix = context(article.text, theirs.start, theirs.end)
        copy = theirs._replace(article_sha256=article.sha256, article=article.name,
                               prefix=prefix, suffix=suffix, links=(), modified=now_iso())
        # One draft: their file may have grown from mine (the same id), and each
        # annotation must appear once in the change.
        links = tuple(i for i in dict.fromkeys(theirs.links)
                      if i != copy.id and draft.current(i) is not None)
        if self.mine.get(copy.id) is not None:
            draft.delete(copy.id)
        draft.put(copy._replace(links=links))
        for link in links:
            draft.link(link, copy.id)
        return draft.change(f"accepted their {theirs.tag} «{cut(theirs.quote, 40)}» by "
                            f"{theirs.annotator or 'them'}", (article,), reviews)

    def prepare_reject(self, item: Item) -> Change:
        if item.theirs is None:
            raise InputError("only mine: there is nothing of theirs to reject")
        return self.mine.prepare_decision(item.key, "rejected",
                                          "rejected theirs: it will not come back")

    def prepare_keep(self, item: Item) -> Change:
        return self.mine.prepare_decision(item.key, "kept", "kept mine")
