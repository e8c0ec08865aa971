"""A TinyDB storage that survives ``kill -9`` and answers in well under a millisecond.

The main file is TinyDB's own JSON format (``{"table": {"doc_id": {...}}}``) and is only
ever replaced whole: temp file in the same directory, fsync, ``os.replace``, fsync the
directory. Between such rewrites each change is one line appended to ``PATH-journal``
and fsynced before it is reported done. Opening replays the journal; closing, or a
journal past ``fold_bytes``, folds it into the main file and empties it.

Journal lines are ``{"ops": [["put", table, doc_id, doc] | ["del", table, doc_id], ...]}``.
In memory an annotation document is the store's immutable record (anything with
``to_dict``), not the parsed JSON object: the parsed objects are dropped once opened,
which halves the memory a large file takes.
A line is one atomic batch. Ops are idempotent (whole documents, deletes by id), so a
crash between the main file's replace and the journal's truncation is harmless: the
replay writes what the main file already holds. A last line without its newline was
never acknowledged and is ignored.

What the disk refuses is never reported done: a journal line the disk took only in part is
cut off again before the change fails, a fold that cannot write leaves the main file and
the journal as they were, and the journal, lock and temp files are opened without following
symbolic links (a planted link would otherwise make factread write into its target).
"""

from __future__ import annotations

import errno
import gc
import hashlib
import json
import os
import re
import stat
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from tinydb.storages import Storage

from annotations import descriptors, jsonstream, snapshots, splitread
from annotations.articles import Article
from annotations.errors import DiskError, InputError, disk_error
from annotations.fileformat import Record, article_record, records_of
from annotations.model import SURROGATE_RE

Data = dict[str, dict[str, Any]]
Op = list[Any]

MAX_FILE_BYTES = 1024 * 1024 * 1024
FOLD_BYTES = 4 * 1024 * 1024
FORK = hasattr(os, "fork")
"""Background folds run in a forked child where the system has fork (see start_fold)."""
BIG_BATCH = 5_000
"""Batches with more ops than this rewrite the main file instead of journaling."""


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + "-journal")


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.tmp-"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building millions of small objects triggers the cyclic GC over and over for
    nothing (JSON makes no cycles): pausing it cuts opening a large file by a third.
    What was built is long-lived, so it is frozen out of later collections too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


# A lone surrogate can only reach parsed JSON through a \\u escape (UTF-8 cannot encode
# one): a high one not followed by a low one, or a low one not preceded by a high one.


