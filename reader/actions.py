"""Every key of the reading screen in one table: id (what ``[keys]`` remaps), default keys,
the Textual action, its title (help and palette), its key-bar label, whether it needs the
annotation file, whether it only means something in review, and where it is bound (the
article view or the app). Bindings, key bar, help screen and palette are all built here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from textual.binding import Binding, BindingType

from annotations.config import TagSpec


@dataclass(frozen=True)
class ActionSpec:
    id: str
    keys: str
    action: str
    title: str
    label: str = ""
    """Shown in the key bar with this label; empty: not shown there."""
    needs_file: bool = False
    review_only: bool = False
    on_view: bool = False
    """Bound on the focused article view rather than the app."""
    priority: bool = False

    @property
    def name(self) -> str:
        """The action's method name without its arguments (``tag`` of ``tag('claim')``)."""
        return self.action.split("(", 1)[0]

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.label or self.title, show=bool(self.label),
                       id=self.id, priority=self.priority)


def _move(ident: str, keys: str, where: str, title: str, extend: bool = False) -> ActionSpec:
    action = f"move('{where}', True)" if extend else f"move('{where}')"
    return ActionSpec(ident, keys, action, title, on_view=True)


VIEW_ACTIONS: tuple[ActionSpec, ...] = (
    _move("left", "left", "left", "character left"),
    _move("right", "right", "right", "character right"),
    _move("up", "up", "up", "line up"),
    _move("down", "down", "down", "line down"),
    _move("word-next", "w,ctrl+right", "word", "next word"),
    _move("word-prev", "b,ctrl+left", "back", "previous word"),
    _move("line-start", "home", "home", "line start"),
    _move("line-end", "end", "end", "line end"),
    _move("page-up", "pageup", "pageup", "page up"),
    _move("page-down", "pagedown,space", "pagedown", "page down"),
    _move("top", "g,ctrl+home", "top", "start of the article"),
    _move("bottom", "G,ctrl+end", "bottom", "end of the article"),
    _move("sel-left", "shift+left", "left", "extend the selection left", True),
    _move("sel-right", "shift+right", "right", "extend the selection right", True),
    _move("sel-up", "shift+up", "up", "extend the selection up", True),
    _move("sel-down", "shift+down", "down", "extend the selection down", True),
    _move("sel-word-next", "ctrl+shift+right", "word", "extend by a word", True),
    _move("sel-word-prev", "ctrl+shift+left", "back", "extend by a word back", True),
    _move("sel-line-start", "shift+home", "home", "extend to the line start", True),
    _move("sel-line-end", "shift+end", "end", "extend to the line end", True),
    _move("sel-page-up", "shift+pageup", "pageup", "extend a page up", True),
    _move("sel-page-down", "shift+pagedown", "pagedown", "extend a page down", True),
    ActionSpec("anchor", "v", "anchor", "Drop an anchor: movement then selects", "anchor",
               on_view=True),
    ActionSpec("sentence", "s", "sentence", "Select the sentence under the cursor",
               "sentence", on_view=True),
    ActionSpec("clear", "escape", "clear_selection", "Clear the selection", on_view=True),
)

