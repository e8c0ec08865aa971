from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from annotations.segments import is_boundary
from reader import wrapping as layout

WORDS = st.lists(st.sampled_from(["a", "Moscú", "soldados", "11", "—", "«tratado»", " ", "  ",
                                  "muylargapalabrasinespacios" * 2, "🇷🇺", "e\u0301", "日本"]),
                 max_size=40).map("".join)
TEXTS = st.lists(WORDS, max_size=5).map("\n".join)


@settings(max_examples=200)
@given(TEXTS, st.integers(4, 40))
def test_rows_tile_the_text_fit_the_width_and_never_split_a_grapheme(text, width):
    rows = layout.wrap(text, width)
    position = 0
    for start, end in zip(rows.starts, rows.ends, strict=True):
        assert start == position or text[position:start] == "\n"
        assert "\n" not in text[start:end]
        assert is_boundary(text, start) and is_boundary(text, end)
        visible = text[start:end].rstrip()
        assert cell_len(visible) <= width or len(visible) == 1 or \
            not is_boundary(text, start + 1)
        position = end
    assert position == len(text)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["a", "Moscú", "soldados", "11,000", "—", "«tratado»", " ",
                                 "palabramuylargasinespacios"]), min_size=1, max_size=60)
       .map("".join).filter(lambda t: not t[0].isspace()), st.integers(4, 40))
def test_the_one_regex_path_gives_the_same_rows_as_the_word_loop(para, width):
    starts, ends = [], []
    layout._wrap_paragraph(para, 0, width, starts, ends)
    fast = layout.wrap(para, width)
    if len(para) > width:
        assert (fast.starts, fast.ends) == (starts, ends)


@settings(max_examples=200)
@given(TEXTS, st.integers(4, 40), st.integers(0, 200))
def test_wrapping_in_two_parts_cut_at_a_newline_gives_the_same_rows(text, width, near):
    cut = text.find("\n", min(near, len(text)))
    if cut == -1:
        return
    whole = layout.wrap(text, width)
    parts = layout.wrap(text, width, 0, cut)
    parts.extend(layout.wrap(text, width, cut + 1))
    assert (parts.starts, parts.ends) == (whole.starts, whole.ends)
