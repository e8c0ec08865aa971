"""The record-at-a-time JSON reader accepts what json.loads accepts, and says where not."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import jsonstream

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8)
documents = st.dictionaries(st.text(max_size=8),
                            st.dictionaries(st.text(max_size=6), values, max_size=4),
                            max_size=4)


def rebuilt(text: str) -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = {}
    for table, key, record in jsonstream.tables(text):
        if key is None:
            data[table] = {}
        else:
            data[table][key] = record
    return data


@settings(max_examples=300, deadline=None)
@given(documents, st.sampled_from([None, 0, 2]), st.booleans())
def test_tables_read_back_what_json_wrote(doc, indent, ascii_only):
    text = json.dumps(doc, indent=indent, ensure_ascii=ascii_only)
    assert rebuilt(text) == json.loads(text)
    assert rebuilt(f" \n\t{text}\r\n ") == doc


@settings(max_examples=500, deadline=None)
@given(documents, st.data())
def test_a_cut_or_changed_document_is_refused_where_json_refuses_it(doc, data):
    text = json.dumps(doc)
    at = data.draw(st.integers(0, len(text)))
    broken = data.draw(st.sampled_from([text[:at], text[:at] + "," + text[at:],
                                        text[:at] + "}" + text[at:]]))
    try:
        expected = json.loads(broken)
    except json.JSONDecodeError:
        expected = None
    if not isinstance(expected, dict) or not all(isinstance(t, dict) for t in expected.values()):
        with pytest.raises(jsonstream.StreamError):
            rebuilt(broken)
    else:
        assert rebuilt(broken) == expected


@pytest.mark.parametrize(("text", "problem"), [
    ('{"a": {"1": 1, "1": 2}}', "key '1' appears twice"),
    ('{"a": {}, "a": {}}', "key 'a' appears twice"),
    ('{"a": {"1": 1,}}', "expecting property name"),
    ('{"a": {"1": }}', "expecting value"),
    ('{"a": 1}', "table 'a' is not an object"),
    ('{"a": {}} x', "extra data"),
    ('{"a": {"1": 1}', "expecting ','"),
])
def test_problems_are_named_with_their_line_and_column(text, problem):
    with pytest.raises(jsonstream.StreamError, match=problem) as caught:
        rebuilt(text)
    assert caught.value.line == 1 and caught.value.column >= 1


def walked(walker: jsonstream.Walker) -> object:
    """The whole document through the walker's members/elements, as the importer walks."""
    start = walker.peek()
    if start == "{":
        return {key: walked(walker) for key in walker.members()}
    if start == "[":
        return [walked(walker) for _ in walker.elements()]
    return walker.value()


@settings(max_examples=300, deadline=None)
@given(values, st.integers(1, 9), st.sampled_from([None, 1]), st.booleans())
def test_the_windowed_walker_reads_what_json_wrote_whatever_the_window(doc, window, indent,
                                                                       ascii_only):
    """Windows of a few bytes cut numbers, strings and multi-byte characters anywhere."""
    import io

    text = json.dumps(doc, indent=indent, ensure_ascii=ascii_only) + "\n"
    seen: list[bytes] = []
    walker = jsonstream.Walker(io.BytesIO(text.encode("utf-8")), seen.append)
    walker.CHUNK = window
    walker.text, walker.pos = "", 0  # start again with the small window
    walker._stream.seek(0)
    walker._eof = False
    seen.clear()
    assert walked(walker) == doc
    walker.end()
    assert b"".join(seen) == text.encode("utf-8")


@pytest.mark.parametrize("text", ['{"a": [1, 2', '[1, 2,]', '{"a" 1}', '[1] 2', '"abc',
                                  '{"a": 1, "a": 2}'])
def test_the_walker_refuses_what_json_refuses(text):
    import io

    walker = jsonstream.Walker(io.BytesIO(text.encode()))
    walker.CHUNK = 2
    with pytest.raises(jsonstream.StreamError):
        walked(walker)
        walker.end()