def lone_surrogate_at(value: object, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """The keys leading to the first string (or key) holding a lone surrogate, if any."""
    if isinstance(value, str):
        return path if SURROGATE_RE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if SURROGATE_RE.search(key):
                return (*path, key.encode("utf-8", "replace").decode())
            found = lone_surrogate_at(item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found = lone_surrogate_at(item, (*path, str(n)))
            if found is not None:
                return found
    return None


def maybe_lone_escape(raw: bytes) -> bool:
    """Whether ``raw`` may hold a \\u escape of a lone surrogate: a high half not followed
    by a low one, or a low half not preceded by a high one. One regular-expression search
    instead of a loop in Python over every \\ud escape, which took 0.29 s on the bench's
    151 MB file (71,000 emoji halves; this search 0.09 s) and 4.2 s on 26 MB of nothing
    but pairs (0.28 s). An escaped backslash before "ud800" can only make a false alarm,
    which the exact walk of the parsed data then clears."""
    return _LONE_ESCAPE.search(raw) is not None


_LONE_ESCAPE = re.compile(
    rb"\\u[dD](?:[89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|[c-fC-F](?<!\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F]))")


def _refuse_surrogates(raw: bytes, data: Any, where: str) -> None:
    """Refuse text with a lone surrogate: it cannot be written as UTF-8, so every export
    and listing of it would fail later. The scan of the raw bytes is fast; the walk that
    names the place runs only when it found a candidate."""
    if not maybe_lone_escape(raw):
        return
    found = lone_surrogate_at(data)
    if found is not None:
        place = " > ".join(found) or "the document"
        raise InputError(f"{where}: {place}: holds a lone surrogate (\\ud800-\\udfff), "
                         "which is not text")


def parse_json(raw: bytes, where: str) -> Any:
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InputError(f"{where}: starts with a byte-order mark; not a factread file")
    try:
        with gc_paused():
            data = json.loads(raw.decode("utf-8"))
        _refuse_surrogates(raw, data, where)
        return data
    except UnicodeDecodeError as err:
        raise InputError(f"{where}: not UTF-8 (byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise InputError(f"{where}: malformed JSON at line {err.lineno} column {err.colno}: "
                         f"{err.msg}") from None
    except RecursionError:
        raise InputError(f"{where}: nesting too deep") from None
    except ValueError as err:  # a number of thousands of digits, refused by int()
        raise InputError(f"{where}: malformed JSON ({str(err).split(':')[0]})") from None


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"{path}: {size} bytes, more than the {limit} allowed")
        return path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from None


def is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False
    except OSError as err:
        raise disk_error(path, err) from None


def refuse_link(path: Path) -> None:
    """Journal, lock and temp files are factread's own: a symbolic link in their place was
    planted, and following it would read or write another file."""
    if is_link(path):
        raise DiskError(f"{path}: is a symbolic link, which factread does not follow "
                        "(remove it); nothing was changed")


def open_own(path: Path, flags: int, mode: int = 0o600) -> int:
    """Open one of factread's own files without following a symbolic link."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise DiskError(f"{path}: is a symbolic link, which factread does not follow "
                            "(remove it); nothing was changed") from None
        raise disk_error(path, err, "nothing was changed") from None


def check_tables(data: object, where: str) -> Data:
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a JSON object of tables")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise InputError(f"{where}: table '{name}' is not an object")
        for key in table:
            if not key.isdigit() or not key.isascii():
                raise InputError(f"{where}: table '{name}': record key {key!r} is not a number")
    return data


def apply_ops(data: Data, ops: Sequence[Op]) -> None:
    for op in ops:
        if op[0] == "put":
            data.setdefault(op[1], {})[op[2]] = op[3]
        else:
            data.get(op[1], {}).pop(op[2], None)


def _check_ops(ops: object, where: str) -> list[Op]:
    if not isinstance(ops, list):
        raise InputError(f"{where}: 'ops' is not a list")
    for op in ops:
        ok = isinstance(op, list) and len(op) >= 3 and isinstance(op[1], str) and (
            isinstance(op[2], str) and op[2].isdigit()
        )
        ok = ok and ((op[0] == "put" and len(op) == 4 and isinstance(op[3], dict))
                     or (op[0] == "del" and len(op) == 3))
        if not ok:
            raise InputError(f"{where}: malformed operation {str(op)[:60]}")
    return ops


def journal_empty(path: Path) -> bool:
    """No journal beside ``path``, or an empty one, told from its size alone (a journal
    with anything in it, even a torn line, is read by ``read_journal``)."""
    jpath = journal_path(path)
    refuse_link(jpath)
    try:
        return os.stat(jpath).st_size == 0
    except FileNotFoundError:
        return True
    except OSError as err:
        raise disk_error(jpath, err) from None


def read_journal(path: Path) -> list[list[Op]]:
    """The complete batches in a journal."""
    jpath = journal_path(path)
    refuse_link(jpath)
    if not jpath.exists():
        return []
    raw = read_bytes(jpath)
    batches: list[list[Op]] = []
    lines = raw.split(b"\n")
    # The part after the last newline is a torn, unacknowledged write.
    for number, line in enumerate(lines[:-1], start=1):
        where = f"{jpath}: line {number}"
        record = parse_json(line, where)
        if not isinstance(record, dict) or "ops" not in record:
            raise InputError(f"{where}: not a journal record")
        batches.append(_check_ops(record["ops"], where))
    return batches


def _main_records(path: Path, raw: bytes | None = None,
                  members: Mapping[str, re.Pattern[str]] | None = None,
                  split: bool = False, lone: bool | None = None) -> Iterator[Record]:
    """The main file's records, streamed (see ``jsonstream``; ``members`` as there; with
    ``split``, a large file's later annotations are read by a child: see ``splitread``).
    A file that may hold a lone surrogate escape is parsed whole instead, which names
    where it is. ``raw``: its bytes, when the caller has read them already; ``lone``:
    ``maybe_lone_escape(raw)``, when the caller has scanned them."""
    where = str(path)
    if raw is None:
        raw = read_bytes(path)
    if raw.startswith(b"\xef\xbb\xbf") or (maybe_lone_escape(raw) if lone is None else lone):
        data = check_tables(parse_json(raw, where), where)
        del raw
        yield from records_of(data)
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{where}: not UTF-8 (byte {err.start})") from None
    del raw
    if not text.lstrip(" \t\n\r").startswith("{"):
        check_tables(parse_json(text.encode("utf-8"), where), where)  # names the problem
    handover = splitread.Split.start(text) if split else None
    try:
        yield from jsonstream.tables(text, members, handover)
    except jsonstream.StreamError as err:
        if err.problem.endswith("is not an object"):
            raise InputError(f"{where}: {err.problem}") from None
        raise InputError(f"{where}: {err}") from None
    except RecursionError:
        raise InputError(f"{where}: nesting too deep") from None
    except ValueError as err:  # a number of thousands of digits, refused by int()
        raise InputError(f"{where}: malformed JSON ({str(err).split(':')[0]})") from None
    finally:
        if handover is not None:
            handover.close()


def read_records(path: Path, *, missing_ok: bool = False, raw: bytes | None = None,
                 members: Mapping[str, re.Pattern[str]] | None = None,
                 split: bool = False, lone: bool | None = None) -> Iterator[Record]:
    """Main file plus journal, as records in file order, read without changing either
    (with ``missing_ok``, nothing at all is an empty file). A record the journal replaces
    or deletes is left out where the main file has it; the journal's version comes at the
    end of its table. ``members``, ``split`` and ``lone``: see ``_main_records``. Only a
    file with an empty journal is split: the child could not leave out what a journal
    replaces.

    The journal is read first: if another process folds in between, the main file read
    second already holds every op of the journal read first, and replaying them is a no-op."""
    later: dict[str, dict[str, Any]] = {}
    batches = read_journal(path)
    for ops in batches:
        for op in ops:
            later.setdefault(op[1], {})[op[2]] = op[3] if op[0] == "put" else None
    if path.exists():
        current: str | None = None
        for table, key, record in _main_records(path, raw, members, split and not batches,
                                                lone):
            if key is None:
                if current is not None:
                    yield from _puts(current, later.pop(current, {}))
                current = table
            elif key in later.get(table, ()):
                continue
            elif type(record) is jsonstream.Run and later.get(table):
                replaced = later[table]
                record = jsonstream.Run(groups for groups in record if groups[0] not in replaced)
            yield table, key, record
        if current is not None:
            yield from _puts(current, later.pop(current, {}))
    elif not batches and not missing_ok:
        raise InputError(f"{path}: no such file")
    for table, docs in later.items():
        yield table, None, None
        yield from _puts(table, docs)


def _puts(table: str, docs: dict[str, Any]) -> Iterator[Record]:
    for key, doc in docs.items():
        if doc is not None:
            yield table, key, doc


def read_articles(path: Path) -> dict[str, Article]:
    """The articles of a file (main file and journal) without its annotations: the main
    file is read only up to its annotations table, so the texts of a 50,000-annotation
    file are on screen before the file is opened (see ``store``, which then checks it all).
    Nothing at all is no articles; a problem raises InputError."""
    found: dict[str, Article] = {}

    def take(key: str, record: Any) -> None:
        article = article_record(record, f"{path}: article record {key}")
        found[article.sha256] = article

    batches = read_journal(path)
    if path.exists():
        try:
            with path.open("rb") as stream:
                walker = jsonstream.Walker(stream)
                for table in walker.members():
                    if table == "annotations":
                        break  # the articles come before the annotations in factread's files
                    if table != "articles":
                        walker.value()
                        continue
                    for key in walker.members():
                        take(key, walker.value())
        except jsonstream.StreamError as err:
            raise InputError(f"{path}: {err}") from None
        except OSError as err:
            raise InputError(f"{path}: cannot read ({err.strerror or err})") from None
    for ops in batches:
        for op in ops:
            if op[0] == "put" and op[1] == "articles":
                take(op[2], op[3])
    return found


def load_data(path: Path, *, missing_ok: bool = False) -> Data:
    """Main file plus journal as one dict of tables (see ``read_records``)."""
    data: Data = {}
    for table, key, record in read_records(path, missing_ok=missing_ok):
        if key is None:
            data.setdefault(table, {})
        else:
            data[table][key] = record
    return data


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_open(path: Path) -> Iterator[BinaryIO]:
    """A file to write that replaces ``path`` only when the block ends without error: a
    crash or a full disk leaves the old or the new file, never a mixture, and no temp file.
    Keeps the file's permissions. OS errors become one DiskError line naming ``path``."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = _default_mode()
    except OSError as err:
        raise disk_error(path, err, "nothing was written") from None
    tmp = path.with_name(f"{_temp_prefix(path)}{os.getpid()}-{os.urandom(4).hex()}")
    fd = open_own(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    handle = os.fdopen(fd, "wb")
    try:
        yield handle
        handle.flush()
        os.fchmod(handle.fileno(), mode)
        os.fsync(handle.fileno())
        handle.close()
        os.replace(tmp, path)
    except BaseException as err:
        try:
            handle.close()  # flushes what the disk refused again: the fd is closed anyway
        except OSError:
            pass
        tmp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise disk_error(path, err, "nothing was written; the file is as it was") from None
        raise
    try:
        _fsync_dir(path.parent)
    except OSError:
        pass  # the rename is done; a directory that cannot be fsynced (some FUSE) is no reason to fail


def write_atomic(path: Path, payload: bytes | Iterable[bytes]) -> None:
    with atomic_open(path) as handle:
        if isinstance(payload, bytes):
            handle.write(payload)
        else:
            for piece in payload:
                handle.write(piece)


_ENCODE = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode
CHUNK = 1_000
"""Documents encoded per call of the C encoder."""


def plain(doc: Any) -> Any:
    """A document as JSON data: the store's records know their own dict."""
    return doc if type(doc) is dict else doc.to_dict()


def encode_file(data: Data) -> Iterator[bytes]:
    """The main file, in pieces. Escaping non-ASCII (\\u00e1) measured faster both ways on a
    50 MB file: 0.68 s to write instead of 0.93 s, 0.65 s to read instead of 0.92 s; 2%
    larger."""
    yield b"{"
    for number, (name, table) in enumerate(data.items()):
        yield ("," if number else "").encode() + _ENCODE(name).encode("ascii") + b":{"
        items = list(table.items())
        for at in range(0, len(items), CHUNK):
            part = {key: plain(doc) for key, doc in items[at:at + CHUNK]}
            yield (b"," if at else b"") + _ENCODE(part)[1:-1].encode("ascii")
        yield b"}"
    yield b"}"


def _hashing(pieces: Iterable[bytes], digest: Any) -> Iterator[bytes]:
    for piece in pieces:
        digest.update(piece)
        yield piece


def dump(data: Data) -> bytes:
    return b"".join(encode_file(data))


def encode_ops(ops: Sequence[Op]) -> bytes:
    """One journal line."""
    line = {"ops": [op if op[0] == "del" else [op[0], op[1], op[2], plain(op[3])]
                    for op in ops]}
    return (_ENCODE(line) + "\n").encode("ascii")


def snapshot(data: Data) -> Data:
    """A copy that later changes do not reach: tables are copied, documents are shared
    (they are replaced by changes, never changed in place)."""
    return {name: dict(table) for name, table in data.items()}


def _last_line_end(fd: int, size: int) -> int:
    """The length of the journal up to its last newline: what a torn write left after it
    was never acknowledged, and nothing may be appended after it."""
    at = size
    while at > 0:
        chunk_start = max(0, at - 65536)
        chunk = os.pread(fd, at - chunk_start, chunk_start)
        found = chunk.rfind(b"\n")
        if found >= 0:
            return chunk_start + found + 1
        at = chunk_start
    return 0


class JournaledStorage(Storage):
    """TinyDB storage over a main file and its journal.

    The caller holds the file's lock (``annotations.lock``) while a writable storage is
    open: only one process appends to a journal. The journal is created by the first
    change, and the main file by the first fold after it: opening a file and changing
    nothing writes nothing.

    With ``background``, folds run on a thread of their own: a snapshot of the tables is
    taken at once (a copy of dicts), written as the new main file meanwhile, and only the
    journal lines the snapshot holds are dropped afterwards. Changes keep going to the
    journal while it runs, so the journal stays the record of everything reported done."""

    def __init__(self, path: str | Path, *, fold_bytes: int = FOLD_BYTES,
                 create: bool = True, defer: bool = False, background: bool = False,
                 data: Data | None = None) -> None:
        """With ``defer``, nothing on disk is touched until ``recover``: the caller
        validates the contents first, so that a file it refuses stays as it was. ``data``
        is the file as the caller read and checked it (else it is read here)."""
        self.path = Path(path)
        self.journal = journal_path(self.path)
        self.fold_bytes = fold_bytes
        self.background = background
        self.fold_error: str | None = None
        """Why the last fold could not write the main file (the journal keeps the changes)."""
        self._remove_stale_temps()
        self.data: Data = load_data(self.path, missing_ok=create) if data is None else data
        """The tables. The owner may replace parsed documents by records with ``to_dict``."""
        self._fd: int | None = None
        self._journal_bytes = 0
        self._closed = False
        # Held while the journal is appended to or replaced: appends come from the
        # caller's thread, the replacement of a folded journal from the fold's.
        self._mutex = threading.Lock()
        self._folding: threading.Thread | None = None
        if not defer:
            self.recover()

    def recover(self) -> None:
        """Fold a journal left by a crash. Where the disk will not take the main file, the
        journal stays the record, cut back to its last whole line before anything is
        appended after it."""
        refuse_link(self.journal)
        if not self.journal.exists() or not self.journal.stat().st_size:
            return
        # Nothing whole in the journal and no main file: there is nothing to fold (and an
        # empty main file would be no factread file), only a torn line to cut.
        if not self.data or not self.try_fold():
            fd = self._journal_fd()
            whole = _last_line_end(fd, os.fstat(fd).st_size)
            try:
                os.ftruncate(fd, whole)
            except OSError as err:
                raise disk_error(self.journal, err, "cannot cut off a torn last line") from None
            self._journal_bytes = whole

    def _remove_stale_temps(self) -> None:
        prefix = _temp_prefix(self.path)
        directory = self.path.parent
        try:
            entries = list(directory.iterdir()) if directory.is_dir() else []
        except OSError:
            return  # an unlistable directory: the open that follows names the problem
        for entry in entries:
            if entry.name.startswith(prefix):
                try:
                    entry.unlink(missing_ok=True)
                except OSError:
                    pass  # not ours to remove (permissions): harmless, never read

    def _journal_fd(self) -> int:
        if self._fd is None:
            # Read as well as appended to: a torn last line is found by reading back.
            self._fd = open_own(self.journal, os.O_RDWR | os.O_CREAT | os.O_APPEND)
            self._journal_bytes = os.fstat(self._fd).st_size
        return self._fd

    # TinyDB's interface. ``write`` is what the stock Table API calls; it is durable too,
    # by rewriting the main file, but the store uses ``commit`` for single changes.
    def read(self) -> Data:
        return {name: {key: plain(doc) for key, doc in table.items()}
                for name, table in self.data.items()}

    def write(self, data: Data) -> None:
        self._wait_fold()
        self.data = data
        self.fold()

    def commit(self, ops: Sequence[Op]) -> None:
        """Make a batch of ops durable, then apply it in memory. Raises DiskError, with
        nothing stored and nothing changed in memory, when the disk refuses it."""
        if self._closed:
            raise RuntimeError("storage is closed")
        if len(ops) > BIG_BATCH:
            self._commit_by_rewrite(ops)
            return
        self._append(encode_ops(ops))
        apply_ops(self.data, ops)
        if self._journal_bytes > self.fold_bytes:
            if self.background:
                self.start_fold()
            else:
                self.try_fold()

    def _append(self, payload: bytes) -> None:
        """One whole line on disk and fsynced, or none of it."""
        with self._mutex:
            fd = self._journal_fd()
            try:
                descriptors.write_all(fd, payload)
                os.fsync(fd)
            except OSError as err:
                self._cut_back(fd)
                raise disk_error(self.journal, err, "the change was not saved") from None
            self._journal_bytes += len(payload)

    def _cut_back(self, fd: int) -> None:
        """Remove what a failed append left, so that the next line starts on a line."""
        try:
            os.ftruncate(fd, self._journal_bytes)
            os.fsync(fd)
        except OSError:
            # The next append would land after a torn line: refuse it instead. Reopening
            # the file replays up to the last whole line and cuts the rest.
            self._closed = True

    def _commit_by_rewrite(self, ops: Sequence[Op]) -> None:
        """A batch as large as a file (an import) is written as the file itself: one
        atomic rewrite instead of a journal line that would be folded at once. The ops go
        to a copy, so memory still matches the disk if the write fails."""
        self._wait_fold()
        data = snapshot(self.data)
        apply_ops(data, ops)
        write_atomic(self.path, encode_file(data))
        self.data = data
        self._truncate_journal()

    # ------------------------------------------------------------------ folding
    def fold(self) -> None:
        """Write the main file anew from memory and empty the journal, here and now. A main
        file the disk will not take raises DiskError and leaves both files as they were."""
        self._wait_fold()
        self._write_main(self.data)
        self.fold_error = None
        self._truncate_journal()

    def try_fold(self) -> bool:
        """Fold where the disk allows; the changes are durable in the journal either way."""
        try:
            self.fold()
        except DiskError as err:
            self.fold_error = str(err)
            return False
        return True

    def start_fold(self) -> bool:
        """Fold in the background. Returns False when a fold is already running (its end
        is not waited for: the next call starts the next).

        Where the system can fork, a child process writes the main file: it is born with a
        copy of the tables as they are now, and shares no interpreter lock with the screen
        (a thread encoding 100,000 annotations made a key wait a second). The child also
        shares the file's lock, so if factread is killed meanwhile, no other factread opens
        the file until the child has finished the main file; the journal it leaves still
        holds every change, folded again on the next open."""
        if self._closed or self.folding:
            return False
        with self._mutex:
            upto = self._journal_bytes
        if FORK:
            read_fd, write_fd = os.pipe()
            pid = descriptors.fork()
            if pid == 0:
                self._fold_in_child(read_fd, write_fd)
            os.close(write_fd)
            self._folding = threading.Thread(target=self._await_child,
                                             args=(pid, read_fd, upto),
                                             name="factread-fold", daemon=True)
        else:
            self._folding = threading.Thread(target=self._fold_from,
                                             args=(snapshot(self.data), upto),
                                             name="factread-fold", daemon=True)
        self._folding.start()
        return True

    def _write_main(self, data: Data) -> None:
        """The main file from ``data``; for a large file, then its snapshot (written by a
        forked grandchild: see ``snapshots``), so that the next open skips the checks.
        Folds here and now only (close, large changes): not the background ones."""
        if not snapshots.worth_it(data):
            write_atomic(self.path, encode_file(data))
            return
        digest = hashlib.sha256()
        write_atomic(self.path, _hashing(encode_file(data), digest))
        snapshots.save_in_child(digest.hexdigest(), data)

    def _fold_in_child(self, read_fd: int, write_fd: int) -> NoReturn:
        """In the forked child: write the main file, say why not on the pipe, and end
        without running anything of the parent's (no atexit, no buffered output)."""
        code = 0
        try:
            os.close(read_fd)
            # No snapshot here: folds during a session would write one every time; the
            # fold at close does (and a careful open after a crash does).
            write_atomic(self.path, encode_file(self.data))
        except BaseException as err:  # everything ends in os._exit below
            code = 1
            try:
                os.write(write_fd, str(err).encode("utf-8", "replace")[:4000])
            except BaseException:
                pass
        finally:
            os._exit(code)

    def _await_child(self, pid: int, read_fd: int, upto: int) -> None:
        said = b""
        try:
            while chunk := os.read(read_fd, 4096):  # blocks, without the lock, until it ends
                said += chunk
            _, status = os.waitpid(pid, 0)
        finally:
            os.close(read_fd)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            self.fold_error = (said.decode("utf-8", "replace")
                               or f"{self.path}: main file not written (fold ended with {code})")
            return
        self.fold_error = None
        self._drop_folded(upto)

    def _fold_from(self, tables: Data, upto: int) -> None:
        """A fold on a thread, where the system cannot fork. It shares the interpreter lock
        with the screen: with 100,000 annotations a key waited about a second (shorter
        switch intervals and pauses between pieces measured no better)."""
        try:
            write_atomic(self.path, encode_file(tables))
        except DiskError as err:
            self.fold_error = str(err)
            return
        except Exception as err:  # a fold thread must never die silently
            self.fold_error = f"{self.path}: main file not written ({err})"
            return
        self.fold_error = None
        self._drop_folded(upto)

    def _drop_folded(self, upto: int) -> None:
        """Drop the first ``upto`` bytes of the journal, now in the main file. Lines appended
        since are kept: they are copied to a new journal that replaces the old one whole,
        so that a crash leaves one or the other (replaying folded lines again is a no-op)."""
        with self._mutex:
            if self._fd is None or self._closed:
                return
            if self._journal_bytes == upto:
                self._truncate_journal()
                return
            tail = os.pread(self._fd, self._journal_bytes - upto, upto)
            fresh = self.journal.with_name(
                f"{_temp_prefix(self.path)}{os.getpid()}-{os.urandom(4).hex()}")
            try:
                fd = open_own(fresh, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_APPEND)
            except DiskError:
                return  # the journal stays whole: no loss, folded again next time
            try:
                descriptors.write_all(fd, tail)
                os.fsync(fd)
                os.replace(fresh, self.journal)
            except OSError:
                os.close(fd)
                fresh.unlink(missing_ok=True)
                return
            try:
                _fsync_dir(self.path.parent)
            except OSError:
                pass
            os.close(self._fd)
            self._fd = fd
            self._journal_bytes = len(tail)

    def _wait_fold(self) -> None:
        if self._folding is not None:
            self._folding.join()
            self._folding = None

    @property
    def folding(self) -> bool:
        return self._folding is not None and self._folding.is_alive()

    def _truncate_journal(self) -> None:
        try:
            if self._fd is not None:
                os.ftruncate(self._fd, 0)
                os.fsync(self._fd)
                self._journal_bytes = 0
            elif self.journal.exists():
                fd = open_own(self.journal, os.O_WRONLY)
                try:
                    os.ftruncate(fd, 0)
                    os.fsync(fd)
                finally:
                    os.close(fd)
        except OSError:
            # The main file holds every op already; replaying them again is a no-op.
            pass

    @property
    def pending(self) -> int:
        return self._journal_bytes

    def abandon(self) -> None:
        """Close without writing anything."""
        self._wait_fold()
        self._closed = True
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def close(self) -> None:
        """Fold and remove the journal. Where the disk will not take the main file, the
        journal is kept (it holds every change) and DiskError says so."""
        if self._closed:
            return
        self._wait_fold()
        self._closed = True
        folded = True
        if self._journal_bytes:
            folded = self.try_fold()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if folded:
            if self.path.exists():
                try:
                    self.journal.unlink(missing_ok=True)
                except OSError:
                    pass  # empty, so harmless
            return
        raise DiskError(f"{self.fold_error}; every change is kept in {self.journal.name} "
                        "and is folded in the next time the file is opened")
