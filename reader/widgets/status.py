"""The status line: who, which file, and what is under the cursor."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from annotations.text import display_line


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
