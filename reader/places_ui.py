"""Where things are: the annotation panel over every article (``a``), and each article's
cursor and the focused pane kept for the next start. A part of ``FactreadApp`` kept apart
(the app inherits it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from reader.widgets.panel import Group

if TYPE_CHECKING:
    from annotations.config import TagSpec
    from annotations.review import ReviewSession
    from annotations.store import AnnotationStore
    from annotations.workbench import Workbench
    from reader.widgets.article_view import ArticleView
    from reader.widgets.panel import AnnotationPanel
    from reader.widgets.tagstyles import TagStyles


class PlacesLike(Protocol):
    views: list[ArticleView]
    bench: Workbench | None
    review: ReviewSession | None
    tags: tuple[TagSpec, ...]
    tag_styles: TagStyles
    _panel: AnnotationPanel

    @property
    def view(self) -> ArticleView | None: ...
    @property
    def store(self) -> AnnotationStore: ...
    def _pane_numbers(self) -> dict[str, int]: ...


class PlacesUI:
    def _refresh_panel(self: PlacesLike) -> None:
        """The panel over every article of the file, the current one first, then the
        others in pane order, then those not open."""
        panel, view, bench = self._panel, self.view, self.bench
        if not panel.display or view is None or bench is None:
            return
        panes = self._pane_numbers()
        shown = sorted(self.store.articles.values(), key=lambda a: (
            a.sha256 != view.article.sha256, panes.get(a.sha256, len(panes) + 1)))
        # An older version of an open article is not listed apart: what is left on it is
        # listed under the open one as not placed.
        open_names = {v.article.name for v in self.views}
        groups = [Group(panes.get(a.sha256, 0), a.title, self.store.for_article(a.sha256),
                        bench.unplaced(a) if a.sha256 in panes else ())
                  for a in shown if a.sha256 in panes
                  or (a.name not in open_names and self.store.for_article(a.sha256))]
        here = bench.here(view.article.sha256, view.cursor)
        panel.show(groups, self.tag_styles, here.id if here else None,
                   [t.name for t in self.tags])

    def _restore_positions(self: PlacesLike) -> None:
        """Each article's cursor and the focused pane as they were when this file was last
        closed (see ``annotations.positions``)."""
        from annotations import positions

        saved = positions.load(self.store.path)
        for view in self.views:
            at = saved.cursors.get(view.article.sha256)
            if at is not None and at <= len(view.article.text):
                view.set_cursor(at)
        focused = next((v for v in self.views if v.article.sha256 == saved.focused), None)
        if focused is not None:
            focused.focus()

    def remember_positions(self: PlacesLike) -> str | None:
        """Save where each article's cursor is, for the next start; a problem is returned."""
        if self.bench is None or self.review is not None or not self.views:
            return None
        from annotations import positions

        view = self.view
        return positions.save(self.store.path, {v.article.sha256: v.cursor for v in self.views},
                              view.article.sha256 if view is not None else None)

