"""No attribute or method of factread's widgets, screens or app replaces one of Textual's,
except the hooks Textual means to be overridden: a clash is a bug waiting for a version."""

from __future__ import annotations

import inspect

import textual

from annotations.articles import Article
from annotations.config import DEFAULT_TAGS
from reader import app, dialogs, screens
from reader.widgets import article_view, keybar, pane, panel, review_panel, search_box, status
from reader.widgets.article_view import ArticleView
from reader.widgets.tagstyles import TagStyles

HOOKS = {
    # class settings Textual reads
    "BINDINGS", "CSS_PATH", "DEFAULT_CSS", "TITLE", "ENABLE_COMMAND_PALETTE",
    "COMPONENT_CLASSES", "ALLOW_SELECT", "can_focus",
    # methods Textual calls for the subclass to fill in
    "compose", "render_line", "get_system_commands", "check_action", "edit",
    "on_mount", "on_resize", "on_key", "on_click", "on_mouse_down", "on_mouse_up",
    "on_mouse_move", "on_mouse_scroll_down", "on_mouse_scroll_up", "on_focus", "on_blur",
    "on_descendant_focus", "render", "notify_style_update", "watch_scroll_y",
    "allow_vertical_scroll",
}
MODULES = (app, dialogs, screens, article_view, keybar, pane, panel, review_panel, search_box,
           status)


def textual_names(cls: type) -> set[str]:
    names: set[str] = set()
    for base in cls.__mro__[1:]:
        if base.__module__.split(".")[0] == "textual":
            names |= set(vars(base))
            names |= set(getattr(base, "__annotations__", {}))
    return names


def project_classes() -> list[type]:
    found = []
    for module in MODULES:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and any(
                    b.__module__.split(".")[0] == "textual" for b in cls.__mro__[1:]):
                found.append(cls)
    return found


def set_by_textual(cls: type) -> set[str]:
    """What Textual's class machinery writes into every subclass (bindings, CSS names)."""
    base = next(b for b in cls.__mro__[1:] if b.__module__.split(".")[0] == "textual")
    probe = type("Probe", (base,), {})
    return set(vars(probe)) | {"can_focus", "can_focus_children"}


def own_names(cls: type) -> set[str]:
    names = {n for n in vars(cls) if not (n.startswith("__") and n.endswith("__"))}
    return (names | set(getattr(cls, "__annotations__", {}))) - set_by_textual(cls)


def test_no_class_attribute_or_method_replaces_textuals():
    clashes = []
    for cls in project_classes():
        for name in sorted(own_names(cls) & textual_names(cls) - HOOKS):
            clashes.append(f"{cls.__name__}.{name}")
    assert clashes == [], f"rename these (Textual {textual.__version__} has them): {clashes}"


def test_no_instance_attribute_replaces_textuals(sample):
    article = sample[0] if sample else Article.from_text("a.txt", "x")
    view = ArticleView(article, lambda start, end: [], TagStyles.from_specs(DEFAULT_TAGS))
    made = set(vars(view)) - set(vars(ArticleView.__mro__[1](id="x")))
    clashes = sorted(n for n in made if n in textual_names(ArticleView) and n not in HOOKS)
    assert clashes == []
    from annotations.articles import LoadResult

    reader = app.FactreadApp(LoadResult([article]), None, DEFAULT_TAGS)
    made = set(vars(reader)) - set(vars(textual.app.App()))
    clashes = sorted(n for n in made if n in textual_names(app.FactreadApp) and n not in HOOKS)
    assert clashes == []
