"""``recordscan`` is a faster path to what the careful reading decides, never a second set
of rules: on any record, where the fast path gives an annotation the careful path gives
the same one, and the dict it hands the careful path is the one ``json.loads`` makes."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.articles import Article
from annotations.errors import InputError
from annotations.model import Annotation, create, from_dict, valid_annotation
from annotations.recordscan import RECORD, annotation_of, record_of
from annotations.storage import _ENCODE

TEXT = ("El tratado «confirmado» el 19 de junio: entre 3,000 y 12,000 soldados 🦀\n"
        "según fuentes\tno confirmadas \u202e y \x1b[31m otras. ") * 3
ARTICLE = Article.from_text("tratado.txt", TEXT)
ARTICLES = {ARTICLE.sha256: ARTICLE}
UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
OTHER = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def _member(key: str, record: dict) -> str:
    """The member as ``storage.encode_file`` writes it."""
    return _ENCODE({key: record})[1:-1]


def _careful(record: dict) -> Annotation | None:
    text = ARTICLE.text if record.get("article_sha256") == ARTICLE.sha256 else None
    try:
        return valid_annotation(record, text) or from_dict(record, "test", text)
    except InputError:
        return None


def _base(start: int = 10, end: int = 30) -> dict:
    return create(text=ARTICLE.text, article_sha256=ARTICLE.sha256, article=ARTICLE.name,
                  start=start, end=end, tag="claim", annotator="ana").to_dict()


def _check(record: dict) -> Annotation | None:
    """The fast path's annotation, after checking it against the careful path's."""
    member = _member("7", record)
    found = RECORD.fullmatch(member)
    if found is None:
        return None
    assert found.group(1) == "7"
    assert record_of(found.groups()) == json.loads("{" + member + "}")["7"]
    fast = annotation_of(found.groups(), ARTICLES)
    if fast is not None:
        careful = _careful(record)
        assert fast == careful
        assert [type(v) for v in fast] == [type(v) for v in careful]
    return fast


def test_every_record_factread_writes_takes_the_fast_path():
    for start, end in ((0, 1), (0, len(TEXT)), (5, 90), (len(TEXT) - 3, len(TEXT))):
        record = _base(start, end)
        record["note"] = 'nota "citada" \\ con\nsalto, 🦀 y \x07'
        record["links"] = [UUID, OTHER]
        record["modified"] = "2028-02-29T10:00:00.5Z"
        fast = _check(record)
        assert fast is not None and fast == _careful(record)


BAD_TIMES = st.one_of(
    st.sampled_from(["2026-02-29T10:00:00Z", "2024-02-29T23:59:59Z", "2026-04-31T00:00:00Z",
                     "2026-12-31T00:00:00.123456Z", "2026-12-31T00:00:00.1234567Z",
                     "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01 00:00:00Z"]),
    st.text(max_size=30))
BAD = {
    "id": st.sampled_from([UUID.upper(), UUID[:-1], UUID + "0", ""]),
    "article_sha256": st.sampled_from(["0" * 64, ARTICLE.sha256.upper(), "x"]),
    "article": st.one_of(st.sampled_from(["otro.txt", "", "../x", "a/b", ".", "\x1b",
                                          "n" * 201, "é" * 130]), st.text(max_size=20)),
    "start": st.integers(-3, len(TEXT) + 3),
    "end": st.integers(-3, len(TEXT) + 3),
    "quote": st.text(max_size=40),
    "prefix": st.text(max_size=40),
    "suffix": st.text(max_size=40),
    "tag": st.one_of(st.sampled_from(["Claim", "x" * 33, "a-b_9", "", "1a", "otra"]),
                     st.text(max_size=8)),
    "note": st.one_of(st.text(max_size=50), st.sampled_from(["n" * 100_001, "\ud800 x"])),
    "links": st.lists(st.sampled_from([UUID, OTHER, UUID.upper(), "x", ""]), max_size=3),
    "annotator": st.one_of(st.text(max_size=30), st.just("a" * 201)),
    "created": BAD_TIMES,
    "modified": BAD_TIMES,
}
"""For each field, values that may be wrong (or right: ``annotation_of`` must then agree)."""


ONE_WRONG = [
    ("id", UUID.upper()), ("id", UUID[:-1]), ("article_sha256", "0" * 64),
    ("article", "otro.txt"), ("article", "../x"), ("article", "n" * 201),
    ("article", "\x1b[2J"), ("start", 11), ("start", -1), ("end", 31), ("end", 10),
    ("end", len(TEXT) + 1), ("quote", "x" * 20), ("prefix", "x"), ("suffix", "x"),
    ("tag", "Claim"), ("tag", "x" * 33), ("tag", "otra"), ("note", "n" * 100_001),
    ("note", "\ud800 x"), ("links", [UUID.upper()]), ("links", [UUID] * 1_001),
    ("annotator", "a" * 201), ("created", "2026-02-29T10:00:00Z"),
    ("created", "2026-04-31T00:00:00Z"), ("created", "2024-02-29T10:00:00Z"),
    ("created", "2026-12-31T00:00:00.1234567Z"), ("modified", "2026-02-30T10:00:00Z"),
    ("modified", "2026-01-01 00:00:00Z"),
]


def test_one_wrong_field_is_decided_as_the_careful_path_decides():
    for field, value in ONE_WRONG:
        record = _base()
        record[field] = value
        fast = _check(record)  # agrees with the careful path where it gives an annotation
        careful = _careful(record)
        assert fast == careful or (fast is None and careful is not None), (field, value)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.integers(0, len(TEXT) - 1), length=st.integers(1, 60),
       note=st.text(max_size=50), annotator=st.text(max_size=30),
       broken=st.dictionaries(st.sampled_from(sorted(BAD)), st.none(), max_size=2),
       data=st.data())
def test_the_fast_path_agrees_with_the_careful_one(start, length, note, annotator, broken,
                                                  data):
    """A valid record (any note and name) with up to two fields made possibly wrong."""
    end = min(start + length, len(TEXT))
    record = create(text=TEXT, article_sha256=ARTICLE.sha256, article=ARTICLE.name,
                    start=start, end=end, tag="claim", annotator=annotator, note=note).to_dict()
    record["links"] = [OTHER]
    for field in broken:
        record[field] = data.draw(BAD[field], label=field)
    fast = _check(record)
    if not broken:
        assert fast is not None  # nothing wrong: the fast path is the one taken


def test_a_run_of_members_reads_as_one_record_each(db, sample, monkeypatch):
    """Members the quick pattern matches come to the reader as a run: the result, the
    journal's replacements and the limit on the count are those of reading them one by
    one (the careful way, without the quick pattern)."""
    from annotations import fileformat
    from annotations.fileformat import QUICK_MEMBERS, parse_contents
    from annotations.storage import read_records
    from annotations.store import AnnotationStore

    with AnnotationStore(db, "ana") as store:
        made = [store.add(sample[0], n * 10, n * 10 + 5, "claim") for n in range(6)]
    with AnnotationStore(db, "ana") as store:  # changes left in the journal, not folded
        store.apply(store.prepare_update(made[2].id, "note", note="journal"))
        store.apply(store.prepare_delete(made[4].id))
        store.close(fold=False)

    def read(members):
        contents = parse_contents(read_records(db, members=members), str(db))
        return (contents.annotations, contents.keys, contents.next_key,
                list(contents.by_key.items()))

    quick, careful = read(QUICK_MEMBERS), read(None)
    assert quick == careful
    assert quick[0][made[2].id].note == "journal" and made[4].id not in quick[0]
    assert list(quick[0]) == list(careful[0])
    with AnnotationStore(db, "ana") as store:  # the journal folded: one run, the last
        pass
    assert len(read(QUICK_MEMBERS)[0]) == 5
    monkeypatch.setattr(fileformat, "MAX_ANNOTATIONS", 4)
    for members in (QUICK_MEMBERS, None):
        with pytest.raises(InputError, match="more than 4 annotations"):
            read(members)


def _six_records(db, sample) -> tuple[dict, dict, list[str]]:
    """A file of six annotations, as its tables (to change), its annotations table and
    its record keys."""
    from annotations.storage import load_data
    from annotations.store import AnnotationStore

    with AnnotationStore(db, "ana") as store:
        for n in range(6):
            store.add(sample[0], n * 10, n * 10 + 5, "claim")
    data = load_data(db)
    return data, data["annotations"], list(data["annotations"])


def _problem_read(db, data: dict, members: str) -> str:
    """``data`` written as storage writes a file, then read: the problem named."""
    from annotations.fileformat import QUICK_MEMBERS, parse_contents
    from annotations.storage import dump, read_records

    db.write_bytes(dump(data))
    with pytest.raises(InputError) as raised:
        parse_contents(read_records(db, members=QUICK_MEMBERS if members == "quick" else None),
                       str(db))
    return str(raised.value)


@pytest.mark.parametrize("members", ["quick", "careful"])
@pytest.mark.parametrize("later", ["a wrong tag", "an unknown field", "none"])
def test_an_id_used_twice_is_named_before_any_later_problem(db, sample, members, later):
    """Annotations are added to the maps in bulk (``RecordReader.settle``), after the
    records that follow them were read: a problem in a later record must not hide the
    repeated id, which comes first in the file."""
    data, table, keys = _six_records(db, sample)
    table[keys[3]] = {**table[keys[3]], "id": table[keys[1]]["id"]}
    if later == "a wrong tag":
        table[keys[5]] = {**table[keys[5]], "tag": "no tag!"}
    elif later == "an unknown field":
        table[keys[5]] = {**table[keys[5]], "extra": 1}
    assert _problem_read(db, data, members) == (f"{db}: annotation record {keys[3]}: field 'id': "
                                 f"{table[keys[1]]['id']} is used twice")


def test_names_and_annotators_read_from_records_stay_shared_and_bounded(monkeypatch):
    """The decoded name and annotator of a record are remembered by their JSON form:
    escaped or not, the same value is one object; past the limit nothing more is
    remembered, and the values are still right."""
    from annotations import recordscan
    from annotations.recordscan import clear_values

    monkeypatch.setattr(recordscan, "_RAW_LIMIT", 3)
    monkeypatch.setattr(recordscan, "_NAME_OF", {})
    monkeypatch.setattr(recordscan, "_ANNOTATOR_OF", {})
    clear_values()
    found = []
    for n, who in enumerate(["ana", "\\u0061na", "ana", "bea", "cai", "dan", "eva"]):
        record = {**_base(n, n + 4), "annotator": "placeholder"}
        member = _member(str(n + 1), record).replace('"placeholder"', f'"{who}"')
        found.append(annotation_of(RECORD.fullmatch(member).groups(), ARTICLES))
    assert [ann.annotator for ann in found] == ["ana", "ana", "ana", "bea", "cai", "dan", "eva"]
    assert found[0].annotator is found[1].annotator is found[2].annotator
    assert len(recordscan._ANNOTATOR_OF) == 3 and len(recordscan._NAME_OF) == 1
    assert all(ann.article_sha256 is ARTICLE.sha256 for ann in found)


@pytest.mark.parametrize("members", ["quick", "careful"])
def test_a_link_that_does_not_link_back_is_named_at_its_record(db, sample, members):
    """Links are checked once everything is read, for the annotations that have them
    (picked out as runs are built): a one-way link is named at its record either way."""
    data, table, keys = _six_records(db, sample)
    table[keys[4]] = {**table[keys[4]], "links": [table[keys[2]]["id"]]}
    assert _problem_read(db, data, members) == (f"{db}: annotation record {keys[4]}: field 'links': "
                                 f"{table[keys[2]]['id']} does not link back (links are kept "
                                 "both ways)")
