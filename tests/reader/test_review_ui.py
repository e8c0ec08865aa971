"""factread review: two layers, disagreements to step through, A/R/K, undo."""

from __future__ import annotations

import subprocess
import sys

from annotations.review import BOUNDARY, ONLY_MINE, ONLY_THEIRS, TAG, ReviewSession
from annotations.store import AnnotationStore
from reader.widgets.keybar import KeyBar
from reader.widgets.review_panel import ReviewPanel
from reader.widgets.status import StatusLine
from tests.annotations.test_review import TEXT, pair  # noqa: F401 (fixture)


def open_review(make_app, mine_path, theirs_path):
    mine = AnnotationStore(mine_path, "ana")
    session = ReviewSession(mine, AnnotationStore(theirs_path, "x", read_only=True))
    return make_app([], store=mine, review=session), session


async def test_review_layers_panel_jumps_and_decisions(make_app, pair):  # noqa: F811
    mine_path, theirs_path = pair
    before = theirs_path.read_bytes()
    app, session = open_review(make_app, mine_path, theirs_path)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        panel = app.query_one(ReviewPanel)
        header = str(panel.header.render())
        assert "agree: 1" in header and "tag conflict: 1" in header
        assert "only theirs: 1" in header and "only mine: 1" in header
        assert panel.options.option_count == 4
        view = app.views[0]
        # Their layer is drawn: underlined where they annotated.
        row = view.rows.row_of(TEXT.index("Zelenski"))
        assert any(seg.style and seg.style.underline and "Zelenski" in seg.text
                   for seg in view.row_strip(row))
        await pilot.press("right_square_bracket")
        assert view.cursor == TEXT.index("Zelenski afirmó")
        assert "theirs" in app.query_one(StatusLine).content.plain
        only_theirs = next(i for i in session.items if i.kind == ONLY_THEIRS)
        await pilot.press("R")  # reject only-theirs
        assert app.store.reviews == {only_theirs.theirs.id: "rejected"}
        await pilot.press("right_square_bracket")
        assert view.cursor == TEXT.index("11 mil soldados")
        await pilot.press("A")  # accept their tag
        assert [a.tag for a in app.store.at(view.article.sha256, view.cursor)] == ["contradiction"]
        await pilot.press("right_square_bracket", "K")  # keep mine in the boundary conflict
        kinds = [i.kind for i in session.disagreements()]
        assert kinds == [ONLY_MINE]
        await pilot.press("ctrl+z", "ctrl+z")
        assert sorted(i.kind for i in session.disagreements()) == sorted(
            [TAG, BOUNDARY, ONLY_MINE])
        await pilot.press("left_square_bracket")
        assert panel.options.option_count == 3
    assert theirs_path.read_bytes() == before


async def test_on_80_columns_the_review_panel_leaves_one_article_readable(
        make_app, pair):  # noqa: F811
    app, _ = open_review(make_app, *pair)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel, view = app.query_one(ReviewPanel), app.views[0]
        assert view.region.width >= 29 and view.region.right <= panel.region.x
        assert panel.region.width >= 24 and panel.region.right == 80
        row = view.render_line(0)
        assert row.cell_length == view.region.width  # wrapped to what is shown, not cut
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert commands["Accept their annotation into my file"] == "key A"
        assert commands["Keep mine in this conflict"] == "key K"
        # The panel narrows the key bar: the review keys come first.
        assert [d for _, d, _ in app.query_one(KeyBar).items][:4] == [
            "next disagreement", "accept", "reject", "keep mine"]


