"""What the Hypothesis API and its export tools write: search results with page notes and
replies, a single annotation, tags, user names, web pages' white space."""

from __future__ import annotations

import json

from annotations.importing import import_file
from annotations.store import AnnotationStore

QUOTE = "Rusia no ha confirmado la presencia"


def hypothesis(ident: str, exact: str | None = QUOTE, **extra: object) -> dict[str, object]:
    """An annotation as GET /api/annotations/{id} returns it."""
    item: dict[str, object] = {
        "id": ident, "created": "2024-11-29T12:00:00.123456+00:00",
        "updated": "2024-11-30T08:00:00+00:00", "user": "acct:maria_p@hypothes.is",
        "uri": "https://example.org/noticia", "text": "¿Fuente?", "tags": [],
        "document": {"title": ["Noticia"]}, "links": {"html": f"https://hyp.is/{ident}"},
        "target": [{"source": "https://example.org/noticia"}]}
    if exact is not None:
        item["target"] = [{"source": "https://example.org/noticia", "selector": [
            {"type": "TextPositionSelector", "start": 1, "end": 5},
            {"type": "TextQuoteSelector", "exact": exact, "prefix": "bajas. ", "suffix": " de"}]}]
    item.update(extra)
    return item


def imported(tmp_path, sample, data: object, tags=("claim", "unverified", "contradiction")):
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "hypothesis.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with AnnotationStore(tmp_path / "t.json", "bo") as target:
        target.add_articles(sample)
        return import_file(target, path, tags=tags)


def test_page_notes_and_replies_are_skipped_and_listed(tmp_path, sample):
    plan = imported(tmp_path, sample, {"total": 3, "rows": [
        hypothesis("a1"), hypothesis("page", exact=None),
        hypothesis("re", references=["a1"])]})
    assert [a.quote for a in plan.added] == [QUOTE]
    assert [why for _, why in plan.skipped] == [
        "a page note (no TextQuoteSelector with an 'exact' quote)",
        "a reply to another annotation, not about a passage"]
    assert plan.skipped[0][0].endswith("hypothesis.json: annotation 2")


def test_a_single_annotation_object_imports(tmp_path, sample):
    (ann,) = imported(tmp_path, sample, hypothesis("single1")).added
    assert ann.quote == QUOTE and ann.note == "¿Fuente?"


def test_a_configured_tag_anywhere_in_the_list_wins_and_none_is_invented(tmp_path, sample):
    (ann,) = imported(tmp_path, sample, [hypothesis("t1", tags=["Rusia", "Claim"])]).added
    assert ann.tag == "claim" and ann.note == "¿Fuente?\n\ntags: Rusia"
    (ann,) = imported(tmp_path / "w", sample, [hypothesis("t2", tags=["Rusia", "Ucrania"])],
                      ).added
    assert ann.tag == "unverified" and ann.note.endswith("tags: Rusia, Ucrania")
    (ann,) = imported(tmp_path / "x", sample, [hypothesis("t3", tags=["Disputed"])],
                      tags=("claim", "disputed")).added
    assert ann.tag == "disputed"


def test_the_annotator_is_the_display_name_else_the_bare_user_name(tmp_path, sample):
    (ann,) = imported(tmp_path, sample, [hypothesis(
        "u1", user_info={"display_name": "María Pérez"})]).added
    assert ann.annotator == "María Pérez"
    (ann,) = imported(tmp_path / "y", sample, [hypothesis("u2", user_info=None)]).added
    assert ann.annotator == "maria_p"


def test_a_quote_with_no_break_spaces_and_line_breaks_is_placed(tmp_path, sample):
    text = sample[0].text
    start = text.index(QUOTE)
    web = QUOTE.replace(" ", "\u00a0", 2).replace("la presencia", "la\n  presencia")
    (ann,) = imported(tmp_path, sample, [hypothesis("w1", exact=web)]).added
    assert (ann.start, ann.end, ann.quote) == (start, start + len(QUOTE), QUOTE)
