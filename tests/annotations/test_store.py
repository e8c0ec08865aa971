from __future__ import annotations

import json
import os
import stat

import pytest

from annotations.errors import InputError, LockedError
from annotations.storage import journal_path
from annotations.store import AnnotationStore


def make_file(db, sample, count=3):
    with AnnotationStore(db, "ana") as store:
        anns = [store.add(sample[i % 5], 10 * i, 10 * i + 8, "claim", f"nota {i}")
                for i in range(count)]
    return anns


def test_changes_survive_reopening(db, sample):
    with AnnotationStore(db, "ana") as store:
        a = store.add(sample[0], 0, 10, "claim", "primera")
        b = store.add(sample[1], 3, 9, "unverified")
        store.apply(store.prepare_link(a.id, b.id))
        store.apply(store.prepare_update(b.id, "retag", tag="contradiction"))
    with AnnotationStore(db, "ana", read_only=True) as store:
        assert len(store) == 2
        assert store.get(a.id).links == (b.id,)
        assert store.get(b.id).links == (a.id,)
        assert store.get(b.id).tag == "contradiction"
        assert store.get(a.id).quote == sample[0].text[0:10]
        assert set(store.articles) == {sample[0].sha256, sample[1].sha256}


def test_file_is_self_contained_tinydb_json(db, sample):
    make_file(db, sample)
    data = json.loads(db.read_bytes())
    assert set(data) == {"meta", "articles", "annotations"}
    assert data["meta"]["1"]["format"] == "factread"
    texts = {rec["text"] for rec in data["articles"].values()}
    assert sample[0].text in texts
    assert not journal_path(db).exists()


def test_delete_removes_links_from_the_other_side(db, sample):
    with AnnotationStore(db, "ana") as store:
        a = store.add(sample[0], 0, 10, "claim")
        b = store.add(sample[1], 0, 10, "claim")
        store.apply(store.prepare_link(a.id, b.id))
        store.apply(store.prepare_delete(a.id))
        assert store.get(b.id).links == ()
    with AnnotationStore(db, "ana", read_only=True) as store:
        assert len(store) == 1


def test_undo_is_the_inverted_change(db, sample):
    with AnnotationStore(db, "ana") as store:
        a = store.add(sample[0], 0, 10, "claim")
        change = store.prepare_update(a.id, "note", note="nueva")
        store.apply(change)
        store.apply(change.inverted())
        assert store.get(a.id) == a


def test_overlapping_and_lookup(db, sample):
    with AnnotationStore(db, "ana") as store:
        long = store.add(sample[0], 0, 500, "claim")
        short = store.add(sample[0], 100, 110, "unverified")
        assert {x.id for x in store.at(sample[0].sha256, 105)} == {long.id, short.id}
        assert [x.id for x in store.overlapping(sample[0].sha256, 200, 300)] == [long.id]


def test_a_journal_left_by_a_crash_is_replayed_and_a_torn_line_ignored(db, sample):
    store = AnnotationStore(db, "ana")
    a = store.add(sample[0], 0, 10, "claim")
    store._storage._fd and os.close(store._storage._fd)  # die without folding
    store._storage._fd = None
    store._lock.release()
    with open(journal_path(db), "ab") as journal:
        journal.write(b'{"ops": [["put", "annotations", "9", {"torn')
    with AnnotationStore(db, "ana") as reopened:
        assert reopened.get(a.id) == a
        b = reopened.add(sample[0], 20, 30, "claim")
    with AnnotationStore(db, "ana", read_only=True) as final:
        assert final.get(b.id) is not None and len(final) == 2


def test_file_mode_is_kept_and_stale_temp_files_removed(db, sample):
    make_file(db, sample)
    os.chmod(db, 0o640)
    stale = db.with_name(f".{db.name}.tmp-123-abcd")
    stale.write_text("half a file")
    with AnnotationStore(db, "ana") as store:
        store.add(sample[0], 0, 5, "claim")
    assert stat.S_IMODE(db.stat().st_mode) == 0o640
    assert not stale.exists()


def test_second_writer_is_refused_with_the_holders_pid(db, sample):
    with AnnotationStore(db, "ana") as store:
        store.add(sample[0], 0, 5, "claim")  # a new file is written by its first change
        message = rf"factread.json is open in another factread \(pid {os.getpid()}\)"
        with pytest.raises(LockedError, match=message):
            AnnotationStore(db, "bob")
        with AnnotationStore(db, "bob", read_only=True) as reader:
            assert reader.meta["annotator"] == "ana"


def test_links_and_everything_refer_by_uuid_after_deletes(db, sample):
    with AnnotationStore(db, "ana") as store:
        a = store.add(sample[0], 0, 5, "claim")
        b = store.add(sample[0], 5, 9, "claim")
        store.apply(store.prepare_delete(b.id))
        c = store.add(sample[0], 9, 12, "claim")
        store.apply(store.prepare_link(a.id, c.id))
    with AnnotationStore(db, "ana", read_only=True) as store:
        assert store.get(a.id).links == (c.id,)


