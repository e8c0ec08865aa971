"""A large file's annotations read on two cores (``splitread``) give exactly what one
process reads: the same contents in the same order, the same message for the same
problem, and one process reading on its own whenever the child cannot help."""

from __future__ import annotations

import json
import marshal
import os
import re
import time
from pathlib import Path

import pytest

from annotations import splitread
from annotations.errors import InputError
from annotations.store import AnnotationStore
from tests.annotations.forked import descriptors_left

NOTES = ["", "nota", 'comillas " y \\ barra', "línea\nnueva\ttab", "\x1b[31mrojo\x1b[0m",
         "emoji 🦀 y \u202etexto", "ñandú " * 40, "\u00a0espacio duro"]


@pytest.fixture
def splits(monkeypatch):
    """Files of any size split; each Split's ``take`` recorded (True: it handed over)."""
    monkeypatch.setattr(splitread, "MIN_CHARACTERS", 0)
    monkeypatch.setattr(splitread, "cores", lambda: 2)  # as on a one-core runner too
    taken: list[bool] = []
    take = splitread.Split.take

    def recorded(self):
        found = take(self)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(splitread.Split, "take", recorded)
    return taken


def _fill(db: Path, sample, count: int = 240) -> None:
    """A file as factread writes it, with every kind of value a record holds: two
    annotators, escapes, non-ASCII and astral text, links, edited notes, all the tags."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(splitread, "MIN_CHARACTERS", 10**15)  # only the tests' reads split
        _write(db, sample, count)


def _write(db: Path, sample, count: int) -> None:
    tags = ("claim", "unverified", "contradiction")
    with AnnotationStore(db, "ana") as store:
        store.add_articles(sample)
        made = []
        for n in range(count // 2):
            article = sample[n % len(sample)]
            start = (n * 37) % (len(article.text) - 80)
            made.append(store.add(article, start, start + 1 + n % 60, tags[n % 3],
                                  note=NOTES[n % len(NOTES)]))
        for a, b in zip(made[::7], made[3::7], strict=False):
            store.apply(store.prepare_link(a.id, b.id))
        for ann in made[::5]:
            store.apply(store.prepare_update(ann.id, "note", note=ann.note + " (revisada)"))
    with AnnotationStore(db, "beto \u00e9 <b>") as store:
        for n in range(count - count // 2):
            article = sample[(n + 2) % len(sample)]
            start = (n * 53) % (len(article.text) - 80)
            store.add(article, start, start + 2 + n % 40, tags[(n + 1) % 3],
                      note=NOTES[(n + 3) % len(NOTES)])


def _state(store: AnnotationStore) -> tuple:
    return (store.meta, sorted(store.articles), store.all(), dict(store.reviews),
            list(store._keys.items()), dict(store._next_key),
            [a.id for a in store._by_id.values()])


def _read(db: Path, monkeypatch, *, split: bool) -> AnnotationStore:
    monkeypatch.setattr(splitread, "MIN_CHARACTERS", 0 if split else 10**15)
    monkeypatch.setattr(splitread, "cores", lambda: 2)
    return AnnotationStore(db, "ana", read_only=True, snapshot=False)


def _problem(db: Path, monkeypatch, *, split: bool) -> str:
    with pytest.raises(InputError) as err:
        _read(db, monkeypatch, split=split)
    return str(err.value)


def _boundary(text: str) -> int:
    at = splitread.boundary(text)
    assert at is not None
    return at


def _records(text: str) -> list[re.Match[str]]:
    return list(re.finditer(r'"([0-9]+)":(\{"id":"[^"]+",.*?"modified":"[^"]+"\})', text))


def test_a_split_read_gives_what_one_process_reads(db, sample, splits, monkeypatch):
    _fill(db, sample)
    assert _boundary(db.read_text()) > db.read_text().index('"annotations"')
    split = _read(db, monkeypatch, split=True)
    assert splits == [True]  # the child's part was handed over, not read again here
    alone = _read(db, monkeypatch, split=False)
    assert splits == [True]  # no child at all
    assert _state(split) == _state(alone)
    assert len(split) == 240
    by_id = {a.id: a for a in split.all()}
    assert {a.note for a in by_id.values()} >= {n + " (revisada)" for n in NOTES[1:3]}
    # what was read is what was written: the file read as plain JSON agrees on every value
    plain = json.loads(db.read_text())["annotations"]
    assert {rec["id"]: rec for rec in plain.values()} == {
        i: a.to_dict() for i, a in by_id.items()}
    # the child's values held by many annotations come here as one object each, as this
    # process's own do (at most two objects per value: one from each process)
    for field in ("article_sha256", "article", "tag", "annotator"):
        values = [getattr(a, field) for a in split.all()]
        assert len(set(map(id, values))) <= 2 * len(set(values)), field


def test_a_changed_split_read_file_saves_and_opens_again(db, sample, splits, monkeypatch):
    _fill(db, sample, count=120)
    with AnnotationStore(db, "ana", snapshot=False) as store:
        assert splits == [True]
        last = store.all()[-1]
        store.apply(store.prepare_delete(last.id))
        added = store.add(sample[0], 5, 9, "claim", note="después")
    again = _read(db, monkeypatch, split=False)
    assert again.get(last.id) is None and again.get(added.id) == added
    assert len(again) == 120


def test_a_journal_with_changes_is_read_in_one_process(db, sample, splits, monkeypatch):
    _fill(db, sample, count=120)
    store = AnnotationStore(db, "ana", snapshot=False)
    splits.clear()
    store.add(sample[1], 1, 4, "claim")  # in the journal, not folded: the file is "crashed"
    reread = _read(db, monkeypatch, split=True)
    assert splits == []  # the journal may replace records on the child's side
    assert len(reread) == 121
    store.close()


def test_a_problem_in_the_childs_part_is_named_as_one_process_names_it(db, sample, splits,
                                                                      monkeypatch):
    _fill(db, sample)
    text = db.read_text()
    late = [m for m in _records(text) if m.start() > _boundary(text)]
    victim = late[len(late) // 2]
    broken = text[:victim.start(2)] + victim.group(2).replace('"tag":"', '"tag":"X', 1) \
        + text[victim.end(2):]
    db.write_text(broken)
    message = _problem(db, monkeypatch, split=True)
    assert splits == [False]
    assert message == _problem(db, monkeypatch, split=False)
    assert f"annotation record {victim.group(1)}" in message and "tag" in message


@pytest.mark.parametrize("what", ["id", "key"])
def test_an_id_or_key_in_both_parts_is_named_as_one_process_names_it(db, sample, splits,
                                                                    monkeypatch, what):
    """Each part is sound on its own; only the two together repeat something."""
    _fill(db, sample)
    text = db.read_text()
    at = _boundary(text)
    records = _records(text)
    early = next(m for m in records if m.end() < at)
    late = [m for m in records if m.start() > at][3]
    if what == "id":  # the late record takes the early one's id
        early_id = json.loads(early.group(2))["id"]
        replaced = re.sub(r'"id":"[^"]+"', f'"id":"{early_id}"', late.group(2), count=1)
        broken = text[:late.start(2)] + replaced + text[late.end(2):]
    else:  # the late record takes the early one's key
        broken = text[:late.start(1)] + early.group(1) + text[late.end(1):]
    db.write_text(broken)
    message = _problem(db, monkeypatch, split=True)
    assert message == _problem(db, monkeypatch, split=False)
    assert ("used twice" in message) if what == "id" else ("twice" in message or
                                                             "duplicate" in message)


def test_a_boundary_inside_a_record_is_never_handed_over(db, sample, splits, monkeypatch):
    """A hand-made file where what looks like the end of one record and the start of the
    next is inside a record (an unknown field holding objects): this process's parse never
    stands there, so the child's reading is thrown away and the problem named as always."""
    _fill(db, sample, count=60)
    text = db.read_text()
    records = _records(text)
    victim = records[len(records) // 2]
    fake = '"extra":{"a":{},"99":{"id":"x"}},'
    broken = text[:victim.start(2) + 1] + fake + text[victim.start(2) + 1:]
    db.write_text(broken)
    inside = broken.index('"99":{"id":"x"')
    looks_like = splitread._BOUNDARY.match(broken, inside - 2)  # "{}" then ,"99":{"id":"
    assert looks_like is not None and looks_like.start(1) == inside
    monkeypatch.setattr(splitread, "boundary", lambda text: inside)
    message = _problem(db, monkeypatch, split=True)
    assert splits == []  # the hand-over point was never reached: nothing taken
    assert message == _problem(db, monkeypatch, split=False)
    assert f"annotation record {victim.group(1)}" in message


def test_the_childs_part_is_a_share_of_the_annotations_not_of_the_articles():
    """Long articles and few annotations: most of the text comes before the annotations
    table, and a share of the whole text would leave nearly all of them to the child."""
    members = ",".join(f'"{n}":{{"id":"{n:08d}-0000-4000-8000-000000000000"}}'
                       for n in range(1, 1001))
    text = ('{"meta":{},"articles":{"1":{"text":"' + "x" * 1_000_000 + '"}},'
            '"annotations":{' + members + "}}")
    begin = text.index('"annotations":{') + len('"annotations":{')
    at = _boundary(text)
    assert begin + (len(text) - begin) * splitread.SHARE <= at < begin + (len(text) - begin) * 0.65
    assert text[at - 2:at] == "},"
    assert splitread.boundary('{"meta":{},"articles":{}}') is None  # no annotations table


def _child_fails(monkeypatch, how: str) -> None:
    def failing(text: str, at: int) -> tuple[bytes, bytes, bytes]:
        if how == "raises":
            raise ValueError("no")
        if how == "dies":
            os._exit(3)
        if how == "garbage":
            return b"\x00not marshal", b"\x00", b"\x00"
        if how == "columns of garbage":  # a sound head, then columns that are not
            return marshal.dumps((len(text) - 2, ["1"])), marshal.dumps(((),)), b"\x00"
        time.sleep(60)  # "hangs"
        return b"", b"", b""

    monkeypatch.setattr(splitread, "_read_from", failing)


@pytest.mark.parametrize("how", ["raises", "dies", "garbage", "columns of garbage", "hangs"])
def test_a_child_that_cannot_help_leaves_the_reading_to_this_process(db, sample, splits,
                                                                    monkeypatch, how):
    _fill(db, sample, count=120)
    expected = _state(_read(db, monkeypatch, split=False))
    _child_fails(monkeypatch, how)
    monkeypatch.setattr(splitread, "WAIT_S", 0.5)
    monkeypatch.setattr(splitread, "WAIT_FACTOR", 0.0)
    started = time.monotonic()
    got = _read(db, monkeypatch, split=True)
    assert time.monotonic() - started < 20
    assert splits == [False]
    assert _state(got) == expected


def test_a_process_on_one_core_reads_alone(db, sample, monkeypatch):
    """A child there would only take turns with this process, and cost the hand-over."""
    _fill(db, sample, count=60)
    text = db.read_text()
    monkeypatch.setattr(splitread, "MIN_CHARACTERS", 0)
    forked: list[object] = []
    monkeypatch.setattr(splitread.descriptors, "child", lambda *a, **k: forked.append(a) or 0)
    monkeypatch.setattr(splitread, "cores", lambda: 1)
    assert splitread.Split.start(text) is None
    assert forked == []
    monkeypatch.setattr(splitread, "cores", lambda: 2)
    split = splitread.Split.start(text)
    assert split is not None and len(forked) == 1
    split.close()


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity here")
def test_the_cores_are_those_this_process_may_run_on(monkeypatch, tmp_path):
    monkeypatch.setattr(splitread, "CPU_MAX", tmp_path / "cpu.max")  # no quota: no file
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    assert splitread.cores() == 4
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3})
    assert splitread.cores() == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    for written, expected in [("max 100000\n", 4), ("200000 100000\n", 2),
                              ("150000 100000\n", 1), ("50000 100000\n", 1),
                              ("800000 100000\n", 4), ("nonsense\n", 4), ("1 0\n", 4)]:
        (tmp_path / "cpu.max").write_text(written)
        assert splitread.cores() == expected, written


