"""Reading other annotation files in: a colleague's factread file, factread CSV and JSON
Lines, and W3C Web Annotation (factread's own or another tool's, such as Hypothesis).

Everything is read and checked first; then one ``Change`` adds it all, so an import that
fails leaves the target file untouched, and one that succeeds is a single durable batch.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from annotations.articles import Article
from annotations.csvsafe import COLUMNS, FREE_TEXT, unprotect
from annotations.errors import InputError
from annotations.fileformat import parse_contents
from annotations.model import FIELDS, TIME_RE, Annotation, context, from_dict, now_iso
from annotations.search import best_occurrence
from annotations.storage import check_tables, gc_paused, parse_json
from annotations.store import AnnotationStore, Change
from annotations.w3c import W3CError, from_w3c

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
_FREE_TEXT = tuple(FREE_TEXT)
MAX_FIELD = 1_000_000
DEFAULT_TAG = "unverified"
"""Tag for a foreign annotation that carries none a fact-checker would recognise."""


@dataclass
class Incoming:
    kind: str
    records: list[tuple[int, dict[str, Any]]]
    """(number, record): the line or record number, for messages."""
    where_format: str
    """Formats a number into "FILE: line N" or "FILE: annotation N"."""
    articles: dict[str, Article] = field(default_factory=dict)
    """Texts a factread file brings along, by SHA-256."""

    def where(self, number: int) -> str:
        return self.where_format.format(number)


@dataclass
class ImportPlan:
    change: Change
    added: list[Annotation]
    present: int = 0
    """Already in the target file (same id): importing twice adds nothing."""
    unplaced: list[tuple[str, str]] = field(default_factory=list)
    """(where, why) for annotations that fit no article: imported nowhere."""
    links_dropped: int = 0


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Incoming:
    try:
        size = path.stat().st_size
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from None
    if size > max_bytes:
        raise InputError(f"{path}: {size} bytes, more than the {max_bytes} allowed "
                         "(--max-bytes raises the limit)")
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, raw)
    if suffix == ".jsonl":
        return _read_jsonl(path, raw)
    data = parse_json(raw, str(path))
    if isinstance(data, dict) and "meta" in data and "@context" not in data:
        contents = parse_contents(check_tables(data, str(path)), str(path))
        records = [(n, a.to_dict()) for n, a in enumerate(contents.annotations.values(), 1)]
        return Incoming("factread", records, f"{path}: annotation {{}}", contents.articles)
    return _read_w3c(path, data)


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 (byte {err.start})") from None


def _read_csv(path: Path, raw: bytes) -> Incoming:
    text = _decode(path, raw)
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    try:
        header = next(reader, None)
        if header is None or tuple(header) != COLUMNS:
            raise InputError(f"{path}: line 1: not factread's CSV header (expected "
                             f"{','.join(COLUMNS)})")
        for row in reader:
            if not row:
                continue
            line = reader.line_num
            where = f"{path}: line {line}" if len(row) != len(COLUMNS) else ""
            if len(row) != len(COLUMNS):
                raise InputError(f"{where}: {len(row)} fields, expected {len(COLUMNS)}")
            record: dict[str, Any] = dict(zip(COLUMNS, row, strict=True))
            for name in _FREE_TEXT:
                if record[name][:1] == "'":
                    record[name] = unprotect(record[name])
            for name in ("start", "end"):
                if not record[name].isdigit():
                    raise InputError(f"{path}: line {line}: field '{name}' = "
                                     f"{record[name][:20]!r}: not a whole number")
                record[name] = int(record[name])
            record["links"] = record["links"].split(";") if record["links"] else []
            del record["title"]
            records.append((line, record))
    except csv.Error as err:
        raise InputError(f"{path}: line {reader.line_num}: malformed CSV ({err})") from None
    return Incoming("csv", records, f"{path}: line {{}}")


def _read_jsonl(path: Path, raw: bytes) -> Incoming:
    records = []
    for number, line in enumerate(_decode(path, raw).split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}: line {number}"
        record = parse_json(line.encode("utf-8"), where)
        if not isinstance(record, dict):
            raise InputError(f"{where}: expected an object")
        records.append((number, record))
    return Incoming("jsonl", records, f"{path}: line {{}}")


def _read_w3c(path: Path, data: object) -> Incoming:
    if isinstance(data, dict) and "AnnotationCollection" in str(data.get("type")):
        first = data.get("first")
        items = first.get("items") if isinstance(first, dict) else data.get("items")
    elif isinstance(data, dict) and isinstance(data.get("rows"), list):
        items = data["rows"]  # Hypothesis API search results
    elif isinstance(data, list):
        items = data
    elif isinstance(data, dict) and "Annotation" in str(data.get("type")):
        items = [data]
    else:
        raise InputError(f"{path}: neither a factread file nor W3C Web Annotation JSON")
    if not isinstance(items, list):
        raise InputError(f"{path}: the collection's items are not a list")
    records = []
    for number, item in enumerate(items, start=1):
        try:
            records.append((number, from_w3c(item, DEFAULT_TAG)))
        except W3CError as err:
            raise InputError(f"{path}: annotation {number}: {err}") from None
    return Incoming("w3c", records, f"{path}: annotation {{}}")


class _Where:
    """"FILE: line N", formatted only if a message needs it."""

    __slots__ = ("incoming", "number")

    def __init__(self, incoming: Incoming, number: int) -> None:
        self.incoming = incoming
        self.number = number

    def __call__(self) -> str:
        return self.incoming.where(self.number)

    def __str__(self) -> str:
        return self()


def _utc(value: object, where: object, name: str) -> str:
    """Times from other tools (+00:00, no fraction) in factread's form."""
    if value is None or value == "":
        return now_iso()
    if not isinstance(value, str):
        raise InputError(f"{where}: field '{name}': not a time")
    if TIME_RE.match(value):
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: field '{name}' = {value[:40]!r}: not an ISO-8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def locate(quote: str, prefix: str, suffix: str, candidates: list[Article],
           hint: int | None = None) -> tuple[Article, int] | None:
    """The occurrence of ``quote`` whose surroundings best match prefix and suffix
    (then nearest ``hint``), across ``candidates``."""
    best: tuple[tuple[int, int], Article, int] | None = None
    for article in candidates:
        found = best_occurrence(article.text, quote, prefix, suffix, hint)
        if found is not None and (best is None or found[0] > best[0]):
            best = (found[0], article, found[1])
    return (best[1], best[2]) if best else None