class _Handover:
    """Takes over table ``table`` from ``at``, handing over ``found``."""

    def __init__(self, table: str, at: int, found: tuple[int, object] | None) -> None:
        self.table, self.at, self.found, self.taken = table, at, found, 0

    def take(self) -> tuple[int, object] | None:
        self.taken += 1
        return self.found


DOC = '{"a":{"1":{"x":"},\\"2\\":{"},"2":[1],"3":{"y":2}},"b":{"9":0}}'


def test_a_handover_ends_its_table_where_its_part_begins():
    at = DOC.index('"2":[1]')
    end = DOC.index(',"b"')
    handover = _Handover("a", at, (end, "their part"))
    got = list(jsonstream.tables(DOC, handover=handover))
    assert got == [("a", None, None), ("a", "1", {"x": '},"2":{'}), ("a", "", "their part"),
                   ("b", None, None), ("b", "9", 0)]
    assert handover.taken == 1


def test_what_is_not_handed_over_is_read_here():
    plain = list(jsonstream.tables(DOC))
    refused = _Handover("a", DOC.index('"2":[1]'), None)
    assert list(jsonstream.tables(DOC, handover=refused)) == plain
    assert refused.taken == 1
    never = _Handover("a", DOC.index('"2\\":{'), (0, "wrong"))  # inside a string
    assert list(jsonstream.tables(DOC, handover=never)) == plain
    assert never.taken == 0


def test_a_quick_pattern_yields_its_groups_and_the_rest_is_parsed():
    import re

    quick = re.compile(r'"([0-9]+)":\[([0-9]+)\]')
    got = list(jsonstream.tables(DOC, members={"a": quick}))
    assert got[2] == ("a", "", [("2", "1")])  # matched: a run of their groups
    assert type(got[2][2]) is jsonstream.Run
    assert got[1] == ("a", "1", {"x": '},"2":{'}) and got[3] == ("a", "3", {"y": 2})
    with pytest.raises(jsonstream.StreamError):  # a key repeated after a match is still seen
        list(jsonstream.tables('{"a":{"2":[1],"2":[1]}}', members={"a": quick}))
    members = jsonstream.members_from(DOC, DOC.index('"2":[1]'), quick)
    assert next(members) == ("", [("2", "1")])
    assert next(members) == ("3", {"y": 2})
    with pytest.raises(StopIteration) as stop:
        next(members)
    assert stop.value.value == DOC.index(',"b"')


def test_a_run_of_quick_members_ends_where_they_stop_matching(monkeypatch):
    """Runs hold at most RUN members, end before a member the pattern does not match or a
    key seen before, and at a hand-over's place; a member cut short is still refused."""
    import re

    monkeypatch.setattr(jsonstream, "RUN", 2)
    quick = re.compile(r'"([0-9]+)":\[([0-9]+)\]')
    doc = '{"a":{"1":[1],"2":[2],"3":[3],"4":{"x":4},"5":[5],"6":[6]},"b":{}}'
    got = list(jsonstream.tables(doc, members={"a": quick}))
    assert got == [("a", None, None), ("a", "", [("1", "1"), ("2", "2")]), ("a", "", [("3", "3")]),
                   ("a", "4", {"x": 4}), ("a", "", [("5", "5")]), ("a", "6", [6]),
                   ("b", None, None)]  # the table's last member, followed by no comma, parsed
    handover = _Handover("a", doc.index('"2":[2]'), (doc.index(',"b"'), "theirs"))
    got = list(jsonstream.tables(doc, members={"a": quick}, handover=handover))
    assert got == [("a", None, None), ("a", "", [("1", "1")]), ("a", "", "theirs"),
                   ("b", None, None)]
    with pytest.raises(jsonstream.StreamError, match="expecting ',' delimiter"):
        list(jsonstream.tables('{"a":{"1":[1] "2":[2]}}', members={"a": quick}))
    with pytest.raises(jsonstream.StreamError, match="appears twice"):
        list(jsonstream.tables('{"a":{"1":[1],"1":[2]}}', members={"a": quick}))


