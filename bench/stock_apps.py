"""Baseline apps for bench_reader.py, kept apart so that launching one imports Textual and
nothing of factread.

    python bench/stock_apps.py textarea PATH...   five read-only, soft-wrapped TextAreas
    python bench/stock_apps.py minimal PATH       a bare app: one Static, nothing else
"""

from __future__ import annotations

import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static, TextArea


class StockApp(App[None]):
    """The baseline: stock TextAreas side by side, read-only and soft-wrapped."""

    def __init__(self, texts: list[str]) -> None:
        super().__init__()
        self.texts = texts

    def compose(self) -> ComposeResult:
        with Horizontal():
            for text in self.texts:
                yield TextArea(text, read_only=True, soft_wrap=True)


class MinimalApp(App[None]):
    """The floor: Textual showing the start of one article in a Static."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(self.text[:5000], markup=False)


if __name__ == "__main__":
    kind, *paths = sys.argv[1:]
    texts = [Path(p).read_text(encoding="utf-8") for p in paths]
    (StockApp(texts) if kind == "textarea" else MinimalApp(texts[0])).run()
