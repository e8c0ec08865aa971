from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.articles import Article
from annotations.history import History
from annotations.review import (
    AGREE,
    BOUNDARY,
    ONLY_MINE,
    ONLY_THEIRS,
    TAG,
    ReviewSession,
    reanchor,
)
from annotations.store import AnnotationStore

TEXT = ("Rusia no ha confirmado la presencia de tropas. Zelenski afirmó que Corea del Norte "
        "envió 11 mil soldados a Kursk. El tratado se firmó en junio en Pyongyang.\n")


def span(text, phrase):
    start = text.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def pair(tmp_path):
    article = Article.from_text("a.txt", TEXT)
    with AnnotationStore(tmp_path / "mine.json", "ana") as mine:
        mine.add(article, *span(TEXT, "Rusia no ha confirmado"), "unverified")
        mine.add(article, *span(TEXT, "11 mil soldados"), "claim")
        mine.add(article, *span(TEXT, "se firmó en junio"), "claim")
        mine.add(article, *span(TEXT, "Pyongyang"), "claim")  # only mine
    with AnnotationStore(tmp_path / "theirs.json", "bob") as theirs:
        theirs.add(article, *span(TEXT, "Rusia no ha confirmado"), "unverified")  # agree
        theirs.add(article, *span(TEXT, "11 mil soldados"), "contradiction")  # tag conflict
        theirs.add(article, *span(TEXT, "firmó en junio"), "claim")  # boundary conflict
        theirs.add(article, *span(TEXT, "Zelenski afirmó"), "unverified")  # only theirs
    return tmp_path / "mine.json", tmp_path / "theirs.json"


def kinds(session):
    return sorted(item.kind for item in session.items)


def test_every_class(pair):
    mine_path, theirs_path = pair
    with AnnotationStore(mine_path, "ana") as mine:
        theirs = AnnotationStore(theirs_path, "x", read_only=True)
        session = ReviewSession(mine, theirs)
        assert kinds(session) == sorted([AGREE, TAG, BOUNDARY, ONLY_THEIRS, ONLY_MINE])
        tag = next(i for i in session.items if i.kind == TAG)
        assert tag.theirs.tag == "contradiction" and [m.tag for m in tag.mine] == ["claim"]
        assert [i.kind for i in session.disagreements()] == [ONLY_THEIRS, TAG, BOUNDARY,
                                                             ONLY_MINE]


def test_accept_reject_keep_with_undo_and_their_file_untouched(pair):
    mine_path, theirs_path = pair
    before = theirs_path.read_bytes()
    with AnnotationStore(mine_path, "ana") as mine:
        session = ReviewSession(mine, AnnotationStore(theirs_path, "x", read_only=True))
        history = History(mine)
        by_kind = {i.kind: i for i in session.items}

        history.do(session.prepare_accept(by_kind[TAG]))
        session.refresh()
        assert mine.get(by_kind[TAG].theirs.id) is None  # mine was retagged, not replaced
        accepted = mine.get(by_kind[TAG].mine[0].id)
        assert accepted.tag == "contradiction" and accepted.annotator == "ana"
        assert TAG not in kinds(session) and kinds(session).count(AGREE) == 2

        history.do(session.prepare_reject(by_kind[ONLY_THEIRS]))
        history.do(session.prepare_keep(by_kind[BOUNDARY]))
        session.refresh()
        assert [i.kind for i in session.disagreements()] == [ONLY_MINE]
        assert mine.reviews == {by_kind[ONLY_THEIRS].theirs.id: "rejected",
                                by_kind[BOUNDARY].theirs.id: "kept"}

        history.undo()  # keep
        history.undo()  # reject
        history.undo()  # accept
        session.refresh()
        assert kinds(session) == sorted([AGREE, TAG, BOUNDARY, ONLY_THEIRS, ONLY_MINE])
        assert mine.reviews == {}
        history.redo()
        history.redo()
    with AnnotationStore(mine_path, "ana", read_only=True) as mine:  # durable
        assert mine.reviews == {by_kind[ONLY_THEIRS].theirs.id: "rejected"}
        session = ReviewSession(mine, AnnotationStore(theirs_path, "x", read_only=True))
        assert ONLY_THEIRS not in [i.kind for i in session.disagreements()]  # stays rejected
    assert theirs_path.read_bytes() == before