def test_members_in_a_row_take_spaces_and_leave_a_repeated_key_to_the_parser():
    """The engine's run of comma-ended members (``_in_a_row``): spaces around commas, the
    table's last member parsed, a key repeated inside a run or before it refused."""
    import re

    quick = re.compile(r'"([0-9]+)":\[([0-9]+)\]')
    doc = '{"a":{"1":[1] ,\n "2":[2],"3":[3]\t}}'
    assert list(jsonstream.tables(doc, members={"a": quick})) == [
        ("a", None, None), ("a", "", [("1", "1"), ("2", "2")]), ("a", "3", [3])]
    with pytest.raises(jsonstream.StreamError, match="'1' appears twice"):
        list(jsonstream.tables('{"a":{"1":[1],"2":[2],"1":[3],"4":[4]}}', members={"a": quick}))
    with pytest.raises(jsonstream.StreamError, match="'2' appears twice"):
        list(jsonstream.tables('{"a":{"2":{"x":0},"1":[1],"2":[2],"4":[4]}}',
                               members={"a": quick}))


def test_a_repeated_key_stops_the_runs_of_its_object(monkeypatch):
    """Found in a run, it leaves the rest of the object to the parser, which refuses it:
    matching a run again from each member up to it would scan the same members over and
    over (RUN x RUN of them in a hostile file)."""
    import re

    quick = re.compile(r'"([0-9]+)":\[([0-9]+)\]')
    real = jsonstream._in_a_row(quick)
    assert real is not None
    scans: list[int] = []

    def counted(text: str, pos: int, within: int):
        scans.append(pos)
        return real(text, pos, within)

    monkeypatch.setattr(jsonstream, "_in_a_row", lambda pattern: counted)
    members = ",".join(f'"{n}":[{n}]' for n in range(1, 200))
    with pytest.raises(jsonstream.StreamError, match="'100' appears twice"):
        list(jsonstream.tables('{"a":{' + members.replace('"150"', '"100"') + "}}",
                               members={"a": quick}))
    assert len(scans) == 1


_QUICK = r'"([0-9]+)":\[([0-9]+)\]'
members_list = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 99),
                                  st.sampled_from(["", " ", "\n\t"]), st.booleans()),
                        max_size=12)


def _read_as_records(text: str, quick: bool) -> tuple[list[tuple[str, str | None, object]],
                                                        str | None]:
    """What ``tables`` gives, a quick pattern's runs expanded into the records they stand
    for, and the problem it stopped at."""
    import re

    found: list[tuple[str, str | None, object]] = []
    try:
        for table, key, record in jsonstream.tables(
                text, members={"a": re.compile(_QUICK)} if quick else None):
            if key == "":
                found.extend((table, groups[0], [int(groups[1])]) for groups in record)
            else:
                found.append((table, key, record))
    except jsonstream.StreamError as err:
        return found, str(err)
    return found, None


@settings(max_examples=400, deadline=None)
@given(members_list, st.data())
def test_a_quick_pattern_reads_what_the_parser_reads(members, data):
    """Members in a row, one at a time or parsed: the same records and the same problem,
    with spaces around the commas, keys repeated, and documents cut or changed."""
    parts = [f'"{key}":' + (f'{{"x":{value}}}' if parsed else f"[{value}]") + space
             for key, value, space, parsed in members]
    text = '{"a":{' + ",".join(parts) + '},"b":{"1":[1]}}'
    at = data.draw(st.integers(0, len(text)))
    text = data.draw(st.sampled_from([text, text[:at], text[:at] + "," + text[at:],
                                      text[:at] + "}" + text[at:]]))
    assert _read_as_records(text, quick=True) == _read_as_records(text, quick=False)
