"""The reading screen: articles side by side, annotated from the keyboard or the mouse.

The app composes the widgets, keeps focus and routes events; what an action does is
decided by ``annotations.workbench.Workbench``, and which key runs which action is one
table, ``reader.actions``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import OptionList, Static

from annotations.articles import Article, LoadResult
from annotations.config import TagSpec
from annotations.errors import FactreadError
from annotations.model import Annotation
from annotations.text import display_line
from reader.actions import (
    APP_ACTIONS,
    bindings,
    key_bar,
    keymap_problems,
    registry,
    tag_actions,
)
from reader.clipboard import copy_text
from reader.crosscheck_ui import CrossCheckUI
from reader.dialogs import Dialogs
from reader.find_all_ui import FindAllUI
from reader.places_ui import PlacesUI
from reader.review_ui import ReviewUI
from reader.widgets.article_view import ArticleView
from reader.widgets.find_panel import FindPanel
from reader.widgets.keybar import KeyBar
from reader.widgets.pane import ArticlePane, PaneRow, fit_panel
from reader.widgets.panel import AnnotationPanel
from reader.widgets.related_panel import RelatedPanel
from reader.widgets.search_box import SearchBox
from reader.widgets.status import StatusLine, fact_parts, place_parts, selection_parts
from reader.widgets.tagstyles import TagStyles

if TYPE_CHECKING:  # the rest is imported when first needed, after the first frame
    from annotations.review import ReviewSession
    from annotations.store import AnnotationStore
    from annotations.workbench import Outcome, Workbench
    from reader.widgets.review_panel import ReviewPanel

    Opener = Callable[[], AnnotationStore | tuple[AnnotationStore, ReviewSession]]
    """Opens the annotation file after the first frame (in review, with the session)."""

FOLD_EVERY = 30.0
"""Seconds between folds of the journal into the main file while the screen is open, so a
copy of the file taken meanwhile is current."""


def _no_annotations(start: int, end: int) -> list[Annotation]:
    return []


@dataclass(frozen=True)
class Notice:
    """What the app said (a toast), kept for tests and for the record."""

    message: str
    title: str = ""
    severity: str = "information"


class FactreadApp(Dialogs, CrossCheckUI, FindAllUI, PlacesUI, ReviewUI, App[int]):
    CSS_PATH = "factread.tcss"
    TITLE = "factread"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = bindings(APP_ACTIONS, on_view=False)

    def __init__(self, loaded: LoadResult, store: AnnotationStore | None,
                 tags: tuple[TagSpec, ...], keymap: dict[str, str] | None = None,
                 review: ReviewSession | None = None, opener: Opener | None = None,
                 reviewing: bool = False) -> None:
        """With ``opener`` instead of ``store``, the file is opened after the first frame
        (parsing 10,000 annotations would otherwise delay the text by ~170 ms); with
        ``reviewing``, the opener also brings the review session (the texts come first).
        Build it with ``FactreadApp.build``, which binds the configured tags' keys too."""
        super().__init__()
        self.review = None
        self.reviewing = reviewing or review is not None
        self._opener = opener
        self.startup_error: str | None = None
        if review is not None:
            loaded = LoadResult(review.articles, loaded.errors, loaded.warnings)
        self.loaded = loaded
        self.tags = tags
        self.actions = registry(tags)
        self._by_name = {spec.name: spec for spec in self.actions}
        self.tag_styles = TagStyles.from_specs(tags)
        self.bench: Workbench | None = None
        self.said: list[Notice] = []
        self.views: list[ArticleView] = []
        self.panes: list[ArticlePane] = []
        self._current: ArticleView | None = None
        for number, article in enumerate(loaded.articles, start=1):
            view = ArticleView(article, _no_annotations, self.tag_styles, id=f"view-{number}")
            self.views.append(view)
            self.panes.append(ArticlePane(number, view))
        self._key_overrides = keymap or {}
        self._panel = AnnotationPanel()
        self._related = RelatedPanel()
        self._find_panel = FindPanel()
        self._related_timer = None
        self._search_box = SearchBox()
        self._status = StatusLine()
        self._review_panel: ReviewPanel | None = None
        if self.reviewing:
            from reader.widgets.review_panel import ReviewPanel

            self._review_panel = ReviewPanel()
        if review is not None:
            self._take_review(review)
        if store is not None:
            self._use_store(store, attached=False)

    @classmethod
    def build(cls, loaded: LoadResult, store: AnnotationStore | None,
              tags: tuple[TagSpec, ...], keymap: dict[str, str] | None = None,
              review: ReviewSession | None = None, opener: Opener | None = None,
              reviewing: bool = False) -> FactreadApp:
        """The app with the keys of ``tags`` bound too (bindings are per class in Textual,
        and the tags come from the user's config)."""
        return _with_tags(cls, tags)(loaded, store, tags, keymap, review, opener, reviewing)

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        with PaneRow(self.panes):
            if not self.panes:
                yield Static(Text("No article could be opened: see the messages."),
                             id="empty")
        yield self._panel
        yield self._related
        yield self._find_panel
        if self._review_panel is not None:
            yield self._review_panel
        yield self._search_box
        yield self._status
        yield KeyBar([(self.key_display(spec, first=True), spec.label,
                       ("focused." if spec.on_view else "app.") + spec.action)
                      for spec in key_bar(self.actions, review=self.reviewing)])

    def on_mount(self) -> None:
        self._size_panes()  # before the first layout, so each article is wrapped once
        if self._key_overrides:
            self.set_keymap(self._key_overrides)
        for problem in keymap_problems(self._key_overrides, self.actions):
            self.say(problem, "Config", "error", timeout=30)
        for message in self.loaded.errors:
            self.say(message, "Not opened", "error", timeout=30)
        for message in self.loaded.warnings:
            self.say(message, severity="warning", timeout=15)
        if self.views:
            self.views[0].focus()  # until the file says where the user was (_attached)
        if not self.ready:
            self.call_after_refresh(self._open_in_background)
        else:
            self._attached()
        if self.reviewing:
            self._review_shown()

    def say(self, message: str, title: str = "", severity: str = "information", *,
            timeout: float | None = None) -> None:
        """A toast: untrusted text goes through the display helper, never markup."""
        if not message:
            return
        self.said.append(Notice(message, title, severity))
        lines = "\n".join(display_line(line) for line in message.split("\n"))
        level: SeverityLevel = ("error" if severity == "error" else
                                "warning" if severity == "warning" else "information")
        self.notify(lines, title=display_line(title), severity=level, timeout=timeout,
                    markup=False)

    @work(thread=True, exclusive=True, group="open-store")
    def _open_in_background(self) -> None:
        assert self._opener is not None
        try:
            opened = self._opener()
        except FactreadError as err:
            self.call_from_thread(self._open_failed, str(err))
            return
        # Off the UI thread (0.07-0.2 s per article of 50,000), every article: the
        # annotation list and a new version of an article ask for those not on screen too.
        (opened[0] if isinstance(opened, tuple) else opened).prepare_all()
        self.call_from_thread(self._use_opened, opened)

    def _open_failed(self, message: str) -> None:
        self.startup_error = message
        self.exit(return_code=1)

    @property
    def ready(self) -> bool:
        """The annotation file is open (it opens just after the first frame)."""
        return self.bench is not None

    @property
    def store(self) -> AnnotationStore:
        """The annotation file. Actions that need it are disabled until ``ready``."""
        if self.bench is None:
            raise RuntimeError("the annotation file is still opening")
        return self.bench.store

    @property
    def workbench(self) -> Workbench:
        if self.bench is None:
            raise RuntimeError("the annotation file is still opening")
        return self.bench

    def _use_store(self, store: AnnotationStore, attached: bool = True) -> None:
        from annotations.workbench import Workbench

        self.bench = Workbench(store, self.tags, self.review)
        for view in self.views:
            view.mine = partial(store.overlapping, view.article.sha256)
            if attached:
                view.repaint_all()
        if attached:
            self._attached()

    def _attached(self) -> None:
        if self.review is None:
            self._restore_positions()
            self._show_outcome(self.workbench.opened([v.article for v in self.views]),
                               timeout=30)
        self._refresh_counts()
        self._refresh_status()
        self.set_interval(FOLD_EVERY, self._fold)

    def _fold(self) -> None:
        self._show_outcome(self.workbench.fold(), timeout=20)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        spec = self._by_name.get(action)
        if spec is not None and spec.needs_file and not self.ready:
            return None  # shown, but waits for the file (a fraction of a second)
        return True

    def on_resize(self, event: events.Resize) -> None:
        # The event's size: the app's own is still the old one while the event is handled,
        # and sizing from it left narrow panes after the terminal grew again.
        self._size_panes(event.size.width)

    def _size_panes(self, width: int | None = None) -> None:
        """Share the width left by the panels among the panes; columns the panes cannot
        use go to a panel, so that no dead strip is left beside it."""
        available = width or self.size.width
        taken: list[tuple[Widget, int]] = []
        for panel in (self._review_panel, self._panel, self._related, self._find_panel):
            got = fit_panel(panel, available)
            if got and panel is not None:
                available -= got
                taken.append((panel, got))
        current = self.view.parent if self.view is not None else None
        for row in self.query(PaneRow):
            left = row.fit(available, current if isinstance(current, ArticlePane) else None)
            if left and taken:
                widest, got = taken[0]
                widest.styles.width = got + left

    @property
    def view(self) -> ArticleView | None:
        """The article view the user is working in (the last one focused)."""
        return self._current

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        widget = event.widget
        if isinstance(widget, ArticleView) and widget is not self._current:
            self._current = widget
            if isinstance(widget.parent, ArticlePane):
                for row in self.query(PaneRow):
                    row.show_pane(widget.parent)
            self._refresh_panel()
            self._related_soon()

    # ------------------------------------------------------------------ status
    def on_article_view_moved(self, message: ArticleView.Moved) -> None:
        if message.view is self._current:
            self._refresh_status()
            self._related_soon()
            self._review_follow_soon()

    def _refresh_status(self) -> None:
        if self.bench is None:
            return
        view = self.view
        # Most important first, as a narrow terminal cuts the end: what is under the cursor
        # (or the linking mode), the selection, then who, which file and where.
        parts: list[tuple[str, str | Style]] = []
        if view is not None:
            parts += fact_parts(self.bench.status(view.article.sha256, view.cursor),
                                self.tag_styles)
            if parts and not parts[0][0].strip():
                parts[0] = (" ", "")
            parts += selection_parts(view)
            parts += self._hit_parts(view)
        parts += [(" ", ""), (f" {self.store.annotator} ", "bold reverse"),
                  (f" {self.store.path.name}", "dim")]
        if view is not None:
            parts += place_parts(view)
        self._status.show(parts)

    def _refresh_counts(self) -> None:
        if self.bench is None:
            return
        for pane in self.panes:
            pane.set_count(len(self.store.for_article(pane.view.article.sha256)))

    # ------------------------------------------------------------------ outcomes
    def _show_outcome(self, outcome: Outcome, *, timeout: float | None = None) -> None:
        """Show what the workbench did: repaint what a change touched, move to where it
        says, and say its message."""
        if outcome.change is not None:
            self._changed(outcome)
        if outcome.goto is not None and outcome.selected is not None:
            self._select(outcome.goto[0], *outcome.selected)
        elif outcome.goto is not None:
            self._show(*outcome.goto)
        self.say(outcome.message, outcome.title, outcome.severity,
                 timeout=timeout if timeout is not None else 15 if outcome.title else None)
        if outcome.change is None and outcome.goto is None:
            self._refresh_status()  # linking starts or ends without a change

    def _changed(self, outcome: Outcome) -> None:
        assert outcome.change is not None
        if self.review is not None:
            self._refresh_review()
        spans = outcome.change.spans()
        for view in self.views:
            if view.article.sha256 in spans:
                view.repaint_spans(spans[view.article.sha256])
        self._refresh_counts()
        self._refresh_panel()
        self._refresh_status()

    def _here(self) -> tuple[ArticleView, str, int] | None:
        view = self.view
        return (view, view.article.sha256, view.cursor) if view is not None else None

    def _show(self, sha: str, offset: int) -> bool:
        """Focus the pane of article ``sha`` with the cursor at ``offset``."""
        for view in self.views:
            if view.article.sha256 == sha:
                view.focus()
                view.sticky = False
                view.set_cursor(offset)
                return True
        return False

    # ------------------------------------------------------------------ actions
    def action_tag(self, tag: str) -> None:
        if self.view is not None:
            self._show_outcome(self.workbench.tag(self.view.article, self.view.selection, tag))

    def _under_cursor(self, what: str) -> Annotation | None:
        here = self._here()
        if here is None:
            return None
        found = self.workbench.under(here[1], here[2], what)
        if isinstance(found, Annotation):
            return found
        self._show_outcome(found)
        return None

    def action_delete(self) -> None:
        if (here := self._here()) is not None:
            self._show_outcome(self.workbench.delete(here[1], here[2]))

    def action_link(self) -> None:
        if (here := self._here()) is not None:
            self._show_outcome(self.workbench.link(here[1], here[2]))

    def action_follow_link(self) -> None:
        if (here := self._here()) is not None:
            self._show_outcome(self.workbench.follow(here[1], here[2],
                                                     [v.article for v in self.views]))

    def action_decide(self, decision: str) -> None:
        if (here := self._here()) is not None:
            self._show_outcome(self.workbench.decide(here[1], here[2], decision))

    def action_jump(self, direction: int) -> None:
        if (here := self._here()) is not None:
            self._show_outcome(self.workbench.jump(here[1], here[2], direction,
                                                   [v.article for v in self.views]))

    def action_undo(self) -> None:
        self._show_outcome(self.workbench.undo())

    def action_redo(self) -> None:
        self._show_outcome(self.workbench.redo())

    def action_copy(self) -> None:
        view = self.view
        if view is None:
            return
        span = view.selection
        if span is None:
            ann = self._under_cursor("copy")
            if ann is None:
                return
            span = (ann.start, ann.end)
        self.say(copy_text(self, self.workbench.citation(view.article, span)))

    def action_toggle_panel(self) -> None:
        panel = self._panel
        panel.display = not panel.display
        self.call_after_refresh(self._size_panes)
        if panel.display:
            self._refresh_panel()
            panel.options.focus()
        elif self.view is not None:
            self.view.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        ident = event.option.id
        if self._related.has_focus_within and self._related_chosen(ident):
            return
        if self._find_panel.has_focus_within and self._hit_chosen(ident):
            return
        if self._review_panel is not None and self._review_panel.has_focus_within:
            item = self._review_panel.item(ident)
            if item is not None:
                self._show(item.article, item.start)
            return
        ann = self.store.get(ident) if ident else None
        if ann is not None:
            self._show_outcome(self.workbench.go_to(ann, [v.article for v in self.views]))

    def on_key(self, event: events.Key) -> None:
        if event.key != "escape":
            return
        if self._panel.has_focus_within:
            self.action_toggle_panel()
        elif self._related.has_focus_within:
            self.action_toggle_related()
        elif self._find_panel.has_focus_within:
            self.toggle_find_panel()
        elif self.bench is not None and self.bench.cancel_link():
            self._refresh_status()

    def action_next_pane(self, step: int) -> None:
        if self.views:
            current = self.views.index(self.view) if self.view in self.views else -1
            self.views[(current + step) % len(self.views)].focus()

    def action_goto_pane(self, number: int) -> None:
        if number <= len(self.views):
            self.views[number - 1].focus()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The actions by name, with the keys they are bound to now (remaps included)."""
        yield from super().get_system_commands(screen)
        for spec in self.actions:
            if spec.on_view or (spec.review_only and self.review is None):
                continue
            if spec.id.startswith("pane-") or spec.id.startswith("match-"):
                continue
            yield SystemCommand(spec.title, f"key {self.key_display(spec)}",
                                partial(self.run_action, spec.action))


@cache
def _with_tags(base: type[FactreadApp], tags: tuple[TagSpec, ...]) -> type[FactreadApp]:
    extra = bindings(tag_actions(tags), on_view=False)
    return type(base.__name__, (base,), {"BINDINGS": extra, "__module__": base.__module__})


def run_app(loaded: LoadResult, tags: tuple[TagSpec, ...], keymap: dict[str, str], *,
            db: Path, annotator: str,
            review: Callable[[AnnotationStore], ReviewSession] | None = None,
            preview: list[Article] | None = None,
            lock_wait: float = 0.0, on_wait: Callable[[str], None] | None = None) -> int:
    """Run the reading screen and close the file after it. A bad or busy annotation file
    ends it with one line and exit 1. In review with ``preview`` (the articles both files
    hold, read without their annotations), the texts come first and both files open after
    the first frame; without it, both open before."""
    app: FactreadApp | None = None
    store: AnnotationStore | None = None

    def open_store(**options: Any) -> AnnotationStore:
        # Imported here: the file's modules load after the first frame, on the opener's
        # thread, except where the file opens before the screen.
        from annotations.store import AnnotationStore as Store

        return Store(db, annotator, background=True, **options)

    def open_both() -> tuple[AnnotationStore, ReviewSession]:
        assert review is not None and app is not None
        shown = app

        def waiting(pid: str) -> None:
            shown.call_from_thread(shown.say, f"Waiting for factread (pid {pid}) to close "
                                   f"{db.name}…", timeout=10)

        mine = open_store(lock_wait=lock_wait, on_wait=waiting)
        try:
            return mine, review(mine)
        except BaseException:
            mine.close(fold=False)
            raise

    try:
        if review is not None and preview is None:
            store = open_store(lock_wait=lock_wait, on_wait=on_wait)
    except FactreadError as err:
        print(f"factread: {display_line(str(err))}", file=sys.stderr)
        return 1
    for problem in keymap_problems(keymap, registry(tags)):
        print(f"factread: {display_line(problem)}", file=sys.stderr)
    try:
        if review is not None and preview is not None:
            app = FactreadApp.build(LoadResult(preview), None, tags, keymap,
                                    opener=open_both, reviewing=True)
        else:
            session = review(store) if review is not None and store is not None else None
            app = FactreadApp.build(loaded, store, tags, keymap, session,
                                    opener=open_store)
        app.run()
    except FactreadError as err:
        print(f"factread: {display_line(str(err))}", file=sys.stderr)
        return 1
    finally:
        not_saved = app.remember_positions() if app is not None else None
        if not_saved:
            print(f"factread: warning: {display_line(not_saved)}", file=sys.stderr)
        opened = app.bench.store if app is not None and app.bench is not None else store
        if opened is not None:
            opened.close()
            for warning in opened.warnings:
                print(f"factread: warning: {display_line(warning)}", file=sys.stderr)
    if app.startup_error is not None:
        print(f"factread: {display_line(app.startup_error)}", file=sys.stderr)
        return 1
    return app.return_code or 0  # 1 after an error Textual reported