# ------------------------------------------------------------------ refusals
def corrupt(db, sample, mutate):
    make_file(db, sample)
    data = json.loads(db.read_bytes())
    mutate(data)
    db.write_text(json.dumps(data), encoding="utf-8")


def first_ann(data):
    return next(iter(data["annotations"].values()))


CASES = {
    "unknown version": (lambda d: d["meta"]["1"].update(version=99), "unknown format version"),
    "not factread": (lambda d: d["meta"]["1"].update(format="x"), "not a factread file"),
    "no meta": (lambda d: d.pop("meta"), "table 'meta' is missing"),
    "unknown table": (lambda d: d.update(extra={}), "unknown table 'extra'"),
    "table not object": (lambda d: d.update(annotations=[]), "table 'annotations' is not an object"),
    "bad key": (lambda d: d["annotations"].update({"x": {}}), "record key 'x'"),
    "offset outside": (lambda d: first_ann(d).update(start=10**9, end=10**9 + 8), "field 'end'"),
    "negative offset": (lambda d: first_ann(d).update(start=-1), "field 'start'"),
    "start after end": (lambda d: first_ann(d).update(start=9, end=2), "field 'end'"),
    "quote mismatch": (lambda d: first_ann(d).update(quote="XXXXXXXX"), "field 'quote'"),
    "string offset": (lambda d: first_ann(d).update(start="0"), "field 'start'"),
    "bool offset": (lambda d: first_ann(d).update(end=True), "field 'end'"),
    "bad tag": (lambda d: first_ann(d).update(tag="<b>"), "field 'tag'"),
    "bad id": (lambda d: first_ann(d).update(id="1"), "field 'id'"),
    "bad time": (lambda d: first_ann(d).update(created="yesterday"), "field 'created'"),
    "id with a newline": (lambda d: first_ann(d).update(id=first_ann(d)["id"] + "\n"),
                          "field 'id'"),
    "time in other digits": (lambda d: first_ann(d).update(
        created="\uff12" + first_ann(d)["created"][1:]), "field 'created'"),
    "tag with a newline": (lambda d: first_ann(d).update(tag="claim\n"), "field 'tag'"),
    "missing field": (lambda d: first_ann(d).pop("note"), "field 'note' is missing"),
    "unknown field": (lambda d: first_ann(d).update(color="red"), "unknown field 'color'"),
    "dangling link": (lambda d: first_ann(d).update(links=["0" * 8 + "-0000-4000-8000-" + "0" * 12]),
                      "field 'links'"),
    "links not list": (lambda d: first_ann(d).update(links="abc"), "field 'links'"),
    "unknown article": (lambda d: first_ann(d).update(article_sha256="f" * 64),
                        "names no article"),
    "article text edited": (lambda d: next(iter(d["articles"].values())).update(text="otro"),
                            "'sha256' does not match"),
    "huge note": (lambda d: first_ann(d).update(note="x" * 200_000), "field 'note'"),
    "annotation not object": (lambda d: d["annotations"].update({"1": [1, 2]}), "expected an object"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_files_are_refused_naming_record_and_field_and_left_untouched(db, sample, case):
    mutate, expected = CASES[case]
    corrupt(db, sample, mutate)
    before = db.read_bytes()
    for read_only in (True, False):
        with pytest.raises(InputError) as err:
            AnnotationStore(db, "ana", read_only=read_only)
        message = str(err.value)
        assert str(db) in message and expected in message and "\n" not in message
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name, "no-config.toml"] or \
        sorted(p.name for p in db.parent.iterdir()) == [db.name]


@pytest.mark.parametrize("raw, expected", [
    (b"{not json", "malformed JSON at line 1"),
    (b"\xef\xbb\xbf{}", "byte-order mark"),
    (b"[1, 2]", "expected a JSON object"),
    (b"[" * 100_000 + b"]" * 100_000, "nesting too deep"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"{}", "table 'meta' is missing"),
    pytest.param(b'{"meta": {"1": {"version": ' + b"1" * 5000 + b"}}}",
                 r"malformed JSON \(Exceeds the limit", id="number of 5000 digits"),
])
def test_files_that_are_not_json_tables_are_refused(db, raw, expected):
    db.write_bytes(raw)
    with pytest.raises(InputError, match=expected):
        AnnotationStore(db, "ana")
    assert db.read_bytes() == raw


def test_overlapping_matches_a_linear_scan_with_long_and_short_annotations(db, sample):
    import random

    rng = random.Random(5)
    article = sample[4]
    n = len(article.text)
    with AnnotationStore(db, "ana") as store:
        for _ in range(60):
            start = rng.randrange(0, n - 1)
            length = rng.choice([1, 5, 40, 2500, n])
            store.add(article, start, min(n, start + length), "claim")
        anns = store.for_article(article.sha256)
        for _ in range(200):
            s = rng.randrange(0, n)
            e = rng.randrange(s + 1, n + 1)
            expected = [a for a in anns if a.start < e and a.end > s]
            assert store.overlapping(article.sha256, s, e) == expected
        for a in list(anns)[:30]:
            store.apply(store.prepare_delete(a.id))
        for _ in range(50):
            s = rng.randrange(0, n)
            expected = [a for a in store.for_article(article.sha256) if a.start <= s < a.end]
            assert store.at(article.sha256, s) == expected


def test_a_refused_change_writes_and_allocates_nothing(db, sample):
    from annotations.articles import Article
    from annotations.model import create
    from annotations.store import Change

    with AnnotationStore(db, "ana") as store:
        store.add(sample[0], 0, 5, "claim")
        keys, next_key = dict(store._keys), dict(store._next_key)
        journal = store._storage.pending
        stray = Article.from_text("stray.txt", "texto suelto")
        good = create(text=sample[0].text, article_sha256=sample[0].sha256,
                      article=sample[0].name, start=5, end=9, tag="claim", annotator="ana")
        bad = create(text=stray.text, article_sha256=stray.sha256, article=stray.name,
                     start=0, end=5, tag="claim", annotator="ana")
        with pytest.raises(InputError, match="its article is not in the file"):
            store.apply(Change(((None, good), (None, bad)), "two"))
        assert store._keys == keys and store._next_key == next_key
        assert store.get(good.id) is None and store._storage.pending == journal


@pytest.mark.parametrize("fork", [True, False])
def test_a_background_fold_keeps_the_changes_made_while_it_runs(db, sample, monkeypatch,
                                                                 tmp_path, fork):
    """The fold writes a snapshot in a child process (or on a thread where there is no
    fork); changes made meanwhile stay in the journal (the lines before the snapshot are
    dropped, the ones after kept), and the file reopens with all of them."""
    import time

    from annotations import storage

    monkeypatch.setattr(storage, "FORK", fork)
    store = AnnotationStore(db, "ana", background=True)
    first = [store.add(sample[0], n, n + 5, "claim") for n in range(0, 50, 5)]
    go, started = tmp_path / "go", tmp_path / "started"
    real = storage.encode_file

    def slow(data, *args):
        started.touch()
        deadline = time.monotonic() + 10
        while not go.exists() and time.monotonic() < deadline:  # a file: works across fork
            time.sleep(0.01)
        yield from real(data, *args)

    monkeypatch.setattr(storage, "encode_file", slow)
    assert store.fold() is None
    while not started.exists():
        time.sleep(0.01)
    during = [store.add(sample[1], n, n + 5, "unverified") for n in range(0, 30, 5)]
    go.touch()
    store._storage._folding.join(10)
    monkeypatch.setattr(storage, "encode_file", real)
    # The main file holds the first ten; the journal holds exactly the six made during it.
    main = storage.json.loads(db.read_bytes())
    assert {d["id"] for d in main["annotations"].values()} == {a.id for a in first}
    lines = storage.journal_path(db).read_bytes().splitlines()
    assert len(lines) == len(during)
    store._storage.abandon()  # die without the closing fold
    store._lock.release()
    with AnnotationStore(db, "check", read_only=True) as reopened:
        assert {a.id for a in reopened.all()} == {a.id for a in first + during}


@pytest.mark.parametrize("fork", [True, False])
def test_a_background_fold_that_cannot_write_loses_nothing_and_says_why(db, sample,
                                                                        monkeypatch, fork):
    from annotations import storage

    monkeypatch.setattr(storage, "FORK", fork)
    store = AnnotationStore(db, "ana", background=True)
    added = store.add(sample[0], 0, 5, "claim")
    journal = storage.journal_path(db).read_bytes()

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "replace", full)
    store.fold()
    store._storage._folding.join(10)
    assert "disk full" in (store.fold() or "")
    assert storage.journal_path(db).read_bytes() == journal and not db.exists()
    monkeypatch.undo()
    store.close()
    with AnnotationStore(db, "check", read_only=True) as reopened:
        assert reopened.get(added.id) == added


