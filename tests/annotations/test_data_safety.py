"""Never lose a change, never write a file factread refuses: short writes, full disks, file
size limits, symlinks planted beside the file, names and text that open would refuse."""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import storage
from annotations.articles import Article, load_article, load_paths
from annotations.errors import DiskError, InputError
from annotations.export import export
from annotations.importing import import_file
from annotations.storage import journal_path
from annotations.store import AnnotationStore


def files_of(db: Path) -> dict[str, bytes]:
    """Every file in the directory of ``db``, by name: what a failure must leave as it was."""
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.is_file()}


def run(*args: str, env: dict[str, str] | None = None, limit: int | None = None,
        ) -> subprocess.CompletedProcess[str]:
    def fsize() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True,
                          text=True, timeout=60, preexec_fn=fsize,
                          env={**os.environ, **(env or {})})


def one_line(stderr: str) -> bool:
    return stderr.count("\n") == 1 and "Traceback" not in stderr


# ------------------------------------------------------------------ short writes
class ShortWrites:
    """``os.write`` that takes ``take`` bytes of the next journal line, then fails with ENOSPC."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, take: int) -> None:
        self.take = take
        self.real = os.write
        monkeypatch.setattr(storage.os, "write", self)

    def __call__(self, fd: int, data: bytes | memoryview) -> int:
        if self.take <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        n = self.real(fd, bytes(data)[: self.take])
        self.take = 0
        return n


def test_a_short_journal_write_is_cut_back_and_the_change_fails(db, sample, monkeypatch):
    with AnnotationStore(db, "ana") as store:
        for n in range(3):
            store.add(sample[0], n * 10, n * 10 + 5, "claim")
        journal = journal_path(db)
        before = journal.read_bytes()
        with monkeypatch.context() as patch:
            ShortWrites(patch, take=17)
            with pytest.raises(DiskError, match="disk full: the change was not saved"):
                store.add(sample[0], 50, 60, "claim")
        assert journal.read_bytes() == before  # the partial line is gone
        assert len(store) == 3  # not shown as made
        store.add(sample[0], 70, 80, "unverified")  # and the store goes on
    with AnnotationStore(db, "check", read_only=True) as again:
        assert sorted(a.start for a in again.all()) == [0, 10, 20, 70]


def test_a_write_refused_outright_stores_nothing_and_allocates_nothing(db, sample, monkeypatch):
    with AnnotationStore(db, "ana") as store:
        store.add(sample[0], 0, 5, "claim")
        with monkeypatch.context() as patch:
            ShortWrites(patch, take=0)
            with pytest.raises(DiskError, match="the change was not saved"):
                store.add(sample[0], 10, 15, "claim")
        later = store.add(sample[0], 20, 25, "claim")
    with AnnotationStore(db, "check", read_only=True) as again:
        assert [a.id for a in again.all()][-1] == later.id and len(again) == 2


def test_a_new_files_refused_first_change_leaves_a_file_that_opens_as_new(db, sample,
                                                                         monkeypatch):
    """The empty journal a refused first change leaves is no file yet: opening it again
    starts the file afresh (it is not refused as a file without its meta table)."""
    with AnnotationStore(db, "ana") as store:
        with monkeypatch.context() as patch:
            ShortWrites(patch, take=0)
            with pytest.raises(DiskError):
                store.add(sample[0], 0, 5, "claim")
    with AnnotationStore(db, "ana") as again:
        assert len(again) == 0
        again.add(sample[0], 0, 5, "claim")
    with AnnotationStore(db, "check", read_only=True) as final:
        assert len(final) == 1


def test_a_fold_that_cannot_write_keeps_the_main_file_and_the_journal(db, sample, monkeypatch):
    with AnnotationStore(db, "ana", fold_bytes=10**9) as store:
        store.add(sample[0], 0, 5, "claim")
        store.fold()
        store.add(sample[0], 10, 15, "claim")
        saved = files_of(db)

        def full(*args: object, **kwargs: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        with monkeypatch.context() as patch:
            patch.setattr(storage.os, "replace", full)
            assert "disk full" in (store.fold() or "")
            assert files_of(db) == saved  # no temp file left either
            store.add(sample[0], 20, 25, "claim")  # changes still go to the journal
            store.close()
            assert "kept in factread.json-journal" in store.warnings[0]
    with AnnotationStore(db, "check", read_only=True) as again:
        assert len(again) == 3


def mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True)
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    if not mount_tmpfs(disk, "64k"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield disk
    subprocess.run(["umount", str(disk)], check=False)


def test_a_real_full_disk_loses_nothing_reported_done(small_disk, sample):
    db = small_disk / "factread.json"
    article = Article.from_text("a.txt", "Uno dos tres cuatro cinco seis siete. " * 20)
    done: list[str] = []
    failure = ""
    with AnnotationStore(db, "ana", fold_bytes=2_000) as store:
        for n in range(2_000):
            try:
                ann = store.add(article, n % 700, n % 700 + 5, "claim", "nota " * 30)
            except DiskError as err:
                failure = str(err)
                if len(done) > 5:
                    break
                continue
            done.append(ann.id)
        assert len(store) == len(done)
    assert "disk full" in failure and "\n" not in failure
    with AnnotationStore(db, "check", read_only=True) as again:  # opens: no torn line
        assert sorted(a.id for a in again.all()) == sorted(done)


def test_add_under_a_file_size_limit_prints_the_id_of_what_it_stored(tmp_path, sample):
    db = tmp_path / "f.json"
    article = tmp_path / "a.txt"
    article.write_text(sample[0].text, encoding="utf-8")
    first = run("add", str(article), "--quote", "11 mil soldados", "--tag", "claim",
                "--db", str(db), "--user", "ana")
    assert first.returncode == 0
    # The main file (with the article's text) is over the limit; a journal line is not.
    limit = db.stat().st_size - 100
    done = run("add", str(article), "--quote", "Kursk", "--tag", "claim", "--db", str(db),
               "--user", "ana", limit=limit)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    ann_id = done.stdout.strip()
    assert uuid.UUID(ann_id) and "journal" in done.stderr
    listed = run("list", "--db", str(db), "--json")
    ids = [json.loads(line)["id"] for line in listed.stdout.splitlines()]
    assert ann_id in ids and len(ids) == 2
    # Too small for even a journal line: exit 1, one line, no id, nothing stored.
    before = files_of(db)
    refused = run("add", str(article), "--quote", "Pyongyang", "--tag", "claim", "--db",
                  str(db), "--user", "ana", limit=10)
    assert refused.returncode == 1 and refused.stdout == "" and one_line(refused.stderr)
    assert "not saved" in refused.stderr
    after = files_of(db)
    assert {k: v for k, v in after.items() if k != "f.json-journal"} == \
        {k: v for k, v in before.items() if k != "f.json-journal"}
    assert run("check", str(db)).returncode == 0
    assert len(run("list", "--db", str(db), "--json").stdout.splitlines()) == 2


def test_a_failed_command_leaves_no_new_file(tmp_path, sample):
    article = tmp_path / "a.txt"
    article.write_text(sample[0].text, encoding="utf-8")
    db = tmp_path / "new.json"
    done = run("add", str(article), "--quote", "Kursk", "--tag", "claim", "--db", str(db),
               "--user", "u" * 300)
    assert done.returncode == 1 and done.stdout == "" and one_line(done.stderr)
    assert "annotator" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    done = run("add", str(article), "--quote", "no such words", "--tag", "claim", "--db",
               str(db))
    assert done.returncode == 1 and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


# ------------------------------------------------------------------ names
NAMES = {
    "backslash": b"a\\b.txt",
    "240 characters": b"x" * 240 + b".txt",
    "190 four-byte characters": "\U0001f600".encode() * 60 + b".txt",  # 255-byte file names
    "not UTF-8": b"not\xedcias.txt",
    "control": b"a\x1b[31mb\x07.txt",
    "bidi": "a\u202eb.txt".encode(),
    "newline and tab": b"a\nb\tc.txt",
    "C1 control and line separator": "a\u0085b\u2028c.txt".encode(),
}


@pytest.mark.parametrize("case", sorted(NAMES))
def test_every_article_name_is_stored_safely_and_opens_again(case, tmp_path, db, sample):
    raw = NAMES[case]
    folder = tmp_path / "in"
    folder.mkdir()
    path = Path(os.fsdecode(folder.as_posix().encode() + b"/" + raw))
    path.write_bytes(sample[2].text.encode())
    loaded = load_paths([folder])
    (article,) = loaded.articles
    with AnnotationStore(db, "ana") as store:
        store.add(article, 0, 20, "claim")
    with AnnotationStore(db, "check", read_only=True) as again:
        (stored,) = again.articles.values()
        assert stored.name == article.name
        for fmt in ("csv", "jsonl", "w3c", "brat"):
            export(again, fmt, tmp_path / f"out-{fmt}")
    for command in (["list"], ["list", "--json"], ["check", str(db)]):
        done = run(*command, "--db", str(db)) if command[0] == "list" else run(*command)
        assert done.returncode == 0, done.stderr


def test_a_190_character_name_of_four_byte_characters_is_cut_to_a_file_name(tmp_path):
    article, _ = load_article_named(tmp_path, "\U0001f600" * 190 + ".txt")
    assert len(article.name.encode()) <= 255 and article.name.endswith("….txt")


def load_article_named(tmp_path: Path, name: str) -> tuple[Article, str | None]:
    # No file system takes a 760-byte name: the name is given to safe_name as read.
    from annotations.articles import safe_name

    path = tmp_path / "short.txt"
    path.write_text("Texto.\n", encoding="utf-8")
    article, warning = load_article(path)
    return Article.from_text(safe_name(name), article.text), warning


@pytest.mark.parametrize("name", ["a/b.txt", "a\\b.txt", "..", "a\x00b", "a\u202eb", "x" * 201,
                                  "\ud800.txt"])
def test_an_unsafe_name_is_refused_before_anything_is_written(name, db, sample):
    with AnnotationStore(db, "ana") as store:
        store.add(sample[0], 0, 5, "claim")
        before = files_of(db)
        bad = Article.from_text(name, sample[1].text)
        with pytest.raises(InputError, match="name"):
            store.add(bad, 0, 5, "claim")
        assert files_of(db) == before


# ------------------------------------------------------------------ surrogates
def test_lone_surrogates_are_refused_from_every_door(tmp_path, db, sample):
    with AnnotationStore(db, "ana") as store:
        ann = store.add(sample[0], 0, 5, "claim")
        with pytest.raises(InputError, match="lone surrogate"):  # the note editor
            store.apply(store.prepare_update(ann.id, "note", note="a\ud800b"))
        with pytest.raises(InputError, match="lone surrogate"):
            store.add(sample[0], 5, 9, "claim", note="\udcff")
    with pytest.raises(InputError, match="lone surrogate"):
        AnnotationStore(tmp_path / "x.json", "\udced")
    record = {**ann.to_dict(), "id": str(uuid.uuid4()), "note": "PLACEHOLDER"}
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(json.dumps(record).replace("PLACEHOLDER", "\\ud83d"))
    before = files_of(db)
    with AnnotationStore(db, "ana") as store:
        with pytest.raises(InputError, match=r"in\.jsonl: line 1: note: holds a lone"):
            import_file(store, jsonl)
    assert files_of(db) == before
    # A pair is an emoji, not a lone surrogate.
    jsonl.write_text(json.dumps(record).replace("PLACEHOLDER", "\\ud83d\\ude00"))
    with AnnotationStore(db, "ana") as store:
        assert len(import_file(store, jsonl).added) == 1


_ESCAPES = ["\\ud83d", "\\uD83D", "\\udbff", "\\ude00", "\\uDC80", "\\udfff", "\\u00e1",
            "\\ud7ff", "\\ue000", "a", "\\n", "\\ud8", "\\ud83"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_ESCAPES), max_size=8))
def test_the_lone_escape_scan_finds_exactly_the_lone_halves(pieces):
    """The scan of the raw bytes decides whether a file is walked for lone surrogates; it
    must flag every one (and, without escaped backslashes, nothing else). Truncated
    escapes make invalid JSON, which the parse names instead."""
    raw = ('{"note":"' + "".join(pieces) + '"}').encode()
    try:
        note = json.loads(raw)["note"]
    except json.JSONDecodeError:
        return
    lone = any(0xD800 <= ord(char) <= 0xDFFF for char in note)
    assert storage.maybe_lone_escape(raw) == lone


@pytest.mark.parametrize("large", [False, True])
def test_a_file_holding_a_lone_surrogate_is_refused_naming_the_field(db, sample, monkeypatch,
                                                                     large):
    if large:  # scanned while its snapshot key is computed (see snapshots.key_while)
        from annotations import snapshots

        monkeypatch.setattr(snapshots, "MIN_BYTES", 0)
        monkeypatch.setenv("FACTREAD_CACHE", str(db.parent / "cache"))
    with AnnotationStore(db, "ana") as store:
        store.add(sample[0], 0, 5, "claim", note="NOTE")
    raw = db.read_bytes().replace(b'"NOTE"', b'"\\udc80"')
    db.write_bytes(raw)
    with pytest.raises(InputError, match=r"annotations > 1 > note: holds a lone surrogate"):
        AnnotationStore(db, "check", read_only=True)
    assert db.read_bytes() == raw


def test_add_refuses_arguments_that_are_not_text(tmp_path, sample):
    article = tmp_path / "a.txt"
    article.write_text(sample[0].text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "reader", "add", str(article), "--quote",
                           "Kursk", "--tag", "claim", "--note", b"nota \xff",
                           "--db", str(tmp_path / "f.json")], capture_output=True, timeout=60)
    assert done.returncode == 1 and b"lone surrogate" in done.stderr
    assert done.stderr.count(b"\n") == 1 and not (tmp_path / "f.json").exists()


# ------------------------------------------------------------------ validation on open
def edit_file(db: Path, sample: list[Article], mutate) -> bytes:
    with AnnotationStore(db, "ana") as store:
        a = store.add(sample[0], 40, 60, "claim")
        b = store.add(sample[0], 80, 90, "claim")
        store.apply(store.prepare_link(a.id, b.id))
    data = json.loads(db.read_text())
    mutate(data["annotations"])
    raw = json.dumps(data).encode()
    db.write_bytes(raw)
    return raw


@pytest.mark.parametrize("mutate, message", [
    (lambda anns: anns["1"].__setitem__("created", "2026-13-45T99:99:99Z"), "'created'"),
    (lambda anns: anns["1"].__setitem__("modified", "2026-02-30T10:00:00Z"), "'modified'"),
    (lambda anns: anns["1"].__setitem__("prefix", "otra cosa"), "'prefix'"),
    (lambda anns: anns["2"].__setitem__("suffix", ""), "'suffix'"),
    (lambda anns: anns["2"].__setitem__("links", []), "does not link back"),
    (lambda anns: anns["1"].__setitem__("links", anns["1"]["links"] * 2), "linked twice"),
])
def test_what_the_format_promises_is_enforced_on_open(db, sample, mutate, message):
    raw = edit_file(db, sample, mutate)
    with pytest.raises(InputError, match=message):
        AnnotationStore(db, "check", read_only=True)
    with pytest.raises(InputError, match=message):
        AnnotationStore(db, "ana")
    assert db.read_bytes() == raw


def test_a_leap_day_is_a_real_time(db, sample):
    edit_file(db, sample, lambda anns: anns["1"].__setitem__("created", "2024-02-29T10:00:00Z"))
    with AnnotationStore(db, "check", read_only=True) as store:
        assert len(store) == 2


def test_a_one_way_link_from_another_tool_is_made_both_ways_on_import(tmp_path, db, sample):
    with AnnotationStore(db, "ana") as store:
        a = store.add(sample[0], 40, 60, "claim")
        b = store.add(sample[0], 80, 90, "claim")
    one_way = [{**a.to_dict(), "links": [b.id]}, b.to_dict()]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in one_way))
    with AnnotationStore(tmp_path / "t.json", "bo") as target:
        target.add_articles(sample)
        import_file(target, jsonl)
        assert target.get(b.id).links == (a.id,)
    AnnotationStore(tmp_path / "t.json", "check", read_only=True).close()


# ------------------------------------------------------------------ the file system
def test_a_planted_lock_symlink_is_refused_and_its_target_untouched(tmp_path, db, sample):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "factread.json.lock").symlink_to(victim)
    with pytest.raises(DiskError, match="symbolic link"):
        AnnotationStore(db, "ana")
    assert victim.read_text() == "precious"
    done = run("add", str(tmp_path / "x.txt"), "--quote", "a", "--tag", "claim",
               "--db", str(db))
    assert done.returncode == 1 and one_line(done.stderr) and victim.read_text() == "precious"


def test_a_planted_journal_symlink_is_refused_and_its_target_untouched(tmp_path, db, sample):
    with AnnotationStore(db, "ana") as store:
        store.add(sample[0], 0, 5, "claim")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    journal_path(db).symlink_to(victim)
    for read_only in (False, True):
        with pytest.raises(DiskError, match="symbolic link"):
            AnnotationStore(db, "ana", read_only=read_only)
    assert victim.read_text() == "precious"


def test_temp_files_are_created_without_following_a_symlink(tmp_path, monkeypatch):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    monkeypatch.setattr(storage.os, "urandom", lambda n: b"\0" * n)
    planted = tmp_path / f".out.json.tmp-{os.getpid()}-00000000"
    planted.symlink_to(victim)
    with pytest.raises(DiskError, match="out.json"):
        storage.write_atomic(tmp_path / "out.json", b"{}")
    assert victim.read_text() == "precious" and not (tmp_path / "out.json").exists()


@pytest.fixture
def read_only_dir(tmp_path):
    disk = tmp_path / "ro"
    if not mount_tmpfs(disk, "1m"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    (disk / "a.txt").write_text("Texto de prueba con Kursk.\n")
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    yield disk
    subprocess.run(["umount", str(disk)], check=False)


def test_a_read_only_file_system_is_one_line(read_only_dir):
    done = run("add", str(read_only_dir / "a.txt"), "--quote", "Kursk", "--tag", "claim",
               "--db", str(read_only_dir / "f.json"))
    assert done.returncode == 1 and one_line(done.stderr), done.stderr
    assert "read-only file system" in done.stderr and "f.json.lock" in done.stderr


def test_permission_denied_is_one_line(tmp_path, monkeypatch, capsys, sample):
    from reader.cli import main

    article = tmp_path / "a.txt"
    article.write_text(sample[0].text, encoding="utf-8")

    def denied(*args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "f.json.lock"))

    monkeypatch.setattr(storage.os, "open", denied)
    assert main(["add", str(article), "--quote", "Kursk", "--tag", "claim", "--db",
                 str(tmp_path / "f.json")]) == 1
    err = capsys.readouterr().err
    assert err == f"factread: {tmp_path / 'f.json.lock'}: permission denied: nothing was changed\n"


def test_an_unreadable_config_is_one_line(tmp_path, monkeypatch, capsys, sample):
    from reader.cli import main

    config = tmp_path / "config.toml"
    config.write_text("[keys]\n")
    monkeypatch.setenv("FACTREAD_CONFIG", str(config))
    real = Path.read_text

    def denied(self: Path, *args: object, **kwargs: object) -> str:
        if self == config:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", denied)
    article = tmp_path / "a.txt"
    article.write_text(sample[0].text, encoding="utf-8")
    assert main(["add", str(article), "--quote", "Kursk", "--tag", "claim", "--db",
                 str(tmp_path / "f.json")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "config.toml" in err and "ermission denied" in err


# ------------------------------------------------------------------ command line
def test_no_article_could_be_opened_is_one_line_and_exit_1(tmp_path):
    done = run(str(tmp_path / "missing.txt"), "--db", str(tmp_path / "f.json"))
    assert done.returncode == 1 and one_line(done.stderr) and "missing.txt" in done.stderr


def test_the_reading_screen_without_a_terminal_refuses_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "reader", "--db", str(tmp_path / "f.json")],
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and one_line(done.stderr) and "terminal" in done.stderr


def test_a_command_waiting_for_the_lock_says_so(tmp_path, db, sample):
    article = tmp_path / "a.txt"
    article.write_text(sample[0].text, encoding="utf-8")
    with AnnotationStore(db, "ana"):
        done = run("add", str(article), "--quote", "Kursk", "--tag", "claim", "--db", str(db),
                   env={"FACTREAD_LOCK_WAIT": "1.5"})
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0] == f"factread: waiting for factread (pid {os.getpid()}) to close factread.json…"
    assert lines[1] == f"factread: factread.json is open in another factread (pid {os.getpid()})"
