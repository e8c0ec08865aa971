"""The reading screen: articles side by side, annotated from the keyboard or the mouse."""

from __future__ import annotations

import bisect
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import HorizontalScroll
from textual.screen import Screen
from textual.widgets import Input, Static

from annotations.articles import LoadResult
from annotations.config import TagSpec, load_keys, load_tags
from annotations.errors import FactreadError
from annotations.model import Annotation
from annotations.text import display_line
from reader.widgets.article_view import ArticleView
from reader.widgets.keybar import KeyBar
from reader.widgets.pane import ArticlePane
from reader.widgets.panel import AnnotationPanel
from reader.widgets.status import StatusLine
from reader.widgets.tagstyles import TagStyles

MIN_PANE = 30
"""Narrowest readable column; fewer panes are shown side by side below it."""

if TYPE_CHECKING:  # the rest is imported when first needed, after the first frame
    from annotations.history import History
    from annotations.review import Item, ReviewSession
    from annotations.store import AnnotationStore, Change
    from reader.widgets.review_panel import ReviewPanel

FOLD_EVERY = 30.0
"""Seconds between folds of the journal into the main file while the screen is open, so a
copy of the file taken meanwhile is current."""


PALETTE = {
    "search": "Search the article",
    "retag": "Change the tag of the annotation under the cursor",
    "delete": "Delete the annotation under the cursor",
    "note": "Edit the note of the annotation under the cursor",
    "link": "Link two annotations (l here, l there)",
    "follow-link": "Follow a link to the other article",
    "undo": "Undo the last change",
    "redo": "Redo",
    "copy": "Copy the quote with its source",
    "panel": "Show or hide the annotation panel",
    "articles": "Go to an article",
    "export": "Export the annotations (CSV, W3C, JSON Lines, brat)",
    "help": "Show every key",
    "review-accept": "Accept their annotation into my file",
    "review-reject": "Reject their annotation (it will not come back)",
    "review-keep": "Keep mine in this conflict",
}
"""Command-palette titles by binding id; key and action come from the binding itself."""


STORE_ACTIONS = frozenset({
    "tag", "retag", "delete", "edit_note", "link", "follow_link", "jump", "undo", "redo",
    "copy", "toggle_panel", "export", "accept", "reject", "keep"})
"""Actions that need the annotation file: disabled for the moment it is still opening."""


def _no_annotations(start: int, end: int) -> list[Annotation]:
    return []


def _innermost(anns: Iterable[Annotation]) -> Annotation | None:
    return min(anns, key=lambda a: (a.end - a.start, -a.start), default=None)