# In key-bar order (the review keys are put first when reviewing).
APP_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("quit", "q", "quit", "Quit", "quit"),
    ActionSpec("help", "question_mark", "help", "Show every key", "help"),
    ActionSpec("search", "slash", "search", "Search the article", "search"),
    ActionSpec("search-all", "F", "search_all", "Find in all articles: a list of every "
               "match; n and N then step through them all", "find all"),
    ActionSpec("match-next", "n", "search_step(False)", "Next match"),
    ActionSpec("match-prev", "N", "search_step(True)", "Previous match"),
    ActionSpec("ann-next", "right_square_bracket", "jump(1)", "Next annotation (in review: "
               "next disagreement)", needs_file=True),
    ActionSpec("ann-prev", "left_square_bracket", "jump(-1)", "Previous annotation (in "
               "review: previous disagreement)", needs_file=True),
    ActionSpec("retag", "t", "retag", "Change the tag of the annotation under the cursor",
               "retag", needs_file=True),
    ActionSpec("delete", "d", "delete", "Delete the annotation under the cursor", "delete",
               needs_file=True),
    ActionSpec("note", "e", "edit_note", "Edit the note of the annotation under the cursor",
               "note", needs_file=True),
    ActionSpec("link", "l", "link", "Link two annotations (l here, l there); on a linked "
               "pair, unlink them", "link",
               needs_file=True),
    ActionSpec("follow-link", "L", "follow_link", "Follow a link to the other article",
               needs_file=True),
    ActionSpec("undo", "ctrl+z", "undo", "Undo the last change", "undo", needs_file=True),
    ActionSpec("redo", "ctrl+y", "redo", "Redo", needs_file=True),
    ActionSpec("copy", "y", "copy", "Copy the quote with its source", "copy",
               needs_file=True),
    ActionSpec("panel", "a", "toggle_panel", "Show or hide the annotation panel", "panel",
               needs_file=True),
    ActionSpec("articles", "o", "pick_article", "Go to an article"),
    ActionSpec("related", "r", "toggle_related", "Related passages in the other articles, "
               "with what disagrees (for the selection or the sentence)"),
    ActionSpec("disagreements", "D", "find_disagreements", "Find disagreements across the "
               "articles: accept as two linked contradictions, or dismiss", needs_file=True),
    ActionSpec("export", "E", "export", "Export the annotations (CSV, W3C, JSON Lines, brat)",
               "export", needs_file=True),
    ActionSpec("review-accept", "A", "decide('accept')", "Accept their annotation into my "
               "file", "accept", needs_file=True, review_only=True),
    ActionSpec("review-reject", "R", "decide('reject')", "Reject their annotation (it will "
               "not come back)", "reject", needs_file=True, review_only=True),
    ActionSpec("review-keep", "K", "decide('keep')", "Keep mine in this conflict",
               "keep mine", needs_file=True, review_only=True),
    ActionSpec("pane-next", "tab", "next_pane(1)", "Next pane", priority=True),
    ActionSpec("pane-prev", "shift+tab", "next_pane(-1)", "Previous pane", priority=True),
    *(ActionSpec(f"pane-{n}", str(n), f"goto_pane({n})", f"Go to pane {n}")
      for n in range(1, 10)),
)


def tag_actions(tags: Iterable[TagSpec]) -> tuple[ActionSpec, ...]:
    return tuple(ActionSpec(f"tag-{t.name}", t.key, f"tag('{t.name}')",
                            f"Tag the selection as {t.name}", t.name, needs_file=True)
                 for t in tags)


def registry(tags: Iterable[TagSpec]) -> tuple[ActionSpec, ...]:
    """Every action, in key-bar order."""
    return (*VIEW_ACTIONS, *APP_ACTIONS, *tag_actions(tags))


def bindings(specs: Iterable[ActionSpec], *, on_view: bool) -> list[BindingType]:
    return [spec.binding() for spec in specs if spec.on_view == on_view]


LEADING = ("link", "undo", "search", "search-all")
"""After the tag keys, the keys of the task at hand, before the rest of the key bar."""


def key_bar(specs: Sequence[ActionSpec], *, review: bool) -> list[ActionSpec]:
    """What the key bar shows, in order: a narrow terminal cuts its end, so the keys of
    the task come first: the tag keys, link, undo and search, then the rest. In review
    the step to the next disagreement and the review keys lead; outside review the review
    keys are left out."""
    shown = [s for s in specs if s.label and (review or not s.review_only)]
    tags = [s for s in shown if s.id.startswith("tag-")]
    lead = [s for ident in LEADING for s in shown if s.id == ident]
    review_keys = [s for s in shown if s.review_only]
    rest = [s for s in shown if s not in tags and s not in lead and s not in review_keys]
    if not review:
        return [*tags, *lead, *rest]
    step = next(s for s in specs if s.id == "ann-next")
    return [replace(step, label="next disagreement"), *review_keys, *tags, *lead, *rest]


def keymap_problems(keymap: dict[str, str], specs: Sequence[ActionSpec]) -> list[str]:
    """``[keys]`` entries naming no action: one line each, with the ids there are."""
    known = {s.id for s in specs}
    unknown = sorted(set(keymap) - known)
    if not unknown:
        return []
    ids = ", ".join(sorted(known))
    return [f"config [keys]: {ident!r} is no action id (the ids: {ids})" for ident in unknown]
