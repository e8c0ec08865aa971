from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.csvsafe import COLUMNS, FREE_TEXT
from annotations.errors import InputError
from annotations.export import export
from annotations.importing import import_file, read_file
from annotations.store import AnnotationStore
from tests import w3c_check


def populate(store, sample):
    a = store.add(sample[0], sample[0].text.index("11 mil soldados"),
                  sample[0].text.index("11 mil soldados") + 15, "claim", "=SUM(A1:A9), \"cita\"\nlínea 2")
    b = store.add(sample[3], 40, 90, "contradiction", "-3,000 según otra fuente")
    c = store.add(sample[0], 0, 30, "unverified")
    d = store.add(sample[0], 100, 400, "claim")  # crosses a newline (brat fragments)
    store.apply(store.prepare_link(a.id, b.id))  # across articles
    store.apply(store.prepare_link(a.id, c.id))  # inside one article
    return [store.get(x.id) for x in (a, b, c, d)]


def target_with_articles(path, sample):
    store = AnnotationStore(path, "other")
    store.add_articles(sample)
    return store


def as_dicts(anns):
    return sorted((a.to_dict() for a in anns), key=lambda d: d["id"])


@pytest.mark.parametrize("fmt", ["csv", "w3c", "jsonl"])
def test_round_trip_gives_back_the_same_annotations(fmt, tmp_path, db, sample):
    with AnnotationStore(db, "ana") as store:
        original = populate(store, sample)
        out = tmp_path / f"out.{'json' if fmt == 'w3c' else fmt}"
        assert export(store, fmt, out).count == 4
    with target_with_articles(tmp_path / "t.json", sample) as target:
        plan = import_file(target, out)
        assert len(plan.added) == 4 and not plan.unplaced
        assert as_dicts(target.all()) == as_dicts(original)
        again = import_file(target, out)  # twice adds nothing
        assert again.added == [] and again.present == 4 and len(target) == 4


def test_a_colleagues_factread_file_brings_its_articles(tmp_path, db, sample):
    with AnnotationStore(db, "ana") as store:
        original = populate(store, sample)
    before = db.read_bytes()
    with AnnotationStore(tmp_path / "mine.json", "me") as mine:
        plan = import_file(mine, db)
        assert len(plan.added) == 4
        assert as_dicts(mine.all()) == as_dicts(original)
        assert {sample[0].sha256, sample[3].sha256} <= set(mine.articles)
    assert db.read_bytes() == before


def test_csv_is_excel_friendly_rfc4180_and_formula_safe(tmp_path, db, sample):
    with AnnotationStore(db, "=cmd|' /C calc'!A0") as store:
        populate(store, sample)
        out = tmp_path / "out.csv"
        export(store, "csv", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    # Header and four records end in CRLF; the note's own line break stays a bare LF.
    assert raw.endswith(b"\r\n") and raw.count(b"\r\n") == 5
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == COLUMNS
    for row in rows[1:]:
        for name, cell in zip(COLUMNS, row, strict=True):
            if name in FREE_TEXT:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
    notes = {row[COLUMNS.index("note")] for row in rows[1:]}
    assert "'=SUM(A1:A9), \"cita\"\nlínea 2" in notes and "'-3,000 según otra fuente" in notes
    assert all(row[COLUMNS.index("annotator")].startswith("'=cmd") for row in rows[1:])


def test_csv_rows_end_in_crlf(tmp_path, db, sample):
    with AnnotationStore(db, "ana") as store:
        store.add(sample[0], 0, 10, "claim", "simple")
        out = tmp_path / "out.csv"
        export(store, "csv", out)
    lines = out.read_bytes().split(b"\r\n")
    assert len(lines) == 3 and lines[-1] == b""


risky = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).map(
    lambda s: s) | st.sampled_from(["=1+1", "+x", "-x", "@x", "\tx", "\rx", "\nx", "'x", "''x", "'"])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=risky, annotator=risky)
def test_csv_export_then_import_gives_back_every_string(tmp_path_factory, sample, note,
                                                        annotator):
    tmp = tmp_path_factory.mktemp("prop")
    from annotations.text import normalise

    note, annotator = note[:1000], annotator[:200]
    with AnnotationStore(tmp / "a.json", annotator) as store:
        ann = store.add(sample[2], 5, 25, "claim", note)
        export(store, "csv", tmp / "out.csv")
    with target_with_articles(tmp / "b.json", sample) as target:
        import_file(target, tmp / "out.csv")
        back = target.get(ann.id)
        assert back.note == note and back.annotator == annotator
        assert back == ann
    assert normalise(note) is not None