def plan_import(store: AnnotationStore, incoming: Incoming,
                progress: Callable[[int, int], None] | None = None) -> ImportPlan:
    """Check and place every record; raise InputError on the first malformed one."""
    total = len(incoming.records)
    articles = dict(store.articles)
    for sha, article in incoming.articles.items():
        articles.setdefault(sha, article)
    placed: dict[str, Annotation] = {}
    plan = ImportPlan(Change(()), [])
    fields = set(FIELDS)
    for done, (number, record) in enumerate(incoming.records):
        if progress and done % 1000 == 0:
            progress(done, total)
        where = _Where(incoming, number)
        unknown = record.keys() - fields
        if unknown:
            raise InputError(f"{where}: unknown field '{sorted(unknown)[0]}'")
        ann_id = record.get("id")
        if not isinstance(ann_id, str):
            raise InputError(f"{where}: field 'id' is missing or not text")
        if store.get(ann_id) is not None:
            plan.present += 1
            continue
        if ann_id in placed:
            raise InputError(f"{where}: field 'id': {ann_id} appears twice in the file")
        quote = record.get("quote")
        if not isinstance(quote, str) or not quote:
            raise InputError(f"{where}: field 'quote' is missing or empty")
        prefix = record.get("prefix") if isinstance(record.get("prefix"), str) else ""
        suffix = record.get("suffix") if isinstance(record.get("suffix"), str) else ""
        start, end = record.get("start"), record.get("end")
        article = articles.get(record.get("article_sha256", ""))
        if (article is not None and type(start) is int and type(end) is int
                and 0 <= start < end <= len(article.text) and article.text[start:end] == quote):
            where_found: tuple[Article, int] | None = (article, start)
        else:
            hint = start if type(start) is int else None
            found_in = [article] if article is not None else list(store.articles.values())
            where_found = locate(quote, prefix, suffix, found_in, hint)
        if where_found is None:
            plan.unplaced.append((str(where), f"quote {quote[:40]!r} found in no article"))
            continue
        article, start = where_found
        end = start + len(quote)
        prefix, suffix = context(article.text, start, end)
        full = {
            "id": ann_id, "article_sha256": article.sha256, "article": article.name,
            "start": start, "end": end, "quote": quote, "prefix": prefix, "suffix": suffix,
            "tag": record.get("tag"), "note": record.get("note", ""),
            "links": record.get("links", []), "annotator": record.get("annotator", ""),
            "created": _utc(record.get("created"), where, "created"),
            "modified": _utc(record.get("modified") or record.get("created"), where, "modified"),
        }
        placed[ann_id] = from_dict(full, where, article.text)
    plan.added, reverse = _settle_links(store, placed, plan)
    needed = {a.article_sha256 for a in plan.added} - set(store.articles)
    plan.change = Change(
        tuple([(None, a) for a in plan.added] + reverse), "import",
        tuple(articles[sha] for sha in needed))
    return plan


def _settle_links(store: AnnotationStore, placed: dict[str, Annotation], plan: ImportPlan,
                  ) -> tuple[list[Annotation], list[tuple[Annotation | None, Annotation | None]]]:
    """Keep links to annotations that exist after the import, both ways; count the rest."""
    added = []
    back: dict[str, set[str]] = {}
    for ann in placed.values():
        kept = []
        for link in ann.links:
            if link in placed or store.get(link) is not None:
                kept.append(link)
                if link not in placed:
                    back.setdefault(link, set()).add(ann.id)
            else:
                plan.links_dropped += 1
        added.append(ann._replace(links=tuple(dict.fromkeys(kept))) if len(kept) != len(ann.links)
                     else ann)
    reverse: list[tuple[Annotation | None, Annotation | None]] = []
    for target_id, sources in back.items():
        target = store.get(target_id)
        assert target is not None
        missing = tuple(s for s in sorted(sources) if s not in target.links)
        if missing:
            reverse.append((target, target.changed(links=target.links + missing)))
    return added, reverse


def import_file(store: AnnotationStore, path: Path, max_bytes: int = DEFAULT_MAX_BYTES,
                progress: Callable[[int, int], None] | None = None) -> ImportPlan:
    """``progress(done, total)`` is called as records are checked and placed."""
    with gc_paused():  # 100,000 records of small objects, none of them cyclic
        incoming = read_file(path, max_bytes)
        plan = plan_import(store, incoming, progress)
        if plan.change.pairs:
            store.apply(plan.change)
    return plan



