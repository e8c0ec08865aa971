"""The Related panel (r) and the disagreement finder (D) in the reading screen."""

from __future__ import annotations

from reader.widgets.finder import FinderScreen
from reader.widgets.related_panel import RelatedPanel
from tests.reader.test_app import SIZE, search, selected, views


async def open_finder(pilot) -> None:
    """D, and the finder's worker done."""
    await pilot.pause()
    await pilot.press("D")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_r_lists_related_passages_that_follow_the_cursor_and_enter_selects_one(
        make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "11 mil soldados")
        await pilot.press("r")
        await app.workers.wait_for_complete()  # the index is built on a worker
        await pilot.pause()
        panel = app.query_one(RelatedPanel)
        assert panel.display and panel.rows
        assert all(r.passage.article.sha256 != sample[0].sha256 for r in panel.rows)
        seoul = next(n for n, r in enumerate(panel.rows)
                     if "entre 3,000 y 12,000 soldados" in r.passage.text)
        assert any(f.kind == "count" for f in panel.rows[seoul].flags)
        assert "11 mil soldados" in str(panel.header.render())
        # The cursor moves: the panel asks again for the new sentence, keys not waiting.
        before = list(panel.rows)
        await pilot.press("escape", "pagedown", "pagedown")
        await pilot.pause(0.4)
        assert panel.rows != before
        # r again: into the list; Enter: the disagreeing words selected in their pane.
        await search(pilot, "11 mil soldados")
        await pilot.pause(0.4)
        await pilot.press("r")
        assert panel.options.has_focus
        seoul = next(n for n, r in enumerate(panel.rows)
                     if "entre 3,000 y 12,000 soldados" in r.passage.text)
        panel.options.highlighted = seoul
        await pilot.press("enter")
        await pilot.pause()
        view = app.view
        assert view is views(app)[3] and selected(view) == "entre 3,000 y 12,000 soldados"
        await pilot.press("x")  # a tag key tags what was found
        assert [a.quote for a in app.store.all()] == ["entre 3,000 y 12,000 soldados"]


async def test_d_finds_disagreements_and_a_accepts_one_as_two_linked_contradictions(
        make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await open_finder(pilot)
        finder = app.screen
        assert isinstance(finder, FinderScreen) and finder.found
        first = finder._current()
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        a, b = app.store.all()
        assert {a.tag, b.tag} == {"contradiction"} and a.links == (b.id,)
        assert a.note == first.why
        again = app.screen
        assert isinstance(again, FinderScreen) and first.key not in {d.key for d in again.found}
        dismissed = again._current()
        await pilot.press("x")  # dismiss the next one
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.store.reviews[dismissed.key] == "dismissed"
        await pilot.press("escape", "ctrl+z", "ctrl+z")
        await pilot.pause()
        assert len(app.store) == 0 and not app.store.reviews


async def test_the_finder_goes_to_the_first_passage_with_its_words_selected(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await open_finder(pilot)
        first = app.screen._current()
        await pilot.press("enter")
        await pilot.pause()
        assert selected(app.view) == first.a.article.text[slice(*first.a_span)]
