"""What a review lists: the classes of a disagreement, and its items.

Apart from ``review`` (which reads both files to build them) so that the screen can show
the review panel before those modules load (issue 12: the first frame within 0.5 s).
"""

from __future__ import annotations

from dataclasses import dataclass

from annotations.model import Annotation

AGREE = "agree"
TAG = "tag conflict"
BOUNDARY = "boundary conflict"
BOTH = "boundary and tag conflict"
"""Overlapping spans that differ in their ends and in their tags (their «18 de junio»
contradiction against my «18 de junio de 2024» claim)."""
ONLY_THEIRS = "only theirs"
ONLY_MINE = "only mine"


@dataclass(frozen=True)
class Item:
    kind: str
    article: str
    """My article's SHA-256."""
    start: int
    theirs: Annotation | None
    """Their annotation, placed on my version of the article."""
    mine: tuple[Annotation, ...]

    @property
    def key(self) -> str:
        """The id a decision on this item is remembered under."""
        return self.theirs.id if self.theirs is not None else self.mine[0].id


@dataclass
class Orphan:
    theirs: Annotation
    why: str
