"""The app's dialogs and key help: the tag picker, the note editor, the article picker,
export and the help screen. A part of ``FactreadApp`` kept apart (the app inherits it), so
that the app itself stays composition and routing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from rich.text import Text
from textual.binding import Binding

from annotations.text import display_line
from reader.actions import ActionSpec

if TYPE_CHECKING:
    from annotations.config import TagSpec
    from annotations.model import Annotation
    from annotations.store import AnnotationStore
    from annotations.workbench import Outcome, Workbench
    from reader.widgets.article_view import ArticleView


class AppLike(Protocol):
    """What the dialogs use of the app."""

    tags: tuple[TagSpec, ...]
    views: list[ArticleView]
    actions: tuple[ActionSpec, ...]
    _key_overrides: dict[str, str]

    @property
    def store(self) -> AnnotationStore: ...
    @property
    def workbench(self) -> Workbench: ...
    def push_screen(self, screen: Any, callback: Any = None) -> Any: ...
    def get_key_display(self, binding: Binding) -> str: ...
    def _under_cursor(self, what: str) -> Annotation | None: ...
    def _show_outcome(self, outcome: Outcome, *, timeout: float | None = None) -> None: ...
    def action_goto_pane(self, number: int) -> None: ...
    def key_rows(self) -> list[tuple[str, str, str]]: ...
    def key_display(self, spec: ActionSpec, *, first: bool = False) -> str: ...


class Dialogs:
    def action_retag(self: AppLike) -> None:
        from reader.screens import PickScreen, tag_items

        ann = self._under_cursor("retag")
        if ann is None:
            return

        def chosen(tag: str | None) -> None:
            if tag and self.store.get(ann.id) == ann:
                self._show_outcome(self.workbench.retag(ann.id, tag))

        self.push_screen(PickScreen("Change the tag to…", tag_items(self.tags),
                                    {t.key: t.name for t in self.tags}, ann.tag), chosen)

    def action_edit_note(self: AppLike) -> None:
        from reader.screens import NoteScreen

        ann = self._under_cursor("write a note on")
        if ann is None:
            return

        def saved(note: str | None) -> None:
            if note is not None:
                self._show_outcome(self.workbench.set_note(ann.id, note))

        self.push_screen(NoteScreen(f"Note on {ann.tag} «{ann.quote[:50]}»", ann.note), saved)

    def action_pick_article(self: AppLike) -> None:
        from reader.screens import PickScreen

        items = [(str(n), Text.assemble((f" {n} ", "bold"), " " + display_line(v.article.title),
                                        (f"  {display_line(v.article.origin)}", "dim")))
                 for n, v in enumerate(self.views, start=1)]

        def chosen(number: str | None) -> None:
            if number:
                self.action_goto_pane(int(number))

        self.push_screen(PickScreen("Go to article", items), chosen)

    def action_export(self: AppLike) -> None:
        from reader.screens import ExportScreen

        def done(outcome: Outcome | None) -> None:
            if outcome is not None:
                self._show_outcome(outcome, timeout=10)

        self.push_screen(ExportScreen(self.workbench.export), done)

    def action_help(self: AppLike) -> None:
        from reader.screens import HelpScreen

        self.push_screen(HelpScreen(self.key_rows()))

    def key_rows(self: AppLike) -> list[tuple[str, str, str]]:
        """(keys, title, id) of every action, for the help screen."""
        return [(self.key_display(spec), spec.title, spec.id) for spec in self.actions]

    def key_display(self: AppLike, spec: ActionSpec, *, first: bool = False) -> str:
        """The keys an action answers to now (a remap in the config wins), for people."""
        keys = [k.strip() for k in self._key_overrides.get(spec.id, spec.keys).split(",")]
        return ", ".join(self.get_key_display(Binding(k, "")) for k in keys[:1 if first else None])