def test_accepting_theirs_where_their_file_grew_from_mine(tmp_path):
    """The colleague imported my file and retagged: their annotation has my annotation's
    id. Accepting replaces mine in place; undo brings mine back."""
    import shutil

    article = Article.from_text("a.txt", TEXT)
    with AnnotationStore(tmp_path / "mine.json", "ana") as mine:
        ann = mine.add(article, *span(TEXT, "11 mil soldados"), "claim", "según Zelenski")
    shutil.copy(tmp_path / "mine.json", tmp_path / "theirs.json")
    with AnnotationStore(tmp_path / "theirs.json", "bob") as theirs:
        theirs.apply(theirs.prepare_update(ann.id, "retag", tag="contradiction"))
    with AnnotationStore(tmp_path / "mine.json", "ana") as mine:
        session = ReviewSession(mine, AnnotationStore(tmp_path / "theirs.json", "x",
                                                      read_only=True))
        (item,) = session.disagreements()
        assert item.kind == TAG and item.theirs.id == ann.id
        history = History(mine)
        history.do(session.prepare_accept(item))
        session.refresh()
        assert [(a.id, a.tag) for a in mine.all()] == [(ann.id, "contradiction")]
        assert not session.disagreements()
        history.undo()
        assert mine.get(ann.id) == ann


def test_accepting_theirs_over_two_of_mine_linked_to_each_other(tmp_path):
    article = Article.from_text("a.txt", TEXT)
    with AnnotationStore(tmp_path / "mine.json", "ana") as mine:
        a = mine.add(article, *span(TEXT, "envió 11 mil"), "claim")
        b = mine.add(article, *span(TEXT, "mil soldados"), "claim")
        other = mine.add(article, *span(TEXT, "Rusia no ha confirmado"), "unverified")
        mine.apply(mine.prepare_link(a.id, b.id))
        mine.apply(mine.prepare_link(a.id, other.id))
    with AnnotationStore(tmp_path / "theirs.json", "bob") as theirs:
        theirs.add(article, *span(TEXT, "envió 11 mil soldados"), "claim")
    with AnnotationStore(tmp_path / "mine.json", "ana") as mine:
        session = ReviewSession(mine, AnnotationStore(tmp_path / "theirs.json", "x",
                                                      read_only=True))
        item = next(i for i in session.disagreements() if i.kind == BOUNDARY)
        assert {m.id for m in item.mine} == {a.id, b.id}
        history = History(mine)
        change = history.do(session.prepare_accept(item))
        # The one of mine that shares most with theirs takes their span and keeps its links.
        assert mine.get(a.id).quote == "envió 11 mil soldados"
        assert mine.get(a.id).links == (b.id, other.id) and mine.get(b.id).quote == "mil soldados"
        assert change.label == ("accepted their span: my claim now covers «envió 11 mil "
                                "soldados»; 2 links kept")
        history.undo()
        assert mine.get(a.id).links == (b.id, other.id) and mine.get(b.id).links == (a.id,)
        assert mine.get(other.id).links == (a.id,)


