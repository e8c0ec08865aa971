"""The reading screen in review: a colleague's layer beside mine and the review panel. A
part of ``FactreadApp`` kept apart (the app inherits it); what a decision does is the
workbench's and the review session's."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from textual.timer import Timer

if TYPE_CHECKING:
    from annotations.review import ReviewSession
    from annotations.store import AnnotationStore
    from reader.widgets.article_view import ArticleView
    from reader.widgets.review_panel import ReviewPanel
    from reader.widgets.tagstyles import TagStyles

FOLLOW_AFTER = 0.15
"""Seconds of quiet after a cursor move before the review list follows it."""


class ReviewLike(Protocol):
    review: ReviewSession | None
    _follow_timer: Timer | None
    views: list[ArticleView]
    tag_styles: TagStyles
    _review_panel: ReviewPanel | None

    @property
    def view(self) -> ArticleView | None: ...
    def say(self, message: str, title: str = "", severity: str = "information", *,
            timeout: float | None = None) -> None: ...
    def _use_store(self, store: AnnotationStore, attached: bool = True) -> None: ...
    def _open_failed(self, message: str) -> None: ...
    def _take_review(self, session: ReviewSession) -> None: ...
    def _review_shown(self) -> None: ...
    def _refresh_review(self) -> None: ...
    def _review_follow(self) -> None: ...
    def set_timer(self, delay: float, callback: Any) -> Timer: ...


class ReviewUI:
    review: ReviewSession | None = None
    _follow_timer: Timer | None = None

    def _take_review(self: ReviewLike, session: ReviewSession) -> None:
        """Their layer under each article."""
        self.review = session
        for view in self.views:
            view.theirs = partial(session.theirs_overlapping, view.article.sha256)

    def _review_shown(self: ReviewLike) -> None:
        """The panel's counts and list, and the annotations of theirs that fit no article."""
        review = self.review
        if review is None:
            if self._review_panel is not None:
                self._review_panel.opening()
            return
        self._refresh_review()
        for orphan in review.orphans[:5]:
            self.say(f"Orphan: {orphan.theirs.article}: {orphan.why}", severity="warning",
                     timeout=20)

    def _refresh_review(self: ReviewLike) -> None:
        if self.review is None or self._review_panel is None:
            return
        view = self.view
        near = self.review.index_near(view.article.sha256, view.cursor) if view else 0
        self._review_panel.show(self.review, self.tag_styles, near)
        self._review_follow()  # in the same frame: one layout of the header, not two

    def _review_follow_soon(self: ReviewLike) -> None:
        """After a cursor move: follow once the keys have stopped for a moment (redrawing
        the list's highlight costs 20 ms at 10,000 a side, which a key should not wait
        for; the Related panel waits the same way)."""
        if self.review is None or self._review_panel is None:
            return
        if self._follow_timer is not None:
            self._follow_timer.stop()
        self._follow_timer = self.set_timer(FOLLOW_AFTER, self._review_follow)

    def _review_follow(self: ReviewLike) -> None:
        """The disagreement under the cursor highlighted in the list, "3/12" above it."""
        review, panel, view = self.review, self._review_panel, self.view
        if review is None or panel is None or view is None:
            return
        item = review.item_at(view.article.sha256, view.cursor)
        index = review.index_of(item) if item is not None else None
        if not panel.follow(index) and index is not None:
            panel.show(review, self.tag_styles, index)
            panel.follow(index)

    def _use_opened(self: ReviewLike, opened: Any) -> None:
        """The file opened after the first frame; in review, with the session built from
        both files, whose articles must be the ones already on screen."""
        if not isinstance(opened, tuple):
            self._use_store(opened)
            return
        store, session = opened
        if [a.sha256 for a in session.articles] != [v.article.sha256 for v in self.views]:
            store.close(fold=False)
            self._open_failed("the files changed while they were opening; start the review "
                              "again")
            return
        self._take_review(session)
        self._use_store(store)
        self._review_shown()
