"""The main keys on one line, clickable: a light stand-in for Textual's Footer.

Textual's Footer composes a widget per key and recomposes when focus or bindings change;
measured here it took 290 ms of a 590 ms start-up and repainted on every keypress. This
bar is one Text, built once.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.widget import Widget


class KeyBar(Widget):
    DEFAULT_CSS = "KeyBar { height: 1; background: $panel; color: $text-muted; }"

    def __init__(self, items: Sequence[tuple[str, str, str]]) -> None:
        """items: (key as shown, description, action to run when clicked)."""
        super().__init__()
        self.items = list(items)
        self._spans: list[tuple[int, int, str]] = []
        self._text = Text(no_wrap=True, overflow="ellipsis")
        for key, description, action in self.items:
            start = len(self._text)
            self._text.append(f" {key} ", style="bold reverse")
            self._text.append(f" {description} ")
            self._spans.append((start, len(self._text), action))

    def render(self) -> Text:
        return self._text

    async def on_click(self, event: events.Click) -> None:
        for start, end, action in self._spans:
            if start <= event.x < end:
                await self.app.run_action(action)
                return
