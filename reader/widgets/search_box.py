"""The search prompt under the articles: ``/`` opens it on the focused article, Enter
searches (and selects the match), Esc closes it."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input

from annotations.text import display_line
from reader.widgets.article_view import ArticleView


class SearchBox(Input):
    class NoMatch(Message):
        """A search found nothing; the app says so."""

        def __init__(self, query: str, view: ArticleView) -> None:
            super().__init__()
            self.query_text = query
            self.view = view

    class Everywhere(Message):
        """Find in all articles (``F``) was asked for."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query_text = query

    def __init__(self) -> None:
        super().__init__(placeholder="search (case and accents ignored)", id="search")
        self.target: ArticleView | None = None
        self.everywhere = False
        self.last_everywhere = ""

    def open_on(self, view: ArticleView, *, everywhere: int = 0) -> None:
        """Ask for a query for ``view``, or (``everywhere``: how many articles) for all."""
        self.target = view
        self.everywhere = bool(everywhere)
        what = (f"all {everywhere} articles" if everywhere
                else display_line(view.article.title)[:40])
        self.placeholder = f"search {what} (case and accents ignored)"
        self.display = True
        self.value = self.last_everywhere if everywhere else view.search_query
        self.focus()

    def close(self) -> None:
        self.display = False
        if self.target is not None:
            self.target.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close()
        if self.everywhere and event.value:
            self.last_everywhere = event.value
            self.post_message(self.Everywhere(event.value))
        elif self.target is not None and event.value:
            self.post_message(self.Everywhere(""))  # a search in one article ends n/N in all
            self.run_search(self.target, event.value, backwards=False, here=True)

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            event.stop()
            self.close()

    def run_search(self, view: ArticleView, query: str, *, backwards: bool,
                   here: bool = False) -> None:
        if not view.search(query, backwards=backwards, here=here):
            self.post_message(self.NoMatch(query, view))
