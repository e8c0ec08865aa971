"""The Related panel: for the selection (or the sentence under the cursor), the passages of
the other articles that speak of it, each with what disagrees; Enter goes there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets.option_list import Option

from annotations.text import display_line
from reader.widgets.list_panel import ListPanel

if TYPE_CHECKING:  # imported when cross-checking is first used, not at start
    from annotations.crosscheck import Flag, Related

WIDTH, MIN_WIDTH = 60, 30
"""The panel's width, and how far it narrows on a small terminal."""
SHOWN = 240
"""Characters of a passage shown in its row."""
SEVERITY_STYLE = {"conflict": "bold red", "imprecise": "yellow", "cannot-compare": "dim"}


def passage_line(number: int, title: str, text: str, flags: Sequence[Flag],
                 here_at: Sequence[tuple[int, int]] = ()) -> Text:
    """``N · title · passage``, the disagreeing words highlighted, then the flags."""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f" {number} ", style="reverse")
    line.append(f" {display_line(title[:40])} ", style="bold")
    shown = Text(display_line(text[:SHOWN]))
    for flag, (start, end) in zip(flags, here_at, strict=False):
        shown.stylize(SEVERITY_STYLE.get(flag.severity, "bold"), start, end)
    line.append_text(shown)
    for flag in flags:
        line.append(f"  [{flag.severity} {flag.kind}: {display_line(flag.why)}]",
                    style=SEVERITY_STYLE.get(flag.severity, ""))
    return line


class RelatedPanel(ListPanel):
    WIDTH, MIN_WIDTH = WIDTH, MIN_WIDTH  # what fit_panel gives it, and how far it narrows

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Related] = []

    def show(self, asked: str, rows: Sequence[Related], pane_of: dict[str, int]) -> None:
        """``rows`` for the passage ``asked``; ``pane_of`` numbers the open articles."""
        self.rows = list(rows)
        flagged = sum(1 for r in rows if any(f.severity != "cannot-compare" for f in r.flags))
        self.header.update(Text(f" Related to «{display_line(asked[:50])}»: {len(rows)} "
                                f"passages, {flagged} disagree", no_wrap=True,
                                overflow="ellipsis"))
        self.options.clear_options()
        self.options.add_options([
            Option(passage_line(pane_of.get(r.passage.article.sha256, 0),
                                r.passage.article.title, r.passage.text, r.flags,
                                [f.there_at for f in r.flags]), id=f"related-{n}")
            for n, r in enumerate(rows)])
        if rows:
            self.options.highlighted = 0

    def row(self, ident: str | None) -> Related | None:
        if not ident or not ident.startswith("related-"):
            return None
        number = int(ident.removeprefix("related-"))
        return self.rows[number] if number < len(self.rows) else None
