"""The annotation panel: the focused article's annotations; Enter jumps to one."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from rich.text import Text
from textual.widgets.option_list import Option

from annotations.model import Annotation
from annotations.text import display_line
from reader.widgets.list_panel import ListPanel
from reader.widgets.tagstyles import TagStyles


def describe(ann: Annotation, styles: TagStyles, width: int = 60) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f" {ann.tag} ", style=styles.of(ann.tag))
    text.append(" " + display_line(ann.quote[:width]))
    if ann.note:
        text.append("  — " + display_line(ann.note[:width]), style="italic")
    if ann.links:
        text.append(f"  ⇄{len(ann.links)}", style="bold")
    return text


class AnnotationPanel(ListPanel):
    DEFAULT_CSS = """
    AnnotationPanel { dock: right; width: 44; border-left: solid $accent; display: none; }
    AnnotationPanel > Label { height: 1; width: 100%; background: $panel; }
    AnnotationPanel > OptionList { height: 1fr; border: none; }
    """


    def show(self, title: str, anns: Sequence[Annotation], styles: TagStyles,
             cursor: int, unplaced: Sequence[Annotation] = ()) -> None:
        """List ``anns``, highlighting the first at or after ``cursor``; then ``unplaced``,
        annotations of an older version of the article that could not be placed on it."""
        lost = f", {len(unplaced)} not placed" if unplaced else ""
        self.header.update(Text(f" {display_line(title)}: {len(anns)} annotations{lost}",
                                no_wrap=True, overflow="ellipsis"))
        self.options.clear_options()
        self.options.add_options([Option(describe(a, styles), id=a.id) for a in anns])
        if unplaced:
            self.options.add_option(Option(Text(" not placed on this version:", style="bold"),
                                           disabled=True))
            self.options.add_options([Option(Text("⚠ ").append_text(describe(a, styles)),
                                             id=a.id) for a in unplaced])
        if anns:
            here = bisect.bisect_left(anns, cursor, key=lambda a: a.start)
            self.options.highlighted = min(here, len(anns) - 1)
