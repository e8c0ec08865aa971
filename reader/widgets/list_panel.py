"""What the docked panels share: a one-line header over a list to choose from."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList


class ListPanel(Vertical):
    """A header and an option list docked on the right, hidden until asked for;
    subclasses fill both and change only what differs (width, rows that must not wrap).
    ``fit_panel`` sets the width each one gets from its WIDTH and MIN_WIDTH."""

    DEFAULT_CSS = """
    ListPanel { dock: right; width: 60; border-left: solid $accent; display: none; }
    ListPanel > Label { height: 1; width: 100%; background: $panel; }
    ListPanel > OptionList { height: 1fr; border: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.header = Label("")
        self.options = OptionList()

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.options
