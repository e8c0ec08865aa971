"""Find in all articles: matches across articles, their context, and n/N across them."""

from __future__ import annotations

from annotations.articles import Article
from annotations.find_all import Finder, Hit, snippet, step

A = Article.from_text("a.txt", "Pionyang dijo.\nEn PYONGYANG y en Pionyang.")
B = Article.from_text("b.txt", "Nada aquí.")
C = Article.from_text("c.txt", "Desde pionyang, otra vez Pionyang.")


def test_matches_in_pane_order_ignoring_case_and_accents():
    hits = Finder().find([C, B, A], "PIONYANG")
    assert [(h.article.name, h.start) for h in hits] == [
        ("c.txt", 6), ("c.txt", 25), ("a.txt", 0), ("a.txt", 33)]
    assert Finder().find([A], "pyongyang") == [Hit(A, 18, 27)]
    accents = Article.from_text("d.txt", "Moscú y MOSCU")
    assert [h.start for h in Finder().find([accents], "moscu")] == [0, 8]
    assert Finder().find([A], "") == []


def test_snippet_is_one_line_cut_at_words():
    text = "uno dos tres cuatro cinco seis\nsiete ocho nueve diez once doce trece catorce"
    at = text.index("siete")
    before, match, after = snippet(text, at, at + 5, around=20)
    assert match == "siete" and "\n" not in before + after
    assert before.startswith("…") and after.endswith("…")
    assert snippet("abc", 0, 3) == ("", "abc", "")


def test_step_goes_on_across_articles_and_wraps():
    hits = Finder().find([A, B, C], "pionyang")
    order = [A.sha256, B.sha256, C.sha256]
    assert len(hits) == 4
    # From the second match of A, n goes on into C
    assert step(hits, order, A.sha256, (33, 41), 33) == (2, False)
    # From the last match of all, n wraps to the first
    assert step(hits, order, C.sha256, (25, 33), 25) == (0, True)
    # N from the first wraps to the last
    assert step(hits, order, A.sha256, (0, 8), 0, backwards=True) == (3, True)
    # From an article with none (B), n goes to the next article's first, N to A's last
    assert step(hits, order, B.sha256, None, 4) == (2, False)
    assert step(hits, order, B.sha256, None, 4, backwards=True) == (1, False)
    # From the cursor (nothing selected: a tag key has just tagged the match), n goes on
    assert step(hits, order, C.sha256, None, 6) == (3, False)
    assert step(hits, order, C.sha256, None, 5) == (2, False)
