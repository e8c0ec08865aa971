"""Copying text out: the system clipboard where there is one, else the terminal's OSC 52."""

from __future__ import annotations

from typing import Any

from textual.app import App


def copy_text(app: App[Any], text: str) -> str:
    """Copy ``text`` and say how, in words for the user."""
    import pyperclip

    try:
        pyperclip.copy(text)
        return "Copied to the system clipboard."
    except pyperclip.PyperclipException:
        app.copy_to_clipboard(text)
        return ("No system clipboard here: copied through the terminal (OSC 52), which works "
                "where the terminal allows it.")
