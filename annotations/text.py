"""The one place where raw article bytes become the text that every offset points into.

Offsets everywhere in factread are Python string indices (code points) into
``normalise(text)``: NFC, LF line ends, no BOM. Nothing else re-implements this.
"""

from __future__ import annotations

import hashlib
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


def display_line(text: str) -> str:
    """Like ``display`` but for a one-line context (tables, status line): newlines and
    tabs become visible too."""
    return display(text).replace("\n", "\u21b5").replace("\t", "\u2192")


def title_of(text: str, fallback: str) -> str:
    found = _FIRST_LINE.search(text)
    if not found:
        return fallback
    line = found.group().strip()
    return line if len(line) <= TITLE_MAX else line[: TITLE_MAX - 1] + "…"


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