def test_an_opened_file_keeps_records_not_the_parsed_json(db, sample):
    """Half the memory: the storage folds from the annotation records; no parsed dict of an
    annotation outlives opening, and the repeated strings are one object each."""
    from annotations.model import Annotation

    with AnnotationStore(db, "ana") as store:
        for n in range(0, 40, 4):
            store.add(sample[0], n, n + 3, "claim")
    with AnnotationStore(db, "ana") as store:
        docs = store._storage.data["annotations"]
        assert len(docs) == 10 and all(type(d) is Annotation for d in docs.values())
        first, second = store.all()[:2]
        assert first.article_sha256 is second.article_sha256 and first.tag is second.tag
        assert first.annotator is second.annotator
        store.add(sample[0], 100, 110, "unverified")
    with AnnotationStore(db, "ana", read_only=True) as store:
        assert len(store) == 11


def test_overlapping_finds_what_a_full_scan_finds_after_adds_and_deletes(tmp_path):
    """The scan reaches back only as far as the longest short annotation (kept as an upper
    bound when annotations go) and looks at the long ones apart."""
    import random

    from annotations.articles import Article
    from annotations.store import LONG

    rng = random.Random(7)
    article = Article.from_text("a.txt", "palabra " * 1500)
    size = len(article.text)
    with AnnotationStore(tmp_path / "o.json", "ana") as store:
        for round_ in range(6):
            for _ in range(40):
                start = rng.randrange(0, size - 10)
                length = rng.choice([1, 5, 30, 200, LONG + 50, size - start])
                store.add(article, start, min(size, start + length), "claim")
            for ann in rng.sample(store.all(), 10):
                store.apply(store.prepare_delete(ann.id))
            for _ in range(50):
                start = rng.randrange(0, size - 1)
                end = min(size, start + rng.choice([1, 8, 100]))
                expected = sorted((a for a in store.all() if a.start < end and a.end > start),
                                  key=lambda a: (a.start, a.end, a.id))
                assert store.overlapping(article.sha256, start, end) == expected, round_


