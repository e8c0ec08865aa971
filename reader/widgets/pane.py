"""A column: the article's title bar over its text."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget

from annotations.text import display_line
from reader.widgets.article_view import ArticleView


class TitleBar(Widget):
    """Title, file name and number of annotations. Rendered as Text: never markup."""

    DEFAULT_CSS = "TitleBar { height: 1; }"

    def __init__(self, number: int, view: ArticleView) -> None:
        super().__init__()
        self.number = number
        self.view = view
        self.count = 0

    def render(self) -> Text:
        article = self.view.article
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {self.number} ", style="bold reverse")
        text.append(f" {self.count} ann. ", style="italic")
        text.append(" " + display_line(article.title), style="bold")
        text.append(f"  {display_line(article.name)}", style="dim")
        return text


class ArticlePane(Vertical):
    def __init__(self, number: int, view: ArticleView) -> None:
        super().__init__(classes="pane")
        self.view = view
        self.title_bar = TitleBar(number, view)

    def compose(self) -> ComposeResult:
        yield self.title_bar
        yield self.view

    def set_count(self, count: int) -> None:
        if count != self.title_bar.count:
            self.title_bar.count = count
            self.title_bar.refresh()