def test_accepting_their_tag_keeps_my_note_and_links_and_adds_theirs(tmp_path):
    article = Article.from_text("a.txt", TEXT)
    with AnnotationStore(tmp_path / "mine.json", "ana") as mine:
        ann = mine.add(article, *span(TEXT, "11 mil soldados"), "claim", "según Zelenski")
        other = mine.add(article, *span(TEXT, "Rusia no ha confirmado"), "unverified")
        mine.apply(mine.prepare_link(ann.id, other.id))
    with AnnotationStore(tmp_path / "theirs.json", "bob") as theirs:
        theirs.add(article, *span(TEXT, "11 mil soldados"), "contradiction",
                   "Kiev dice 10 mil")
        theirs.add(article, *span(TEXT, "se firmó en junio"), "claim", "fecha")
    with AnnotationStore(tmp_path / "mine.json", "ana") as mine:
        session = ReviewSession(mine, AnnotationStore(tmp_path / "theirs.json", "x",
                                                      read_only=True))
        history = History(mine)
        tag = next(i for i in session.disagreements() if i.kind == TAG)
        change = history.do(session.prepare_accept(tag))
        assert change.label == ("accepted their tag: my claim is now contradiction; my note "
                                "and 1 link kept; bob's note added")
        now = mine.get(ann.id)
        assert now.tag == "contradiction" and now.links == (other.id,)
        assert now.note == "según Zelenski\n\n— bob: Kiev dice 10 mil"
        assert mine.get(other.id).links == (ann.id,)
        session.refresh(change)
        only = next(i for i in session.disagreements() if i.kind == ONLY_THEIRS)
        history.do(session.prepare_accept(only))  # only theirs: their annotation is added
        assert mine.get(only.theirs.id).note == "fecha"
        assert mine.get(only.theirs.id).annotator == "bob"
        history.undo()
        history.undo()
        assert mine.get(ann.id) == ann._replace(links=(other.id,), modified=mine.get(ann.id).modified)
        assert mine.get(only.theirs.id) is None


def edited(text, old, new):
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize("change, phrase, expected", [
    # insertion before the span: offsets shift, quote unchanged
    (lambda t: "ÚLTIMA HORA. " + t, "11 mil soldados", "11 mil soldados"),
    # insertion inside the span
    (lambda t: edited(t, "11 mil soldados", "11 mil jóvenes soldados"), "11 mil soldados",
     "11 mil jóvenes soldados"),
    # a changed word inside the quote
    (lambda t: edited(t, "envió 11 mil soldados", "envió 12 mil soldados"), "envió 11 mil soldados",
     "envió 12 mil soldados"),
])
def test_reanchoring_after_edits(change, phrase, expected):
    old = Article.from_text("a.txt", TEXT)
    new_text = change(TEXT)
    from annotations.model import create

    start, end = span(TEXT, phrase)
    ann = create(text=old.text, article_sha256=old.sha256, article="a.txt", start=start, end=end,
                 tag="claim", annotator="bob")
    placed = reanchor(ann, new_text)
    assert placed is not None and new_text[placed[0]:placed[1]] == expected


def test_their_other_version_is_reanchored_and_what_is_gone_becomes_an_orphan(tmp_path):
    old = Article.from_text("a.txt", TEXT)
    new = Article.from_text("a.txt", "ACTUALIZADO. " + edited(
        TEXT, "El tratado se firmó en junio en Pyongyang.", "Fin."))
    with AnnotationStore(tmp_path / "mine.json", "ana") as mine:
        mine.add_articles([new])
    with AnnotationStore(tmp_path / "theirs.json", "bob") as theirs:
        moved = theirs.add(old, *span(TEXT, "11 mil soldados"), "claim")
        gone = theirs.add(old, *span(TEXT, "se firmó en junio"), "claim")
    with AnnotationStore(tmp_path / "mine.json", "ana") as mine:
        session = ReviewSession(mine, AnnotationStore(tmp_path / "theirs.json", "x",
                                                      read_only=True))
        (placed,) = session.placed
        assert placed.id == moved.id and placed.article_sha256 == new.sha256
        assert new.text[placed.start:placed.end] == "11 mil soldados"
        assert session.moved == 1
        assert [o.theirs.id for o in session.orphans] == [gone.id]
        assert "no longer found" in session.orphans[0].why
        (item,) = session.items
        assert item.kind == ONLY_THEIRS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["add", "delete", "retag", "link", "undo"]),
                          st.integers(0, len(TEXT) * 40 - 2), st.integers(1, 2500),
                          st.sampled_from(["claim", "unverified", "contradiction"])),
                min_size=1, max_size=25))
