"""The reading screen's cross-checking: the Related panel (``r``) and the disagreement
finder (``D``). A part of ``FactreadApp`` kept apart (the app inherits it), like the
dialogs; what an action does is the workbench's."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from textual.timer import Timer

if TYPE_CHECKING:
    from annotations.articles import Article
    from annotations.crosscheck import Disagreement
    from annotations.workbench import Outcome, Workbench
    from reader.widgets.article_view import ArticleView
    from reader.widgets.related_panel import RelatedPanel

REFRESH_AFTER = 0.15
"""Seconds of quiet after a cursor move before the Related panel asks again."""


class CrossLike(Protocol):
    views: list[ArticleView]
    bench: Workbench | None
    _related: RelatedPanel
    _related_timer: Timer | None
    _finding: Timer | None

    @property
    def view(self) -> ArticleView | None: ...
    @property
    def workbench(self) -> Workbench: ...
    def push_screen(self, screen: Any, callback: Any = None) -> Any: ...
    def call_after_refresh(self, callback: Any, *args: Any) -> bool: ...
    def set_timer(self, delay: float, callback: Any) -> Timer: ...
    def _size_panes(self) -> None: ...
    def _show_outcome(self, outcome: Outcome, *, timeout: float | None = None) -> None: ...
    def _select(self, sha: str, start: int, end: int) -> None: ...
    def _open_articles(self) -> list[Article]: ...
    def _pane_numbers(self) -> dict[str, int]: ...
    def _refresh_related(self) -> None: ...
    def action_find_disagreements(self) -> None: ...
    def _finder_done(self, result: tuple[str, Disagreement] | None) -> None: ...
    def _open_finder(self, found: list[Disagreement]) -> None: ...
    def notify(self, message: str, *, timeout: float | None = ...) -> None: ...
    def _with_index(self, then: Callable[[], None]) -> None: ...
    def call_from_thread(self, callback: Any, *args: Any) -> Any: ...
    def run_worker(self, work: Any, *, thread: bool = ..., exclusive: bool = ...,
                   group: str = ...) -> Any: ...


class CrossCheckUI:
    _related_timer: Timer | None = None
    _finding: Timer | None = None

    def _select(self: CrossLike, sha: str, start: int, end: int) -> None:
        """Focus the pane of article ``sha`` with [start, end) selected."""
        for view in self.views:
            if view.article.sha256 == sha:
                view.focus()
                view.sticky = False
                view.select(start, end)
                return

    def _open_articles(self: CrossLike) -> list[Article]:
        return [v.article for v in self.views]

    def _pane_numbers(self: CrossLike) -> dict[str, int]:
        return {v.article.sha256: n for n, v in enumerate(self.views, start=1)}

    def action_toggle_related(self: CrossLike) -> None:
        """``r`` opens the panel (the cursor stays in the text, and the panel follows it);
        ``r`` again goes into the list (Enter goes to a passage); ``r`` or Esc there closes
        it."""
        panel = self._related
        if panel.display and not panel.has_focus_within:
            panel.options.focus()
            return
        panel.display = not panel.display
        self.call_after_refresh(self._size_panes)
        if panel.display:
            self._with_index(self._refresh_related)
        elif self.view is not None:
            self.view.focus()

    def _with_index(self: CrossLike, then: Callable[[], None]) -> None:
        """Run ``then`` once the open articles are indexed: at once if they are, else after
        a worker thread has read them (the screen meanwhile says so)."""
        articles = self._open_articles()
        if self.bench is None or self.bench.has_index(articles):
            then()
            return
        self._related.header.update(" Reading the articles for cross-checking…")
        bench = self.bench

        def build() -> None:
            bench.cross_index(articles)
            self.call_from_thread(then)

        self.run_worker(build, thread=True, exclusive=True, group="cross-index")

    def _related_soon(self: CrossLike) -> None:
        """After a cursor move: ask again once the keys have stopped for a moment."""
        if not self._related.display:
            return
        if self._related_timer is not None:
            self._related_timer.stop()
        self._related_timer = self.set_timer(REFRESH_AFTER, self._refresh_related)

    def _refresh_related(self: CrossLike) -> None:
        view = self.view
        if not self._related.display or view is None or self.bench is None:
            return
        span, rows = self.bench.related(self._open_articles(), view.article, view.selection,
                                        view.cursor)
        self._related.show(view.article.text[span[0]:span[1]], rows, self._pane_numbers())

    def _related_chosen(self: CrossLike, ident: str | None) -> bool:
        """Enter on a Related row: go there with the passage (or what disagrees in it)
        selected, so that a tag key tags it and l links it."""
        row = self._related.row(ident)
        if row is None:
            return False
        passage = row.passage
        start, end = passage.start, passage.end
        flagged = [f for f in row.flags if f.severity != "cannot-compare"]
        if flagged:
            there = flagged[0].there_at
            start, end = passage.start + there[0], passage.start + there[1]
        self._select(passage.article.sha256, start, end)
        return True

    def action_find_disagreements(self: CrossLike) -> None:
        """The finder, computed on a worker thread (1.7-2 s for 50 articles of 10 KB; the
        five samples take 0.1 s), the screen saying so meanwhile."""
        articles, bench = self._open_articles(), self.workbench

        def find() -> None:
            found = bench.disagreements(articles)
            self.call_from_thread(self._open_finder, found)

        # Said only when it takes a while (the samples take a tenth of a second)
        self._finding = self.set_timer(
            0.3, lambda: self.notify("Looking for disagreements across the articles…"))
        self.run_worker(find, thread=True, exclusive=True, group="cross-index")

    def _open_finder(self: CrossLike, found: list[Disagreement]) -> None:
        from reader.widgets.finder import FinderScreen

        if self._finding is not None:
            self._finding.stop()

        self.push_screen(FinderScreen(found, self._pane_numbers()), self._finder_done)

    def _finder_done(self: CrossLike, result: tuple[str, Disagreement] | None) -> None:
        if result is None:
            return
        what, found = result
        if what == "go":
            self._select(found.a.article.sha256, *found.a_span)
            return
        outcome = (self.workbench.accept(found) if what == "accept"
                   else self.workbench.dismiss(found))
        self._show_outcome(outcome)
        self.action_find_disagreements()  # on to the next one