def test_the_child_is_ended_and_reaped_when_its_work_is_not_taken(monkeypatch, tmp_path):
    _child_fails(monkeypatch, "hangs")
    text = '{"annotations":{' + ",".join(
        f'"{n}":{{"id":"x{n}"}}' for n in range(1, 50)) + "}}"
    monkeypatch.setattr(splitread, "MIN_CHARACTERS", 0)
    monkeypatch.setattr(splitread, "cores", lambda: 2)
    split = splitread.Split.start(text)
    assert split is not None
    pid = split._pid
    split.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # gone and reaped: no zombie left behind
    assert split._pipe == split._spool == -1


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_the_child_keeps_no_file_of_this_process_open(db, sample, monkeypatch):
    """The annotation file's lock among them: a parent killed with -9 must leave the file
    free for the next factread, whatever the child is doing."""
    _fill(db, sample, count=60)
    _child_fails(monkeypatch, "hangs")
    monkeypatch.setattr(splitread, "MIN_CHARACTERS", 0)
    monkeypatch.setattr(splitread, "cores", lambda: 2)
    with open(db, "rb") as held:  # noqa: F841 - open in this process while the child starts
        split = splitread.Split.start(db.read_text())
        assert split is not None
        try:
            fds, targets = descriptors_left(split._pid, 5)
        finally:
            split.close()
    assert len(fds) == 5  # stdin, stdout, stderr (all /dev/null), the spool, the pipe
    assert str(db) not in targets
    assert not any(t.endswith(".lock") for t in targets)


