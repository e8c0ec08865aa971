"""Whatever a colleague's file holds, importing it, reviewing it or opening it ends in
success or in one InputError line naming the file, and my file is left as it was."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.errors import InputError
from annotations.export import export
from annotations.importing import import_file
from annotations.review import ReviewSession
from annotations.store import AnnotationStore

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats()
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=12)


def one_line_naming(err: InputError, path) -> bool:
    return str(path) in str(err) and "\n" not in str(err)


def exported(tmp, sample, fmt: str) -> Any:
    with AnnotationStore(tmp / "source.json", "ana") as store:
        store.add(sample[0], 3, 30, "claim", "nota")
        b = store.add(sample[1], 10, 40, "unverified")
        store.apply(store.prepare_link(store.all()[0].id, b.id))
        export(store, fmt, tmp / f"x.{fmt}")
    text = (tmp / f"x.{fmt}").read_text(encoding="utf-8-sig")
    if fmt == "csv":
        return []
    return [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else json.loads(text)


def target(tmp, sample) -> tuple[AnnotationStore, bytes]:
    with AnnotationStore(tmp / "t.json", "me") as store:
        store.add_articles(sample)
        store.add(sample[0], 0, 5, "claim")
    return AnnotationStore(tmp / "t.json", "me"), (tmp / "t.json").read_bytes()


def check_import(tmp, sample, path) -> None:
    store, before = target(tmp, sample)
    try:
        import_file(store, path)
    except InputError as err:
        assert one_line_naming(err, path)
        store.close()
        assert (tmp / "t.json").read_bytes() == before
    else:
        store.close()


@SETTINGS
@given(st.data())
def test_a_jsonl_record_with_any_field_replaced(tmp_path_factory, sample, data):
    tmp = tmp_path_factory.mktemp("jsonl")
    records = exported(tmp, sample, "jsonl")
    record = data.draw(st.sampled_from(records))
    field = data.draw(st.sampled_from([*record, "extra"]))
    record[field] = data.draw(json_values)
    path = tmp / "hostile.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    check_import(tmp, sample, path)


@SETTINGS
@given(st.data())
def test_a_w3c_annotation_with_any_part_replaced(tmp_path_factory, sample, data):
    tmp = tmp_path_factory.mktemp("w3c")
    collection = exported(tmp, sample, "w3c")
    node = data.draw(st.sampled_from(collection["first"]["items"]))
    for _ in range(data.draw(st.integers(0, 3))):  # somewhere down the tree
        children = [k for k, v in node.items() if isinstance(v, dict)] if isinstance(
            node, dict) else []
        if not children:
            break
        node = node[data.draw(st.sampled_from(children))]
    if isinstance(node, dict) and node:
        node[data.draw(st.sampled_from(sorted(node)))] = data.draw(json_values)
    path = tmp / "hostile.json"
    path.write_text(json.dumps(collection), encoding="utf-8")
    check_import(tmp, sample, path)


@SETTINGS
@given(st.data())
def test_a_colleagues_factread_file_with_any_record_replaced(tmp_path_factory, sample, data):
    tmp = tmp_path_factory.mktemp("file")
    exported(tmp, sample, "jsonl")
    content = json.loads((tmp / "source.json").read_text(encoding="utf-8"))
    table = data.draw(st.sampled_from(sorted(content)))
    records = content[table]
    key = data.draw(st.sampled_from(sorted(records)))
    if isinstance(records[key], dict) and data.draw(st.booleans()):
        records[key][data.draw(st.sampled_from(sorted(records[key])))] = data.draw(json_values)
    else:
        records[key] = data.draw(json_values)
    path = tmp / "theirs.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    path.with_name("theirs.json-journal").unlink(missing_ok=True)
    check_import(tmp, sample, path)
    store, before = target(tmp, sample)
    try:
        ReviewSession(store, AnnotationStore(path, "x", read_only=True))
    except InputError as err:
        assert one_line_naming(err, path)
    finally:
        store.close()
    assert (tmp / "t.json").read_bytes() == before


@SETTINGS
@given(st.data())
def test_a_csv_cell_with_anything_in_it(tmp_path_factory, sample, data):
    import csv
    import io

    tmp = tmp_path_factory.mktemp("csv")
    exported(tmp, sample, "csv")
    rows = list(csv.reader(io.StringIO((tmp / "x.csv").read_text(encoding="utf-8-sig"),
                                       newline="")))
    row = rows[data.draw(st.integers(1, len(rows) - 1))]
    row[data.draw(st.integers(0, len(row) - 1))] = data.draw(
        st.text(max_size=40) | st.sampled_from(["-1", "0", "99999999", "²", "1e3", "'=1"]))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path = tmp / "hostile.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    check_import(tmp, sample, path)


@SETTINGS
@given(st.data())
def test_the_fast_record_check_and_the_one_that_names_the_problem_agree(tmp_path_factory, sample,
                                                                      data):
    """``valid_annotation`` (opening 300,000 annotations) and ``_checked`` (naming what is
    wrong) are two spellings of one rule: for any record, both refuse, or both build the
    same annotation."""
    from annotations.model import FIELDS, _checked, create, valid_annotation

    article = sample[0]
    good = create(text=article.text, article_sha256=article.sha256, article=article.name,
                  start=10, end=30, tag="claim", annotator="ana", note="nota").to_dict()
    record = dict(good)
    for name in data.draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True)):
        record[name] = data.draw(json_values | st.sampled_from(
            [good[name], 0, 31, "", "x" * 33, "2026-02-30T10:00:00Z", "2024-02-29T10:00:00Z",
             "a/b.txt", "a\u202eb", "\ud800", [], ["not-a-uuid"], article.text[10:30]]))
    for text in (article.text, None):
        if text is not None and record.get("article_sha256") != article.sha256:
            continue  # with the text, the caller found the article by this very SHA-256
        try:
            slow = _checked(record, "r", text)
        except InputError:
            slow = None
        assert valid_annotation(record, text) == slow, (record, text)
