from __future__ import annotations

from collections.abc import Callable

import pytest

from annotations.articles import Article, LoadResult
from annotations.config import DEFAULT_TAGS
from annotations.store import AnnotationStore
from reader.app import FactreadApp


@pytest.fixture
def make_app(db) -> Callable[..., FactreadApp]:
    """A reading screen over ``articles`` and a fresh store at ``db``; closed after."""
    stores: list[AnnotationStore] = []

    def build(articles: list[Article], *, errors: list[str] | None = None,
              keymap: dict[str, str] | None = None, store: AnnotationStore | None = None,
              review: object = None) -> FactreadApp:
        if store is None:
            store = AnnotationStore(db, "tester")
        stores.append(store)
        loaded = LoadResult(articles=list(articles), errors=errors or [])
        return FactreadApp.build(loaded, store, DEFAULT_TAGS, keymap, review)

    yield build
    for store in stores:
        store.close()


def strip_text(view, row: int) -> str:
    """What row ``row`` of a view shows, as plain text."""
    return view.row_strip(row).text


def row_styles(view, row: int) -> list[tuple[str, object]]:
    return [(seg.text, seg.style) for seg in view.row_strip(row)]
