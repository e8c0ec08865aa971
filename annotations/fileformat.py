"""What a factread annotation file holds, checked record by record (see docs/FORMAT.md)."""

from __future__ import annotations

import itertools
import operator
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from annotations.articles import MAX_ARTICLE_BYTES, Article
from annotations.errors import InputError
from annotations.jsonstream import Run
from annotations.model import (
    MAX_NAME,
    SHA_RE,
    Annotation,
    from_dict,
    is_time,
    name_problem,
    shared,
    valid_annotation,
)
from annotations.recordscan import RECORD, annotation_of, clear_values, record_of
from annotations.sources import source_record
from annotations.text import sha256_hex

FORMAT = "factread"
VERSION = 1
TABLES = ("meta", "articles", "annotations", "reviews")
MAX_ARTICLES = 10_000
MAX_ANNOTATIONS = 5_000_000
ARTICLE_FIELDS = frozenset({"sha256", "name", "title", "text"})
"""And, for an article from the web, "source" (see ``sources``)."""
QUICK_MEMBERS = {"annotations": RECORD}
"""Members ``storage.read_records`` may match whole instead of parsing; ``RecordReader`` takes
their groups (see ``recordscan``)."""
REVIEW_DECISIONS = ("rejected", "kept", "accepted", "dismissed")
"""On a colleague's annotation: rejected or kept (review); on a proposed disagreement (an
id "d:…", see crosscheck): accepted or dismissed."""


@dataclass
class Contents:
    meta: dict[str, Any]
    articles: dict[str, Article] = field(default_factory=dict)
    """By SHA-256, in file order."""
    annotations: dict[str, Annotation] = field(default_factory=dict)
    """By uuid."""
    by_key: dict[str, Annotation] = field(default_factory=dict)
    """By TinyDB document id: the annotations table with records for documents."""
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The other tables' documents as read (meta, articles, reviews), by document id."""

    def tables(self) -> dict[str, dict[str, Any]]:
        """The file's tables as TinyDB holds them, annotations as records."""
        return {"meta": self.docs.get("meta", {}), "articles": self.docs.get("articles", {}),
                "annotations": self.by_key, "reviews": self.docs.get("reviews", {})}
    reviews: dict[str, str] = field(default_factory=dict)
    """A colleague's annotation id to the decision taken on it ('rejected' or 'kept')."""
    keys: dict[tuple[str, str], str] = field(default_factory=dict)
    """(table, sha256 or id) to the TinyDB document id that holds it, for articles and
    reviews. An annotation's is in ``by_key``: the store builds its map when a change first
    needs it (``AnnotationStore._key``)."""
    next_key: dict[str, int] = field(default_factory=dict)
    """Each table's next free document id; the annotations table's is the store's to find,
    with their document ids (``AnnotationStore._annotation_keys``)."""
    in_order: list[Annotation] | None = None
    """The annotations by position (start, end, id), when a snapshot had them so: the
    store's index is then built without sorting 300,000 at random."""


def new_meta(annotator: str, created: str) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "annotator": annotator, "created": created}


def _meta(table: dict[str, Any], where: str) -> dict[str, Any]:
    if len(table) != 1:
        raise InputError(f"{where}: table 'meta' must hold exactly one record, holds {len(table)}")
    ((key, meta),) = table.items()
    where = f"{where}: meta record {key}"
    if not isinstance(meta, dict):
        raise InputError(f"{where}: not an object")
    if meta.get("format") != FORMAT:
        raise InputError(f"{where}: field 'format' = {meta.get('format')!r}: not a factread file")
    version = meta.get("version")
    if type(version) is not int:
        raise InputError(f"{where}: field 'version' = {version!r}: not a number")
    if version != VERSION:
        raise InputError(
            f"{where}: field 'version' = {version}: unknown format version "
            f"(this factread reads version {VERSION})"
        )
    annotator = meta.get("annotator")
    if not isinstance(annotator, str) or len(annotator) > MAX_NAME:
        raise InputError(f"{where}: field 'annotator': not a name of at most {MAX_NAME} characters")
    created = meta.get("created")
    if not is_time(created):
        raise InputError(f"{where}: field 'created' = {str(created)[:40]!r}: not a real UTC "
                         "ISO-8601 time")
    return meta


