"""Every key and mouse action of the reading screen, asserting on the store and the screen."""

from __future__ import annotations

import json

import pyperclip
import pytest

from annotations.articles import Article
from annotations.store import AnnotationStore
from reader.screens import ExportScreen, HelpScreen, NoteScreen, PickScreen
from reader.widgets.article_view import ArticleView
from reader.widgets.keybar import KeyBar
from reader.widgets.panel import AnnotationPanel
from reader.widgets.status import StatusLine
from tests.reader.conftest import row_styles, strip_text

SIZE = (200, 50)


def views(app) -> list[ArticleView]:
    return list(app.query(ArticleView))


def status(app) -> str:
    return app.query_one(StatusLine).content.plain


def selected(view) -> str:
    sel = view.selection
    return view.text[sel[0]:sel[1]] if sel else ""


async def search(pilot, query: str) -> None:
    await pilot.press("slash")
    await pilot.press(*query)
    await pilot.press("enter")
    await pilot.pause()


def reopened(db) -> AnnotationStore:
    return AnnotationStore(db, "x", read_only=True)


async def test_five_articles_side_by_side_at_200_columns(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panes = views(app)
        assert len(panes) == 5
        assert all(v.region.width >= 35 and v.region.x < 200 for v in panes)
        assert strip_text(panes[0], 0).startswith("El tratado estrecha los lazos")
        assert app.focused is panes[0]


async def test_search_selects_the_match_and_a_tag_key_tags_it(make_app, sample, db):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "11 mil soldados")
        view = views(app)[0]
        assert selected(view) == "11 mil soldados"
        await pilot.press("c")
        (ann,) = app.store.all()
        assert (ann.quote, ann.tag, ann.annotator) == ("11 mil soldados", "claim", "tester")
        row = view.rows.row_of(ann.start)
        assert any("mil soldados" in text and style.bgcolor and style.bgcolor.name == "#2f6fd6"
                   for text, style in row_styles(view, row))
        assert view.selection is None
        assert view.cursor == ann.start and "claim  «11 mil soldados»" in status(app)
        with reopened(db) as store:  # durable before the app closed
            assert store.get(ann.id) == ann


async def test_search_is_case_and_accent_insensitive_and_n_N_step(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "moscu")
        view = views(app)[0]
        first = view.selection
        assert selected(view) == "Moscú"
        await pilot.press("n")
        assert selected(view) == "Moscú" and view.selection[0] > first[0]
        assert "match 2/" in status(app)
        await pilot.press("N")
        assert view.selection == first
        assert not any("wrapped" in n.message for n in app.said)
        await pilot.press("N")  # before the first: round to the last, and said
        assert view.selection[0] > first[0]
        assert app.said[-1].message == "Search wrapped to the end of the article."
        await pilot.press("n")  # past the last: round to the first, and said
        assert view.selection == first
        assert app.said[-1].message == "Search wrapped to the start of the article."
        await search(pilot, "no existe en el texto")
        assert any("No match" in n.message for n in app.said)


async def test_cursor_moves_by_grapheme_never_inside_a_flag(make_app):
    text = "Ver 📹 🇷🇺🇰🇵 n\u0303\u0301 y 👩‍👩‍👧 fin"
    from annotations.text import normalise

    article = Article.from_text("flags.txt", normalise(text))
    app = make_app([article])
    async with app.run_test(size=(80, 24)) as pilot:
        view = views(app)[0]
        view.set_cursor(article.text.index("🇷🇺"))
        await pilot.press("shift+right")
        assert selected(view) == "🇷🇺"
        await pilot.press("shift+right")
        assert selected(view) == "🇷🇺🇰🇵"
        view.set_cursor(article.text.index("👩"))
        await pilot.press("right")
        assert article.text[view.cursor] == " "
        await pilot.press("left", "left", "left", "left", "left")  # 👩‍👩‍👧, " ", "y", " ", ñ́
        assert article.text[view.cursor:].startswith("\u00f1\u0301 y")
        await pilot.press("right")  # ñ with its extra accent is one step
        assert article.text[view.cursor:].startswith(" y")


