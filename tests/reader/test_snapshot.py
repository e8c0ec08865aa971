"""What the reading screen looks like: the five bundled articles with a few annotations."""

from __future__ import annotations

from annotations.store import AnnotationStore


def annotate(store: AnnotationStore, sample) -> None:
    def span(article, phrase):
        start = article.text.index(phrase)
        return start, start + len(phrase)

    marks = [
        (0, "11 mil soldados", "claim"), (0, "Rusia no ha confirmado", "unverified"),
        (1, "19 jun 2024", "contradiction"), (2, "reportes no confirmados", "unverified"),
        (3, "entre 3,000 y 12,000 soldados", "contradiction"),
        (3, "se ha confirmado la presencia", "claim"), (4, "enviara tropas", "claim"),
    ]
    for index, phrase, tag in marks:
        store.add(sample[index], *span(sample[index], phrase), tag)
    # Overlapping annotations stay distinguishable.
    store.add(sample[0], *span(sample[0], "enviado 11 mil soldados a Rusia"), "contradiction")


def test_five_articles_side_by_side(snap_compare, make_app, sample, db):
    store = AnnotationStore(db, "tester")
    annotate(store, sample)
    app = make_app(sample, store=store)
    assert snap_compare(app, terminal_size=(200, 50))


def test_eighty_by_twenty_four(snap_compare, make_app, sample, db):
    store = AnnotationStore(db, "tester")
    annotate(store, sample)
    app = make_app(sample, store=store)
    assert snap_compare(app, terminal_size=(80, 24), press=["3"])
