from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotations.history import History
from annotations.segments import (
    is_boundary,
    next_boundary,
    next_word,
    prev_boundary,
    prev_word,
    sentence_at,
    snap,
)
from annotations.store import AnnotationStore
from annotations.text import normalise

PIECES = ["🇷🇺", "🇰🇵", "👩‍👩‍👧", "👍🏽", "e\u0301", "a", " ", "\n", ".", "¿", "❤️", "Moscú"]


def clusters(text):
    out, i = [], 0
    while i < len(text):
        j = next_boundary(text, i)
        out.append(text[i:j])
        i = j
    return out


def test_cursor_never_stops_inside_flags_zwj_sequences_or_accents():
    text = normalise("a🇷🇺🇰🇵 👩‍👩‍👧 👍🏽 n\u0303\u0301 ❤️.")
    assert clusters(text) == ["a", "🇷🇺", "🇰🇵", " ", "👩‍👩‍👧", " ", "👍🏽", " ", normalise("n\u0303\u0301"),
                              " ", "❤️", "."]


@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_boundaries_forward_and_backward_agree(text):
    forward, i = [0], 0
    while i < len(text):
        i = next_boundary(text, i)
        forward.append(i)
    backward, i = [len(text)], len(text)
    while i > 0:
        i = prev_boundary(text, i)
        backward.append(i)
    assert forward == sorted(backward) if text else True
    for k in range(len(text) + 1):
        assert is_boundary(text, snap(text, k))


def test_words():
    text = "El tratado, firmado  en Pyongyang."
    assert next_word(text, 0) == 3 and next_word(text, 3) == 12
    assert prev_word(text, 12) == 3 and prev_word(text, 5) == 3


def test_sentence_under_the_cursor():
    text = "Rusia no ha confirmado nada. «¿Cuántos soldados?» Once mil.\nOtra línea sin punto"
    assert text[slice(*sentence_at(text, 5))] == "Rusia no ha confirmado nada."
    assert text[slice(*sentence_at(text, 35))] == "«¿Cuántos soldados?»"
    assert text[slice(*sentence_at(text, 55))] == "Once mil."
    assert text[slice(*sentence_at(text, 70))] == "Otra línea sin punto"
    assert sentence_at("\n\n", 1) is None


def test_undo_redo_every_kind_of_change(db, sample):
    with AnnotationStore(db, "ana") as store:
        history = History(store)
        a = store.add(sample[0], 0, 10, "claim")
        b = store.add(sample[1], 0, 10, "claim")
        history.do(store.prepare_link(a.id, b.id))
        history.do(store.prepare_update(a.id, "retag", tag="unverified"))
        history.do(store.prepare_delete(b.id))
        assert store.get(b.id) is None and store.get(a.id).links == ()
        history.undo()
        assert store.get(b.id).links == (a.id,) and store.get(a.id).links == (b.id,)
        history.undo()
        assert store.get(a.id).tag == "claim"
        history.redo()
        assert store.get(a.id).tag == "unverified"
    with AnnotationStore(db, "ana", read_only=True) as store:  # undo/redo were durable
        assert store.get(a.id).tag == "unverified" and store.get(b.id) is not None


def test_word_at_keeps_joined_words_and_figures_whole():
    from annotations.segments import word_at

    text = "El líder Kim Jong-un envió 3,000 soldados. Fin"
    for word in ("líder", "Jong-un", "3,000", "soldados", "Fin"):
        at = text.index(word)
        assert word_at(text, at + 1) == (at, at + len(word))
        assert word_at(text, at) == (at, at + len(word))
    assert word_at("   ", 1) is None
