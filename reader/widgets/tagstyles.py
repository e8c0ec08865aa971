"""Each tag's highlight, from its configured colour: used by the article view, the status
line and both panels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.color import Color
from rich.style import Style

from annotations.config import TagSpec


def _contrast(colour: str) -> str:
    r, g, b = Color.parse(colour).get_truecolor()
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


@dataclass(frozen=True)
class TagStyles:
    fill: dict[str, Style]
    """Tag name to the style of its highlight."""
    unknown: Style

    @classmethod
    def from_specs(cls, specs: Iterable[TagSpec]) -> TagStyles:
        return cls({s.name: Style(bgcolor=s.colour, color=_contrast(s.colour)) for s in specs},
                   Style(bgcolor="#777777", color="#000000"))

    def of(self, tag: str) -> Style:
        return self.fill.get(tag, self.unknown)
