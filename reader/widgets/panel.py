"""The annotation panel (``a``): the annotations of every article, grouped by article with
the current one first, filtered by tag (``t``) and by annotator (``w``); Enter jumps to
one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual.binding import Binding
from textual.widgets.option_list import Option

from annotations.model import Annotation
from annotations.text import cut, display_line
from reader.widgets.list_panel import ListPanel
from reader.widgets.tagstyles import TagStyles

ALL = ""
"""The filter that keeps every tag, or every annotator."""
PER_ARTICLE = 500
"""Rows listed per article at most (a dense article can hold 100,000 annotations)."""


def describe(ann: Annotation, styles: TagStyles, width: int = 60) -> Text:
    """Tag, quote, note and links on one row, cut with "…" where the panel ends."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(f" {ann.tag} ", style=styles.of(ann.tag))
    text.append(" " + display_line(cut(ann.quote, width)))
    if ann.note:
        text.append("  — " + display_line(cut(ann.note, width)), style="italic")
    if ann.links:
        text.append(f"  ⇄{len(ann.links)}", style="bold")
    return text


@dataclass
class Group:
    """One article's rows: its pane number (0: not open), title, annotations in text order
    and, for an open article, those of an older version that could not be placed on it."""

    pane: int
    title: str
    anns: Sequence[Annotation]
    unplaced: Sequence[Annotation] = field(default_factory=tuple)


class AnnotationPanel(ListPanel):
    WIDTH, MIN_WIDTH = 44, 30  # what fit_panel gives it, and how far it narrows
    DEFAULT_CSS = """
    AnnotationPanel { width: 44; }
    AnnotationPanel > OptionList { text-wrap: nowrap; text-overflow: ellipsis; }
    """
    BINDINGS = [
        Binding("t", "cycle('tag')", "filter by tag", id="panel-filter-tag"),
        Binding("w", "cycle('who')", "filter by annotator", id="panel-filter-who"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tag = ALL
        self.who = ALL
        self.tags: list[str] = []
        self.annotators: list[str] = []
        self._groups: list[Group] = []
        self._styles: TagStyles | None = None
        self._here: str | None = None

    def show(self, groups: Sequence[Group], styles: TagStyles, here: str | None,
             tags: Sequence[str]) -> None:
        """List ``groups`` under the filters, the row of annotation ``here`` highlighted
        (the one under the cursor, else the first after it); ``tags`` are the configured
        tags the filter steps through."""
        self._groups, self._styles, self._here = list(groups), styles, here
        used = {a.tag for g in groups for a in g.anns}
        self.tags = [t for t in tags if t in used] + sorted(used - set(tags))
        self.annotators = sorted({a.annotator for g in groups for a in g.anns})
        self._fill()

    def _keep(self, ann: Annotation) -> bool:
        return (not self.tag or ann.tag == self.tag) and (not self.who or ann.annotator == self.who)

    def _fill(self) -> None:
        styles = self._styles
        if styles is None:
            return
        options = self.options
        options.clear_options()
        rows: list[Option] = []
        shown = articles = 0
        highlight: int | None = None
        for group in self._groups:
            anns = [a for a in group.anns if self._keep(a)]
            lost = [a for a in group.unplaced if self._keep(a)]
            if not anns and not lost:
                continue
            articles += 1
            shown += len(anns)
            more = 0
            if len(anns) > PER_ARTICLE:  # a window around the one under the cursor
                at = next((n for n, a in enumerate(anns) if a.id == self._here), 0)
                first = max(0, min(at - PER_ARTICLE // 2, len(anns) - PER_ARTICLE))
                more, anns = len(anns) - PER_ARTICLE, anns[first:first + PER_ARTICLE]
            where = f" {group.pane} " if group.pane else " – "
            rows.append(Option(Text.assemble((where, "reverse"),
                                             (f" {display_line(group.title)} ({len(anns)})",
                                              "bold"), no_wrap=True, overflow="ellipsis"),
                               disabled=True))
            for ann in anns:
                if ann.id == self._here:
                    highlight = len(rows)
                rows.append(Option(describe(ann, styles), id=ann.id))
            if more:
                rows.append(Option(Text(f" … {more} more here: t or w narrows the list",
                                        style="dim"), disabled=True))
            if lost:
                rows.append(Option(Text(" not placed on this version:", style="bold"),
                                   disabled=True))
                rows += [Option(Text("⚠ ", end="").append_text(describe(a, styles)), id=a.id)
                         for a in lost]
        options.add_options(rows)
        total = sum(len(g.anns) for g in self._groups)
        count = f"{shown} of {total}" if shown != total else f"{total}"
        self.header.update(Text(
            f" {count} annotations in {articles} article{'s' * (articles != 1)}"
            f" · t tag: {self.tag or 'all'} · w who: {self.who or 'all'}",
            no_wrap=True, overflow="ellipsis"))
        if highlight is None:
            highlight = next((n for n, row in enumerate(rows) if not row.disabled), None)
        if highlight is not None:
            options.highlighted = highlight

    def action_cycle(self, which: str) -> None:
        """The next tag (or annotator) to keep, then all again."""
        choices = [ALL, *(self.tags if which == "tag" else self.annotators)]
        current = self.tag if which == "tag" else self.who
        following = choices[(choices.index(current) + 1) % len(choices)] \
            if current in choices else ALL
        if which == "tag":
            self.tag = following
        else:
            self.who = following
        self._fill()
