"""F: find in all articles, the results panel, Enter, and n/N across articles."""

from __future__ import annotations

from reader.widgets.find_panel import FindPanel
from tests.reader.test_app import SIZE, selected, status, views


async def find_all(pilot, query: str) -> None:
    await pilot.press("F", *query, "enter")
    await pilot.pause()


async def test_f_lists_every_match_and_enter_selects_one_to_tag(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await find_all(pilot, "pionyang")
        panel = app.query_one(FindPanel)
        assert panel.display and panel.options.has_focus
        expected = sum(a.text.casefold().count("pionyang") for a in sample)
        articles = sum(1 for a in sample if "pionyang" in a.text.casefold())
        assert str(panel.header.render()).startswith(
            f" {expected} matches in {articles} articles")
        assert panel.options.option_count == expected
        first = panel.hits[0]
        row = panel.options.get_option_at_index(0).prompt.plain
        assert row.startswith(" 3  " + first.article.title[:20])
        await pilot.press("down", "enter")
        second = panel.hits[1]
        view = app.view
        assert view.article is second.article and view.selection == (second.start, second.end)
        assert "match 2/" in status(app) and " in all" in status(app)
        await pilot.press("c")
        (ann,) = app.store.all()
        assert (ann.article_sha256, ann.start, ann.tag) == (second.article.sha256,
                                                           second.start, "claim")


async def test_n_and_n_step_through_all_articles(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await find_all(pilot, "pionyang")
        panel = app.query_one(FindPanel)
        hits = panel.hits
        await pilot.press("enter")  # the first result
        crossing = next(n for n, h in enumerate(hits) if h.article is not hits[0].article)
        for _ in range(crossing):
            await pilot.press("n")
        assert app.view.article is hits[crossing].article
        assert selected(app.view).casefold() == "pionyang"
        assert any(n.message.startswith("On into") for n in app.said)
        assert panel.options.highlighted == crossing
        await pilot.press("N")
        assert app.view.article is hits[crossing - 1].article
        for _ in range(len(hits) - crossing + 1):
            await pilot.press("n")
        assert app.view.selection == (hits[0].start, hits[0].end)
        assert "Search wrapped to the first match" in app.said[-1].message
        # Esc closes the list; n still steps through every article's matches
        await pilot.press("F", "enter")  # the last query again
        await pilot.pause()
        await pilot.press("escape")
        assert not panel.display and app.focused in views(app)
        await pilot.press("n")
        assert app.view.selection == (hits[1].start, hits[1].end)
        # A search in one article ends it: n then stays in that article
        await pilot.press("slash", *"tratado", "enter")
        sha = app.view.article.sha256
        await pilot.press("n", "n", "n")
        assert app.view.article.sha256 == sha


async def test_no_match_anywhere_is_said(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await find_all(pilot, "zzzqqq")
        assert not app.query_one(FindPanel).display
        assert app.said[-1].message == "No match for «zzzqqq» in any of the 5 articles."
