"""The results of find in all articles (``F``): a row per match with its pane, its
article's title and the match in context; Enter goes there with the match selected."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets.option_list import Option

from annotations.find_all import Hit, snippet
from annotations.text import cut, display_line
from reader.widgets.list_panel import ListPanel

SHOWN = 200
"""Rows listed at most: more matches are counted in the header, and n/N reach them all."""


def hit_line(number: int, hit: Hit) -> Text:
    """``N  title`` over ``…before match after…``, the match highlighted."""
    before, match, after = snippet(hit.article.text, hit.start, hit.end)
    title = hit.article.title
    line = Text(overflow="ellipsis")
    line.append(f" {number} ", style="reverse")
    line.append(f" {display_line(cut(title, 50))}\n",
                style="bold")
    line.append(display_line(before))
    line.append(display_line(match), style="bold reverse")
    line.append(display_line(after))
    return line


class FindPanel(ListPanel):
    WIDTH, MIN_WIDTH = 60, 30  # what fit_panel gives it, and how far it narrows

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[Hit] = []
        self.asked = ""

    def show(self, query: str, hits: Sequence[Hit], pane_of: dict[str, int]) -> None:
        self.hits, self.asked = list(hits), query
        articles = len({h.article.sha256 for h in hits})
        more = f" (the first {SHOWN} listed; n and N reach all)" if len(hits) > SHOWN else ""
        self.header.update(Text(
            f" {len(hits)} match{'es' * (len(hits) != 1)} in {articles} "
            f"article{'s' * (articles != 1)} for «{display_line(query[:40])}»{more}",
            no_wrap=True, overflow="ellipsis"))
        self.options.clear_options()
        self.options.add_options([Option(hit_line(pane_of.get(h.article.sha256, 0), h),
                                         id=f"hit-{n}") for n, h in enumerate(hits[:SHOWN])])
        if hits:
            self.options.highlighted = 0

    def hit(self, ident: str | None) -> int | None:
        """The index of the result a row stands for."""
        if not ident or not ident.startswith("hit-"):
            return None
        number = int(ident.removeprefix("hit-"))
        return number if number < len(self.hits) else None

    def follow(self, index: int) -> None:
        """Highlight the row of result ``index`` (n/N moved there)."""
        if index < min(len(self.hits), SHOWN):
            self.options.highlighted = index
