"""The reading screen's decisions, asked of the workbench without any screen."""

from __future__ import annotations

import pytest

from annotations.articles import Article
from annotations.config import DEFAULT_TAGS
from annotations.store import AnnotationStore
from annotations.workbench import ERROR, WARNING, Workbench

TEXT = ("Rusia no ha confirmado la presencia de tropas. Zelenski afirmó que Corea del Norte "
        "envió 11 mil soldados a Kursk. El tratado se firmó en junio en Pyongyang.\n")
OTHER = "Según Seúl, entre 3,000 y 12,000 soldados norcoreanos están en Kursk.\n"


def span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def bench(db):
    store = AnnotationStore(db, "ana")
    yield Workbench(store, DEFAULT_TAGS)
    store.close()


A, B = Article.from_text("a.txt", TEXT), Article.from_text("b.txt", OTHER)


def test_tag_needs_a_selection_and_lands_on_the_new_annotation(bench):
    assert bench.tag(A, None, "claim").severity == WARNING
    done = bench.tag(A, span(TEXT, "11 mil soldados"), "claim")
    assert done.done and done.goto == (A.sha256, TEXT.index("11 mil"))
    assert bench.at(A.sha256, TEXT.index("mil")).quote == "11 mil soldados"
    assert [f.text for f in bench.status(A.sha256, TEXT.index("mil"))] == [
        "claim", "«11 mil soldados»"]


def test_the_innermost_annotation_is_the_one_under_the_cursor(bench):
    bench.tag(A, span(TEXT, "envió 11 mil soldados a Kursk"), "claim")
    bench.tag(A, span(TEXT, "11 mil"), "contradiction")
    assert bench.at(A.sha256, TEXT.index("mil")).tag == "contradiction"
    assert bench.at(A.sha256, TEXT.index("Kursk")).tag == "claim"


def test_link_in_two_steps_across_articles_follow_and_unlink(bench):
    bench.tag(A, span(TEXT, "11 mil soldados"), "claim")
    bench.tag(B, span(OTHER, "entre 3,000 y 12,000"), "contradiction")
    here, there = (A.sha256, TEXT.index("11 mil")), (B.sha256, OTHER.index("entre"))
    first = bench.link(*here)
    assert not first.done and bench.link_from is not None
    linking = bench.status(*here)
    assert linking[0].text == "LINKING: go to the other span and press l (Esc cancels)"
    assert len(linking[0].text) <= 60 and linking[1].text == "from «11 mil soldados»"
    linked = bench.link(*there)
    assert linked.done and linked.message.startswith("Linked both ways")
    a, b = bench.at(*here), bench.at(*there)
    assert a.links == (b.id,) and b.links == (a.id,)
    assert bench.follow(*here, [A, B]).goto == (B.sha256, b.start)
    assert "not open" in bench.follow(*here, [A]).message
    bench.link(*here)
    assert bench.link(*there).message == "Unlinked." and bench.at(*here).links == ()
    bench.link(*here)
    assert bench.cancel_link() and bench.link_from is None


def test_jump_wraps_and_undo_redo_say_what_they_did(bench):
    assert bench.jump(A.sha256, 0, 1).message == "No annotations in the open articles yet."
    bench.tag(A, span(TEXT, "Rusia"), "claim")
    bench.tag(A, span(TEXT, "Kursk"), "claim")
    assert bench.jump(A.sha256, 0, 1).goto == (A.sha256, TEXT.index("Kursk"))
    assert bench.jump(A.sha256, TEXT.index("Kursk"), 1).goto == (A.sha256, 0)
    assert bench.jump(A.sha256, 0, -1).goto == (A.sha256, TEXT.index("Kursk"))
    assert bench.undo().message == "Undone: tag claim"
    assert len(bench.store) == 1
    assert bench.redo().message == "Redone: tag claim" and len(bench.store) == 2
    assert bench.redo().message == "Nothing to redo."