def article_record(record: Any, where: str) -> Article:
    if not isinstance(record, dict):
        raise InputError(f"{where}: not an object")
    if set(record) - {"source"} != ARTICLE_FIELDS:
        missing = ARTICLE_FIELDS ^ (set(record) - {"source"})
        raise InputError(f"{where}: field {sorted(missing)[0][:40]!r} is missing or unknown")
    text, name, title, sha = record["text"], record["name"], record["title"], record["sha256"]
    if not isinstance(text, str) or len(text) > MAX_ARTICLE_BYTES:
        raise InputError(f"{where}: field 'text': not text of at most {MAX_ARTICLE_BYTES} characters")
    if not isinstance(title, str) or not title or len(title) > MAX_NAME:
        raise InputError(f"{where}: field 'title': not a title of 1-{MAX_NAME} characters")
    problem = name_problem(name)
    if problem:
        raise InputError(f"{where}: field 'name' = {str(name)[:60]!r}: {problem}")
    if not isinstance(sha, str) or not SHA_RE.match(sha):
        raise InputError(f"{where}: field 'sha256' = {sha!r}: not a SHA-256 in lower-case hex")
    if "\r" in text or text.startswith("\ufeff") or not unicodedata.is_normalized("NFC", text):
        raise InputError(f"{where}: field 'text': not normalised (NFC, LF line ends, no BOM)")
    if sha256_hex(text) != sha:
        raise InputError(f"{where}: field 'sha256' does not match the article text")
    source = None
    if "source" in record:  # files from before sources were kept have none
        try:
            source = source_record(record["source"])
        except ValueError as err:
            raise InputError(f"{where}: field 'source': {err}") from None
    # The one object its annotations hold (``recordscan`` takes it from here)
    return Article(name=name, text=text, sha256=shared(sha), title=title, source=source)


def key_of(by_key: dict[str, Annotation], ann: Annotation) -> str:
    """The document id that holds ``ann`` (a search: for naming a record in a message)."""
    return next(key for key, held in by_key.items() if held is ann)


def link_problem(ann: Annotation, lookup: Callable[[str], Annotation | None]) -> str | None:
    """Links are kept both ways, once each, between annotations of the file (``lookup``
    finds one by id)."""
    if len(set(ann.links)) != len(ann.links):
        return "an annotation is linked twice"
    for link in ann.links:
        other = lookup(link)
        if other is None or link == ann.id:
            return f"{link} is no other annotation in the file"
        if ann.id not in other.links:
            return f"{link} does not link back (links are kept both ways)"
    return None


Record = tuple[str, str | None, Any]
"""(table, document id, document) as read from a file; (table, None, None) opens a table."""


def records_of(data: dict[str, dict[str, Any]]) -> Iterator[Record]:
    """The records of a document already parsed whole."""
    for name, table in data.items():
        yield name, None, None
        if not isinstance(table, dict):
            raise InputError(f"table '{str(name)[:40]}' is not an object")
        for key, record in table.items():
            yield name, key, record


class Batch(NamedTuple):
    """Annotation members read by another process (``splitread``), in file order."""

    keys: list[str]
    annotations: list[Annotation]


_ID = operator.itemgetter(Annotation._fields.index("id"))
_LINKS = operator.itemgetter(Annotation._fields.index("links"))
_KEY = operator.itemgetter(0)
"""A member's key among the groups of ``recordscan.RECORD``."""


class ReadAgain(Exception):
    """A batch does not fit what this process read (a key or id in both, too many, or
    records waiting for their article): the file is to be read again in one process,
    which names the problem where there is one."""


