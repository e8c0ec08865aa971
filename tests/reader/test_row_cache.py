"""The row cache and painting ahead: the next page is painted after a frame, a slice at a
time, and a painted row is never shown stale."""

from __future__ import annotations

import time

from textual.strip import Strip

from annotations.articles import Article
from reader.widgets.row_cache import RowCache, pages_around

SIZE = (120, 30)


def test_pages_around_are_the_page_below_then_the_page_above():
    assert list(pages_around(10, 5, 100)) == [15, 16, 17, 18, 19, 5, 6, 7, 8, 9]
    assert list(pages_around(0, 5, 7)) == [5, 6]  # nothing above the top, clipped below
    assert list(pages_around(95, 5, 100)) == [90, 91, 92, 93, 94]


def test_painting_ahead_stops_at_its_budget_and_goes_on_where_it_stopped():
    painted: list[int] = []

    def slow(row: int) -> Strip:
        painted.append(row)
        time.sleep(0.002)
        return Strip.blank(3)

    cache = RowCache(slow)
    cache.strip(2)  # already painted: not again
    done = cache.ahead(range(10), budget=0.005)
    assert not done and 2 <= len(painted) - 1 < 9
    while not cache.ahead(range(10), budget=0.005):
        pass
    assert sorted(painted) == list(range(10))  # each row once, row 2 included once
    assert cache.ahead_painted == 9 and cache.ahead_seconds > 0.015


def test_painting_ahead_keeps_to_the_limit():
    cache = RowCache(lambda row: Strip.blank(1), limit=4)
    for row in (0, 1):
        cache.strip(row)
    assert cache.ahead(range(10, 13))
    assert cache.rows == [1, 10, 11, 12]


def _check_cache(view) -> None:
    """Every kept row is what painting it now gives."""
    for row in view.cached_rows:
        assert list(view._cache.strip(row)) == list(view.row_strip(row)), row


async def test_the_next_page_is_painted_after_the_frame_and_never_shown_stale(make_app, sample):
    long = Article.from_text("long.txt", "\n".join(
        f"{n}. {sample[0].text}" for n in range(6)))
    app = make_app([long])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.views[0]
        height = view.size.height
        top = round(view.scroll_offset.y)
        assert set(range(top + height, top + 2 * height)) <= set(view.cached_rows)
        await pilot.press("pagedown")
        await pilot.pause()
        top = round(view.scroll_offset.y)
        assert top > 0
        # Below and above the new screen, painted before any key asks for them.
        assert set(pages_around(top, height, len(view.rows))) <= set(view.cached_rows)
        # Changes to rows painted ahead (a tag, an undo, a selection, the focus) repaint them.
        for keys in (["pagedown", "shift+down", "shift+down", "c"], ["pageup"],
                     ["pagedown"], ["ctrl+z"], ["pageup", "shift+down"], ["escape"],
                     ["tab"], ["pagedown"]):
            await pilot.press(*keys)
            await pilot.pause()
            _check_cache(view)
        assert view._cache.ahead_painted > 2 * height
