"""The disagreement finder: candidate pairs across the open articles, grouped by what they
are about (figures of soldiers, dates, confirmed or not), strongest first. Enter goes to
the pair, a accepts (two linked contradictions with a note), x dismisses (remembered in the
file). It proposes; the fact-checker decides."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from annotations.crosscheck import Disagreement
from annotations.text import display_line
from reader.widgets.related_panel import SEVERITY_STYLE

KINDS = {"count": "Figures", "date": "Dates", "status": "Confirmed or not"}


def pair_line(found: Disagreement, pane_of: dict[str, int]) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f" {found.severity} ", style=SEVERITY_STYLE.get(found.severity, ""))
    line.append(f" {display_line(found.why)}  ")
    for label, side, span in (("here", found.a, found.a_span),
                              ("there", found.b, found.b_span)):
        words = side.article.text[span[0]:span[1]]
        line.append(f" {label} {pane_of.get(side.article.sha256, 0)}:", style="reverse")
        line.append(f"«{display_line(words[:60])}» ")
    return line


class FinderScreen(ModalScreen[tuple[str, Disagreement] | None]):
    """Returns (what, disagreement): "go", "accept" or "dismiss"; None on Esc."""

    DEFAULT_CSS = """
    FinderScreen { align: center middle; }
    FinderScreen > Vertical { width: 90%; height: 80%; border: round $accent;
                              background: $surface; padding: 0 1; }
    FinderScreen Label { width: 100%; }
    FinderScreen OptionList { height: 1fr; border: none; }
    """
    BINDINGS = [Binding("escape", "cancel", "close", id="finder-close"),
                Binding("a", "choose('accept')", "accept", id="finder-accept"),
                Binding("x", "choose('dismiss')", "dismiss", id="finder-dismiss")]

    def __init__(self, found: Sequence[Disagreement], pane_of: dict[str, int]) -> None:
        super().__init__()
        self.found = list(found)
        self.pane_of = pane_of

    def compose(self) -> ComposeResult:
        with Vertical():
            articles = len(self.pane_of)
            yield Label(Text(f"{len(self.found)} possible disagreements across {articles} "
                             "articles — Enter go · a accept (two linked contradictions) · "
                             "x dismiss · Esc close", style="bold"))
            options: list[Option] = []
            # Groups in the order of their strongest proposal (the list comes strongest
            # first), so a conflict of dates leads imprecise figures.
            groups = list(dict.fromkeys((d.kind, d.about) for d in self.found))
            for kind, about in groups:
                heading = KINDS.get(kind, kind) + (f": {about}" if about else "")
                group = [(n, d) for n, d in enumerate(self.found)
                         if (d.kind, d.about) == (kind, about)]
                if group:
                    options.append(Option(Text(f"{heading} ({len(group)})", style="bold"),
                                          disabled=True))
                    options += [Option(pair_line(d, self.pane_of), id=f"pair-{n}")
                                for n, d in group]
            if not options:
                options.append(Option(Text("No disagreement found between these articles."),
                                      disabled=True))
            yield OptionList(*options)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        options.action_first()

    def _current(self) -> Disagreement | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        ident = options.get_option_at_index(options.highlighted).id
        if not ident or not ident.startswith("pair-"):
            return None
        return self.found[int(ident.removeprefix("pair-"))]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_choose("go")

    def action_choose(self, what: str) -> None:
        found = self._current()
        if found is not None:
            self.dismiss((what, found))

    def action_cancel(self) -> None:
        self.dismiss(None)
