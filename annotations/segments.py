"""Where the cursor may stop: grapheme clusters, words and sentences.

A simplified form of Unicode's extended grapheme clusters (UAX #29) that covers what
news text carries: combining accents, variation selectors, emoji modifiers, ZWJ
sequences, tag sequences and regional-indicator flags. Offsets are code points.
"""

from __future__ import annotations

import re
import unicodedata

ZWJ = "\u200d"


def _is_extend(ch: str) -> bool:
    code = ord(ch)
    return (
        ch == ZWJ
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or 0xE0100 <= code <= 0xE01EF
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
    )


def _is_ri(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def is_boundary(text: str, i: int) -> bool:
    if i <= 0 or i >= len(text):
        return True
    ch, before = text[i], text[i - 1]
    if before == "\n" or ch == "\n":
        return True
    if _is_extend(ch) or before == ZWJ:
        return False
    if _is_ri(ch) and _is_ri(before):
        run = 0
        j = i - 1
        while j >= 0 and _is_ri(text[j]):
            run += 1
            j -= 1
        return run % 2 == 0
    return True


def next_boundary(text: str, i: int) -> int:
    j = min(i + 1, len(text))
    while not is_boundary(text, j):
        j += 1
    return j


def prev_boundary(text: str, i: int) -> int:
    j = max(i - 1, 0)
    while not is_boundary(text, j):
        j -= 1
    return j


def snap(text: str, i: int) -> int:
    """The grapheme boundary at or before ``i``."""
    i = max(0, min(i, len(text)))
    while not is_boundary(text, i):
        i -= 1
    return i


_WORD = re.compile(r"\w+")


def next_word(text: str, i: int) -> int:
    """Start of the next word after the one at ``i`` (or the end of the text)."""
    here = _WORD.match(text, i)
    found = _WORD.search(text, here.end() if here else i)
    return found.start() if found else len(text)


def prev_word(text: str, i: int) -> int:
    """Start of the word before ``i`` (or of the word ``i`` is inside)."""
    j = i
    while j > 0 and not text[j - 1].isalnum():
        j -= 1
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] == "_" or _is_extend(text[j - 1])):
        j -= 1
    return j


# A word for a double click: letters and digits, with the joiners news text puts inside
# one ("Jong-un", "d'Ivoire", "3,000", "12.000", "11:30").
_CLICK_WORD = re.compile(r"\w+(?:[-'’.,:]\w+)*")


def word_at(text: str, i: int) -> tuple[int, int] | None:
    """The word at offset ``i`` (or just before it), as a double click selects it."""
    i = max(0, min(i, len(text)))
    start = i
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    for match in _CLICK_WORD.finditer(text, start):
        if match.start() > i:
            break
        if match.end() >= i and match.end() > match.start():
            if match.end() == i and i < len(text) and _CLICK_WORD.match(text, i):
                continue  # i starts the next word
            return match.start(), match.end()
    return None


# A sentence ends at . ! ? … (with closing quotes or brackets) before white space or the end
# of the paragraph; a paragraph (line) always ends one.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)\]]*(?=\s|$)")


def sentence_at(text: str, i: int) -> tuple[int, int] | None:
    """The sentence around offset ``i``, without surrounding white space."""
    i = max(0, min(i, len(text)))
    para_start = text.rfind("\n", 0, i) + 1
    para_end = text.find("\n", i)
    if para_end == -1:
        para_end = len(text)
    start = para_start
    end = para_end
    for match in _SENTENCE_END.finditer(text, para_start, para_end):
        if match.end() > i:
            end = match.end()
            break
        start = match.end()
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
