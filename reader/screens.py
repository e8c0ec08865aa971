"""Modal screens: note editor, tag picker, article picker, export, help."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option
from textual.widgets.text_area import Edit, EditResult

from annotations.config import TagSpec
from annotations.export import FORMATS
from annotations.text import display, display_line, undisplay

if TYPE_CHECKING:  # the workbench (and the store under it) loads after the first frame
    from annotations.workbench import Outcome

MODAL_CSS = """
ModalScreen { align: center middle; }
ModalScreen > Vertical { width: 80%; max-width: 100; height: auto; max-height: 90%;
                         border: thick $accent; background: $surface; padding: 0 1; }
"""


class SafeTextArea(TextArea):
    """A TextArea that never sends a control or bidi character to the terminal: the note is
    shown through the display helper (ESC as ␛), and so is anything pasted into it."""

    def edit(self, edit: Edit) -> EditResult:
        edit.text = display(edit.text)
        return super().edit(edit)


class NoteScreen(ModalScreen[str | None]):
    """Multi-line note editor: ctrl+s saves, Esc cancels. Saving keeps exactly what the note
    held (controls included) plus what was typed (see ``undisplay``)."""

    DEFAULT_CSS = MODAL_CSS + "NoteScreen TextArea { height: 12; }"
    BINDINGS = [Binding("ctrl+s", "save", "save", id="note-save"),
                Binding("escape", "cancel", "cancel", id="note-cancel")]

    def __init__(self, heading: str, note: str) -> None:
        super().__init__()
        self.heading = heading
        self.note = note
        self.warned = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(display_line(self.heading), no_wrap=True, overflow="ellipsis"))
            yield SafeTextArea(display(self.note), soft_wrap=True, id="note")
            yield Label(Text("ctrl+s save · Esc cancel", style="dim"), id="note-keys")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(undisplay(self.note, self.query_one(TextArea).text))

    def action_cancel(self) -> None:
        """Esc: typed text is thrown away only on a second Esc."""
        typed = self.query_one(TextArea).text != display(self.note)
        if typed and not self.warned:
            self.warned = True
            self.query_one("#note-keys", Label).update(Text(
                "Esc again throws away what you typed · ctrl+s saves it", style="bold yellow"))
            return
        self.dismiss(None)


class PickScreen(ModalScreen[str | None]):
    """Choose one item from a list; Enter picks, Esc cancels, an item's key picks it."""

    DEFAULT_CSS = MODAL_CSS + "PickScreen OptionList { height: auto; max-height: 20; }"
    BINDINGS = [Binding("escape", "cancel", "cancel", id="pick-cancel")]

    def __init__(self, heading: str, items: Sequence[tuple[str, Text]],
                 keys: dict[str, str] | None = None, current: str | None = None) -> None:
        super().__init__()
        self.heading = heading
        self.items = items
        self.keys = keys or {}
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.heading, style="bold"))
            yield OptionList(*(Option(label, id=ident) for ident, label in self.items))

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [ident for ident, _ in self.items]
        if self.current in ids:
            options.highlighted = ids.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event: events.Key) -> None:
        character = event.character
        if character is not None and character in self.keys:
            event.stop()
            self.dismiss(self.keys[character])

    def action_cancel(self) -> None:
        self.dismiss(None)


def tag_items(tags: Sequence[TagSpec]) -> list[tuple[str, Text]]:
    return [(t.name, Text.assemble((f" {t.key} ", "bold"), (f" {t.name} ", f"on {t.colour}")))
            for t in tags]


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = MODAL_CSS + "HelpScreen DataTable { height: auto; max-height: 40; }"
    BINDINGS = [Binding("escape,q,question_mark", "dismiss_help", "close", id="help-close")]

    def __init__(self, rows: Sequence[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("factread keys (Esc closes; ctrl+p: every action by name)",
                             style="bold"))
            table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("key", "action", "id (remap in config.toml [keys])")
            for row in self.rows:
                table.add_row(*row)
            yield table

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def action_dismiss_help(self) -> None:
        self.dismiss(None)


class ExportScreen(ModalScreen["Outcome | None"]):
    """Choose a format (Enter), edit the path, Enter exports; Esc cancels. A path that
    exists is overwritten only after a second Enter; an export that fails keeps the dialog
    open with the error, so the path can be mended."""

    DEFAULT_CSS = MODAL_CSS + "ExportScreen OptionList { height: auto; }"
    BINDINGS = [Binding("escape", "cancel", "cancel", id="export-cancel")]

    def __init__(self, export: Callable[[str, str], Outcome]) -> None:
        super().__init__()
        self.export = export
        self.confirmed: tuple[str, str] | None = None
        self.said = Label("", id="export-said")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Export annotations: choose a format, then the path", style="bold"))
            yield OptionList(*(Option(Text(f"{fmt:<9} {label}"), id=fmt)
                               for fmt, (label, _) in FORMATS.items()))
            yield Input(value=next(iter(FORMATS.values()))[1], id="export-path")
            yield self.said

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def _format(self) -> str:
        options = self.query_one(OptionList)
        index = options.highlighted or 0
        return list(FORMATS)[index]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        defaults = {fmt: path for fmt, (_, path) in FORMATS.items()}
        path = self.query_one("#export-path", Input)
        if path.value in defaults.values():
            path.value = defaults[event.option.id or "csv"]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#export-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path, fmt = event.value.strip(), self._format()
        if not path:
            return
        target = Path(path).expanduser()
        if (target.exists() and (fmt != "brat" or any(target.glob("*.ann")))
                and self.confirmed != (fmt, path)):
            self.confirmed = (fmt, path)
            self.said.update(Text(f"{display_line(path)} exists: Enter again overwrites it, "
                                  "or change the path", style="bold yellow"))
            return
        outcome = self.export(fmt, path)
        if outcome.severity == "error":
            self.confirmed = None
            self.said.update(Text(display_line(outcome.message), style="bold red"))
            return
        self.dismiss(outcome)

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.confirmed is not None and self.confirmed[1] != event.value.strip():
            self.confirmed = None
            self.said.update("")

    def action_cancel(self) -> None:
        self.dismiss(None)
