"""An article edited on disk since it was annotated: annotations follow it to the new text."""

from __future__ import annotations

from annotations.anchoring import move_to_new_versions, unplaced_on
from annotations.articles import Article
from annotations.store import AnnotationStore

OLD = ("Rusia no ha confirmado la presencia de tropas. Zelenski afirmó que Corea del Norte "
       "envió 11 mil soldados a Kursk. El tratado se firmó en junio en Pyongyang. "
       "Fuentes anónimas hablan de bajas.\n")
NEW = ("Actualización: Moscú guarda silencio. " + OLD
       .replace("11 mil soldados", "12 mil soldados")
       .replace("Fuentes anónimas hablan de bajas.", ""))


def annotate(store: AnnotationStore, article: Article) -> dict[str, str]:
    ids = {}
    for phrase in ("Rusia no ha confirmado", "envió 11 mil soldados a Kursk",
                   "se firmó en junio", "Fuentes anónimas hablan de bajas"):
        start = article.text.index(phrase)
        ids[phrase] = store.add(article, start, start + len(phrase), "claim").id
    return ids


def test_annotations_move_to_the_new_version_and_the_lost_one_is_kept(db):
    old, new = Article.from_text("a.txt", OLD), Article.from_text("a.txt", NEW)
    with AnnotationStore(db, "ana") as store:
        ids = annotate(store, old)
        a, b = ids["Rusia no ha confirmado"], ids["se firmó en junio"]
        store.apply(store.prepare_link(a, b))
        moved = move_to_new_versions(store, [new])
        assert moved.message() == ("3 annotations moved to the new version of a.txt, "
                                   "1 could not be placed (listed in the panel, a)")
        store.apply(moved.change)
    with AnnotationStore(db, "check", read_only=True) as store:
        on_new = {a.quote for a in store.for_article(new.sha256)}
        assert on_new == {"Rusia no ha confirmado", "envió 12 mil soldados a Kursk",
                          "se firmó en junio"}
        assert store.get(a).links == (b,)  # links go along
        (lost,) = unplaced_on(store, new)
        assert lost.quote == "Fuentes anónimas hablan de bajas"
        assert old.sha256 in store.articles  # the old text stays while it is pointed at
        assert move_to_new_versions(store, [old]).moved == {"a.txt": 3}  # and back


def test_nothing_to_move_is_no_change(db):
    article = Article.from_text("a.txt", OLD)
    with AnnotationStore(db, "ana") as store:
        annotate(store, article)
        moved = move_to_new_versions(store, [article, Article.from_text("b.txt", NEW)])
        assert moved.change.pairs == () and moved.message() == ""
