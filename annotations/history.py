"""Undo and redo of annotation changes. Each step is itself a durable change."""

from __future__ import annotations

from annotations.store import AnnotationStore, Change


class History:
    def __init__(self, store: AnnotationStore) -> None:
        self.store = store
        self._undo: list[Change] = []
        self._redo: list[Change] = []

    def do(self, change: Change) -> Change:
        self.store.apply(change)
        self._undo.append(change)
        self._redo.clear()
        return change

    def undo(self) -> Change | None:
        """Apply the inverse of the last change; returns what was applied."""
        if not self._undo:
            return None
        change = self._undo.pop()
        inverse = change.inverted()
        self.store.apply(inverse)
        self._redo.append(change)
        return inverse

    def redo(self) -> Change | None:
        if not self._redo:
            return None
        change = self._redo.pop()
        self.store.apply(change)
        self._undo.append(change)
        return change

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)