def test_an_article_is_in_position_order_when_first_asked_for(db, sample, monkeypatch):
    """A reopened file's lists are sorted when first asked for, not at open; every way in
    (the list, what is under a position, a change, all of them) sees them sorted."""
    from annotations import store as store_module
    from annotations.model import POSITION

    spans = [(50, 60), (5, 9), (30, 90), (5, 7), (0, 400), (12, 13)]
    with AnnotationStore(db, "ana") as store:
        for start, end in spans:
            store.add(sample[0], start, end, "claim")
            store.add(sample[1], start, end, "claim")
    first, second = sample[0].sha256, sample[1].sha256

    def in_order(anns):
        return list(anns) == sorted(anns, key=POSITION) and len(anns) == len(spans)

    with AnnotationStore(db, "ana") as store:
        assert in_order(store.for_article(first))
        assert [(a.start, a.end) for a in store.at(second, 8)] == [(0, 400), (5, 9)]
    with AnnotationStore(db, "ana") as store:
        store.prepare_all()  # what the reading screen does on the thread that opens the file
        assert not store._unsorted and in_order(store._by_article[second])
    with AnnotationStore(db, "ana") as store:
        added = store.add(sample[0], 6, 8, "claim")  # a change before anything was read
        assert store.for_article(first)[3] == added  # after (0, 400), (5, 7), (5, 9)
        assert in_order(store.all()[len(spans) + 1:])
        monkeypatch.setattr(store_module, "BULK", 0)  # a bulk change: rebuilt, then sorted
        store.apply(store.prepare_delete(added.id))
        assert in_order(store.for_article(first))
        assert [(a.start, a.end) for a in store.overlapping(first, 10, 31)] == [
            (0, 400), (12, 13), (30, 90)]


@pytest.mark.parametrize("first", ["delete", "update", "bulk delete", "link"])
def test_the_first_change_after_opening_reaches_the_record_the_file_holds(db, sample, first,
                                                                         monkeypatch):
    """An annotation's document id is looked up when a change first needs one, not at
    open (``AnnotationStore._annotation_keys``): whatever that first change is, its ops
    name the record the file holds, in the journal and after a fold."""
    from annotations import store as store_module

    with AnnotationStore(db, "ana") as store:
        made = [store.add(sample[0], n * 10, n * 10 + 5, "claim") for n in range(4)]
    for fold in (False, True):
        target = made[1] if not fold else made[2]
        with AnnotationStore(db, "ana") as store:
            if first == "bulk delete":
                monkeypatch.setattr(store_module, "BULK", 0)
            if first == "update":
                store.apply(store.prepare_update(target.id, "note", note="first"))
            elif first == "link":
                store.apply(store.prepare_link(target.id, made[3].id))
            else:
                store.apply(store.prepare_delete(target.id))
            store.close(fold=fold)
        with AnnotationStore(db, "ana", read_only=True) as store:
            held = store.get(target.id)
            if first == "update":
                assert held is not None and held.note == "first"
            elif first == "link":
                assert held is not None and held.links == (made[3].id,)
            else:
                assert held is None
            assert len(store) == (4 if first in ("update", "link") else 4 - 1 - fold)