def test_delete_retag_and_note_of_what_is_under_the_cursor(bench):
    where = (A.sha256, TEXT.index("Kursk"))
    assert "No annotation under the cursor" in bench.delete(*where).message
    bench.tag(A, span(TEXT, "Kursk"), "claim")
    ann = bench.at(*where)
    assert bench.retag(ann.id, "claim").change is None  # the same tag: nothing to do
    assert bench.retag(ann.id, "unverified").done and bench.at(*where).tag == "unverified"
    assert bench.set_note(ann.id, "¿qué fuente?").done
    assert bench.set_note(ann.id, "\ud800").severity == ERROR  # refused, not stored
    assert bench.at(*where).note == "¿qué fuente?"
    assert bench.delete(*where).message.startswith("Deleted a unverified annotation")


def test_decisions_outside_review_explain_themselves(bench):
    assert "factread review" in bench.decide(A.sha256, 0, "accept").message


def test_review_decisions_through_the_workbench(tmp_path):
    from annotations.review import ReviewSession

    with AnnotationStore(tmp_path / "theirs.json", "bob") as theirs:
        theirs.add(A, *span(TEXT, "11 mil soldados"), "contradiction", "Kiev dice 10 mil")
    with AnnotationStore(tmp_path / "mine.json", "ana") as mine:
        mine.add(A, *span(TEXT, "11 mil soldados"), "claim", "según Zelenski")
        review = ReviewSession(mine, AnnotationStore(tmp_path / "theirs.json", "x",
                                                     read_only=True))
        bench = Workbench(mine, DEFAULT_TAGS, review)
        where = (A.sha256, TEXT.index("11 mil"))
        assert bench.jump(A.sha256, 0, 1).goto == where
        done = bench.decide(*where, "accept")
        assert done.message.startswith("Accepted their tag: my claim is now contradiction")
        assert bench.jump(A.sha256, 0, 1).message == "No disagreements left to decide."
        bench.undo()
        assert bench.decide(*where, "keep").message.startswith("Kept mine")
        assert "No undecided disagreement" in bench.decide(*where, "reject").message


def test_citation_and_export(bench, tmp_path):
    bench.tag(A, span(TEXT, "11 mil soldados"), "claim")
    assert bench.citation(A, span(TEXT, "11 mil soldados")) == (
        f'«11 mil soldados» — "{A.title}" (a.txt)')
    done = bench.export("csv", str(tmp_path / "x.csv"))
    assert done.message == f"Exported 1 annotations to {tmp_path / 'x.csv'}"
    assert bench.export("csv", str(tmp_path / "none" / "x.csv")).severity == ERROR


def test_a_full_disk_is_an_error_outcome_and_nothing_changes(bench, monkeypatch):
    import errno

    from annotations import storage

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "write", full)
    refused = bench.tag(A, span(TEXT, "Kursk"), "claim")
    assert (refused.severity, refused.title, refused.done) == (ERROR, "Not saved", False)
    assert "disk full: the change was not saved" in refused.message and len(bench.store) == 0


def test_a_fold_the_disk_refuses_is_said_once_and_nothing_is_lost(bench, monkeypatch):
    import errno

    from annotations import storage

    bench.tag(A, span(TEXT, "Kursk"), "claim")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "replace", full)
    first = bench.fold()
    assert first.title == "Main file not updated" and "disk full" in first.message
    assert "safe in the journal" in first.message
    bench.tag(A, span(TEXT, "Rusia"), "claim")
    assert bench.fold().message == ""  # the same problem is not said again
    monkeypatch.undo()
    assert bench.fold().message == "" and len(bench.store) == 2


def test_going_to_an_annotation_left_on_an_older_version_says_why_not(bench):
    old = Article.from_text("a.txt", TEXT)
    ann = bench.store.add(old, *span(TEXT, "Kursk"), "claim")
    new = Article.from_text("a.txt", "Otro texto.\n")
    assert bench.go_to(ann, [old]).goto == (old.sha256, ann.start)
    left = bench.go_to(ann, [new])
    assert left.goto is None and "could not be placed on the new version of a.txt" in \
        left.message
    assert "which is not open" in bench.go_to(ann, [B]).message


