"""The review panel: counts of each class and the disagreements still to decide."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets.option_list import Option

# Not ``annotations.review``: the panel is on the first frame, before the files open
from annotations.review_items import AGREE, BOTH, BOUNDARY, ONLY_MINE, ONLY_THEIRS, TAG, Item
from annotations.text import display_line
from reader.widgets.list_panel import ListPanel
from reader.widgets.tagstyles import TagStyles

if TYPE_CHECKING:
    from annotations.review import ReviewSession

SHORT = {AGREE: "agree", TAG: "tag", BOUNDARY: "boundary", BOTH: "boundary+tag",
         ONLY_THEIRS: "only theirs", ONLY_MINE: "only mine"}
"""Each class as the panel's narrow rows name it."""


def describe(item: Item, styles: TagStyles) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{SHORT[item.kind]:<13}", style="bold")
    if item.theirs is not None:
        text.append(f" {item.theirs.tag} ", style=styles.of(item.theirs.tag))
        text.append(" " + display_line(item.theirs.quote[:50]))
    for mine in item.mine[:1]:
        text.append("  mine: ", style="dim")
        text.append(f" {mine.tag} ", style=styles.of(mine.tag))
        if item.theirs is None:
            text.append(" " + display_line(mine.quote[:50]))
    return text


WINDOW = 80
"""Disagreements listed at once around the cursor: laying out options is the slow part of
redrawing the panel after each decision."""
WIDTH = 57
"""Columns the panel takes, its left border included, where the terminal is wide enough."""
MIN_WIDTH = 24
"""Columns it keeps on a narrow terminal, where it gives the rest to the article."""


class ReviewPanel(ListPanel):
    WIDTH, MIN_WIDTH = WIDTH, MIN_WIDTH  # what fit_panel gives it, and how far it narrows
    DEFAULT_CSS = f"""
    ReviewPanel {{ width: {WIDTH}; border-left: solid $warning; display: block; }}
    ReviewPanel > Label {{ height: auto; }}
    ReviewPanel > OptionList {{ text-wrap: nowrap; text-overflow: ellipsis; }}
    """

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[Item] = []
        self.first = 0
        self.total = 0
        self.counts = Text()
        self._followed: tuple[int | None, int, int] | None = None

    def follow(self, index: int | None) -> bool:
        """Highlight disagreement ``index`` (of all open ones) and say "3/12" under the
        counts; False when it is outside the rows listed (the caller lists again)."""
        if (index, self.total, self.first) == self._followed:
            return True  # a key that stays on the same one: no relayout of the header
        if index is not None and not self.first <= index < self.first + len(self.shown):
            return False
        # The header keeps its height from one followed disagreement to the next: no layout
        relayout = self._followed is None
        self._followed = (index, self.total, self.first)
        header = self.counts.copy()
        if index is None:
            header.append(f"\n {self.total} open: ] goes to the next", style="bold")
        else:
            header.append(f"\n disagreement {index + 1}/{self.total} ", style="bold reverse")
            if self.options.highlighted != index - self.first:
                self.options.highlighted = index - self.first
        self.header.update(header, layout=relayout)
        return True

    def opening(self) -> None:
        """Before both files are open: the texts are on screen, the layers are coming."""
        self.header.update(Text(" Opening both files: their annotations and the counts "
                                "follow…", style="italic"))

    def show(self, session: ReviewSession, styles: TagStyles, near: int = 0) -> None:
        """Counts, and up to WINDOW open disagreements from about index ``near``: laying out
        thousands of options takes seconds, and ] / [ reach every one anyway."""
        counts = session.counts()
        header = Text(no_wrap=False)
        header.append(f" reviewing {display_line(str(session.theirs.path.name))}\n", style="bold")
        # Two counts a line, so that no class name is split by the panel's wrap.
        for line in ((AGREE, TAG), (BOUNDARY, BOTH), (ONLY_THEIRS, ONLY_MINE)):
            header.append("".join(f" {SHORT[kind] if kind == BOTH else kind}: "
                                  f"{counts[kind]:<5}" for kind in line).rstrip() + "\n")
        header.append(f" decided: {counts['decided']}  orphans: {counts['orphans']}"
                      f"  re-anchored: {session.moved}")
        pending = session.disagreements()
        first = max(0, min(near - WINDOW // 10, len(pending) - WINDOW))
        self.shown = pending[first:first + WINDOW]
        self.first = first
        self.total = len(pending)
        if len(pending) > WINDOW:
            header.append(f"\n listing {first + 1}–{first + len(self.shown)} of "
                          f"{len(pending)} open; ] [ step through all", style="italic")
        self.counts = header
        self._followed = None
        self.header.update(header)
        self.options.clear_options()
        self.options.add_options([Option(describe(item, styles), id=str(n))
                                  for n, item in enumerate(self.shown)])
        # Orphans are listed too, never dropped: they could not be placed on my articles.
        self.options.add_options([
            Option(Text.assemble(("orphan           ", "bold red"),
                                 display_line(f" {o.theirs.tag} «{o.theirs.quote[:40]}» "
                                              f"({o.theirs.article})")), id=f"orphan-{n}")
            for n, o in enumerate(session.orphans[:WINDOW])])

    def item(self, option_id: str | None) -> Item | None:
        if option_id is None or not option_id.isdigit() or int(option_id) >= len(self.shown):
            return None
        return self.shown[int(option_id)]