def test_annotations_before_their_articles_are_read_as_one_process_reads_them(
        db, sample, splits, monkeypatch):
    """A file whose annotations table comes first (hand-made: factread writes the articles
    first): the child cannot check them, so it hands nothing over."""
    from annotations.storage import dump

    _fill(db, sample, count=120)
    expected = _state(_read(db, monkeypatch, split=False))
    data = json.loads(db.read_text())
    db.write_bytes(dump({name: data[name] for name in ("annotations", "meta", "articles")}))
    splits.clear()
    got = _read(db, monkeypatch, split=True)
    assert splits == [False]
    assert _state(got)[2] == expected[2]  # the same annotations, in position order
    assert len(got) == 120


def test_a_link_in_the_childs_part_that_does_not_link_back_is_named(db, sample, splits,
                                                                   monkeypatch):
    """The child's annotations with links are checked here, against everything read."""
    _fill(db, sample)
    text = db.read_text()
    at = _boundary(text)
    records = _records(text)
    early = next(m for m in records if m.end() < at and '"links":[]' in m.group(2))
    late = next(m for m in records if m.start() > at and '"links":[]' in m.group(2))
    early_id = json.loads(early.group(2))["id"]
    linked = late.group(2).replace('"links":[]', f'"links":["{early_id}"]', 1)
    db.write_text(text[:late.start(2)] + linked + text[late.end(2):])
    message = _problem(db, monkeypatch, split=True)
    assert splits == [True]  # handed over, and then found here
    assert message == _problem(db, monkeypatch, split=False)
    assert f"annotation record {late.group(1)}: field 'links'" in message