async def test_word_line_page_and_end_movement(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        view = views(app)[0]
        await pilot.press("w")
        assert view.cursor == 3  # "El |tratado"
        await pilot.press("ctrl+right", "b")
        assert view.cursor == 3
        await pilot.press("down")
        assert view.rows.row_of(view.cursor) == 1
        await pilot.press("pagedown")
        assert view.rows.row_of(view.cursor) > 30
        await pilot.press("G")
        assert view.cursor == len(view.text)
        await pilot.press("g")
        assert view.cursor == 0
        await pilot.press("end")
        assert view.cursor == view.rows.ends[0] - 1 or view.cursor == view.rows.ends[0]


async def test_shift_movement_v_anchor_and_sentence_select(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        view = views(app)[0]
        await pilot.press("shift+right", "shift+right")
        assert selected(view) == "El"
        await pilot.press("escape")
        assert view.selection is None
        await pilot.press("g", "v", "w", "w")
        assert selected(view) == "El tratado "
        assert "ANCHOR" in status(app)
        await pilot.press("v")
        await pilot.press("right")
        assert view.selection is None
        view.set_cursor(sample[0].text.index("Rusia no ha confirmado") + 5)
        await pilot.press("s")
        assert selected(view) == "Rusia no ha confirmado la presencia de las tropas norcoreanas."
        await pilot.press("x")
        assert [a.tag for a in app.store.all()] == ["contradiction"]


async def test_mouse_drag_selects_and_click_moves_the_cursor(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        view = views(app)[1]
        await pilot.mouse_down(view, offset=(0, 0))
        await pilot.hover(view, offset=(5, 0))
        await pilot.mouse_up(view, offset=(5, 0))
        await pilot.pause()
        assert app.focused is view
        assert selected(view) == "Rusia"
        await pilot.press("u")
        assert app.store.all()[0].quote == "Rusia"
        await pilot.click(view, offset=(3, 1))
        assert view.selection is None and view.cursor == view.rows.starts[1] + 3


async def test_jump_between_annotations_retag_delete_undo_redo(make_app, sample, db):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        view = views(app)[0]
        a = app.store.add(sample[0], 100, 120, "claim")
        b = app.store.add(sample[0], 300, 320, "claim")
        await pilot.press("right_square_bracket")
        assert view.cursor == 100
        await pilot.press("right_square_bracket")
        assert view.cursor == 300
        await pilot.press("left_square_bracket")
        assert view.cursor == 100
        await pilot.press("t")
        assert isinstance(app.screen, PickScreen)
        await pilot.press("u")  # the tag's key picks it
        assert app.store.get(a.id).tag == "unverified"
        await pilot.press("d")
        assert app.store.get(a.id) is None
        await pilot.press("ctrl+z")
        assert app.store.get(a.id).tag == "unverified"
        await pilot.press("ctrl+z")
        assert app.store.get(a.id).tag == "claim"
        await pilot.press("ctrl+y")
        assert app.store.get(a.id).tag == "unverified"
        assert app.store.get(b.id) is not None
    with reopened(db) as store:
        assert store.get(a.id).tag == "unverified"


async def test_note_editor_saves_with_ctrl_s_and_cancels_with_escape(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        ann = app.store.add(sample[0], 0, 10, "claim")
        await pilot.press("e")
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"Dos", "enter", *"líneas")
        await pilot.press("ctrl+s")
        assert app.store.get(ann.id).note == "Dos\nlíneas"
        assert "note: Dos↵líneas" in status(app)
        await pilot.press("e", "x", "escape")
        # Typed text is not thrown away on one Esc: the editor asks
        assert isinstance(app.screen, NoteScreen)
        assert "Esc again throws away" in str(app.screen.query_one("#note-keys").render())
        await pilot.press("escape")
        assert not isinstance(app.screen, NoteScreen)
        assert app.store.get(ann.id).note == "Dos\nlíneas"
        await pilot.press("e", "escape")  # nothing typed: one Esc closes
        assert not isinstance(app.screen, NoteScreen)


async def test_link_across_panes_both_ways_and_follow(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        a = app.store.add(sample[0], 0, 10, "claim")
        b = app.store.add(sample[1], 50, 60, "contradiction")
        await pilot.press("l")
        assert "LINKING" in status(app)
        await pilot.press("2", "right_square_bracket", "l")
        assert app.store.get(a.id).links == (b.id,)
        assert app.store.get(b.id).links == (a.id,)
        assert "links: 1" in status(app)
        await pilot.press("L")
        assert app.focused is views(app)[0] and views(app)[0].cursor == 0
        await pilot.press("l", "2", "l")  # linking them again unlinks
        assert app.store.get(a.id).links == ()


async def test_copy_uses_pyperclip_or_falls_back_to_osc52(make_app, sample, monkeypatch):
    copied = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+right", "shift+right", "y")
        assert copied == [f'«El» — "{sample[0].title}" ({sample[0].name})']
        assert any("system clipboard" in n.message for n in app.said)

        def broken(text):
            raise pyperclip.PyperclipException("no clipboard")

        monkeypatch.setattr(pyperclip, "copy", broken)
        app.store.add(sample[0], 3, 10, "claim")
        await pilot.press("escape", "right_square_bracket", "y")
        assert app.clipboard.startswith("«tratado»")
        assert any("OSC 52" in n.message for n in app.said)


async def test_panel_lists_annotations_and_enter_jumps(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        app.store.add(sample[0], 200, 210, "claim")
        app.store.add(sample[0], 400, 420, "unverified")
        await pilot.press("a")
        panel = app.query_one(AnnotationPanel)
        # The article's heading row, then its two annotations
        assert panel.display and panel.options.option_count == 3
        await pilot.press("down", "enter")
        assert app.focused is views(app)[0] and views(app)[0].cursor == 400
        await pilot.press("a", "escape")
        assert not app.query_one(AnnotationPanel).display


async def test_panes_switch_with_tab_numbers_and_picker(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")
        assert app.focused is views(app)[1]
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused is views(app)[4]
        await pilot.press("3")
        assert app.focused is views(app)[2]
        await pilot.press("o", "down", "enter")
        assert app.focused is views(app)[1]


async def test_80x24_shows_fewer_panes_and_brings_the_focused_one_into_view(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        visible = [v for v in views(app) if 0 <= v.region.x < 80 and v.region.width > 0]
        assert 1 <= len(visible) < 5
        await pilot.press("5")
        await pilot.pause()
        last = views(app)[4]
        assert 0 <= last.region.x and last.region.right <= 80


async def test_panes_that_do_not_fit_leave_blank_columns_not_a_sliver(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=(100, 24)) as pilot:  # three panes of 33, one column over
        await pilot.pause()
        edge = app.query_one("#panes").region.right
        assert edge == 99
        assert all(v.region.right <= edge or v.region.x >= edge for v in views(app))
        assert not isinstance(app.screen.get_widget_at(99, 5)[0], ArticleView)
        await pilot.press("4")
        await pilot.pause()
        fourth = views(app)[3]
        assert 0 <= fourth.region.x and fourth.region.right <= 99


async def test_the_scroll_bar_follows_the_text_and_the_wheel_click_and_drag_scroll(
        make_app, sample):
    from textual import events

    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = views(app)[0]
        bar, height = view.text_width, view.size.height
        assert view.max_scroll_y > 0

        def thumb_rows() -> list[int]:
            _track, thumb = view._bar_cells()
            return [y for y in range(height)
                    if list(view.render_line(y))[-1] == thumb]

        assert thumb_rows() and thumb_rows()[0] == 0
        await pilot.click(view, offset=(bar, height - 1))  # the bottom of the bar
        assert view.scroll_offset.y == view.max_scroll_y
        assert view.cursor == 0  # scrolling is not moving the cursor
        assert thumb_rows()[-1] == height - 1
        await pilot.mouse_down(view, offset=(bar, height - 1))
        await pilot.hover(view, offset=(bar, height // 2))  # drag the thumb up
        await pilot.mouse_up(view, offset=(bar, height // 2))
        assert 0 < view.scroll_offset.y < view.max_scroll_y
        view.scroll_to(y=0, animate=False)
        await pilot.pause()
        view.post_message(events.MouseScrollDown(view, 1, 1, 0, 0, 0, False, False, False))
        await pilot.pause()
        assert view.scroll_offset.y > 0  # the wheel still scrolls without Textual's bar


async def test_help_lists_every_key(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {row[2] for row in app.screen.rows}
        assert {"tag-claim", "tag-unverified", "tag-contradiction", "search", "link",
                "undo", "copy", "sentence", "anchor", "pane-next"} <= ids
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_remapped_key_from_config(make_app, sample):
    app = make_app(sample, keymap={"undo": "ctrl+u"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+right", "c")
        assert len(app.store) == 1
        await pilot.press("ctrl+u")
        assert len(app.store) == 0
        # The help screen, the key bar and the command palette all name the remapped key.
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert commands["Undo the last change"].help == "key ^u"
        assert commands["Tag the selection as claim"].help == "key c"
        assert not any("Accept" in title for title in commands)  # not reviewing
        assert "accept" not in [d for _, d, _ in app.query_one(KeyBar).items]
        assert ("^u", "Undo the last change", "undo") in app.key_rows()
        await pilot.press("shift+right", "c")
        assert len(app.store) == 1
        await commands["Undo the last change"].callback()
        assert len(app.store) == 0


async def test_hostile_text_is_shown_as_symbols_never_as_markup_or_escapes(make_app):
    evil = "[bold red]no markup[/] \x1b[2J\x07 \u202eevil\u202c end"
    app = make_app([Article.from_text("evil.txt", evil)])
    async with app.run_test(size=(80, 24)) as pilot:
        view = views(app)[0]
        shown = strip_text(view, 0)
        assert shown.startswith("[bold red]no markup[/] ␛[2J␇ ⇄evil⇄ end")
        await pilot.press("shift+right", "c")
        ann = app.store.all()[0]
        await pilot.press("e")
        await pilot.press("left_square_bracket", *"red", "right_square_bracket", "ctrl+s")
        assert app.store.get(ann.id).note == "[red]"
        assert "[red]" in status(app)


async def test_an_article_that_failed_to_load_is_reported_and_the_rest_open(make_app, sample):
    app = make_app(sample[:2], errors=["bad.txt: contains NUL bytes; not a text file"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(views(app)) == 2
        assert any("bad.txt" in n.message for n in app.said)


async def test_tag_without_selection_explains_and_changes_nothing(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "d", "t", "e", "l")
        assert len(app.store) == 0
        assert any("Select text first" in n.message for n in app.said)


@pytest.mark.parametrize("key", ["q"])
async def test_quit(make_app, sample, key):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
    assert app.return_code == 0 or app.return_code is None


async def test_rows_are_wrapped_to_the_width_they_are_shown_at(make_app, sample, tmp_path):
    for size in (SIZE, (80, 24), (160, 45)):
        app = make_app(sample, store=AnnotationStore(tmp_path / f"{size}.json", "t"))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for view in views(app):
                width = view.text_width
                assert view.rows.width == width
                for row in range(min(len(view.rows), 60)):
                    shown = view.text[view.rows.starts[row]:view.rows.ends[row]].rstrip()
                    assert len(shown) <= width, (size, row, shown)


async def test_a_long_article_is_wrapped_in_two_steps_and_whole_when_needed(
        make_app, sample):
    from reader.widgets.article_view import EAGER
    from reader.wrapping import wrap

    long = Article.from_text("long.txt", "\n".join(
        f"{n}. {sample[0].text}" for n in range(EAGER * 4 // len(sample[0].text) + 2)))
    app = make_app([long])
    async with app.run_test(size=(80, 24)) as pilot:
        view = views(app)[0]
        assert strip_text(view, 0).startswith("0. El tratado")
        view._rewrap(40)  # as on a resize: the first screenful now, the rest after a frame
        view.scroll_to_cursor(center=True)  # as a resize does next: still not the rest
        assert EAGER <= view._wrapped_to < len(long.text)
        assert strip_text(view, 0).startswith("0. El tratado")
        view.action_move("bottom")  # before that frame: the rows are finished first
        whole = wrap(long.text, 40)
        assert (view.rows.starts, view.rows.ends) == (whole.starts, whole.ends)
        assert view.cursor == len(long.text) and view.virtual_size.height == len(whole)
        view.action_move("top")
        await pilot.resize_terminal(60, 24)  # or by itself just after the next frame
        await pilot.pause()
        width = view.text_width
        assert view.rows.width == width and view._wrapped_to == len(long.text)
        whole = wrap(long.text, width)
        assert (view.rows.starts, view.rows.ends) == (whole.starts, whole.ends)


async def test_E_exports_and_says_where(make_app, sample, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        app.store.add(sample[0], 0, 10, "claim", "=1+1")
        await pilot.press("E")
        await pilot.press("down", "enter")  # w3c
        await pilot.press("enter")
        await pilot.pause()
        out = tmp_path / "factread-export.w3c.json"
        assert out.exists() and '"purpose": "tagging"' in out.read_text()
        assert any(str(out) in n.message for n in app.said)
        await pilot.press("E", "enter")  # csv, then append to the proposed path
        await pilot.press("end", *"/x.csv")
        await pilot.press("enter")
        await pilot.pause()
        assert (tmp_path / "factread-export.csv/x.csv").exists() is False
        # The error is shown in the dialog, which stays open to mend the path
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        assert "no such file or directory" in str(screen.said.render())
        await pilot.press(*["backspace"] * len("/x.csv"), "enter")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
        first = (tmp_path / "factread-export.csv").read_bytes()
        # An existing file is overwritten only after a second Enter
        app.store.add(sample[0], 20, 30, "unverified")
        await pilot.press("E", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert "exists: Enter again overwrites it" in str(app.screen.said.render())
        assert (tmp_path / "factread-export.csv").read_bytes() == first
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
        assert (tmp_path / "factread-export.csv").read_bytes() != first


async def test_brat_export_from_the_dialog_says_cross_article_links_became_notes(
        make_app, sample, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        a = app.store.add(sample[0], 0, 10, "claim")
        b = app.store.add(sample[1], 0, 10, "contradiction")
        app.store.apply(app.store.prepare_link(a.id, b.id))
        await pilot.press("E", "down", "down", "down", "down", "enter")
        assert app.screen.query_one("#export-path").value == "factread-brat"
        await pilot.press("enter")
        await pilot.pause()
        said = app.said[-1].message
        assert "cannot be expressed in brat; kept as an AnnotatorNotes comment" in said
        assert (tmp_path / "factread-brat" / "annotation.conf").exists()


async def test_clicking_a_key_in_the_key_bar_runs_it(make_app, sample):
    from reader.widgets.keybar import KeyBar

    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        bar = app.query_one(KeyBar)
        start, _, _ = next(span for span in bar._spans if span[2] == "app.help")
        await pilot.click(KeyBar, offset=(start + 1, 0))
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        start, _, _ = next(span for span in bar._spans if span[2] == "focused.sentence")
        await pilot.click(KeyBar, offset=(start + 1, 0))
        assert selected(views(app)[0]).startswith("El tratado estrecha")


async def test_the_file_opens_after_the_first_frame_and_then_everything_works(db, sample):
    from annotations.articles import LoadResult
    from annotations.config import DEFAULT_TAGS
    from reader.app import FactreadApp

    with AnnotationStore(db, "ana") as store:
        earlier = store.add(sample[0], 0, 10, "claim")
        elsewhere = Article.from_text("otro.txt", "Un artículo que no está en pantalla.")
        store.add(elsewhere, 3, 11, "claim")
    app = FactreadApp.build(LoadResult(sample), None, DEFAULT_TAGS,
                      opener=lambda: AnnotationStore(db, "tester"))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):
            await pilot.pause(0.02)
            if app.ready:
                break
        assert app.ready and app.store.get(earlier.id) is not None
        # Every article's list was sorted on the opener's thread, the one not on screen
        # too: the UI thread never waits for a sort (see AnnotationStore.prepare_all).
        assert not app.store._unsorted
        assert app.panes[0].title_bar.count == 1
        await pilot.press("right_square_bracket", "shift+right", "u")
        assert len(app.store) == 3
    app.store.close()


async def test_a_file_that_fails_to_open_ends_the_screen_with_exit_1(db, sample):
    from annotations.articles import LoadResult
    from annotations.config import DEFAULT_TAGS
    from annotations.errors import LockedError
    from reader.app import FactreadApp

    def busy() -> AnnotationStore:
        raise LockedError("factread.json is open in another factread (pid 42)")

    app = FactreadApp.build(LoadResult(sample), None, DEFAULT_TAGS, opener=busy)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
    assert app.return_code == 1 and "pid 42" in app.startup_error


async def test_a_keys_entry_naming_no_action_is_reported_with_the_valid_ids(make_app, sample):
    from reader.actions import keymap_problems, registry

    app = make_app(sample[:1], keymap={"undoo": "ctrl+u"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        (said,) = [n for n in app.said if n.title == "Config"]
        assert said.message.startswith("config [keys]: 'undoo' is no action id (the ids: ")
        assert "undo" in said.message and "tag-claim" in said.message
    (line,) = keymap_problems({"undoo": "x"}, registry(()))
    assert "'undoo'" in line and "review-accept" in line


async def test_view_colours_come_from_css_and_the_row_cache_is_bounded(make_app, sample):

    app = make_app(sample[:1])
    async with app.run_test(size=SIZE) as pilot:
        view = views(app)[0]
        await pilot.press("shift+right", "shift+right")
        await pilot.pause()
        selected_bg = {seg.style.bgcolor for seg in view.row_strip(0) if seg.text == "El"}
        assert {c.name for c in selected_bg if c} == {"#5f5fd7"}
        app.stylesheet.add_source("ArticleView > .article-view--selection "
                                  "{ background: #00aa00; }", read_from=("test", ""))
        app.stylesheet.reparse()
        app.stylesheet.update(app)
        await pilot.pause()
        selected_bg = {seg.style.bgcolor for seg in view.row_strip(0) if seg.text == "El"}
        assert {c.name for c in selected_bg if c} == {"#00aa00"}
        view._cache.limit = 3
        view.repaint_all()
        for y in (0, 1, 2, 0, 3, 4):  # row 0 painted again: it stays, rows 1 and 2 go
            view.render_line(y)
        assert view.cached_rows == [0, 3, 4]


async def test_opened_articles_enter_the_file_so_an_import_finds_them(make_app, sample, db,
                                                                     tmp_path):
    from annotations.articles import load_paths
    from annotations.export import export
    from annotations.importing import import_file
    from annotations.storage import read_articles
    from tests.annotations.test_webpages import DIARIO

    (page,) = load_paths([DIARIO]).articles
    colleague = AnnotationStore(tmp_path / "theirs.json", "ana")
    colleague.add(page, 0, 5, "claim")
    colleague.add(sample[1], 0, 5, "unverified")
    export(colleague, "csv", tmp_path / "theirs.csv")
    colleague.close()
    app = make_app([sample[1], page])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.query_one("TitleBar").render().plain.endswith("  " + sample[1].name)
        bar = app.query("TitleBar").last().render().plain
        assert bar.endswith(f"Diario del Sur · {page.title}  2024-11-09")
    app.store.close()
    assert set(read_articles(db)) == {sample[1].sha256, page.sha256}
    with AnnotationStore(db, "me") as store:
        assert store.articles[page.sha256].source == page.source
        plan = import_file(store, tmp_path / "theirs.csv")
        assert len(plan.added) == 2 and not plan.unplaced


async def test_the_panel_lists_every_article_filters_and_opens_on_the_cursor(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        store = app.store
        a = store.add(sample[0], 3, 10, "claim", "una nota " * 20)
        store.add(sample[0], 300, 320, "unverified")
        c = store.add(sample[2], 5, 15, "contradiction")
        store.apply(store.prepare_update(c.id, "annotator", annotator="bob"))
        await pilot.press("3")  # the cursor in pane 3, on c
        views(app)[2].set_cursor(7)
        await pilot.press("a")
        await pilot.pause()
        panel = app.query_one(AnnotationPanel)
        rows = [panel.options.get_option_at_index(i) for i in range(panel.options.option_count)]
        plain = [r.prompt.plain for r in rows]
        # The current article first, then the others in pane order
        assert plain[0].startswith(" 3  " + sample[2].title[:20]) and rows[0].disabled
        assert plain[2].startswith(" 1  " + sample[0].title[:20])
        assert rows[panel.options.highlighted].id == c.id  # opens on the one under the cursor
        assert str(panel.header.render()).startswith(
            " 3 annotations in 2 articles · t tag: all · w who: all")
        note_row = next(p for r, p in zip(rows, plain, strict=True) if r.id == a.id)
        assert "— una nota" in note_row and note_row.endswith("…")
        await pilot.press("t")  # claim only
        assert panel.tag == "claim" and panel.options.option_count == 2
        assert str(panel.header.render()).startswith(" 1 of 3 annotations in 1 article")
        await pilot.press("t", "t", "t")  # unverified, contradiction, all
        assert panel.tag == "" and panel.options.option_count == 5
        await pilot.press("w")  # bob (sorted: bob, tester)
        assert panel.who == "bob" and panel.options.option_count == 2
        await pilot.press("down", "enter")
        assert app.view is views(app)[2] and app.view.cursor == 5


async def test_each_cursor_and_the_focused_pane_come_back_on_the_next_start(make_app, sample,
                                                                           db):
    from annotations import positions

    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        views(app)[3].set_cursor(250)
        views(app)[0].set_cursor(40)
        assert app.remember_positions() is None
    app.store.close()
    again = make_app(sample, store=AnnotationStore(db, "tester"))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.view is views(again)[3] and again.focused is views(again)[3]
        assert views(again)[3].cursor == 250 and views(again)[0].cursor == 40
        assert views(again)[1].cursor == 0
    # A positions file that is not sound is as if there were none
    positions.state_path().write_text('{"x": [1, 2', encoding="utf-8")
    assert positions.load(db) == positions.Positions()
    positions.state_path().write_text(json.dumps({str(db.resolve()): {
        "cursors": {"nothex": 3, sample[0].sha256: -5}, "focused": 7}}), encoding="utf-8")
    assert positions.load(db) == positions.Positions()


async def test_double_click_selects_a_word_and_triple_click_the_sentence(make_app, sample):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        view = views(app)[1]
        text = view.text
        await pilot.double_click(view, offset=(2, 0))
        assert selected(view) == "Rusia"
        await pilot.press("c")
        assert app.store.all()[0].quote == "Rusia"
        await pilot.triple_click(view, offset=(2, 0))
        sentence = selected(view)
        assert text.startswith(sentence) and len(sentence) > len("Rusia") and "\n" not in sentence


async def test_panes_grow_back_and_line_up_with_the_panel(make_app, sample):
    from reader.widgets.pane import PaneRow

    app = make_app(sample)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        assert [v.region.width for v in views(app)] == [31] * 5
        for narrow in (50, 30):
            await pilot.resize_terminal(narrow, 40)
            await pilot.pause()
            await pilot.resize_terminal(160, 40)
            await pilot.pause()
            assert [v.region.width for v in views(app)] == [31] * 5  # all five again
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        row = app.query_one(PaneRow)
        for keys in (["1"], ["3"], ["a"], ["a"], ["5"], ["1"]):
            await pilot.press(*keys)
            await pilot.pause()
            await pilot.pause()
            # Scrolled by whole panes: the focused one wholly on screen, no sliver of another
            width = app.panes[0].outer_size.width
            assert row.scroll_x % width == 0, keys
            pane = app.view.parent
            assert row.region.x <= pane.region.x and pane.region.right <= row.region.right
