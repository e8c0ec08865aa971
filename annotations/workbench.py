"""What each action of the reading screen does, without the screen: the workbench holds
the annotation file, its undo history and a review session, and answers plain questions
("tag this range", "what is at offset N of article X", "accept the disagreement here")
with plain ``Outcome``s that the app only has to show. Tested without Textual.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from annotations.anchoring import move_to_new_versions, unplaced_on
from annotations.articles import Article
from annotations.config import TagSpec
from annotations.errors import FactreadError
from annotations.find_all import Finder, Hit
from annotations.find_all import step as step_through
from annotations.history import History
from annotations.model import Annotation, create
from annotations.review import ReviewSession
from annotations.review_items import Item
from annotations.sources import citation
from annotations.store import AnnotationStore, Change, Draft
from annotations.text import cut

if TYPE_CHECKING:  # cross-checking (stemmer, number parser) is imported when first used
    from annotations.crosscheck import Disagreement, Index, Related

INFO, WARNING, ERROR = "information", "warning", "error"
SAID = 3
"""Annotations under the cursor the status line describes; the rest are counted."""


@dataclass
class Outcome:
    """What an action did, for the screen to show."""

    message: str = ""
    severity: str = INFO
    title: str = ""
    change: Change | None = None
    """The change now on disk (repaint what it touched)."""
    goto: tuple[str, int] | None = None
    """(article SHA-256, offset) to bring into view."""
    selected: tuple[int, int] | None = None
    """A span of the article at ``goto`` to select."""

    @property
    def done(self) -> bool:
        return self.change is not None


@dataclass(frozen=True)
class Fact:
    """One piece of the status line: text and what kind of thing it is (the screen
    chooses the look): user, file, place, anchor, selection, match, tag:NAME, theirs,
    quote, note, links, linking."""

    text: str
    kind: str


def innermost(anns: Sequence[Annotation]) -> Annotation | None:
    return min(anns, key=lambda a: (a.end - a.start, -a.start), default=None)




@dataclass
class Workbench:
    store: AnnotationStore
    tags: tuple[TagSpec, ...]
    review: ReviewSession | None = None
    history: History = field(init=False)
    link_from: str | None = None
    """The annotation a link starts from, between the two presses of ``l``."""
    _follow: int = 0
    _fold_problem: str | None = None
    _index: tuple[tuple[str, ...], Index] | None = None
    _finder: Finder = field(default_factory=Finder)

    def __post_init__(self) -> None:
        self.history = History(self.store)

    # ------------------------------------------------------------------ asking
    def at(self, sha: str, offset: int) -> Annotation | None:
        """The innermost of my annotations covering ``offset``."""
        return innermost(self.store.at(sha, offset))

    def here(self, sha: str, offset: int) -> Annotation | None:
        """The annotation a list opens on: the innermost under ``offset``, else the first
        after it in the article, else its last."""
        found = self.at(sha, offset)
        if found is not None:
            return found
        anns = self.store.for_article(sha)
        at = bisect.bisect_left(anns, offset, key=lambda a: a.start)
        return anns[at] if at < len(anns) else (anns[-1] if anns else None)

    def under(self, sha: str, offset: int, what: str) -> Annotation | Outcome:
        """The annotation under the cursor to ``what``, or the Outcome saying there is none."""
        ann = self.at(sha, offset)
        if ann is None:
            return Outcome(f"No annotation under the cursor to {what}: ] and [ jump to one.",
                           WARNING)
        return ann

    def status(self, sha: str, offset: int) -> list[Fact]:
        """What the status line says about this place, most important first."""
        facts: list[Fact] = []
        if self.link_from is not None:
            source = self.store.get(self.link_from)
            if source is not None:
                facts.append(Fact("LINKING: go to the other span and press l (Esc cancels)",
                                  "linking"))
                facts.append(Fact(f"from «{cut(source.quote, 30)}»", "dim"))
        # One line says a few: under a dense place (60 annotations on one character) the
        # rest is counted, not spelt out (the panel, a, lists them).
        if self.review is not None:
            theirs = self.review.theirs_overlapping(sha, offset, offset + 1)
            for other in theirs[:SAID]:
                facts += [Fact("theirs", "theirs"), Fact(other.tag, f"tag:{other.tag}"),
                          Fact(f"by {other.annotator or 'them'}", "dim")]
                if other.note:
                    facts.append(Fact(f"their note: {cut(other.note, 60)}", "note"))
            if theirs and self.store.at(sha, offset):
                facts.append(Fact("mine", "theirs"))  # what follows is mine
            if len(theirs) > SAID:
                facts.append(Fact(f"+{len(theirs) - SAID} more of theirs", "dim"))
        # The one changed last first: after tagging, the new annotation is what is named
        here = sorted(self.store.at(sha, offset), key=lambda a: a.modified, reverse=True)
        for ann in here[:SAID]:
            facts += [Fact(ann.tag, f"tag:{ann.tag}"), Fact(f"«{cut(ann.quote, 40)}»", "quote")]
            if ann.note:
                facts.append(Fact(f"note: {cut(ann.note, 60)}", "note"))
            if ann.links:
                facts.append(Fact(f"links: {len(ann.links)}", "links"))
        if len(here) > SAID:
            facts.append(Fact(f"+{len(here) - SAID} more here", "dim"))
        return facts

    def unplaced(self, article: Article) -> list[Annotation]:
        """Annotations of older versions of ``article`` that could not be moved onto it."""
        return unplaced_on(self.store, article)

    # ------------------------------------------------------------------ changing
    def apply(self, change: Change, message: str = "") -> Outcome:
        """Make ``change`` durable and undoable. A refusal (the disk, a rule) is said and
        nothing is shown as made."""
        try:
            self.history.do(change)
        except FactreadError as err:
            return Outcome(str(err), ERROR, "Not saved")
        if self.review is not None:
            self.review.refresh(change)
        return Outcome(message, change=change)

    def tag(self, article: Article, selection: tuple[int, int] | None, tag: str) -> Outcome:
        if selection is None:
            return Outcome("Select text first: shift+arrows, v, s (sentence), / (search) or "
                           "a mouse drag.", WARNING)
        try:
            change = self.store.prepare_add(article, selection[0], selection[1], tag)
        except FactreadError as err:
            return Outcome(str(err), ERROR, "Not saved")
        outcome = self.apply(change)
        if outcome.done:
            outcome.goto = (article.sha256, selection[0])  # e, l or t act on it next
        return outcome

    def retag(self, ann_id: str, tag: str) -> Outcome:
        ann = self.store.get(ann_id)
        if ann is None or ann.tag == tag:
            return Outcome()
        return self.apply(self.store.prepare_update(ann_id, f"retag {tag}", tag=tag))

    def delete(self, sha: str, offset: int) -> Outcome:
        ann = self.under(sha, offset, "delete")
        if isinstance(ann, Outcome):
            return ann
        return self.apply(self.store.prepare_delete(ann.id),
                          f"Deleted a {ann.tag} annotation (ctrl+z undoes).")

    def set_note(self, ann_id: str, note: str) -> Outcome:
        current = self.store.get(ann_id)
        if current is None or note == current.note:
            return Outcome()
        return self.apply(self.store.prepare_update(ann_id, "note", note=note))

    def link(self, sha: str, offset: int) -> Outcome:
        """``l`` here, then ``l`` there: links both ways (or unlinks two linked ones)."""
        ann = self.under(sha, offset, "link")
        if isinstance(ann, Outcome):
            return ann
        if self.link_from is None:
            self.link_from = ann.id
            return Outcome()
        source, self.link_from = self.link_from, None
        if source == ann.id:
            return Outcome("Linking cancelled.")
        if self.store.get(source) is None:
            return Outcome()
        unlink = source in ann.links
        return self.apply(self.store.prepare_link(source, ann.id, unlink=unlink),
                          "Unlinked." if unlink else "Linked both ways (L follows a link).")

    def cancel_link(self) -> bool:
        """Esc while linking; True if there was a link to cancel."""
        was, self.link_from = self.link_from is not None, None
        return was

    def follow(self, sha: str, offset: int, open_articles: Sequence[Article]) -> Outcome:
        """``L``: the next of the annotation's links, in turn."""
        ann = self.under(sha, offset, "follow a link from")
        if isinstance(ann, Outcome):
            return ann
        if not ann.links:
            return Outcome("This annotation has no links: l on it, then l on another.",
                           WARNING)
        self._follow = (self._follow + 1) % len(ann.links)
        target = self.store.get(ann.links[self._follow])
        return self.go_to(target, open_articles) if target is not None else Outcome()

    @staticmethod
    def go_to(ann: Annotation, open_articles: Sequence[Article]) -> Outcome:
        """Where ``ann`` is, if its article is open: an annotation left on an older version
        of an open article (it could not be placed on the new text) is said so."""
        if any(a.sha256 == ann.article_sha256 for a in open_articles):
            return Outcome(goto=(ann.article_sha256, ann.start))
        if any(a.name == ann.article for a in open_articles):
            return Outcome(f"«{cut(ann.quote, 60)}» could not be placed on the new version "
                           f"of {ann.article}; it stays in the file on the old text.", WARNING)
        return Outcome(f"That annotation is in {ann.article}, which is not open.", WARNING)

    def jump(self, sha: str, offset: int, direction: int,
             order: Sequence[Article] = ()) -> Outcome:
        """``]``/``[``: the next or previous annotation (in review: disagreement). Past the
        article's last (first) one it goes on into the next (previous) of ``order``, the
        open articles in pane order, and says so; past the last of all it starts again
        from the first, and says that too."""
        if self.review is not None:
            item = self.review.step(sha, offset, direction)
            if item is None:
                return Outcome("No disagreements left to decide.")
            return Outcome(goto=(item.article, item.start))
        anns = self.store.for_article(sha)
        if direction > 0:
            index = bisect.bisect_right(anns, offset, key=lambda a: a.start)
            if index < len(anns):
                return Outcome(goto=(sha, anns[index].start))
        else:
            index = bisect.bisect_left(anns, offset, key=lambda a: a.start)
            if index > 0:
                return Outcome(goto=(sha, anns[index - 1].start))
        shas = [a.sha256 for a in order] or [sha]
        here = shas.index(sha) if sha in shas else 0
        for step in range(1, len(shas) + 1):
            at = (here + step * direction) % len(shas)
            found = self.store.for_article(shas[at])
            if not found:
                continue
            target = found[0] if direction > 0 else found[-1]
            wrapped = (here + step * direction) not in range(len(shas))
            if wrapped:
                where = "first" if direction > 0 else "last"
                message = f"Past the {'last' if direction > 0 else 'first'} annotation of " \
                          f"the open articles: back to the {where}."
            elif at == here:
                message = ""
            else:
                message = f"On into {order[at].title} (pane {at + 1})."
            return Outcome(message, goto=(shas[at], target.start))
        return Outcome("No annotations in the open articles yet.")

    def undo(self) -> Outcome:
        return self._step(self.history.undo, "Nothing to undo.", "Undone")

    def redo(self) -> Outcome:
        return self._step(self.history.redo, "Nothing to redo.", "Redone")

    def _step(self, step: Callable[[], Change | None], empty: str, done: str) -> Outcome:
        try:
            change = step()
        except FactreadError as err:
            return Outcome(str(err), ERROR, "Not saved")
        if change is None:
            return Outcome(empty)
        if self.review is not None:
            self.review.refresh(change)
        return Outcome(f"{done}: {change.label.removeprefix('undo ')}", change=change)

    # ----------------------------------------------------------- find in all articles
    def find_everywhere(self, articles: Sequence[Article], query: str) -> list[Hit]:
        """Every match of ``query`` in ``articles`` (pane order), as ``/`` matches."""
        return self._finder.find(articles, query)

    def step_hit(self, hits: Sequence[Hit], articles: Sequence[Article], sha: str,
                 selection: tuple[int, int] | None, cursor: int, *,
                 backwards: bool = False) -> tuple[int, Outcome]:
        """n/N after find in all articles: the next result (previous ``backwards``) from
        the place in article ``sha``, across articles; said when it goes on into another
        article or round the ends."""
        order = [a.sha256 for a in articles]
        index, wrapped = step_through(hits, order, sha, selection, cursor,
                                      backwards=backwards)
        hit = hits[index]
        where = f"{cut(hit.article.title, 40)} (pane {order.index(hit.article.sha256) + 1})"
        message = (f"Search wrapped to the {'last' if backwards else 'first'} match, in "
                   f"{where}." if wrapped
                   else f"On into {where}." if hit.article.sha256 != sha else "")
        return index, Outcome(message, goto=(hit.article.sha256, hit.start),
                              selected=(hit.start, hit.end))

    @staticmethod
    def hit_number(hits: Sequence[Hit], sha: str, selection: tuple[int, int] | None) -> int:
        """1 + the index of the result that is the selection in article ``sha``; 0 if
        the selection is none of them (the status line says "match 3/12 in all")."""
        if selection is None:
            return 0
        for n, hit in enumerate(hits, start=1):
            if hit.start == selection[0] and hit.end == selection[1] \
                    and hit.article.sha256 == sha:
                return n
        return 0

    # ----------------------------------------------------------- cross-checking
    def cross_index(self, articles: Sequence[Article]) -> Index:
        """The passages of ``articles`` ready to rank, built once per set of articles (the
        screen builds it on a worker thread first: 0.1 s for the samples, 0.4 s for 50
        articles of 10 KB)."""
        from annotations.crosscheck import Index

        key = tuple(a.sha256 for a in articles)
        if self._index is None or self._index[0] != key:
            self._index = (key, Index(articles))
        return self._index[1]

    def has_index(self, articles: Sequence[Article]) -> bool:
        return self._index is not None and self._index[0] == tuple(a.sha256 for a in articles)

    def related(self, articles: Sequence[Article], article: Article,
                selection: tuple[int, int] | None, cursor: int
                ) -> tuple[tuple[int, int], list[Related]]:
        """The passages of the other articles that speak of the selection (or of the
        sentence under the cursor), best first, and the span asked about."""
        from annotations.crosscheck import sentence_at

        span = selection or sentence_at(article, cursor)
        index = self.cross_index(articles)
        return span, index.rank(article, span[0], span[1], top=10, exclude=article.sha256)

    def disagreements(self, articles: Sequence[Article]) -> list[Disagreement]:
        """Proposed disagreements across ``articles``, strongest first, those already
        accepted or dismissed left out."""
        from annotations.crosscheck import disagreements as find_disagreements

        return [d for d in find_disagreements(articles, self.cross_index(articles))
                if d.key not in self.store.reviews]

    def accept(self, found: Disagreement) -> Outcome:
        """Two contradiction annotations linked to each other, with a note saying why, in
        one undoable change; the proposal is remembered as accepted."""
        tag = "contradiction" if any(t.name == "contradiction" for t in self.tags) else \
            self.tags[0].name
        draft = Draft(self.store)
        made = []
        for passage, (start, end) in ((found.a, found.a_span), (found.b, found.b_span)):
            article = passage.article
            same = [a for a in self.store.for_article(article.sha256)
                    if (a.start, a.end) == (start, end) and a.tag == tag]
            if same:
                ann = same[0]
                if found.why not in ann.note:
                    draft.put(ann.changed(note=f"{ann.note}\n{found.why}".strip()))
            else:
                try:
                    ann = create(text=article.text, article_sha256=article.sha256,
                                 article=article.name, start=start, end=end, tag=tag,
                                 annotator=self.store.annotator, note=found.why)
                except FactreadError as err:
                    return Outcome(str(err), ERROR, "Not saved")
                draft.put(ann)
            made.append(ann.id)
        draft.link(made[0], made[1])
        draft.link(made[1], made[0])
        change = draft.change(f"accept {found.kind} disagreement",
                              (found.a.article, found.b.article),
                              ((found.key, self.store.reviews.get(found.key), "accepted"),))
        return self.apply(change, f"Tagged both as {tag} and linked: {found.why}")

    def dismiss(self, found: Disagreement) -> Outcome:
        """Not proposed again (remembered in the file; undo brings it back)."""
        change = Change((), "dismiss disagreement",
                        reviews=((found.key, self.store.reviews.get(found.key), "dismissed"),))
        return self.apply(change, f"Dismissed: {found.why}")

    # ------------------------------------------------------------------ review
    def decide(self, sha: str, offset: int, decision: str) -> Outcome:
        """``A`` accept theirs, ``R`` reject theirs, ``K`` keep mine, on the undecided
        disagreement under the cursor."""
        review = self.review
        if review is None:
            return Outcome("A, R and K decide on a colleague's annotations: factread review "
                           "FILE.", WARNING)
        item = review.item_at(sha, offset)
        if item is None:
            return Outcome("No undecided disagreement under the cursor: ] jumps to the next.",
                           WARNING)
        prepare: dict[str, Callable[[Item], Change]] = {
            "accept": review.prepare_accept, "reject": review.prepare_reject,
            "keep": review.prepare_keep}
        try:
            change = prepare[decision](item)
        except FactreadError as err:
            return Outcome(str(err), WARNING)
        # Says whose version stands: "Kept mine", "Accepted theirs", "Rejected theirs"
        theirs, mine = item.theirs, item.mine[0] if item.mine else None
        if decision == "accept":  # the label says what of theirs was taken
            said = f"{change.label[:1].upper()}{change.label[1:]}"
        elif decision == "reject" and theirs is not None:
            said = (f"Rejected theirs: {theirs.tag} «{cut(theirs.quote, 30)}» by "
                    f"{theirs.annotator or 'them'} will not come back")
        elif theirs is not None:
            said = (f"Kept mine: their {theirs.tag} «{cut(theirs.quote, 30)}» by "
                    f"{theirs.annotator or 'them'} set aside")
        else:
            assert mine is not None
            said = f"Kept mine: my {mine.tag} «{cut(mine.quote, 30)}» stays"
        return self.apply(change, f"{said} ({item.kind}; ctrl+z undoes).")

    # ------------------------------------------------------------------ the file
    def opened(self, articles: Sequence[Article]) -> Outcome:
        """The articles on screen enter the file (text and source), so that a colleague's
        CSV or JSONL imported later finds them; then ``new_versions``."""
        try:
            self.store.add_articles(articles)
        except FactreadError as err:
            return Outcome(f"{err}; the articles are shown but not recorded in the file",
                           WARNING, "Articles not recorded")
        return self.new_versions(articles)

    def new_versions(self, articles: Sequence[Article]) -> Outcome:
        """Articles edited on disk since they were annotated: their annotations follow
        them (undoable); what cannot be placed is said."""
        moved = move_to_new_versions(self.store, list(articles))
        if not moved.moved and not moved.unplaced:
            return Outcome()
        outcome = self.apply(moved.change) if moved.change.pairs else Outcome()
        if outcome.severity == ERROR:
            return outcome
        outcome.message = moved.message()
        outcome.title = "Articles changed on disk"
        outcome.severity = WARNING if moved.unplaced else INFO
        return outcome

    def fold(self) -> Outcome:
        """Write the journal into the main file now (a copy taken then is current); a disk
        that refuses is said once, not at every try."""
        problem = self.store.fold()
        said = problem is not None and problem != self._fold_problem
        self._fold_problem = problem
        if said:
            return Outcome(f"{problem}; every change is safe in the journal beside it",
                           WARNING, "Main file not updated")
        return Outcome()

    def citation(self, article: Article, span: tuple[int, int]) -> str:
        """What ``y`` copies: the quote and where it comes from."""
        return citation(article.text[span[0]:span[1]], article.title, article.name,
                        article.source)

    def export(self, fmt: str, path: str) -> Outcome:
        from annotations.export import export

        target = Path(path).expanduser()
        try:
            result = export(self.store, fmt, target, tags=self.tags)
        except (FactreadError, OSError) as err:
            return Outcome(str(err), ERROR)
        lines = result.warnings[:3]
        if len(result.warnings) > 3:
            lines.append(f"… and {len(result.warnings) - 3} more warnings")
        lines.append(f"Exported {result.count} annotations to {target.resolve()}")
        return Outcome("\n".join(lines), WARNING if result.warnings else INFO)
