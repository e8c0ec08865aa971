"""Snapshots of large files: the next open skips the checks and gives the same contents;
anything not sound about one, and any change to the file, sends the open the careful way."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotations import snapshots
from annotations import store as store_module
from annotations.articles import Article
from annotations.sources import Source
from annotations.storage import journal_path
from annotations.store import AnnotationStore


@pytest.fixture
def small_is_large(monkeypatch):
    """Snapshots for files of any size, and a count of the careful reads."""
    monkeypatch.setattr(snapshots, "MIN_BYTES", 0)
    monkeypatch.setattr(snapshots, "MIN_ANNOTATIONS", 1)
    careful = []
    parse = store_module.parse_contents

    def counted(*args, **kwargs):
        careful.append(1)
        return parse(*args, **kwargs)

    monkeypatch.setattr(store_module, "parse_contents", counted)
    return careful


def _snapshot_files() -> list[Path]:
    return sorted(snapshots.directory().glob("*.snap"))


def _wait_for_snapshot(key: str, timeout: float = 20.0) -> Path:
    path = snapshots.directory() / f"{key}.snap"
    deadline = time.monotonic() + timeout
    while not path.exists():  # written by a forked grandchild
        assert time.monotonic() < deadline, "no snapshot written"
        time.sleep(0.02)
    return path


def _key(db: Path) -> str:
    return snapshots.key_of(db.read_bytes())


def _state(store: AnnotationStore) -> tuple:
    store.prepare_all()  # every list sorted, every annotation's document id known
    return (store.meta, {s: (a.text, a.name, a.title, a.source) for s, a in store.articles.items()},
            store.all(), dict(store.reviews), dict(store._keys), dict(store._next_key),
            {sha: list(store.for_article(sha)) for sha in store.articles},
            {sha: (store._apart[sha].long, store._apart[sha].reach) for sha in store.articles})


def _fill(db: Path, sample: list[Article]) -> None:
    web = Article.from_text("diario_tratado", sample[1].text, Source(
        url="https://diario.example/tratado", outlet="Diario del Sur", published="2024-06-19"))
    with AnnotationStore(db, "ana") as store:
        store.add_articles([sample[0], web])
        first = store.add(sample[0], 0, 10, "claim", note="zqx-nota")
        other = store.add(web, 5, 40, "contradiction")
        store.add(sample[0], 3, 2500 if len(sample[0].text) > 2600 else 30, "unverified")
        store.add(sample[0], 20, 60, "claim")
        store.apply(store.prepare_link(first.id, other.id))
        store.apply(store.prepare_decision("3f2b1c4d-0000-4000-8000-000000000001", "rejected"))


def test_the_next_open_comes_from_the_snapshot_with_the_same_contents(db, sample,
                                                                      small_is_large):
    _fill(db, sample)
    _wait_for_snapshot(_key(db))
    careful_before = len(small_is_large)
    from_snapshot = AnnotationStore(db, "ana", read_only=True)
    assert len(small_is_large) == careful_before  # no record parsed or checked
    careful = AnnotationStore(db, "ana", read_only=True, snapshot=False)
    assert len(small_is_large) == careful_before + 1
    assert _state(from_snapshot) == _state(careful)
    assert from_snapshot.overlapping(sample[0].sha256, 0, 100) == \
        careful.overlapping(sample[0].sha256, 0, 100)
    # A change made on a file opened from its snapshot is written whole and checks out.
    with AnnotationStore(db, "ana") as store:
        assert len(small_is_large) == careful_before + 1
        store.add(sample[0], 100, 120, "claim")
    again = AnnotationStore(db, "ana", read_only=True, snapshot=False)
    assert len(again) == len(careful) + 1
    _wait_for_snapshot(_key(db))
    assert _state(AnnotationStore(db, "ana", read_only=True)) == _state(again)


def test_a_damaged_snapshot_is_ignored_and_removed(db, sample, small_is_large):
    _fill(db, sample)
    path = _wait_for_snapshot(_key(db))
    blob = path.read_bytes()
    assert blob.count(b"zqx-nota") == 1
    path.write_bytes(blob.replace(b"zqx-nota", b"zqx-noTa"))  # reads as marshal: only the digest knows
    before = len(small_is_large)
    store = AnnotationStore(db, "ana", read_only=True)
    assert len(small_is_large) == before + 1
    assert _state(store) == _state(AnnotationStore(db, "ana", read_only=True, snapshot=False))
    # Removed, then written again from the careful read.
    _wait_for_snapshot(_key(db))
    assert snapshots.load(_key(db)) is not None


@pytest.mark.parametrize("blob", [b"", b"factread-snapshot\n", b"\x00" * 100,
                                  b"factread-snapshot\n1 4 3.11\n" + b"x" * 40])
def test_decode_refuses_what_is_not_a_snapshot(blob):
    assert snapshots.decode(blob) is None


def test_a_snapshot_of_another_version_is_not_read(db, sample, small_is_large, monkeypatch):
    _fill(db, sample)
    _wait_for_snapshot(_key(db))
    other = snapshots._HEADER.replace(f"\n{snapshots.VERSION} ".encode(),
                                      f"\n{snapshots.VERSION + 1} ".encode(), 1)
    assert other != snapshots._HEADER
    monkeypatch.setattr(snapshots, "_HEADER", other)
    assert snapshots.load(_key(db)) is None


def test_a_journal_left_by_a_crash_sends_the_open_the_careful_way(db, sample, small_is_large):
    _fill(db, sample)
    _wait_for_snapshot(_key(db))
    crashed = AnnotationStore(db, "ana")
    made = crashed.add(sample[0], 200, 230, "claim")  # durable in the journal, not folded
    crashed.close(fold=False)
    before = len(small_is_large)
    store = AnnotationStore(db, "ana", read_only=True)
    assert len(small_is_large) == before + 1
    assert store.get(made.id) == made


def test_a_main_file_changed_by_anyone_misses_its_snapshot(db, sample, small_is_large):
    _fill(db, sample)
    _wait_for_snapshot(_key(db))
    db.write_bytes(db.read_bytes().replace(b'"note":"zqx-nota"', b'"note":"otra"'))
    before = len(small_is_large)
    store = AnnotationStore(db, "ana", read_only=True)
    assert len(small_is_large) == before + 1
    assert "otra" in [a.note for a in store.all()]


def test_a_snapshot_that_is_a_link_is_not_followed(db, sample, small_is_large, tmp_path):
    _fill(db, sample)
    path = _wait_for_snapshot(_key(db))
    elsewhere = tmp_path / "elsewhere.snap"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    assert snapshots.load(_key(db)) is None


def test_check_reads_every_record_even_with_a_snapshot(db, sample, small_is_large, capsys):
    from reader.cli import main

    _fill(db, sample)
    _wait_for_snapshot(_key(db))
    before = len(small_is_large)
    assert main(["check", str(db)]) == 0
    assert len(small_is_large) == before + 1
    assert "4 annotations" in capsys.readouterr().out


def test_small_files_get_no_snapshot(db, sample):
    _fill(db, sample)
    AnnotationStore(db, "ana", read_only=True)
    time.sleep(0.3)
    assert _snapshot_files() == []


def test_a_cache_that_cannot_be_written_is_no_error(db, sample, small_is_large, monkeypatch,
                                                    tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("FACTREAD_CACHE", str(blocker / "snapshots"))
    _fill(db, sample)
    time.sleep(0.3)
    assert len(AnnotationStore(db, "ana", read_only=True)) == 4


def test_only_the_newest_snapshots_are_kept(small_is_large, sample, tmp_path, monkeypatch):
    monkeypatch.setattr(snapshots, "KEEP", 2)
    folder = snapshots.directory()
    folder.mkdir(parents=True, mode=0o700)
    stale, fresh = folder / ".a.1.tmp", folder / ".b.2.tmp"  # left by killed writers
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    keys = []
    for n in range(4):
        db = tmp_path / f"f{n}.json"
        with AnnotationStore(db, "ana") as store:
            store.add(sample[0], n, n + 10, "claim")
        keys.append(_key(db))
        _wait_for_snapshot(keys[-1])
        time.sleep(0.05)  # distinct modification times
    assert not stale.exists() and fresh.exists()  # one may still be being written
    left = {p.stem for p in _snapshot_files()}
    assert left <= set(keys) and len(left) <= 2 and keys[-1] in left
    assert all(oct(p.stat().st_mode)[-3:] == "600" for p in _snapshot_files())
    assert oct(os.stat(snapshots.directory()).st_mode)[-3:] == "700"


KILLED_WHILE_SNAPSHOTTING = """
import os, signal, sys, time
from annotations import snapshots
from annotations.articles import bundled_paths, load_article
from annotations.store import AnnotationStore
snapshots.MIN_BYTES, snapshots.MIN_ANNOTATIONS = 0, 1
save = snapshots.save
def slow(key, tables):  # in the forked grandchild
    time.sleep(float(sys.argv[2]))
    save(key, tables)
