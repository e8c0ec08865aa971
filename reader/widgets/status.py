"""The status line: who, which file, and what is under the cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from annotations.text import cut, display_line
from reader.widgets.tagstyles import TagStyles

if TYPE_CHECKING:  # the workbench (and the store under it) loads after the first frame
    from annotations.workbench import Fact
    from reader.widgets.article_view import ArticleView

_LOOKS = {"linking": "bold magenta", "theirs": "underline", "dim": "dim", "quote": "",
          "note": "italic", "links": "bold"}


def fact_parts(facts: list[Fact], styles: TagStyles) -> list[tuple[str, str | Style]]:
    """The workbench's facts about a place, as (text, style) pieces of the status line."""
    parts: list[tuple[str, str | Style]] = []
    for fact in facts:
        if fact.kind.startswith("tag:"):
            parts += [("  ", ""), (f" {fact.text} ", styles.of(fact.kind[4:]))]
        elif fact.kind in ("theirs", "linking"):
            parts.append((f"  {fact.text} ", _LOOKS[fact.kind]))
        else:
            parts.append((f" {fact.text}", _LOOKS.get(fact.kind, "")))
    return parts


def place_parts(view: ArticleView) -> list[tuple[str, str | Style]]:
    """Which article and where in it, for the end of the status line."""
    return [(f" {display_line(cut(view.article.title, 32))} @{view.cursor}", "dim")]


def selection_parts(view: ArticleView) -> list[tuple[str, str | Style]]:
    """The anchor, what is selected and which match of a search it is."""
    parts: list[tuple[str, str | Style]] = []
    if view.sticky:
        parts.append((" ANCHOR", "bold yellow"))
    sel = view.selection
    if sel:
        parts.append((f" sel {sel[1] - sel[0]}", "bold"))
        index = view.match_index()
        if index:
            parts.append((f" match {index}/{len(view.matches)}", "bold green"))
    return parts


class StatusLine(Widget):
    """Refreshed, never re-laid-out, on every cursor move: it is one fixed row."""

    DEFAULT_CSS = "StatusLine { height: 1; background: $panel; }"

    def __init__(self) -> None:
        super().__init__()
        self.content = Text()

    def show(self, parts: list[tuple[str, str | Style]]) -> None:
        """(text, style) pairs; texts are untrusted and shown through display_line."""
        content = Text(no_wrap=True, overflow="ellipsis")
        for text, style in parts:
            content.append(display_line(text), style=style)
        self.content = content
        self.refresh()

    def render(self) -> Text:
        return self.content
