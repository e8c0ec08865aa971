"""The one place where raw article bytes become the text that every offset points into.

Offsets everywhere in factread are Python string indices (code points) into
``normalise(text)``: NFC, LF line ends, no BOM. Nothing else re-implements this.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata

from annotations.errors import InputError

BOM = "\ufeff"
TITLE_MAX = 80

# Bidi controls can reorder what the terminal shows without changing the text
# (the "Trojan Source" trick), so they are made visible like C0/C1 controls.
BIDI_CONTROLS = frozenset(
    [0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)


def normalise(text: str) -> str:
    """CRLF and lone CR become LF, leading BOMs are dropped, then Unicode NFC."""
    text = text.lstrip(BOM)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _display_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        if chr(code) not in "\n\t":
            table[code] = chr(0x2400 + code)  # ␀ … ␟
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        table[code] = "\ufffd"
    for code in BIDI_CONTROLS:
        table[code] = "\u21c4"  # ⇄
    # Line and paragraph separators would break a row in some terminals.
    table[0x2028] = "\u21b5"
    table[0x2029] = "\u00b6"
    return table


_DISPLAY = _display_table()
_NEEDS_DISPLAY = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_DISPLAY)) + "]")


def display(text: str) -> str:
    """Untrusted text made safe to print: every control and bidi character becomes one
    visible symbol, so display position == text offset and nothing reaches the terminal
    as a control sequence. ``\\n`` and ``\\t`` are kept for layout."""
    # Most text has nothing to replace; a regex scan is far cheaper than translate().
    return text.translate(_DISPLAY) if _NEEDS_DISPLAY.search(text) else text


def undisplay(original: str, edited: str) -> str:
    """What an editor that showed ``display(original)`` and now holds ``edited`` saves:
    every stretch the user left alone gets its original characters back (an escape shown as
    ␛ is saved as the escape it was), and what the user typed is saved as typed."""
    shown = display(original)
    if shown == original or edited == shown:
        return original if edited == shown else edited
    # Most edits are in one place: only the middle is aligned, cheaply.
    head = 0
    limit = min(len(shown), len(edited))
    while head < limit and shown[head] == edited[head]:
        head += 1
    tail = 0
    while (tail < limit - head and shown[len(shown) - 1 - tail] == edited[len(edited) - 1 - tail]):
        tail += 1
    parts = [original[:head]]
    middle = difflib.SequenceMatcher(None, shown[head:len(shown) - tail],
                                     edited[head:len(edited) - tail], autojunk=False)
    for op, i1, i2, j1, j2 in middle.get_opcodes():
        if op == "equal":
            parts.append(original[head + i1:head + i2])
        else:
            parts.append(edited[head + j1:head + j2])
    parts.append(original[len(original) - tail:] if tail else "")
    return "".join(parts)


def display_line(text: str) -> str:
    """Like ``display`` but for a one-line context (tables, status line): newlines and
    tabs become visible too."""
    return display(text).replace("\n", "\u21b5").replace("\t", "\u2192")


# JSON leaves these raw, yet str.splitlines() splits on them (U+0085, U+2028, U+2029, and
# U+001C-U+001E, which json does escape) and a terminal obeys C1 controls and bidi overrides.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029" + "".join(chr(c) for c in sorted(BIDI_CONTROLS))
                          + "]")


def _u_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


_ENCODER = json.JSONEncoder(ensure_ascii=False)
"""Built once: json.dumps with any non-default argument builds an encoder per call, a
third of the time of writing one small record."""


def json_text(value: object, indent: int | None = None) -> str:
    """JSON with non-ASCII text kept readable, but every character that would split a line
    for ``str.splitlines()`` or act on a terminal written as a \\u escape (same data)."""
    dumped = (_ENCODER.encode(value) if indent is None
              else json.dumps(value, ensure_ascii=False, indent=indent))
    return _JSON_UNSAFE.sub(_u_escape, dumped) if _JSON_UNSAFE.search(dumped) else dumped


def tsv_cell(value: str) -> str:
    """A tab-separated cell escaped the way JSON escapes a string (without the quotes), so
    a tab, newline or control in the text never adds a column or a line."""
    return json_text(value)[1:-1]


def cut(text: str, width: int) -> str:
    """``text`` at most ``width`` characters, ending with "…" where it was cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def title_of(text: str, fallback: str) -> str:
    found = _FIRST_LINE.search(text)
    if not found:
        return fallback
    line = found.group().strip()
    return cut(line, TITLE_MAX)


_FIRST_LINE = re.compile(r"[^\n]*\S[^\n]*")


_UNDECODABLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    return len(_UNDECODABLE.findall(text)) / len(text)


def decode_article(data: bytes, name: str) -> tuple[str, str | None]:
    """Bytes of an article file to normalised text, plus a warning when a fallback was used.

    Raises InputError for binary or mostly undecodable files."""
    if b"\x00" in data:
        raise InputError(f"{name}: contains NUL bytes; not a text file (UTF-16 is not supported)")
    warning = None
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError:
        raw = data.decode("cp1252", errors="replace")
        warning = f"{name}: not valid UTF-8; read as Windows-1252 (cp1252)"
    if _control_ratio(raw) > 0.1:
        raise InputError(f"{name}: mostly undecodable or control characters; not a text article")
    return normalise(raw), warning
