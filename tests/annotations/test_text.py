from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.errors import InputError
from annotations.model import create
from annotations.search import FoldedText, find_exact
from annotations.text import decode_article, display, display_line, normalise, title_of

# Text that exercises what real articles carry: CRLF and lone CR, BOMs, flags,
# ZWJ sequences, combining accents, controls, bidi overrides.
PIECES = ["\r\n", "\r", "\n", "\ufeff", "🇷🇺", "🇰🇵", "👩‍👩‍👧", "e\u0301", "n\u0303", "Moscú",
          "\u202e", "\x1b[31m", "\t", "a", " ", "ß", "İ"]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=30).map("".join)


@given(texts)
def test_normalise_is_nfc_lf_and_idempotent(raw):
    text = normalise(raw)
    assert "\r" not in text
    assert not text.startswith("\ufeff")
    assert unicodedata.is_normalized("NFC", text)
    assert normalise(text) == text


@given(texts, st.data())
def test_quote_is_always_the_slice_at_its_offsets(raw, data):
    text = normalise(raw)
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    ann = create(text=text, article_sha256="0" * 64, article="a.txt", start=start, end=end,
                 tag="claim", annotator="t")
    assert ann.quote == text[ann.start:ann.end]
    assert ann.prefix == text[max(0, start - 32):start]
    assert ann.suffix == text[end:end + 32]


@given(texts, texts, texts)
def test_a_quote_found_after_normalising_both_sides_slices_back(before, quote, after):
    text = normalise(before + quote + after)
    needle = normalise(quote)
    if not needle:
        return
    for start in find_exact(text, needle):
        assert text[start:start + len(needle)] == needle


@given(texts)
def test_display_keeps_positions_and_removes_controls(raw):
    shown = display(raw)
    assert len(shown) == len(raw)
    for ch in shown:
        assert ch in "\n\t" or unicodedata.category(ch) != "Cc"
        assert ch not in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    assert "\n" not in display_line(raw) and "\t" not in display_line(raw)


def test_display_maps_escape_and_bidi_to_symbols():
    assert display("a\x1b[2Jb\u202ec\x00") == "a␛[2Jb⇄c␀"


def test_decode_utf8_with_bom_and_crlf():
    text, warning = decode_article("\ufeffMoscú\r\nPyongyang\r".encode(), "a.txt")
    assert text == "Moscú\nPyongyang\n" and warning is None


def test_decode_falls_back_to_cp1252_with_a_warning():
    text, warning = decode_article("Moscú – “tratado”".encode("cp1252"), "old.txt")
    assert text == "Moscú – “tratado”"
    assert warning is not None and "old.txt" in warning and "cp1252" in warning


@pytest.mark.parametrize("data", [b"abc\x00def", "texto".encode("utf-16"), bytes(range(1, 32)) * 20])
def test_binary_files_are_refused_naming_the_file(data):
    with pytest.raises(InputError, match="bin.txt"):
        decode_article(data, "bin.txt")


def test_title_is_first_non_blank_line_trimmed_and_capped():
    assert title_of("\n\n   Rusia firma  \nmás", "x.txt") == "Rusia firma"
    assert len(title_of("a" * 500, "x.txt")) == 80
    assert title_of("  \n ", "x.txt") == "x.txt"


def test_folded_search_is_case_and_accent_insensitive():
    text = "Putin viajó a MOSCÚ. Moscu y moscú."
    folded = FoldedText(text)
    assert [text[s:e] for s, e in folded.find_all("moscu")] == ["MOSCÚ", "Moscu", "moscú"]


def test_folded_search_maps_offsets_when_folding_changes_lengths():
    text = "Straße 🇷🇺 Moscu\u0301 e\u0327 Straße"  # ß folds to two letters
    folded = FoldedText(text)
    assert [text[s:e] for s, e in folded.find_all("strasse")] == ["Straße", "Straße"]
    assert [text[s:e] for s, e in folded.find_all("moscu")] == ["Moscu\u0301"[:5]]