def test_w3c_export_passes_the_w3c_test_suite(tmp_path, db, sample):
    with AnnotationStore(db, "ana") as store:
        populate(store, sample)
        export(store, "w3c", tmp_path / "w3c.json")
    collection = json.loads((tmp_path / "w3c.json").read_text())
    page = collection["first"]
    items = page["items"]
    assert len(items) == 4 == collection["total"]  # total was once written as 0
    for item in items:
        assert w3c_check.problems(item, w3c_check.ANNOTATION) == []
    assert w3c_check.problems(collection, w3c_check.COLLECTION) == []
    assert w3c_check.problems({"@context": collection["@context"], **page},
                              w3c_check.PAGE) == []
    data = json.loads((tmp_path / "w3c.json").read_text())
    item = next(i for i in data["first"]["items"] if len(i["body"]) > 2)
    purposes = [b["purpose"] for b in item["body"]]
    assert purposes[0] == "tagging" and "commenting" in purposes and "linking" in purposes
    assert item["target"]["source"].startswith("urn:sha256:")


def test_brat_offsets_slice_the_text_and_cross_article_links_become_comments(tmp_path, db,
                                                                              sample):
    with AnnotationStore(db, "ana") as store:
        populate(store, sample)
        result = export(store, "brat", tmp_path / "brat")
    assert any("cannot be expressed in brat" in w for w in result.warnings)
    text = (tmp_path / "brat" / "000_9f74428a1fed262a.txt").read_text(encoding="utf-8")
    assert text == sample[0].text
    lines = (tmp_path / "brat" / "000_9f74428a1fed262a.ann").read_text().splitlines()
    t_lines = [line for line in lines if line.startswith("T")]
    for line in t_lines:
        _, spec, quote = line.split("\t")
        spans = [tuple(map(int, part.split()[-2:])) for part in spec.split(";")]
        assert " ".join(text[s:e] for s, e in spans) == quote
    assert any(";" in line.split("\t")[1] for line in t_lines)  # fragment across a newline
    assert sum(line.startswith("R") for line in lines) == 1
    assert any("AnnotatorNotes" in line and "linked to 003_" in line for line in lines)


def test_hypothesis_style_annotations_are_placed_by_quote(tmp_path, sample):
    quote = "Rusia no ha confirmado la presencia"
    hypo = {"rows": [
        {"id": "abc123", "created": "2024-11-29T12:00:00.123456+00:00",
         "updated": "2024-11-30T08:00:00+00:00", "user": "acct:maria@hypothes.is",
         "text": "¿Fuente?", "tags": ["Unverified"],
         "target": [{"source": "https://example.org/noticia", "selector": [
             {"type": "TextPositionSelector", "start": 1, "end": 5},
             {"type": "TextQuoteSelector", "exact": quote, "prefix": "bajas. ", "suffix": " de"}]}]},
        {"id": "zzz", "target": [{"source": "https://x", "selector": [
            {"type": "TextQuoteSelector", "exact": "texto que no está en ningún artículo"}]}]},
    ]}
    path = tmp_path / "hypothesis.json"
    path.write_text(json.dumps(hypo), encoding="utf-8")
    with target_with_articles(tmp_path / "t.json", sample) as target:
        plan = import_file(target, path)
        (ann,) = plan.added
        assert ann.quote == quote and ann.article == sample[0].name
        assert sample[0].text[ann.start:ann.end] == quote
        assert (ann.tag, ann.note, ann.annotator) == ("unverified", "¿Fuente?", "maria")
        assert ann.created == "2024-11-29T12:00:00.123Z"
        ((_, why),) = plan.unplaced
        assert why.startswith("page 'https://x' is not in the file; give it with --articles")
        assert "found in no other article" in why
        assert import_file(target, path).present == 1