def test_related_answers_for_the_sentence_under_the_cursor(bench, sample):
    article = sample[0]
    at = article.text.index("11 mil soldados")
    span_asked, rows = bench.related(sample, article, None, at)
    assert span_asked[0] <= at < span_asked[1]
    assert rows and all(r.passage.article.sha256 != article.sha256 for r in rows)
    assert bench.related(sample, article, (at, at + 6), at)[0] == (at, at + 6)


def test_accepting_a_disagreement_tags_links_and_notes_both_in_one_undoable_change(bench,
                                                                                  sample):
    found = bench.disagreements(sample)
    count = next(d for d in found if d.kind == "count")
    done = bench.accept(count)
    assert done.done
    a, b = (bench.store.for_article(p.article.sha256)[0] for p in (count.a, count.b))
    assert (a.tag, b.tag) == ("contradiction", "contradiction")
    assert a.links == (b.id,) and b.links == (a.id,) and a.note == b.note == count.why
    assert (a.start, a.end) == count.a_span and (b.start, b.end) == count.b_span
    assert count.key not in {d.key for d in bench.disagreements(sample)}
    assert bench.undo().done
    assert len(bench.store) == 0 and count.key in {d.key for d in bench.disagreements(sample)}


def test_a_dismissed_disagreement_stays_dismissed_after_reopening(db, sample):
    store = AnnotationStore(db, "ana")
    bench = Workbench(store, DEFAULT_TAGS)
    first = bench.disagreements(sample)[0]
    assert bench.dismiss(first).done
    store.close()
    with AnnotationStore(db, "ana") as again:
        keys = {d.key for d in Workbench(again, DEFAULT_TAGS).disagreements(sample)}
        assert first.key not in keys and again.reviews[first.key] == "dismissed"


def test_the_status_line_describes_three_annotations_and_counts_the_rest(bench):
    for n in range(5):
        bench.tag(A, (0, 10 + n), "claim")
    facts = [f.text for f in bench.status(A.sha256, 2)]
    assert facts.count("claim") == 3 and facts[-1] == "+2 more here"


def test_jump_goes_on_into_the_next_article_and_says_where(bench):
    """Outside review, ] past an article's last annotation goes on into the next open
    article that has one (and [ back); past the last of all it starts again, saying so."""
    C = Article.from_text("c.txt", "Un tercer artículo sin anotaciones que cuenten.\n")
    bench.tag(A, span(TEXT, "Kursk"), "claim")
    bench.tag(B, span(OTHER, "Seúl"), "claim")
    order = [A, C, B]
    end_of_a = TEXT.index("Kursk")
    step = bench.jump(A.sha256, end_of_a, 1, order)
    assert step.goto == (B.sha256, OTHER.index("Seúl")) and "(pane 3)" in step.message
    back = bench.jump(B.sha256, OTHER.index("Seúl"), -1, order)
    assert back.goto == (A.sha256, end_of_a) and "(pane 1)" in back.message
    wrapped = bench.jump(B.sha256, OTHER.index("Seúl"), 1, order)
    assert wrapped.goto == (A.sha256, end_of_a) and "back to the first" in wrapped.message


def test_after_tagging_the_status_line_names_the_new_annotation_first(bench):
    import time

    bench.tag(A, span(TEXT, "envió 11 mil soldados a Kursk"), "claim")
    time.sleep(0.005)  # times are kept to the millisecond
    bench.tag(A, span(TEXT, "11 mil"), "contradiction")  # starts later, but newer
    facts = bench.status(A.sha256, TEXT.index("mil"))
    assert [f.text for f in facts[:2]] == ["contradiction", "«11 mil»"]
