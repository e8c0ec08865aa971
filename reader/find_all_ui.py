"""Searching: ``/`` in one article, and find in all articles (``F``) with its results
panel and n/N across articles. A part of ``FactreadApp`` kept apart (the app inherits
it); what a step does is the workbench's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from annotations.articles import Article
    from annotations.workbench import Outcome, Workbench
    from reader.widgets.article_view import ArticleView
    from reader.widgets.find_panel import FindPanel
    from reader.widgets.search_box import SearchBox


class FindLike(Protocol):
    views: list[ArticleView]
    _find_panel: FindPanel
    _search_box: SearchBox
    _hits_query: str

    @property
    def view(self) -> ArticleView | None: ...
    @property
    def workbench(self) -> Workbench: ...
    def call_after_refresh(self, callback: Any, *args: Any) -> bool: ...
    def _size_panes(self) -> None: ...
    def _show_outcome(self, outcome: Outcome, *, timeout: float | None = None) -> None: ...
    def _select(self, sha: str, start: int, end: int) -> None: ...
    def _open_articles(self) -> list[Article]: ...
    def _pane_numbers(self) -> dict[str, int]: ...
    def say(self, message: str, title: str = "", severity: str = "information", *,
            timeout: float | None = None) -> None: ...
    def _find_everywhere(self, query: str) -> None: ...
    def _step_hits(self, backwards: bool) -> bool: ...


class FindAllUI:
    _hits_query: str = ""
    """While set, n and N step through the results of find in all articles."""

    def action_search(self: FindLike) -> None:
        if self.view is not None:
            self._search_box.open_on(self.view)

    def on_search_box_everywhere(self: FindLike, message: SearchBox.Everywhere) -> None:
        if message.query_text:
            self._find_everywhere(message.query_text)
        else:
            self._hits_query = ""

    def on_search_box_no_match(self: FindLike, message: SearchBox.NoMatch) -> None:
        self.say(f"No match for «{message.query_text}» in {message.view.article.title}.",
                 severity="warning")

    def action_search_step(self: FindLike, backwards: bool) -> None:
        view = self.view
        if view is None or self._step_hits(backwards):
            return
        if not view.search_query:
            self.say("Search first with / (this article) or F (all articles).")
            return
        self._search_box.run_search(view, view.search_query, backwards=backwards)
        if view.wrapped:
            self.say(f"Search wrapped to the {'end' if backwards else 'start'} of the article.")

    def action_search_all(self: FindLike) -> None:
        if self.view is not None:
            self._search_box.open_on(self.view, everywhere=len(self.views))

    def _find_everywhere(self: FindLike, query: str) -> None:
        """The results panel for ``query``, its list focused: arrows choose, Enter goes."""
        articles = self._open_articles()
        hits = self.workbench.find_everywhere(articles, query)
        panel = self._find_panel
        panel.show(query, hits, self._pane_numbers())
        self._hits_query = query if hits else ""
        if not hits:
            self.say(f"No match for «{query}» in any of the {len(articles)} articles.",
                     severity="warning")
            return
        if not panel.display:
            panel.display = True
            self.call_after_refresh(self._size_panes)
        panel.options.focus()

    def _hit_chosen(self: FindLike, ident: str | None) -> bool:
        """Enter on a result: its pane, the match selected (a tag key tags it)."""
        index = self._find_panel.hit(ident)
        if index is None:
            return False
        hit = self._find_panel.hits[index]
        self._select(hit.article.sha256, hit.start, hit.end)
        return True

    def _step_hits(self: FindLike, backwards: bool) -> bool:
        """n/N through every article's results; False when there are none to step."""
        hits, view = self._find_panel.hits, self.view
        if not self._hits_query or not hits or view is None:
            return False
        index, outcome = self.workbench.step_hit(hits, self._open_articles(),
                                                 view.article.sha256, view.selection,
                                                 view.cursor, backwards=backwards)
        self._show_outcome(outcome)
        self._find_panel.follow(index)
        return True

    def _hit_parts(self: FindLike, view: ArticleView) -> list[tuple[str, str]]:
        """The status line's "match 3/12 in all" while n/N step through the results."""
        hits = self._find_panel.hits
        number = (self.workbench.hit_number(hits, view.article.sha256, view.selection)
                  if self._hits_query else 0)
        return [(f" match {number}/{len(hits)} in all", "bold green")] if number else []

    def toggle_find_panel(self: FindLike) -> None:
        """Esc in the results: the panel closes, n/N still step through the results."""
        self._find_panel.display = False
        self.call_after_refresh(self._size_panes)
        if self.view is not None:
            self.view.focus()
