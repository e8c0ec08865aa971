"""What the docked panels share: a one-line header over a list to choose from."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList


class ListPanel(Vertical):
    """A header and an option list; subclasses dock it and fill both."""

    def __init__(self) -> None:
        super().__init__()
        self.header = Label("")
        self.options = OptionList()

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.options