class FactreadApp(App[int]):
    CSS_PATH = "factread.tcss"
    TITLE = "factread"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "quit", id="quit"),
        Binding("question_mark", "help", "help", id="help"),
        Binding("slash", "search", "search", id="search"),
        Binding("n", "search_step(False)", "next match", show=False, id="match-next"),
        Binding("N", "search_step(True)", "prev. match", show=False, id="match-prev"),
        Binding("right_square_bracket", "jump(1)", "next ann.", show=False, id="ann-next"),
        Binding("left_square_bracket", "jump(-1)", "prev. ann.", show=False, id="ann-prev"),
        Binding("t", "retag", "retag", id="retag"),
        Binding("d", "delete", "delete", id="delete"),
        Binding("e", "edit_note", "note", id="note"),
        Binding("l", "link", "link", id="link"),
        Binding("L", "follow_link", "follow link", show=False, id="follow-link"),
        Binding("ctrl+z", "undo", "undo", id="undo"),
        Binding("ctrl+y", "redo", "redo", show=False, id="redo"),
        Binding("y", "copy", "copy", id="copy"),
        Binding("a", "toggle_panel", "panel", id="panel"),
        Binding("o", "pick_article", "articles", show=False, id="articles"),
        Binding("E", "export", "export", id="export"),
        Binding("A", "accept", "accept", id="review-accept"),
        Binding("R", "reject", "reject", id="review-reject"),
        Binding("K", "keep", "keep mine", id="review-keep"),
        Binding("tab", "next_pane(1)", "next pane", show=False, id="pane-next", priority=True),
        Binding("shift+tab", "next_pane(-1)", "prev. pane", show=False, id="pane-prev",
                priority=True),
        *(Binding(str(n), f"goto_pane({n})", f"pane {n}", show=False, id=f"pane-{n}")
          for n in range(1, 10)),
    ]

    def __init__(self, loaded: LoadResult, store: AnnotationStore | None,
                 tags: tuple[TagSpec, ...], keymap: dict[str, str] | None = None,
                 review: ReviewSession | None = None,
                 opener: Callable[[], AnnotationStore] | None = None) -> None:
        """With ``opener`` instead of ``store``, the file is opened after the first frame
        (parsing 10,000 annotations would otherwise delay the text by ~170 ms)."""
        super().__init__()
        self.review = review
        self._opener = opener
        self.startup_error: str | None = None
        if review is not None:
            loaded = LoadResult(review.articles, loaded.errors, loaded.warnings)
        self.loaded = loaded
        self._store: AnnotationStore | None = store
        self.history: History | None = None
        if store is not None:
            from annotations.history import History

            self.history = History(store)
        self.tags = tags
        self.tag_styles = TagStyles.from_specs(tags)
        self.views: list[ArticleView] = []
        self.panes: list[ArticlePane] = []
        self.link_from: str | None = None
        self._fold_problem: str | None = None
        self._follow = 0
        self._current: ArticleView | None = None
        for spec in tags:
            self._bindings.key_to_bindings.setdefault(spec.key, []).append(
                Binding(spec.key, f"tag('{spec.name}')", spec.name, id=f"tag-{spec.name}"))
        for number, article in enumerate(loaded.articles, start=1):
            layer = (partial(store.overlapping, article.sha256) if store is not None
                     else _no_annotations)
            view = ArticleView(article, layer, self.tag_styles, id=f"view-{number}")
            if review is not None:
                view.theirs = partial(review.theirs_overlapping, article.sha256)
            self.views.append(view)
            self.panes.append(ArticlePane(number, view))
        self._key_overrides = keymap or {}
        self._panel = AnnotationPanel()
        self._search_box = Input(placeholder="search (case and accents ignored)", id="search")
        self._status = StatusLine()
        self._review_panel: ReviewPanel | None = None
        if review is not None:
            from reader.widgets.review_panel import ReviewPanel

            self._review_panel = ReviewPanel()

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        panes = HorizontalScroll(id="panes")
        panes.can_focus = False  # Tab moves between articles, not onto their container
        with panes:
            yield from self.panes
            if not self.panes:
                yield Static(Text("No article could be opened: see the messages."),
                             id="empty")
        yield self._panel
        if self._review_panel is not None:
            yield self._review_panel
        yield self._search_box
        yield self._status
        yield KeyBar(self._key_bar_items())

    def _key_bar_items(self) -> list[tuple[str, str, str]]:
        """The keys worth showing, with the action a click runs."""
        items = []
        view_actions = {b.id: b for b in ArticleView.BINDINGS if isinstance(b, Binding)}
        shown = [b for b in ArticleView.BINDINGS if isinstance(b, Binding) and b.show]
        shown += [b for bindings in self._bindings.key_to_bindings.values() for b in bindings
                  if b.show and b.id not in view_actions]
        review_only = [b for b in shown if b.id in {"review-accept", "review-reject",
                                                      "review-keep"}]
        shown = [b for b in shown if b not in review_only]
        if self.review is not None:
            # The review panel narrows the bar: the keys of the task at hand come first.
            step = [replace(b, description="next disagreement")
                    for bindings in self._bindings.key_to_bindings.values()
                    for b in bindings if b.id == "ann-next"]
            shown = step + review_only + shown
        for binding in shown:
            prefix = "focused." if binding.id in view_actions else "app."
            items.append((self.key_display(binding, first=True), binding.description,
                          prefix + binding.action))
        return items

    def on_mount(self) -> None:
        self._size_panes()  # before the first layout, so each article is wrapped once
        if self._key_overrides:
            self.set_keymap(self._key_overrides)
        for message in self.loaded.errors:
            self.notify(display_line(message), title="Not opened", severity="error",
                        timeout=30, markup=False)
        for message in self.loaded.warnings:
            self.notify(display_line(message), severity="warning", timeout=15, markup=False)
        if not self.ready:
            self.call_after_refresh(self._open_in_background)
        else:
            self._attached()
        if self.review is not None:
            self._refresh_review()
            for orphan in self.review.orphans[:5]:
                self.notify(f"Orphan: {display_line(orphan.theirs.article)}: "
                            f"{display_line(orphan.why)}", severity="warning", timeout=20,
                            markup=False)
        if self.views:
            self.views[0].focus()

    @work(thread=True, exclusive=True, group="open-store")
    def _open_in_background(self) -> None:
        assert self._opener is not None
        try:
            store = self._opener()
        except FactreadError as err:
            self.call_from_thread(self._open_failed, str(err))
            return
        self.call_from_thread(self._use_store, store)

    def _open_failed(self, message: str) -> None:
        self.startup_error = message
        self.exit(return_code=1)

    @property
    def ready(self) -> bool:
        """The annotation file is open (it opens just after the first frame)."""
        return self._store is not None

    @property
    def store(self) -> AnnotationStore:
        """The annotation file. Actions that need it are disabled until ``ready``."""
        if self._store is None:
            raise RuntimeError("the annotation file is still opening")
        return self._store

    def _use_store(self, store: AnnotationStore) -> None:
        from annotations.history import History

        self._store = store
        self.history = History(store)
        for view in self.views:
            view.mine = partial(store.overlapping, view.article.sha256)
            view.repaint_all()
        self._attached()

    def _attached(self) -> None:
        if self.review is None:
            self._move_to_new_versions()
        self._refresh_counts()
        self._refresh_status()
        self.set_interval(FOLD_EVERY, self._fold)

    def _move_to_new_versions(self) -> None:
        """Articles edited on disk since they were annotated: annotations follow them onto
        the new text (undoable); what cannot be placed is said and listed in the panel."""
        from annotations.anchoring import move_to_new_versions

        moved = move_to_new_versions(self.store, [v.article for v in self.views])
        if not moved.moved and not moved.unplaced:
            return
        if moved.change.pairs and not self._do(moved.change):
            return
        for view in self.views:
            view.repaint_all()
        self.notify(display_line(moved.message()), title="Articles changed on disk",
                    severity="warning" if moved.unplaced else "information", timeout=30,
                    markup=False)

    def _fold(self) -> None:
        problem = self.store.fold()
        if problem is not None and problem != self._fold_problem:
            self.notify(f"{display_line(problem)}; every change is safe in the journal beside "
                        "it", title="Main file not updated", severity="warning", timeout=20,
                        markup=False)
        self._fold_problem = problem

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in STORE_ACTIONS and not self.ready:
            return None  # shown, but waits for the file (a fraction of a second)
        return True

    def on_resize(self) -> None:
        self._size_panes()

    def _size_panes(self) -> None:
        """As many panes as fit at MIN_PANE columns share the width; the rest are one
        scroll (or Tab, a number, o) away."""
        if not self.panes:
            return
        panel = self._panel
        available = self.size.width - (panel.outer_size.width if panel.display else 0)
        if self._review_panel is not None:
            from reader.widgets.review_panel import MIN_WIDTH, WIDTH

            # On a narrow terminal the panel gives way, so one article stays readable.
            panel_width = max(MIN_WIDTH, min(WIDTH, available - MIN_PANE))
            self._review_panel.styles.width = panel_width
            available -= panel_width
        shown = max(1, min(len(self.panes), available // MIN_PANE))
        width = max(MIN_PANE, available // shown)
        for index, pane in enumerate(self.panes):
            last = index == shown - 1 and shown == len(self.panes)
            pane.styles.width = width + (available - width * shown if last else 0)
        # When some panes are scrolled out, the row of panes is exactly as wide as those
        # shown: the columns left over stay blank instead of showing a sliver of the next.
        container = self.panes[0].parent
        if isinstance(container, HorizontalScroll):
            container.styles.width = "1fr" if shown == len(self.panes) else width * shown

    @property
    def view(self) -> ArticleView | None:
        """The article view the user is working in (the last one focused)."""
        return self._current

    def on_descendant_focus(self, event: object) -> None:
        widget = getattr(event, "widget", None)
        if isinstance(widget, ArticleView) and widget is not self._current:
            self._current = widget
            widget.parent.scroll_visible(animate=False)  # type: ignore[union-attr]
            self._refresh_panel()

    # ------------------------------------------------------------------ status
    def on_article_view_moved(self, message: ArticleView.Moved) -> None:
        if message.view is self._current:
            self._refresh_status()

    def _refresh_status(self) -> None:
        if not self.ready:
            return
        view = self.view
        parts: list[tuple[str, str | Style]] = [
            (f" {self.store.annotator} ", "bold reverse"), (f" {self.store.path.name} ", "dim")]
        if view is not None:
            parts.append((f" {view.article.name} @{view.cursor}", ""))
            sel = view.selection
            if view.sticky:
                parts.append((" ANCHOR", "bold yellow"))
            if sel:
                parts.append((f" sel {sel[1] - sel[0]}", "bold"))
                index = view.match_index()
                if index:
                    parts.append((f" match {index}/{len(view.matches)}", "bold green"))
            if self.review is not None:
                for other in self.review.theirs_overlapping(view.article.sha256, view.cursor,
                                                            view.cursor + 1):
                    parts.append(("  theirs ", "underline"))
                    parts.append((f" {other.tag} ", self.tag_styles.of(other.tag)))
                    parts.append((f" by {other.annotator}", "dim"))
            for ann in self.store.at(view.article.sha256, view.cursor):
                parts.append(("  ", ""))
                parts.append((f" {ann.tag} ", self.tag_styles.of(ann.tag)))
                parts.append((f" «{ann.quote[:40]}»", ""))
                if ann.note:
                    parts.append((f" note: {ann.note[:60]}", "italic"))
                if ann.links:
                    parts.append((f" links: {len(ann.links)}", "bold"))
        if self.link_from:
            source = self.store.get(self.link_from)
            if source:
                parts.append((f"  LINKING from «{source.quote[:30]}»: go to another "
                              "annotation and press l", "bold magenta"))
        self._status.show(parts)

    def _refresh_counts(self) -> None:
        if not self.ready:
            return
        for pane in self.panes:
            pane.set_count(len(self.store.for_article(pane.view.article.sha256)))

    def _refresh_panel(self) -> None:
        panel = self._panel
        if panel.display and self.view is not None:
            from annotations.anchoring import unplaced_on

            article = self.view.article
            panel.show(article.title, self.store.for_article(article.sha256), self.tag_styles,
                       self.view.cursor, unplaced_on(self.store, article))

    # ------------------------------------------------------------------ changes
    def _do(self, change: Change) -> bool:
        assert self.history is not None
        try:
            self.history.do(change)
        except FactreadError as err:
            # Not stored, so not shown as made: the message says why, the screen goes on.
            self.notify(display_line(str(err)), title="Not saved", severity="error",
                        timeout=15, markup=False)
            return False
        self._changed(change)
        return True

    def _changed(self, change: Change) -> None:
        if self.review is not None:
            self.review.refresh(change)
            self._refresh_review()
        spans: dict[str, list[tuple[int, int]]] = {}
        for pair in change.pairs:
            for ann in pair:
                if ann is not None:
                    spans.setdefault(ann.article_sha256, []).append((ann.start, ann.end))
        for view in self.views:
            if view.article.sha256 in spans:
                view.repaint_spans(spans[view.article.sha256])
        self._refresh_counts()
        self._refresh_panel()
        self._refresh_status()

    def _under_cursor(self, what: str) -> Annotation | None:
        view = self.view
        if view is None:
            return None
        ann = _innermost(self.store.at(view.article.sha256, view.cursor))
        if ann is None:
            self.notify(f"No annotation under the cursor to {what}: ] and [ jump to one.",
                        severity="warning", markup=False)
        return ann

    # ------------------------------------------------------------------ actions
    def action_tag(self, tag: str) -> None:
        view = self.view
        if view is None:
            return
        sel = view.selection
        if sel is None:
            self.notify("Select text first: shift+arrows, v, s (sentence), / (search) or a "
                        "mouse drag.", severity="warning", markup=False)
            return
        if self._do(self.store.prepare_add(view.article, sel[0], sel[1], tag)):
            # The cursor rests on the new annotation, so e, l or t act on it next.
            view.sticky = False
            view.set_cursor(sel[0])

    def action_retag(self) -> None:
        from reader.screens import PickScreen, tag_items

        ann = self._under_cursor("retag")
        if ann is None:
            return

        def chosen(tag: str | None) -> None:
            if tag and tag != ann.tag and self.store.get(ann.id) == ann:
                self._do(self.store.prepare_update(ann.id, f"retag {tag}", tag=tag))

        self.push_screen(PickScreen("Change the tag to…", tag_items(self.tags),
                                    {t.key: t.name for t in self.tags}, ann.tag), chosen)

    def action_delete(self) -> None:
        ann = self._under_cursor("delete")
        if ann and self._do(self.store.prepare_delete(ann.id)):
            self.notify(f"Deleted a {ann.tag} annotation (ctrl+z undoes).", markup=False)

    def action_edit_note(self) -> None:
        from reader.screens import NoteScreen

        ann = self._under_cursor("write a note on")
        if ann is None:
            return

        def saved(note: str | None) -> None:
            current = self.store.get(ann.id)
            if note is not None and current is not None and note != current.note:
                self._do(self.store.prepare_update(ann.id, "note", note=note))

        self.push_screen(NoteScreen(f"Note on {ann.tag} «{ann.quote[:50]}»", ann.note), saved)

    def action_link(self) -> None:
        ann = self._under_cursor("link")
        if ann is None:
            return
        if self.link_from is None:
            self.link_from = ann.id
            self._refresh_status()
            return
        source, self.link_from = self.link_from, None
        if source == ann.id:
            self.notify("Linking cancelled.", markup=False)
            self._refresh_status()
            return
        if self.store.get(source) is None:
            self._refresh_status()
            return
        unlink = source in ann.links
        if self._do(self.store.prepare_link(source, ann.id, unlink=unlink)):
            self.notify("Unlinked." if unlink else "Linked both ways (L follows a link).",
                        markup=False)

    def action_follow_link(self) -> None:
        ann = self._under_cursor("follow a link from")
        if ann is None:
            return
        if not ann.links:
            self.notify("This annotation has no links: l on it, then l on another.",
                        severity="warning", markup=False)
            return
        self._follow = (self._follow + 1) % len(ann.links)
        target = self.store.get(ann.links[self._follow])
        if target is not None:
            self._jump_to(target)

    def _show(self, sha: str, offset: int) -> bool:
        """Focus the pane of article ``sha`` with the cursor at ``offset``."""
        for view in self.views:
            if view.article.sha256 == sha:
                view.focus()
                view.sticky = False
                view.set_cursor(offset)
                return True
        return False

    def _jump_to(self, ann: Annotation) -> None:
        if not self._show(ann.article_sha256, ann.start):
            self.notify(f"That annotation is in {display_line(ann.article)}, which is not "
                        "open.", severity="warning", markup=False)

    def _refresh_review(self) -> None:
        if self.review is None or self._review_panel is None:
            return
        view = self.view
        near = self.review.index_near(view.article.sha256, view.cursor) if view else 0
        self._review_panel.show(self.review, self.tag_styles, near)

    def _decide(self, prepare: Callable[[ReviewSession, Item], Change]) -> None:
        view = self.view
        if self.review is None:
            self.notify("A, R and K decide on a colleague's annotations: factread review FILE.",
                        severity="warning", markup=False)
            return
        item = self.review.item_at(view.article.sha256, view.cursor) if view else None
        if item is None:
            self.notify("No undecided disagreement under the cursor: ] jumps to the next.",
                        severity="warning", markup=False)
            return
        try:
            change = prepare(self.review, item)
        except ValueError as err:
            self.notify(str(err), severity="warning", markup=False)
            return
        if self._do(change):
            # The label says whose version stands now and what of mine was kept.
            label = display_line(change.label)
            self.notify(f"{label[:1].upper()}{label[1:]} ({item.kind}; ctrl+z undoes).",
                        markup=False)

    def action_accept(self) -> None:
        self._decide(lambda review, item: review.prepare_accept(item))

    def action_reject(self) -> None:
        self._decide(lambda review, item: review.prepare_reject(item))

    def action_keep(self) -> None:
        self._decide(lambda review, item: review.prepare_keep(item))

    def action_jump(self, direction: int) -> None:
        view = self.view
        if view is None:
            return
        if self.review is not None:
            item = self.review.step(view.article.sha256, view.cursor, direction)
            if item is None:
                self.notify("No disagreements left to decide.", markup=False)
            else:
                self._show(item.article, item.start)
            return
        anns = self.store.for_article(view.article.sha256)
        if not anns:
            self.notify("No annotations in this article yet.", markup=False)
            return
        if direction > 0:
            index = bisect.bisect_right(anns, view.cursor, key=lambda a: a.start)
            target = anns[index % len(anns)]
        else:
            index = bisect.bisect_left(anns, view.cursor, key=lambda a: a.start)
            target = anns[(index - 1) % len(anns)]
        view.sticky = False
        view.set_cursor(target.start)

    def action_undo(self) -> None:
        assert self.history is not None
        self._step(self.history.undo, "Nothing to undo.", "Undone")

    def action_redo(self) -> None:
        assert self.history is not None
        self._step(self.history.redo, "Nothing to redo.", "Redone")

    def _step(self, step: object, empty: str, done: str) -> None:
        try:
            change = step()  # type: ignore[operator]
        except FactreadError as err:
            self.notify(display_line(str(err)), title="Not saved", severity="error",
                        timeout=15, markup=False)
            return
        if change is None:
            self.notify(empty, markup=False)
            return
        self._changed(change)
        self.notify(f"{done}: {change.label.removeprefix('undo ')}", markup=False)

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
        article = view.article
        quote = article.text[span[0]:span[1]]
        self.copy_text(f"“{quote}”\n— {article.title} ({article.name}, characters "
                       f"{span[0]}–{span[1]})")

    def copy_text(self, text: str) -> str:
        """Copy with pyperclip where a system clipboard exists, else OSC 52; say which."""
        import pyperclip

        try:
            pyperclip.copy(text)
            how = "Copied to the system clipboard."
        except pyperclip.PyperclipException:
            self.copy_to_clipboard(text)
            how = ("No system clipboard here: copied through the terminal (OSC 52), which "
                   "works where the terminal allows it.")
        self.notify(how, markup=False)
        return how

    def action_toggle_panel(self) -> None:
        panel = self._panel
        panel.display = not panel.display
        self.call_after_refresh(self._size_panes)
        if panel.display:
            self._refresh_panel()
            panel.options.focus()
        elif self.view is not None:
            self.view.focus()

    def on_option_list_option_selected(self, event: object) -> None:
        option = getattr(event, "option", None)
        if self._review_panel is not None and self._review_panel.has_focus_within:
            item = self._review_panel.item(option.id if option else None)
            if item is not None:
                self._show(item.article, item.start)
            return
        ann = self.store.get(option.id) if option is not None and option.id else None
        if ann is None:
            return
        if self.view is not None and ann.article == self.view.article.name \
                and ann.article_sha256 != self.view.article.sha256:
            self.notify(f"«{display_line(ann.quote[:60])}» could not be placed on the new "
                        "version of this article; it stays in the file on the old text.",
                        severity="warning", markup=False)
            return
        self._jump_to(ann)

    def action_search(self) -> None:
        if self.view is None:
            return
        search = self._search_box
        search.placeholder = f"search {display_line(self.view.article.title)[:40]} " \
                             "(case and accents ignored)"
        search.display = True
        search.value = self.view.search_query
        search.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search":
            return
        event.input.display = False
        view = self.view
        if view is None:
            return
        view.focus()
        if event.value:
            self._search(view, event.value, backwards=False, here=True)

    def on_key(self, event: object) -> None:
        if getattr(event, "key", None) != "escape":
            return
        if self._search_box.has_focus:
            self._search_box.display = False
            if self.view is not None:
                self.view.focus()
        elif self._panel.has_focus_within:
            self.action_toggle_panel()
        elif self.link_from is not None:
            self.link_from = None
            self._refresh_status()

    def _search(self, view: ArticleView, query: str, backwards: bool, *,
                here: bool = False) -> None:
        if not view.search(query, backwards=backwards, here=here):
            self.notify(f"No match for «{display_line(query)}» in "
                        f"{display_line(view.article.title)}.", severity="warning", markup=False)

    def action_search_step(self, backwards: bool) -> None:
        view = self.view
        if view is None:
            return
        if not view.search_query:
            self.notify("Search first with /.", markup=False)
            return
        self._search(view, view.search_query, backwards)

    def action_next_pane(self, step: int) -> None:
        if self.views:
            current = self.views.index(self.view) if self.view in self.views else -1
            self.views[(current + step) % len(self.views)].focus()

    def action_goto_pane(self, number: int) -> None:
        if number <= len(self.views):
            self.views[number - 1].focus()

    def action_pick_article(self) -> None:
        from reader.screens import PickScreen

        items = [(str(n), Text.assemble((f" {n} ", "bold"), " " + display_line(v.article.title),
                                        (f"  {display_line(v.article.name)}", "dim")))
                 for n, v in enumerate(self.views, start=1)]

        def chosen(number: str | None) -> None:
            if number:
                self.action_goto_pane(int(number))

        self.push_screen(PickScreen("Go to article", items), chosen)

    def action_export(self) -> None:
        from reader.screens import ExportScreen

        def chosen(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            from annotations.export import export

            fmt, path = answer
            target = Path(path).expanduser()
            try:
                result = export(self.store, fmt, target, tags=self.tags)
            except (FactreadError, OSError) as err:
                self.notify(display_line(str(err)), severity="error", markup=False)
                return
            for warning in result.warnings[:3]:
                self.notify(display_line(warning), severity="warning", markup=False)
            self.notify(f"Exported {result.count} annotations to "
                        f"{display_line(str(target.resolve()))}", timeout=10, markup=False)

        self.push_screen(ExportScreen(), chosen)

    def action_help(self) -> None:
        from reader.screens import HelpScreen

        self.push_screen(HelpScreen(self.key_rows()))

    def key_rows(self) -> list[tuple[str, str, str]]:
        rows = []
        bindings = [*ArticleView.BINDINGS, *self._bindings.key_to_bindings.values()]
        seen = set()
        for item in bindings:
            for binding in item if isinstance(item, list) else [item]:
                if not isinstance(binding, Binding) or binding.id in seen:
                    continue
                seen.add(binding.id)
                rows.append((self.key_display(binding), binding.description, binding.id or ""))
        return rows

    def key_display(self, binding: Binding, *, first: bool = False) -> str:
        """The keys ``binding`` answers to now (a remap in the config wins), for people."""
        keys = [k.strip() for k in self._key_overrides.get(binding.id or "", binding.key).split(",")]
        return ", ".join(self.get_key_display(Binding(k, "")) for k in keys[:1 if first else None])

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The actions by name, with the keys they are bound to now (remaps included)."""
        yield from super().get_system_commands(screen)
        bindings = {b.id: b for bs in self._bindings.key_to_bindings.values() for b in bs if b.id}
        titles = {f"tag-{spec.name}": f"Tag the selection as {spec.name}" for spec in self.tags}
        titles.update(PALETTE if self.review is not None else {
            ident: title for ident, title in PALETTE.items() if not ident.startswith("review-")})
        for ident, title in titles.items():
            binding = bindings.get(ident)
            if binding is not None:
                yield SystemCommand(title, f"key {self.key_display(binding)}",
                                    partial(self.run_action, binding.action))


def run_app(loaded: LoadResult, *, db: Path, annotator: str,
            review: Callable[[AnnotationStore], ReviewSession] | None = None,
            lock_wait: float = 0.0, on_wait: Callable[[str], None] | None = None) -> int:
    """Run the reading screen and close the file after it. A bad or busy annotation file
    ends it with one line and exit 1."""
    try:
        tags = load_tags()
        keymap = load_keys()
        # Review needs both files before the first frame (its articles come from both);
        # otherwise the file opens while the text is already on screen.
        from annotations.store import AnnotationStore as Store

        store = (Store(db, annotator, lock_wait=lock_wait, on_wait=on_wait)
                 if review is not None else None)
    except FactreadError as err:
        print(f"factread: {display_line(str(err))}", file=sys.stderr)
        return 1
    app: FactreadApp | None = None
    try:
        session = review(store) if review is not None and store is not None else None
        app = FactreadApp(loaded, store, tags, keymap, session,
                          opener=lambda: Store(db, annotator))
        app.run()
    except FactreadError as err:
        print(f"factread: {display_line(str(err))}", file=sys.stderr)
        return 1
    finally:
        opened = app._store if app is not None else store
        if opened is not None:
            opened.close()
            for warning in opened.warnings:
                print(f"factread: warning: {display_line(warning)}", file=sys.stderr)
    if app.startup_error is not None:
        print(f"factread: {display_line(app.startup_error)}", file=sys.stderr)
        return 1
    return app.return_code or 0  # 1 after an error Textual reported