async def test_decision_keys_outside_review_explain_themselves(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("A")
        assert any("factread review" in n.message for n in app.said)


def test_review_refuses_a_malformed_colleague_file_and_touches_mine(tmp_path, pair):  # noqa: F811
    mine_path, _ = pair
    before = mine_path.read_bytes()
    bad = tmp_path / "evil.json"
    bad.write_text('{"meta": {"1": {"format": "factread", "version": 1, "annotator": "x", '
                   '"created": "2024-01-01T00:00:00Z"}}, "annotations": {"1": {"id": 5}}}')
    result = subprocess.run([sys.executable, "-m", "reader", "review", str(bad), "--db",
                             str(mine_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "evil.json: annotation record 1" in result.stderr
    assert mine_path.read_bytes() == before


async def test_orphans_are_listed_in_the_review_panel(make_app, tmp_path):
    from annotations.articles import Article

    old = Article.from_text("a.txt", TEXT)
    new = Article.from_text("a.txt", TEXT.replace("El tratado se firmó en junio en Pyongyang.",
                                                  "Fin."))
    with AnnotationStore(tmp_path / "mine.json", "ana") as mine:
        mine.add_articles([new])
    with AnnotationStore(tmp_path / "theirs.json", "bob") as theirs:
        start = TEXT.index("se firmó en junio")
        theirs.add(old, start, start + len("se firmó en junio"), "claim")
    app, _ = open_review(make_app, tmp_path / "mine.json", tmp_path / "theirs.json")
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        panel = app.query_one(ReviewPanel)
        prompts = [str(panel.options.get_option_at_index(i).prompt)
                   for i in range(panel.options.option_count)]
        assert any(p.startswith("orphan") and "se firmó en junio" in p for p in prompts)
        assert "orphans: 1" in str(panel.header.render())
        assert any("Orphan" in n.message for n in app.said)


def test_reviewing_my_own_file_is_refused(pair):  # noqa: F811
    mine_path, _ = pair
    before = mine_path.read_bytes()
    for args in (["review", str(mine_path), "--db", str(mine_path)],
                 ["agree", str(mine_path), str(mine_path)]):
        result = subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 1 and "is the same file as" in result.stderr
    assert mine_path.read_bytes() == before


async def test_review_shows_the_texts_first_and_the_layers_when_both_files_are_open(
        pair, db):  # noqa: F811
    """``factread review``: the articles are read without the annotations and shown at
    once, the panel saying that both files are opening; the files open on a worker and
    their layer and the counts follow, as when they were opened before the first frame."""
    import threading

    from annotations.articles import LoadResult
    from annotations.config import DEFAULT_TAGS
    from annotations.review import review_articles
    from annotations.storage import read_articles
    from reader.app import FactreadApp

    mine_path, theirs_path = pair
    preview = review_articles(read_articles(mine_path), read_articles(theirs_path))
    assert [a.name for a in preview] == ["a.txt"]
    go = threading.Event()

    def open_both():
        go.wait(10)  # held until the first frame has been looked at
        mine = AnnotationStore(mine_path, "ana")
        return mine, ReviewSession(mine, AnnotationStore(theirs_path, "x", read_only=True))

    app = FactreadApp.build(LoadResult(preview), None, DEFAULT_TAGS, opener=open_both,
                            reviewing=True)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        panel = app.query_one(ReviewPanel)
        assert "Opening both files" in str(panel.header.render())
        assert "Rusia no ha confirmado" in app.views[0].row_strip(0).text
        assert not app.ready
        await pilot.press("A")  # waits for the file: nothing happens, nothing breaks
        go.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.ready and "tag conflict: 1" in str(panel.header.render())
        assert app.review is not None and panel.options.option_count == 4
        await pilot.press("right_square_bracket")
        assert app.views[0].cursor == TEXT.index("Zelenski afirmó")
    app.store.close()


def test_the_articles_are_read_without_the_annotations_journal_included(tmp_path, sample):
    from annotations.storage import journal_path, read_articles

    path = tmp_path / "f.json"
    with AnnotationStore(path, "ana") as store:
        store.add(sample[0], 0, 5, "claim")
        store.add(sample[1], 0, 5, "claim")
    store = AnnotationStore(path, "ana")
    store.add(sample[2], 0, 5, "claim")  # in the journal only
    assert journal_path(path).stat().st_size
    assert set(read_articles(path)) == {a.sha256 for a in sample[:3]}
    store.close()
    assert read_articles(tmp_path / "none.json") == {}


async def test_the_current_disagreement_is_highlighted_with_its_number_and_their_side(
        make_app, pair):  # noqa: F811
    mine_path, theirs_path = pair
    with AnnotationStore(theirs_path, "bob") as theirs:  # a note of theirs to show
        ann = next(a for a in theirs.all() if a.quote == "11 mil soldados")
        theirs.apply(theirs.prepare_update(ann.id, "note", note="Seúl dice 12.000"))
    app, session = open_review(make_app, mine_path, theirs_path)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        panel = app.query_one(ReviewPanel)
        total = len(session.disagreements())
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert app.views[0].cursor == TEXT.index("11 mil soldados")
        await pilot.pause(0.3)  # the list follows once the keys stop (FOLLOW_AFTER)
        assert f"disagreement 2/{total}" in str(panel.header.render())
        assert panel.options.highlighted == 1
        status = app.query_one(StatusLine).content.plain
        # Their tag, name and note, then mine
        assert status.index("theirs") < status.index("contradiction") < status.index("by bob")
        assert "their note: Seúl dice 12.000" in status
        assert status.index("by bob") < status.index("mine") < status.index("claim")
        await pilot.press("K")
        said = app.said[-1].message
        assert said.startswith("Kept mine: their contradiction «11 mil soldados» by bob set "
                               "aside")
        # No strip of dead columns beside the panel: the panes and the panel fill the width
        row = app.query_one("PaneRow")
        assert row.region.right == panel.region.x and panel.region.right == 200


async def test_at_200_columns_no_dead_strip_beside_the_review_panel(make_app, sample, tmp_path):
    with AnnotationStore(tmp_path / "t.json", "bob") as theirs:
        theirs.add(sample[0], 0, 5, "claim")
    mine = AnnotationStore(tmp_path / "m.json", "ana")
    for article in sample:
        mine.add(article, 0, 3, "claim")
    session = ReviewSession(mine, AnnotationStore(tmp_path / "t.json", "x", read_only=True))
    app = make_app(session.articles, store=mine, review=session)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        panel, row = app.query_one(ReviewPanel), app.query_one("PaneRow")
        assert row.region.right == panel.region.x and panel.region.right == 200
        assert panel.region.width >= 57
        shown = [p for p in app.panes if p.region.width and p.region.right <= row.region.right]
        assert sum(p.region.width for p in shown) == row.region.width
