"""What the reading screen looks like: the five bundled articles with a few annotations."""

from __future__ import annotations

from annotations.store import AnnotationStore
from reader.review_ui import FOLLOW_AFTER
from tests.annotations.test_review import pair  # noqa: F401 (fixture)


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


def annotated_app(make_app, sample, db):
    store = AnnotationStore(db, "tester")
    annotate(store, sample)
    a, b = store.all()[0], store.for_article(sample[3].sha256)[0]
    store.apply(store.prepare_link(a.id, b.id))
    store.apply(store.prepare_update(a.id, "note", note="Zelenski: 11 mil; Seúl: 3,000-12,000"))
    return make_app(sample, store=store)


def test_annotations_at_200_by_50(snap_compare, make_app, sample, db):
    # ] lands on the first annotation: the status line describes it, note and link.
    assert snap_compare(annotated_app(make_app, sample, db), terminal_size=(200, 50),
                        press=["right_square_bracket"])


def test_annotations_at_80_by_24(snap_compare, make_app, sample, db):
    assert snap_compare(annotated_app(make_app, sample, db), terminal_size=(80, 24),
                        press=["right_square_bracket", "right_square_bracket"])


def test_the_panel_open(snap_compare, make_app, sample, db):
    assert snap_compare(annotated_app(make_app, sample, db), terminal_size=(200, 50),
                        press=["a"])


def test_the_panel_open_at_80_by_24(snap_compare, make_app, sample, db):
    assert snap_compare(annotated_app(make_app, sample, db), terminal_size=(80, 24),
                        press=["3", "a"])


def test_the_search_prompt(snap_compare, make_app, sample, db):
    assert snap_compare(annotated_app(make_app, sample, db), terminal_size=(200, 50),
                        press=["slash", *"moscu"])


def test_a_selected_match(snap_compare, make_app, sample, db):
    assert snap_compare(annotated_app(make_app, sample, db), terminal_size=(200, 50),
                        press=["slash", *"kursk", "enter"])


def test_the_note_editor(snap_compare, make_app, sample, db):
    assert snap_compare(annotated_app(make_app, sample, db), terminal_size=(120, 40),
                        press=["right_square_bracket", "e"])


def test_the_tag_picker(snap_compare, make_app, sample, db):
    assert snap_compare(annotated_app(make_app, sample, db), terminal_size=(120, 40),
                        press=["right_square_bracket", "t"])


def test_the_article_picker(snap_compare, make_app, sample, db):
    assert snap_compare(annotated_app(make_app, sample, db), terminal_size=(120, 40),
                        press=["o"])


def test_the_export_screen(snap_compare, make_app, sample, db):
    assert snap_compare(annotated_app(make_app, sample, db), terminal_size=(120, 40),
                        press=["E"])


def test_the_help_screen(snap_compare, make_app, sample, db):
    assert snap_compare(annotated_app(make_app, sample, db), terminal_size=(120, 40),
                        press=["question_mark"])


def review_app(make_app, mine_path, theirs_path):
    from annotations.review import ReviewSession

    mine = AnnotationStore(mine_path, "ana")
    session = ReviewSession(mine, AnnotationStore(theirs_path, "x", read_only=True))
    return make_app([], store=mine, review=session)


async def _next_disagreement(pilot) -> None:
    # The panel follows the cursor once keys stop for FOLLOW_AFTER (a timer): waited for,
    # or the picture is taken before or after it at random.
    await pilot.press("right_square_bracket")
    await pilot.pause(FOLLOW_AFTER * 3)
    await pilot.pause()


def test_review_at_160_columns(snap_compare, make_app, pair):  # noqa: F811
    assert snap_compare(review_app(make_app, *pair), terminal_size=(160, 40),
                        run_before=_next_disagreement)


def test_review_at_80_columns(snap_compare, make_app, pair):  # noqa: F811
    assert snap_compare(review_app(make_app, *pair), terminal_size=(80, 24),
                        run_before=_next_disagreement)


async def _related(pilot) -> None:
    # The sentence of "11 mil soldados"; the panel's index is built on a worker: waited for.
    await pilot.press("slash", *"11 mil soldados", "enter", "r")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _finder(pilot) -> None:
    await pilot.press("D")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_the_related_panel_at_160_by_45(snap_compare, make_app, sample):
    assert snap_compare(make_app(sample), terminal_size=(160, 45), run_before=_related)


def test_the_related_panel_at_80_by_24(snap_compare, make_app, sample):
    assert snap_compare(make_app(sample), terminal_size=(80, 24), run_before=_related)


def test_the_disagreement_finder_at_160_by_45(snap_compare, make_app, sample):
    assert snap_compare(make_app(sample), terminal_size=(160, 45), run_before=_finder)


def test_the_disagreement_finder_at_80_by_24(snap_compare, make_app, sample):
    assert snap_compare(make_app(sample), terminal_size=(80, 24), run_before=_finder)


def test_web_pages_beside_a_text_at_120_by_30(snap_compare, make_app, sample, db):
    # Title bars of web articles lead with the outlet, then the title and the date
    from annotations.articles import load_paths
    from tests.annotations.test_webpages import DIARIO, PAGES

    pages = load_paths([DIARIO, PAGES / "cronica_latin1.html"]).articles
    store = AnnotationStore(db, "tester")
    start = pages[0].text.index("11 mil soldados")
    store.add(pages[0], start, start + 15, "claim")
    app = make_app([*pages, sample[0]], store=store)
    assert snap_compare(app, terminal_size=(120, 30), press=["right_square_bracket"])


def test_find_in_all_articles_at_160_by_45(snap_compare, make_app, sample, db):
    app = make_app(sample)
    assert snap_compare(app, terminal_size=(160, 45), press=["F", *"pionyang", "enter"])


def test_find_in_all_articles_at_80_by_24(snap_compare, make_app, sample, db):
    app = make_app(sample)
    assert snap_compare(app, terminal_size=(80, 24),
                        press=["F", *"soldados", "enter", "down", "enter"])


def test_the_panel_over_every_article_filtered_at_160_by_45(snap_compare, make_app, sample, db):
    # Grouped by article (pane 4 first: the cursor is there), filtered to claims with t
    assert snap_compare(annotated_app(make_app, sample, db), terminal_size=(160, 45),
                        press=["4", "a", "t"])
