"""The annotation file: articles and annotations kept in TinyDB, every change durable.

Reads go to in-memory indexes (by uuid, and per article sorted by position) because the
reading screen asks "what is under the cursor" on every key. An article's list is sorted
the first time it is asked for, not at open: a large file's sort took a sixth of its first
open, and the reading screen shows one article at a time.
Every change is one ``Change`` (pairs of before/after annotations) that becomes one
journal batch: it is on disk, fsynced, before ``apply`` returns.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from annotations import snapshots
from annotations.articles import Article
from annotations.errors import DiskError, InputError
from annotations.fileformat import (
    QUICK_MEMBERS,
    TABLES,
    Contents,
    ReadAgain,
    contents_of_snapshot,
    link_problem,
    new_meta,
    parse_contents,
)
from annotations.lock import FileLock
from annotations.model import (
    POSITION,
    Annotation,
    check_annotator,
    create,
    from_dict,
    name_problem,
    now_iso,
    text_problem,
)
from annotations.storage import (
    FOLD_BYTES,
    JournaledStorage,
    Op,
    gc_paused,
    journal_empty,
    maybe_lone_escape,
    read_bytes,
    read_journal,
    read_records,
)

LONG = 2_000
"""Annotations longer than this are indexed apart (see ``overlapping``)."""
BULK = 500
"""Changes larger than this rebuild the per-article indexes rather than insert."""


@dataclass(frozen=True)
class Change:
    """Annotations before and after: (None, new) adds, (old, None) deletes."""

    pairs: tuple[tuple[Annotation | None, Annotation | None], ...]
    label: str = ""
    articles: tuple[Article, ...] = field(default=())
    """Articles the change needs that the file may not hold yet."""
    reviews: tuple[tuple[str, str | None, str | None], ...] = field(default=())
    """(a colleague's annotation id, decision before, decision after) when reviewing."""

    def spans(self) -> dict[str, list[tuple[int, int]]]:
        """Article SHA-256 to the spans the change touched, before and after."""
        spans: dict[str, list[tuple[int, int]]] = {}
        for pair in self.pairs:
            for ann in pair:
                if ann is not None:
                    spans.setdefault(ann.article_sha256, []).append((ann.start, ann.end))
        return spans

    def inverted(self) -> Change:
        return Change(tuple((after, before) for before, after in reversed(self.pairs)),
                      f"undo {self.label}", (),
                      tuple((ident, after, before) for ident, before, after in self.reviews))


@dataclass
class Apart:
    """What ``overlapping_in`` needs beside an article's position-ordered annotations: the
    ones longer than LONG, looked at apart, and ``reach``, the length of the longest of the
    others (how far back from a position the scan must start; an upper bound, which
    removals leave as it was). With 100,000 annotations on 100 KB, none longer than 120
    characters, a row scans ~220 annotations instead of the ~2,100 a fixed LONG reached."""

    long: list[Annotation] = field(default_factory=list)
    reach: int = 0

    def add(self, ann: Annotation) -> None:
        length = ann.end - ann.start
        if length > LONG:
            self.long.append(ann)
        elif length > self.reach:
            self.reach = length

    def remove(self, ann: Annotation) -> None:
        if ann.end - ann.start > LONG:
            self.long.remove(ann)


def apart(anns: Sequence[Annotation]) -> Apart:
    """The same as adding each (``Apart.add``), in C-level passes: 300,000 calls of
    ``add`` were a quarter of a second of every open."""
    lengths = list(map(operator.sub, map(_END, anns), map(_START, anns)))
    found = Apart(reach=max(filter(LONG.__ge__, lengths), default=0))
    if max(lengths, default=0) > LONG:
        found.long = list(itertools.compress(anns, map(LONG.__lt__, lengths)))
    return found


def overlapping_in(anns: Sequence[Annotation], apart: Apart, start: int,
                   end: int) -> list[Annotation]:
    """Of ``anns`` (one article's, in position order; ``apart`` = ``apart(anns)``), those
    sharing a character with [start, end), in position order. Only annotations starting
    within ``apart.reach`` characters before ``start`` are scanned by position; the few
    longer than LONG are kept aside, so this stays O(log n + k)."""
    back = start - apart.reach
    lo = bisect.bisect_left(anns, (back, -1, ""), key=POSITION)
    hi = bisect.bisect_left(anns, (end, -1, ""), key=POSITION)
    found = [a for a in anns[lo:hi] if a.end > start]
    far = [a for a in apart.long if a.start < back and a.end > start]
    return sorted(found + far, key=POSITION) if far else found


class Draft:
    """Several edits folded into one ``Change``: each annotation appears once, as stored
    and as it ends, however many edits touched it (deleting two annotations linked to each
    other, or replacing one with another of the same id)."""

    def __init__(self, store: AnnotationStore) -> None:
        self.store = store
        self._before: dict[str, Annotation | None] = {}
        self._after: dict[str, Annotation | None] = {}

    def current(self, ann_id: str) -> Annotation | None:
        return self._after[ann_id] if ann_id in self._after else self.store.get(ann_id)

    def _set(self, ann_id: str, ann: Annotation | None) -> None:
        if ann_id not in self._before:
            self._before[ann_id] = self.store.get(ann_id)
        self._after[ann_id] = ann

    def put(self, ann: Annotation) -> None:
        self._set(ann.id, ann)

    def delete(self, ann_id: str) -> None:
        """Delete, and take it out of the links of what it was linked to."""
        old = self.current(ann_id)
        if old is None:
            raise InputError(f"no annotation {ann_id}")
        for other_id in old.links:
            if self.current(other_id) is not None:
                self.link(other_id, ann_id, unlink=True)
        self._set(ann_id, None)

    def link(self, ann_id: str, other_id: str, *, unlink: bool = False) -> None:
        """One direction of a link (or its removal); call it both ways for a link."""
        ann = self.current(ann_id)
        if ann is None:
            raise InputError(f"no annotation {ann_id}")
        if unlink and other_id in ann.links:
            self.put(ann.changed(links=tuple(i for i in ann.links if i != other_id)))
        elif not unlink and other_id not in ann.links:
            self.put(ann.changed(links=(*ann.links, other_id)))

    def change(self, label: str, articles: tuple[Article, ...] = (),
               reviews: tuple[tuple[str, str | None, str | None], ...] = ()) -> Change:
        pairs = tuple((self._before[i], self._after[i]) for i in self._after
                      if self._before[i] != self._after[i])
        return Change(pairs, label, articles, reviews)


_START = operator.itemgetter(Annotation._fields.index("start"))
_END = operator.itemgetter(Annotation._fields.index("end"))
_ID = operator.itemgetter(Annotation._fields.index("id"))


class AnnotationStore:
    """One annotation file. Writable stores hold the file's lock until ``close``."""

    def __init__(self, path: str | Path, annotator: str, *, read_only: bool = False,
                 lock_wait: float = 0.0, fold_bytes: int = FOLD_BYTES,
                 on_wait: Callable[[str], None] | None = None,
                 background: bool = False, snapshot: bool = True) -> None:
        """``on_wait(pid)`` is called once if the lock is still held by another factread
        after a second of ``lock_wait``. A file that does not exist yet is created by the
        first change: opening and changing nothing leaves nothing behind. With
        ``background``, the journal is folded into the main file on a thread of its own
        (the reading screen: a key never waits for a fold). Without ``snapshot``, a large
        file is read the careful way even where a snapshot of it exists (``check``)."""
        self.path = Path(path)
        self.annotator = check_annotator(annotator)
        self.read_only = read_only
        self.warnings: list[str] = []
        """What went wrong without losing anything (a main file the disk would not take)."""
        self._lock: FileLock | None = None
        self._storage: JournaledStorage | None = None
        self._meta_op: Op | None = None
        """The meta record of a new file, written with its first change."""
        self._fresh_keys: list[tuple[str, str]] = []
        self.db: TinyDB | None = None
        self._snapshot_due: tuple[str, dict[str, dict[str, Any]]] | None = None
        """The snapshot of a large file just read the careful way, for the next open: its
        key and tables. Written by a forked process (``snapshots.save_in_child``) once the
        annotations are sorted (see ``_save_snapshot``)."""
        self._use_snapshot = snapshot
        if read_only:
            with gc_paused():
                self._load(missing_ok=False)
            return
        self._lock = FileLock(self.path)
        self._lock.acquire(lock_wait, on_wait)
        try:
            with gc_paused():
                tables = self._load(missing_ok=True)
            self.db = TinyDB(self.path, storage=JournaledStorage, defer=True,
                             fold_bytes=fold_bytes, background=background, data=tables)
            assert isinstance(self.db.storage, JournaledStorage)
            self._storage = self.db.storage
            self._storage.recover()
        except BaseException:
            self.close(fold=False)
            raise
        if not self._storage.data.get("meta"):
            self._meta_op = ["put", "meta", "1", self.meta]

    def _is_new(self) -> bool:
        """Nothing on disk yet: no main file and no whole journal line (a crash before the
        first fold leaves a journal, which is then the file; a refused first change leaves
        an empty one)."""
        return not self.read_only and not self.path.exists() and not read_journal(self.path)

    def _load(self, *, missing_ok: bool) -> dict[str, dict[str, Any]]:
        """Read and check the file; returns its tables as the storage keeps them (the
        parsed JSON of annotations dropped: the records hold the same strings)."""
        if self._is_new():
            contents = Contents(meta=new_meta(self.annotator, now_iso()))
            contents.next_key = dict.fromkeys(TABLES, 1)
            tables: dict[str, dict[str, Any]] = {}
        else:
            contents = self._read(missing_ok)
            tables = contents.tables()
        self.meta = contents.meta
        self.articles = contents.articles
        self.reviews = contents.reviews
        self._by_id = contents.annotations
        self._keys = contents.keys
        self._unkeyed: dict[str, Annotation] | None = contents.by_key
        """The annotations table as read, whose document ids are not in ``_keys`` yet
        (see ``_annotation_keys``)."""
        self._next_key = contents.next_key
        self.version = 0
        """Counts applied changes, so that views derived from the file know when to redo."""
        self._by_article: dict[str, list[Annotation]] = {}
        self._apart: dict[str, Apart] = {}
        self._unsorted: set[str] = set()
        """Articles whose list is in file order and has no ``_apart`` yet (see ``_sorted``)."""
        self._rebuild_index(set(self.articles), contents.in_order)
        return tables

    def _read(self, missing_ok: bool) -> Contents:
        """The file checked record by record; or, for a large main file and an empty
        journal, the snapshot written after it was last checked (see ``snapshots``), which
        is then written for the next open if there was none."""
        raw: bytes | None = None
        key: str | None = None
        lone: bool | None = None
        # The journal's size, not its contents: where it holds anything, the careful read
        # below reads it (once).
        if self.path.exists() and journal_empty(self.path):
            raw = read_bytes(self.path)
            if len(raw) >= snapshots.MIN_BYTES:
                # The scan a first open needs anyway, while the key is computed
                key, lone = snapshots.key_while(raw, partial(maybe_lone_escape, raw))
                found = snapshots.load(key) if self._use_snapshot else None
                contents = contents_of_snapshot(*found, str(self.path)) if found else None
                if contents is not None:
                    return contents
        try:
            contents = parse_contents(read_records(self.path, missing_ok=missing_ok, raw=raw,
                                                   members=QUICK_MEMBERS, split=True, lone=lone),
                                      str(self.path))
        except ReadAgain:
            contents = parse_contents(read_records(self.path, missing_ok=missing_ok, raw=raw,
                                                   members=QUICK_MEMBERS, lone=lone),
                                      str(self.path))
        del raw
        if key is not None:
            self._snapshot_due = (key, contents.tables())
        return contents

    def _rebuild_index(self, shas: set[str], in_order: list[Annotation] | None = None) -> None:
        """The per-article lists for ``shas``, sorted when first asked for (``_sorted``).
        ``in_order``: the annotations already by position (from a snapshot, which sorted
        them with the same key): not sorted again."""
        for sha in shas:
            self._by_article[sha] = []
        for ann in self._by_id.values() if in_order is None else in_order:
            if ann.article_sha256 in shas:
                self._by_article[ann.article_sha256].append(ann)
        if in_order is None:
            self._unsorted |= shas
        else:
            for sha in shas:
                self._apart[sha] = apart(self._by_article[sha])

    def _sorted(self, sha: str) -> list[Annotation]:
        """``sha``'s annotations by position (its ``_apart`` built), sorted now if this is
        the first time since open or a bulk change. ``sha`` is an article of the file."""
        if sha in self._unsorted:
            self._sort(sha)
            self._save_snapshot()
        return self._by_article[sha]

    def _sort(self, sha: str) -> None:
        anns = self._by_article[sha]
        anns.sort(key=POSITION)
        self._apart[sha] = apart(anns)
        self._unsorted.discard(sha)

    def _sort_all(self) -> None:
        """Every article sorted, then the snapshot due (after all of them, not the first)."""
        for sha in list(self._unsorted):
            self._sort(sha)
        self._save_snapshot()

    def prepare_all(self) -> None:
        """Every article's list sorted and every annotation's document id known now: for a
        caller that opens the file on one thread and reads and changes it on another that
        must never wait (the reading screen)."""
        self._sort_all()
        self._annotation_keys()

    def _save_snapshot(self) -> None:
        """The snapshot due, written now by a forked process. Not at open: after a fork,
        each page this process writes to is copied first (a reference count is a write),
        and the index and the first sort touch every annotation. Forked after them, they
        no longer pay for it: 31,000 page copies at 300,000 annotations, 0.1 s."""
        due, self._snapshot_due = self._snapshot_due, None
        if due is not None:
            snapshots.save_in_child(*due)

    # ----------------------------------------------------------------- reading
    def __len__(self) -> int:
        return len(self._by_id)

    def __bool__(self) -> bool:
        # An empty file is still a file: ``if store`` must not mean "has annotations".
        return True

    def get(self, ann_id: str) -> Annotation | None:
        return self._by_id.get(ann_id)

    def all(self) -> list[Annotation]:
        self._sort_all()
        return [ann for sha in self.articles for ann in self._sorted(sha)]

    def for_article(self, sha: str) -> Sequence[Annotation]:
        """Sorted by start, end. Do not mutate."""
        return self._sorted(sha) if sha in self._by_article else ()

    def at(self, sha: str, offset: int) -> list[Annotation]:
        """Annotations covering ``offset`` (start <= offset < end)."""
        return self.overlapping(sha, offset, offset + 1)

    def overlapping(self, sha: str, start: int, end: int) -> list[Annotation]:
        """Annotations that share a character with [start, end), in position order.

        See ``overlapping_in``: O(log n + k)."""
        anns = self.for_article(sha)
        found = self._apart.get(sha)
        return overlapping_in(anns, found, start, end) if found else []

    def article_named(self, name: str) -> Article | None:
        """The article stored under ``name`` (the newest version if there are several)."""
        found = [a for a in self.articles.values() if a.name == name]
        return found[-1] if found else None

    # ----------------------------------------------------------------- writing
    def _writable(self) -> JournaledStorage:
        if self._storage is None:
            raise InputError(f"{self.path}: opened read-only")
        return self._storage

    def _annotation_keys(self) -> None:
        """Every annotation's document id in ``_keys``, and the next free one, from the
        table as it was read. Built when a change first needs one rather than at open,
        where it was 0.1-0.17 s of a first open at 300,000 (the reading screen builds it on
        the thread that opens the file: ``prepare_all``). Every change that looks up or
        allocates an annotation's document id, or changes that table, goes through
        ``apply``, which asks for this first."""
        by_key = self._unkeyed
        if by_key is not None:
            self._unkeyed = None
            ids = map(_ID, by_key.values())
            self._keys.update(zip(zip(itertools.repeat("annotations"), ids), by_key,
                                   strict=True))
            self._next_key["annotations"] = max(map(int, by_key), default=0) + 1

    def _key(self, table: str, ident: str) -> str:
        key = self._keys.get((table, ident))
        if key is None:
            key = str(self._next_key[table])
            self._next_key[table] += 1
            self._keys[table, ident] = key
            self._fresh_keys.append((table, ident))
        return key

    def _commit(self, ops: list[Op]) -> None:
        """Write ``ops`` as one durable batch. If the disk refuses it, the document ids
        allocated for it are given back and DiskError says the change was not saved."""
        storage = self._writable()
        # The tables change: a snapshot of them would no longer be the main file's (which
        # changes at the next fold anyway, and the journal is read the careful way).
        self._snapshot_due = None
        if self._meta_op is not None:
            ops = [self._meta_op, *ops]
        try:
            storage.commit(ops)
        except BaseException:
            for table, ident in self._fresh_keys:
                self._keys.pop((table, ident), None)
                self._next_key[table] -= 1
            raise
        finally:
            self._fresh_keys.clear()
        self._meta_op = None

    def _article_op(self, article: Article) -> Op:
        record: dict[str, Any] = {"sha256": article.sha256, "name": article.name,
                                  "title": article.title, "text": article.text}
        if article.source is not None:
            record["source"] = article.source.record()
        return ["put", "articles", self._key("articles", article.sha256), record]

    def add_articles(self, articles: Iterable[Article]) -> None:
        """Record articles (durably, not undoable): those not in the file, and those the
        file holds without the source they now come with (a text later opened from its
        web page)."""
        new = [a for a in articles if a.sha256 not in self.articles
               or (a.source is not None and self.articles[a.sha256].source != a.source
                   and self.articles[a.sha256].name == a.name)]
        self._check_articles(new)
        if new:
            self._commit([self._article_op(a) for a in new])
            self._index_articles(new)

    def _index_articles(self, articles: Iterable[Article]) -> None:
        for article in articles:
            self.articles[article.sha256] = article
            self._by_article.setdefault(article.sha256, [])
            self._apart.setdefault(article.sha256, Apart())

    def apply(self, change: Change) -> None:
        """Make ``change`` durable, then update the indexes. Raises InputError, touching
        nothing, when the change does not fit the current state."""
        self._writable()
        self._annotation_keys()
        new_articles = [a for a in change.articles if a.sha256 not in self.articles]
        self._check(change, set(self.articles) | {a.sha256 for a in new_articles})
        ops: list[Op] = [self._article_op(a) for a in new_articles]
        for before, after in change.pairs:
            if after is None:
                assert before is not None
                ops.append(["del", "annotations", self._keys["annotations", before.id]])
            else:
                ops.append(["put", "annotations", self._key("annotations", after.id), after])
        for ident, _, after_decision in change.reviews:
            if after_decision is None:
                ops.append(["del", "reviews", self._keys["reviews", ident]])
            else:
                ops.append(["put", "reviews", self._key("reviews", ident),
                            {"their_id": ident, "decision": after_decision}])
        self._commit(ops)
        self.version += 1
        self._index_articles(new_articles)
        self._reindex(change)
        for ident, _, after_decision in change.reviews:
            if after_decision is None:
                self.reviews.pop(ident, None)
                self._keys.pop(("reviews", ident), None)
            else:
                self.reviews[ident] = after_decision

    @staticmethod
    def _check_articles(articles: Iterable[Article]) -> None:
        for article in articles:
            problem = name_problem(article.name)
            if problem:
                raise InputError(f"article name {article.name[:60]!r}: {problem}")

    def _check(self, change: Change, known: set[str]) -> None:
        """Refuse, before anything is written or allocated, a change that does not fit, or
        that would leave a file that opening refuses (the same rules, see fileformat)."""
        self._check_articles(a for a in change.articles if a.sha256 not in self.articles)
        texts = {a.sha256: a.text for a in change.articles}
        final: dict[str, Annotation | None] = {}
        for before, after in change.pairs:
            current = self._by_id.get((before or after).id)  # type: ignore[union-attr]
            if current != before:
                raise InputError("the annotation changed since this change was prepared")
            if after is not None and after.article_sha256 not in known:
                raise InputError(f"annotation {after.id}: its article is not in the file")
            final[(before or after).id] = after  # type: ignore[union-attr]
        # An import of many was checked record by record with these rules as it was read.
        if len(change.pairs) <= BULK:
            for _, after in change.pairs:
                if after is not None:
                    self._check_annotation(after, texts)
        self._check_links(change, final)
        for ident, before_decision, _ in change.reviews:
            if self.reviews.get(ident) != before_decision:
                raise InputError("the review decision changed since this change was prepared")

    def _check_annotation(self, ann: Annotation, texts: dict[str, str]) -> None:
        where = f"annotation {ann.id}"
        problem = text_problem(ann)
        if problem:
            raise InputError(f"{where}: {problem}")
        article = self.articles.get(ann.article_sha256)
        from_dict(ann.to_dict(), where, article.text if article else texts[ann.article_sha256])

    def _check_links(self, change: Change, final: dict[str, Annotation | None]) -> None:
        """Links stay both ways: every link an annotation ends with is returned, and every
        link it lost is dropped on the other side too."""
        def after(ann_id: str) -> Annotation | None:
            return final[ann_id] if ann_id in final else self._by_id.get(ann_id)

        for before, now in change.pairs:
            if now is not None and now.links:
                problem = link_problem(now, after)
                if problem:
                    raise InputError(f"annotation {now.id}: links: {problem}")
            if before is not None:
                for link in set(before.links) - set(now.links if now else ()):
                    other = after(link)
                    if other is not None and before.id in other.links:
                        raise InputError(f"annotation {before.id}: links: {link} still links "
                                         "to it (links are kept both ways)")

    def _reindex(self, change: Change) -> None:
        if len(change.pairs) > BULK:
            self._reindex_bulk(change)
            return
        for before, after in change.pairs:
            if before is not None:
                anns = self._sorted(before.article_sha256)
                del anns[bisect.bisect_left(anns, POSITION(before), key=POSITION)]
                del self._by_id[before.id]
                self._apart[before.article_sha256].remove(before)
            if after is not None:
                bisect.insort(self._sorted(after.article_sha256), after, key=POSITION)
                self._by_id[after.id] = after
                self._apart.setdefault(after.article_sha256, Apart()).add(after)
            else:
                assert before is not None
                self._keys.pop(("annotations", before.id), None)

    def _reindex_bulk(self, change: Change) -> None:
        """An import of many: rebuild the touched articles' lists instead of inserting one by
        one (each insert shifts the list: quadratic at 100,000)."""
        touched: set[str] = set()
        for before, after in change.pairs:
            if before is not None:
                del self._by_id[before.id]
                touched.add(before.article_sha256)
                if after is None:
                    self._keys.pop(("annotations", before.id), None)
            if after is not None:
                self._by_id[after.id] = after
                touched.add(after.article_sha256)
        self._rebuild_index(touched)

    # -------------------------------------------------- changes, built then applied
    def prepare_add(self, article: Article, start: int, end: int, tag: str,
                    note: str = "") -> Change:
        ann = create(text=article.text, article_sha256=article.sha256, article=article.name,
                     start=start, end=end, tag=tag, annotator=self.annotator, note=note)
        return Change(((None, ann),), f"tag {tag}", (article,))

    def prepare_update(self, ann_id: str, label: str, **fields: Any) -> Change:
        old = self._require(ann_id)
        return Change(((old, old.changed(**fields)),), label)

    def prepare_delete(self, ann_id: str) -> Change:
        draft = Draft(self)
        draft.delete(ann_id)
        return draft.change("delete")

    def prepare_link(self, a_id: str, b_id: str, *, unlink: bool = False) -> Change:
        if a_id == b_id:
            raise InputError("an annotation cannot be linked to itself")
        draft = Draft(self)
        draft.link(a_id, b_id, unlink=unlink)
        draft.link(b_id, a_id, unlink=unlink)
        return draft.change("unlink" if unlink else "link")

    def _require(self, ann_id: str) -> Annotation:
        ann = self._by_id.get(ann_id)
        if ann is None:
            raise InputError(f"no annotation {ann_id}")
        return ann

    def add(self, article: Article, start: int, end: int, tag: str, note: str = "") -> Annotation:
        change = self.prepare_add(article, start, end, tag, note)
        self.apply(change)
        added = change.pairs[0][1]
        assert added is not None
        return added

    def prepare_decision(self, ident: str, decision: str | None, label: str = "") -> Change:
        """Remember (or forget, with None) a review decision on annotation ``ident``."""
        return Change((), label or decision or "undecide",
                      reviews=((ident, self.reviews.get(ident), decision),))

    # ------------------------------------------------------------------- close
    def fold(self) -> str | None:
        """Write the journal into the main file (what a colleague receives) where the disk
        allows; on the storage's own thread when it folds in the background. Returns why the
        last fold could not (the changes stay safe in the journal)."""
        storage = self._storage
        if storage is not None and storage.pending:
            if storage.background:
                storage.start_fold()
            elif not storage.try_fold():
                return storage.fold_error
        return storage.fold_error if storage is not None else None

    def close(self, *, fold: bool = True) -> None:
        """Fold and release the file. A main file the disk will not take is no loss (the
        journal keeps every change): it is said in ``warnings``, not raised."""
        try:
            self._save_snapshot()  # read and not sorted: still worth it for the next open
            if self._storage is not None:
                if fold:
                    self._storage.close()
                else:
                    self._storage.abandon()
        except DiskError as err:
            self.warnings.append(str(err))
        finally:
            self._storage = None
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def __enter__(self) -> AnnotationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