@pytest.mark.parametrize("name, content, message", [
    ("bad.csv", "id,article\r\nx,y\r\n", "line 1: not factread's CSV header"),
    ("short.csv", ",".join(COLUMNS) + "\r\na,b,c\r\n", "line 2: 3 fields, expected 18"),
    ("offset.csv", ",".join(COLUMNS) + "\r\n" + ",".join(["x"] * 18) + "\r\n",
     "line 2: field 'start'"),
    ("super.csv", ",".join(COLUMNS) + "\r\n" + ",".join(["x"] * 4 + ["\u00b2"] + ["x"] * 13)
     + "\r\n", "line 2: field 'start'"),
    ("huge.csv", ",".join(COLUMNS) + "\r\n" + ",".join(["x"] * 4 + ["1", "9" * 5000]
                                                       + ["x"] * 12) + "\r\n",
     "line 2: field 'end'"),
    ("bad.json", "{not json", "malformed JSON at line 1"),
    ("deep.json", "[" * 50000 + "]" * 50000, "nesting too deep"),
    pytest.param("number.jsonl", '{"id": "x", "start": ' + "9" * 5000 + "}\n",
                 "line 1: malformed JSON (Exceeds the limit (4300 digits)", id="huge number"),
    ("other.json", '{"hello": 1}', "neither a factread file nor W3C"),
    ("lines.jsonl", '{"id": "x"}\n[1]\n', "line 2: expected an object"),
    ("latin1.csv", "caf\xe9".encode("latin-1"), "found 1 column (café); expected id,"),
])
def test_malformed_imports_are_refused_in_one_line_and_touch_nothing(tmp_path, sample, name,
                                                                     content, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with target_with_articles(tmp_path / "t.json", sample) as target:
        target.add(sample[0], 0, 5, "claim")
    before = (tmp_path / "t.json").read_bytes()
    with AnnotationStore(tmp_path / "t.json", "x") as target:
        with pytest.raises(InputError) as err:
            import_file(target, path)
        assert message in str(err.value) and str(path) in str(err.value)
        assert "\n" not in str(err.value)
    assert (tmp_path / "t.json").read_bytes() == before


def test_records_of_any_shape_are_checked_and_placed_not_trusted(tmp_path, db, sample):
    """A record in factread's form takes the fast path only if it fits the article as it
    is; otherwise it is placed by quote and given this file's name and context."""
    with AnnotationStore(db, "ana") as store:
        populate(store, sample)
        export(store, "jsonl", tmp_path / "x.jsonl")
    records = [json.loads(line) for line in (tmp_path / "x.jsonl").read_text().splitlines()]
    records[0]["article_sha256"] = ["not", "hashable"]  # placed by quote instead
    records[1]["article"] = "renamed.txt"  # takes this file's name for the article
    records[2]["prefix"] = "someone else's context"
    (tmp_path / "y.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    with target_with_articles(tmp_path / "t.json", sample) as target:
        plan = import_file(target, tmp_path / "y.jsonl")
        assert len(plan.added) == len(records) and not plan.unplaced
        for ann, record in zip(sorted(plan.added, key=lambda a: a.id),
                               sorted(records, key=lambda r: r["id"]), strict=True):
            article = target.articles[ann.article_sha256]
            assert article.text[ann.start:ann.end] == ann.quote == record["quote"]
            assert ann.article == article.name
            assert (ann.prefix, ann.suffix) == (
                article.text[max(0, ann.start - 32):ann.start], article.text[ann.end:ann.end + 32])


def test_all_or_nothing_when_a_later_record_is_bad(tmp_path, db, sample):
    with AnnotationStore(db, "ana") as store:
        populate(store, sample)
        export(store, "jsonl", tmp_path / "x.jsonl")
    lines = (tmp_path / "x.jsonl").read_text().splitlines()
    bad = json.loads(lines[-1])
    bad["tag"] = "Not A Tag"
    (tmp_path / "x.jsonl").write_text("\n".join([*lines[:-1], json.dumps(bad)]) + "\n")
    with target_with_articles(tmp_path / "t.json", sample) as target:
        with pytest.raises(InputError, match="line 4: field 'tag'"):
            import_file(target, tmp_path / "x.jsonl")
        assert len(target) == 0


def test_size_limit(tmp_path, db, sample):
    with AnnotationStore(db, "ana") as store:
        populate(store, sample)
        export(store, "jsonl", tmp_path / "x.jsonl")
    with pytest.raises(InputError, match="more than the 100 allowed"):
        read_file(tmp_path / "x.jsonl", max_bytes=100)


def test_export_filters_by_article_and_tag(tmp_path, db, sample):
    with AnnotationStore(db, "ana") as store:
        populate(store, sample)
        assert export(store, "jsonl", tmp_path / "a", article=sample[0].name).count == 3
        assert export(store, "jsonl", tmp_path / "b", tag="claim").count == 2
        with pytest.raises(InputError, match="no such article"):
            export(store, "jsonl", tmp_path / "c", article="nope.txt")


def test_w3c_items_is_a_plain_array_that_passes_the_suite_and_imports_back(tmp_path, db,
                                                                            sample):
    with AnnotationStore(db, "ana") as store:
        original = populate(store, sample)
        export(store, "w3c-items", tmp_path / "items.json")
    items = json.loads((tmp_path / "items.json").read_text())
    assert isinstance(items, list) and len(items) == 4
    for item in items:
        assert item["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert item["creator"]["id"].startswith("urn:uuid:")
        assert w3c_check.problems(item, w3c_check.ANNOTATION) == []
    with target_with_articles(tmp_path / "t.json", sample) as target:
        import_file(target, tmp_path / "items.json")
        assert as_dicts(target.all()) == as_dicts(original)