def test_classifying_only_what_a_change_touched_equals_classifying_everything(
        tmp_path_factory, steps):
    tmp = tmp_path_factory.mktemp("incremental")
    text = TEXT * 40  # long enough for spans longer than LONG, which are indexed apart
    article = Article.from_text("a.txt", text)
    with AnnotationStore(tmp / "theirs.json", "bob") as theirs:
        for start, length, tag in [(0, 22, "unverified"), (47, 15, "claim"), (105, 30, "claim"),
                                   (1000, 2050, "contradiction"), (1500, 40, "claim"),
                                   (4000, 60, "unverified")]:
            theirs.add(article, start, start + length, tag)
    with AnnotationStore(tmp / "mine.json", "ana") as mine:
        mine.add_articles([article])
        session = ReviewSession(mine, AnnotationStore(tmp / "theirs.json", "x", read_only=True))
        history = History(mine)
        for action, start, length, tag in steps:
            anns = mine.all()
            target = anns[start % len(anns)] if anns else None
            if action == "add":
                change = mine.prepare_add(article, start, min(len(text), start + length), tag)
            elif action == "undo":
                change = history.undo()
                if change is None:
                    continue
                session.refresh(change)
                continue
            elif target is None:
                continue
            elif action == "delete":
                change = mine.prepare_delete(target.id)
            elif action == "retag":
                change = mine.prepare_update(target.id, "retag", tag=tag)
            else:
                other = anns[length % len(anns)]
                if other.id == target.id or other.id in target.links:
                    continue
                change = mine.prepare_link(target.id, other.id)
            history.do(change)
            session.refresh(change)
            incremental = session.items
            session.refresh()
            assert incremental == session.items


def test_overlapping_spans_with_other_tags_are_a_boundary_and_tag_conflict(tmp_path):
    from annotations.review import BOTH

    text = "La cumbre fue el 18 de junio de 2024 en Pyongyang. Otra frase aquí.\n"
    article = Article.from_text("b.txt", text)
    with AnnotationStore(tmp_path / "mine.json", "ana") as mine:
        mine.add(article, *span(text, "18 de junio de 2024"), "claim")
        mine.add(article, *span(text, "en Pyongyang. Otra frase"), "unverified")
    with AnnotationStore(tmp_path / "theirs.json", "bob") as theirs:
        theirs.add(article, *span(text, "18 de junio"), "contradiction", "¿18 o 19?")
        theirs.add(article, *span(text, "Pyongyang"), "unverified")  # inside mine, same tag
    with AnnotationStore(tmp_path / "mine.json", "ana") as mine:
        session = ReviewSession(mine, AnnotationStore(tmp_path / "theirs.json", "x",
                                                      read_only=True))
        both = next(i for i in session.items if i.theirs and i.theirs.quote == "18 de junio")
        assert both.kind == BOTH and [m.quote for m in both.mine] == ["18 de junio de 2024"]
        inside = next(i for i in session.items if i.theirs and i.theirs.quote == "Pyongyang")
        assert inside.kind == BOUNDARY  # my span contains theirs: counted as a conflict
        counts = session.counts()
        assert (counts[BOTH], counts[BOUNDARY], counts[ONLY_THEIRS]) == (1, 1, 0)
        change = session.prepare_accept(both)
        mine.apply(change)
        (taken,) = [a for a in mine.all() if a.tag == "contradiction"]
        assert taken.quote == "18 de junio" and "bob: ¿18 o 19?" in taken.note
        assert change.label.startswith("accepted their tag and span: my claim is now "
                                       "contradiction on «18 de junio»")