snapshots.save = slow
store = AnnotationStore(sys.argv[1], "ana")
store.add(load_article(bundled_paths()[0])[0], 0, 10, "claim")
store._storage.fold()  # the main file written; the snapshot's grandchild starts
print("folded", flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # killed holding the lock: the kernel lets go of it
"""


def test_a_snapshot_being_written_holds_neither_the_lock_nor_the_output(db, small_is_large):
    """The grandchild writing a snapshot closes what it inherited: after a kill -9 of
    factread the next one opens the file at once (not once the snapshot is written), and
    a pipe reading factread's output sees its end."""
    import select

    proc = subprocess.Popen([sys.executable, "-c", KILLED_WHILE_SNAPSHOTTING, str(db), "10"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout.readline() == b"folded\n"
    proc.wait(timeout=30)
    # The grandchild sleeps 10 s before writing: the end of the output comes well before.
    assert select.select([proc.stdout], [], [], 5)[0] and proc.stdout.read() == b""
    proc.stdout.close()
    with AnnotationStore(db, "ana", lock_wait=0) as store:
        assert len(store) == 1


def test_the_command_line_reads_a_large_file_the_same_from_its_snapshot(db, sample):
    """At the real thresholds, through the real command: the second `factread list` of a
    20,000-annotation file reads it from the snapshot the first one left, and lists the
    same."""
    from annotations.model import create
    from annotations.store import Draft

    with AnnotationStore(db, "ana") as store:
        store.add_articles(sample)
        draft = Draft(store)
        for n in range(snapshots.MIN_ANNOTATIONS):
            article = sample[n % len(sample)]
            start = (n * 37) % (len(article.text) - 60)
            draft.put(create(text=article.text, article_sha256=article.sha256,
                             article=article.name, start=start, end=start + 5 + n % 50,
                             tag=("claim", "unverified")[n % 2], annotator="ana"))
        store.apply(draft.change("many"))
    assert db.stat().st_size >= snapshots.MIN_BYTES

    def listing() -> str:
        return subprocess.run([sys.executable, "-m", "reader", "list", "--db", str(db)],
                              capture_output=True, text=True, check=True, timeout=120).stdout

    assert _snapshot_files() == []  # one large change writes the main file whole, no snapshot
    first = listing()  # every record checked; a grandchild then writes the snapshot
    assert first.count("\n") >= snapshots.MIN_ANNOTATIONS
    _wait_for_snapshot(_key(db))
    assert listing() == first


def test_closing_the_terminal_does_not_stop_a_snapshot_being_written(db, small_is_large):
    """The grandchild leaves the terminal's session: the SIGHUP that closing a terminal (a
    tmux pane whose command was factread) sends to factread's process group does not
    reach it, and the snapshot is written."""
    import signal

    proc = subprocess.Popen([sys.executable, "-c", KILLED_WHILE_SNAPSHOTTING, str(db), "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    assert proc.stdout.readline() == b"folded\n"
    proc.wait(timeout=30)
    proc.stdout.close()
    try:
        os.killpg(proc.pid, signal.SIGHUP)  # the terminal's process group hangs up
    except ProcessLookupError:
        pass  # nobody left in it: the grandchild is in a session of its own
    _wait_for_snapshot(_key(db))


def test_no_snapshot_where_the_disk_is_nearly_full(db, sample, small_is_large, monkeypatch):
    import shutil

    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage",
                        lambda path: real(path)._replace(free=10 * 1024 * 1024))
    _fill(db, sample)
    time.sleep(0.5)
    assert _snapshot_files() == []
    monkeypatch.setattr(shutil, "disk_usage", real)
    with AnnotationStore(db, "ana", read_only=True):  # room again: the careful read
        pass                                          # leaves one, at the latest at close
    _wait_for_snapshot(_key(db))


def test_a_snapshot_with_a_link_that_does_not_link_back_is_not_used(db, sample,
                                                                    small_is_large):
    """Links are checked again on every open from a snapshot."""
    from annotations.fileformat import contents_of_snapshot

    _fill(db, sample)
    found = snapshots.decode(_wait_for_snapshot(_key(db)).read_bytes())
    assert found is not None
    tables, order = found
    assert contents_of_snapshot(dict(tables), list(order), str(db)) is not None
    annotations = dict(tables["annotations"])
    key, linked = next((k, a) for k, a in annotations.items() if a.links)
    other = next(a for a in annotations.values() if a.id not in (*linked.links, linked.id))
    annotations[key] = linked._replace(links=(*linked.links, other.id))
    assert contents_of_snapshot({**tables, "annotations": annotations}, list(order),
                                str(db)) is None


def test_the_snapshot_is_written_once_the_first_article_is_sorted(db, sample, small_is_large):
    """Not at open: the process that writes it is forked after the first sort, which then
    does not pay for copying the pages it touches. At the latest at close."""
    _fill(db, sample)
    _wait_for_snapshot(_key(db)).unlink()
    store = AnnotationStore(db, "ana", read_only=True)
    time.sleep(0.3)
    assert _snapshot_files() == []
    store.for_article(sample[0].sha256)
    _wait_for_snapshot(_key(db))


def test_a_change_before_the_snapshot_is_written_leaves_none_of_it(db, sample, small_is_large):
    """The tables change with the first change: a snapshot of them is no longer the main
    file's. Were it written, an open of the main file without that journal would read a
    change the file does not hold."""
    _fill(db, sample)
    _wait_for_snapshot(_key(db)).unlink()
    store = AnnotationStore(db, "ana")
    added = store.add(sample[0], 200, 230, "claim", note="only in the journal")
    store.close(fold=False)
    time.sleep(0.5)
    assert _snapshot_files() == []
    journal_path(db).unlink()  # the main file as it was, with no journal
    with AnnotationStore(db, "ana", read_only=True) as store:
        assert store.get(added.id) is None