class RecordReader:
    """Builds Contents from records as they stream in, each one checked and dropped."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.contents = Contents(meta={})
        self.docs: dict[str, dict[str, Any]] = {name: {} for name in TABLES}
        self.meta_done = False
        self.deferred: list[tuple[str, Any]] = []
        self._pending_keys: list[str] = []
        self._pending: list[Annotation] = []
        """Annotations read, in file order, with their keys, not yet in ``contents``' maps:
        ``settle`` adds them in C-level passes before anything reads those maps. Three dict
        inserts per record in the Python loop were 1.8 us of the 8.5 us a record took at
        300,000."""
        self._linked: list[Annotation] = []
        """The annotations read that have links, in file order: ``finish`` checks theirs.
        A pass over every annotation there took 0.03-0.04 s at 300,000 (its memory cold);
        picked out as they are built, while in the cache, it is a few ms."""

    def table(self, name: str) -> None:
        if name not in TABLES:
            raise InputError(f"{self.where}: unknown table '{name[:40]}'")
        if name != "meta" and self.docs["meta"] and not self.meta_done:
            self.finish_meta()

    def finish_meta(self) -> None:
        if not self.docs["meta"]:
            raise InputError(f"{self.where}: table 'meta' is missing; not a factread file")
        self.contents.meta = _meta(self.docs["meta"], self.where)
        self.meta_done = True

    def record(self, name: str, key: str, record: Any) -> None:
        if type(record) is Batch and name == "annotations":
            self.add_batch(record)
            return
        if type(record) is Run:
            self.run(name, record)
            return
        if not key.isdigit() or not key.isascii() or len(key) > 18:
            raise InputError(f"{self.where}: table '{name}': record key {key[:40]!r} is not a "
                             "number")
        # Keys are unique here: the stream refuses a key repeated within a table, and the
        # journal's version of a record replaces the main file's.
        if name == "annotations":
            if self.count() >= MAX_ANNOTATIONS:
                raise InputError(f"{self.where}: more than {MAX_ANNOTATIONS} annotations")
            if self.meta_done:
                self.annotation(key, record)
            else:
                self.deferred.append((key, record))
            return
        self.docs[name][key] = record
        if name == "articles":
            self.article(key, record)
        elif name == "reviews":
            self.review(key, record)

    def article(self, key: str, record: Any) -> None:
        contents = self.contents
        if len(contents.articles) >= MAX_ARTICLES:
            raise InputError(f"{self.where}: more than {MAX_ARTICLES} articles")
        article = article_record(record, f"{self.where}: article record {key}")
        if article.sha256 in contents.articles:
            raise InputError(f"{self.where}: article record {key}: the same text is stored twice")
        contents.articles[article.sha256] = article
        contents.keys["articles", article.sha256] = key

    def annotation(self, key: str, record: Any) -> None:
        contents = self.contents
        if type(record) is tuple:  # the groups of recordscan.RECORD
            ann = annotation_of(record, contents.articles)
            if ann is not None:
                self.add(key, ann)
                return
            record = record_of(record)
        sha = record.get("article_sha256") if type(record) is dict else None
        known = contents.articles.get(sha) if type(sha) is str else None
        if known is None and type(record) is dict:
            self.deferred.append((key, record))  # its article may come later in the file
            return
        text = known.text if known is not None else None
        self.add(key, valid_annotation(record, text) or from_dict(
            record, f"{self.where}: annotation record {key}", text))

    def run(self, name: str, run: Run) -> None:
        """Members a quick pattern matched (``QUICK_MEMBERS``): the same as one ``record``
        each, built in one C-level pass and added to the maps later (``settle``)."""
        if (name != "annotations" or not self.meta_done
                or self.count() + len(run) > MAX_ANNOTATIONS):
            for groups in run:
                self.record(name, groups[0], groups)
            return
        built = list(map(annotation_of, run, itertools.repeat(self.contents.articles)))
        if all(built):  # no None: every member is an annotation (a tuple of 14 is true)
            anns = cast("list[Annotation]", built)
            self._pending += anns
            self._pending_keys += map(_KEY, run)  # 1-18 digits: what ``record`` checks of a key
            self.linked(anns)
            return
        for groups, ann in zip(run, built, strict=True):
            if ann is None:
                self.annotation(groups[0], groups)  # the careful way, naming any problem
            else:
                self.add(groups[0], ann)

    def count(self) -> int:
        """Annotation records read so far."""
        return len(self.contents.by_key) + len(self._pending) + len(self.deferred)

    def settle(self) -> None:
        """The annotations read since (``add``, ``run``), added to ``contents``' maps.
        InputError names the first whose id was used before, in file order."""
        pending, keys = self._pending, self._pending_keys
        if not pending:
            return
        self._pending, self._pending_keys = [], []
        contents = self.contents
        before = len(contents.annotations)
        ids = list(map(_ID, pending))
        contents.annotations.update(zip(ids, pending, strict=True))
        if len(contents.annotations) != before + len(ids):
            seen = set(itertools.islice(contents.annotations, before))
            for key, ann_id in zip(keys, ids, strict=True):
                if ann_id in seen:
                    raise InputError(f"{self.where}: annotation record {key}: field 'id': "
                                     f"{ann_id} is used twice")
                seen.add(ann_id)
        contents.by_key.update(zip(keys, pending, strict=True))

    def in_file_order(self) -> tuple[list[str], list[Annotation]]:
        """The annotation records read, keys and annotations in file order, for a reader
        that never settles (``splitread``'s child): the maps are not built, and an id
        used twice is for the taker to find (``add_batch``)."""
        if self.contents.by_key:
            raise ValueError("annotations were settled: in_file_order is for before")
        return self._pending_keys, self._pending

    def add(self, key: str, ann: Annotation) -> None:
        """An annotation read, in file order; an id used before is named by ``settle``."""
        self._pending.append(ann)
        self._pending_keys.append(key)
        if ann.links:
            self._linked.append(ann)

    def linked(self, anns: Iterable[Annotation]) -> None:
        """Of ``anns``, read and in file order, those with links, for ``finish`` to check."""
        self._linked += filter(_LINKS, anns)

    def add_batch(self, batch: Batch) -> None:
        """The annotations another process read and checked (see ``splitread``), added
        in C-level passes where they fit what was read here."""
        self.settle()
        contents = self.contents
        before, before_ids = len(contents.by_key), len(contents.annotations)
        if (not self.meta_done or self.deferred
                or before + len(batch.keys) > MAX_ANNOTATIONS):
            raise ReadAgain
        ids = list(map(_ID, batch.annotations))
        contents.by_key.update(zip(batch.keys, batch.annotations, strict=True))
        contents.annotations.update(zip(ids, batch.annotations, strict=True))
        if (len(contents.by_key) != before + len(batch.keys)
                or len(contents.annotations) != before_ids + len(ids)):
            raise ReadAgain
        self.linked(batch.annotations)

    def review(self, key: str, record: Any) -> None:
        rec_where = f"{self.where}: review record {key}"
        if (not isinstance(record, dict) or set(record) != {"their_id", "decision"}
                or not isinstance(record["their_id"], str) or len(record["their_id"]) > 64
                or record["decision"] not in REVIEW_DECISIONS):
            raise InputError(f"{rec_where}: expected {{their_id, decision}} with decision "
                             f"one of {', '.join(REVIEW_DECISIONS)}")
        self.contents.reviews[record["their_id"]] = record["decision"]
        self.contents.keys["reviews", record["their_id"]] = key

    def finish(self) -> Contents:
        if not self.meta_done:
            self.finish_meta()
        deferred, self.deferred = self.deferred, []
        articles = self.contents.articles
        for key, record in deferred:
            sha = record.get("article_sha256") if type(record) is dict else None
            if type(record) is dict and (type(sha) is not str or sha not in articles):
                raise InputError(f"{self.where}: annotation record {key}: field "
                                 "'article_sha256' names no article in the file")
            self.annotation(key, record)
        self.settle()
        contents = self.contents
        for ann in self._linked:
            problem = link_problem(ann, contents.annotations.get)
            if problem:
                rec = key_of(contents.by_key, ann)
                raise InputError(f"{self.where}: annotation record {rec}: field 'links': "
                                 f"{problem}")
        for name in TABLES:
            if name != "annotations":  # the store's, when a change first needs it
                contents.next_key[name] = max(map(int, self.docs[name]), default=0) + 1
        contents.docs = self.docs
        return contents


def parse_contents(records: Iterable[Record] | dict[str, dict[str, Any]],
                   where: str) -> Contents:
    """Validate everything; raise InputError naming the record and field of the first
    problem. ``records`` may stream from the file (see ``storage.read_records``): each
    annotation is checked and built as it arrives and its parsed JSON dropped."""
    reader = RecordReader(where)
    if isinstance(records, dict):
        records = records_of(records)
    clear_values()
    try:
        for name, key, record in records:
            if key is None:
                reader.table(name)
            else:
                reader.record(name, key, record)
    except InputError as err:
        message = str(err)
        try:
            reader.settle()  # a repeated id among the records before this one comes first
        except InputError as earlier:
            message = str(earlier)
        raise InputError(message if message.startswith(where) else f"{where}: {message}") \
            from None
    return reader.finish()


def contents_of_snapshot(tables: dict[str, dict[str, Any]], order: list[int],
                         where: str) -> Contents | None:
    """Contents from a snapshot's tables (see ``snapshots``): the annotations come built
    and were checked when the snapshot was written; meta, articles (their SHA-256 too),
    reviews and every link are checked again, which costs milliseconds. None where
    anything is wrong: the file is then read the careful way."""
    reader = RecordReader(where)
    try:
        for name in ("meta", "articles", "reviews"):
            reader.table(name)
            for key, record in tables[name].items():
                reader.record(name, key, record)
        contents = reader.contents
        by_key: dict[str, Annotation] = tables["annotations"]
        # C-level passes (map, zip, dict): 300,000 of each, per open.
        listed = list(by_key.values())
        ids = list(map(_ID, listed))
        contents.annotations = dict(zip(ids, listed, strict=True))
        shas = set(map(operator.itemgetter(1), listed))  # Annotation.article_sha256
        if len(contents.annotations) != len(by_key) or not shas <= contents.articles.keys():
            return None
        contents.by_key = by_key
        reader.linked(listed)
        if len(order) != len(listed):
            return None
        contents.in_order = list(map(listed.__getitem__, order))  # IndexError: not sound
        return reader.finish()
    except (InputError, LookupError, TypeError, AttributeError, ValueError):
        return None
