"""The reading screen when the disk refuses a change, and when an article changed on disk."""

from __future__ import annotations

import errno
import os

from annotations import storage
from annotations.articles import Article
from annotations.store import AnnotationStore
from reader.widgets.panel import AnnotationPanel
from tests.annotations.test_new_versions import NEW, OLD, annotate

SIZE = (200, 50)


async def test_a_full_disk_is_said_and_the_change_is_not_shown(make_app, sample, db,
                                                                monkeypatch):
    app = make_app(sample[:2])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+right", "shift+right", "shift+right", "c")
        await pilot.pause()
        assert len(app.store) == 1
        real = os.write

        def full(fd: int, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(storage.os, "write", full)
        await pilot.press("right", "right", "right", "right", "shift+right", "shift+right", "u")
        await pilot.pause()
        assert len(app.store) == 1 and app.panes[0].title_bar.count == 1
        (message,) = [n for n in app.said if n.title == "Not saved"]
        assert "disk full: the change was not saved" in message.message
        monkeypatch.setattr(storage.os, "write", real)
        await pilot.press("u")  # the app goes on: the selection is still there
        await pilot.pause()
        assert len(app.store) == 2
    with AnnotationStore(db, "x", read_only=True) as again:
        assert sorted(a.tag for a in again.all()) == ["claim", "unverified"]


async def test_annotations_follow_an_article_edited_on_disk(make_app, db):
    old, new = Article.from_text("a.txt", OLD), Article.from_text("a.txt", NEW)
    with AnnotationStore(db, "ana") as store:
        annotate(store, old)
    app = make_app([new])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        (note,) = [n for n in app.said if n.title == "Articles changed on disk"]
        assert note.message == ("3 annotations moved to the new version of a.txt, 1 could not "
                                "be placed (listed in the panel, a)")
        assert app.panes[0].title_bar.count == 3
        await pilot.press("a")
        await pilot.pause()
        panel = app.query_one(AnnotationPanel)
        rows = [str(panel.options.get_option_at_index(i).prompt)
                for i in range(panel.options.option_count)]
        assert "not placed on this version" in rows[4]
        assert "Fuentes anónimas hablan de bajas" in rows[5]
        assert len(rows) == 6  # the old version is not listed again on its own
        await pilot.press("ctrl+z")  # undoable like any change
        await pilot.pause()
        assert app.panes[0].title_bar.count == 0
