"""Reading other annotation files in: a colleague's factread file, factread CSV and JSON
Lines, and W3C Web Annotation (factread's own or another tool's, such as Hypothesis).

Everything is read and checked first; then one ``Change`` adds it all, so an import that
fails leaves the target file untouched, and one that succeeds is a single durable batch.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from annotations import jsonstream
from annotations.articles import Article
from annotations.config import DEFAULT_TAGS as DEFAULT_TAG_SPECS
from annotations.csvsafe import BASE_COLUMNS, COLUMNS, SOURCE_COLUMNS, unprotect
from annotations.errors import InputError
from annotations.fileformat import parse_contents
from annotations.model import (
    FIELDS,
    Annotation,
    context,
    from_dict,
    is_time,
    now_iso,
    valid_annotation,
)
from annotations.search import best_occurrence
from annotations.storage import check_tables, gc_paused, maybe_lone_escape, parse_json
from annotations.store import AnnotationStore, Change
from annotations.text import display_line
from annotations.w3c import NotAboutText, W3CError, from_w3c

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
MAX_FIELD = 1_000_000
DEFAULT_TAG = "unverified"
DEFAULT_TAGS = tuple(spec.name for spec in DEFAULT_TAG_SPECS)
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
    warnings: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(where, why) for records that are not annotations of a text (a page note, a reply)."""

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
    warnings: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(where, why) for records skipped as not annotations of a text."""


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES,
              tags: tuple[str, ...] = ()) -> Incoming:
    """``tags``: the configured tag names, which another tool's tags are matched against."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from None
    if size > max_bytes:
        raise InputError(f"{path}: {size} bytes, more than the {max_bytes} allowed "
                         "(--max-bytes raises the limit)")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        return _read_json(path, tags)
    raw = path.read_bytes()
    if suffix == ".csv":
        return _read_csv(path, raw)
    return _read_jsonl(path, raw)


def _read_json(path: Path, tags: tuple[str, ...]) -> Incoming:
    """A JSON document read a window at a time: the items of a W3C collection or list are
    turned into records as they are read, so the parsed items never all exist at once (a
    300,000-item export took 2.3 GB read whole). A file that may hold a lone surrogate
    escape is read whole instead, which names where it is."""
    suspicious = False
    tail = b""

    def watch(chunk: bytes) -> None:
        nonlocal suspicious, tail
        suspicious = suspicious or maybe_lone_escape(tail + chunk)
        tail = chunk[-12:]

    try:
        with path.open("rb") as stream:
            if stream.read(3) == b"\xef\xbb\xbf":
                raise InputError(f"{path}: starts with a byte-order mark; not a W3C or "
                                 "factread file")
            stream.seek(0)
            walker = jsonstream.Walker(stream, watch)
            data = _walk(walker, path, tags)
            walker.end()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from None
    except jsonstream.StreamError as err:
        raise InputError(f"{path}: {err}") from None
    except RecursionError:
        raise InputError(f"{path}: nesting too deep") from None
    if suspicious:
        return _from_data(path, parse_json(path.read_bytes(), str(path)), tags)
    return _from_data(path, data, tags)


class _Items(list[Any]):
    """The items of a W3C list, already turned into records as they were read."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[int, dict[str, Any]]] = []
        self.skipped: list[tuple[int, str]] = []
        self.error: tuple[int, str] | None = None


def _walk_items(walker: jsonstream.Walker, tags: tuple[str, ...]) -> _Items:
    items = _Items()
    for number, _ in enumerate(walker.elements(), start=1):
        item = walker.value()
        if items.error is not None:
            continue  # the first problem is what is said; the rest is still read through
        try:
            items.records.append((number, from_w3c(item, DEFAULT_TAG, tags)))
        except NotAboutText as err:
            items.skipped.append((number, str(err)))
        except W3CError as err:
            items.error = (number, str(err))
    return items


def _walk(walker: jsonstream.Walker, path: Path, tags: tuple[str, ...]) -> Any:
    """The document, with any list of items (top level, ``items``, ``rows``, ``first.items``)
    read as records on the way."""
    start = walker.peek()
    if start == "[":
        return _walk_items(walker, tags)
    if start != "{":
        return walker.value()
    data: dict[str, Any] = {}
    for key in walker.members():
        if key in ("items", "rows") and walker.peek() == "[":
            data[key] = _walk_items(walker, tags)
        elif key == "first" and walker.peek() == "{":
            first: dict[str, Any] = {}
            for inner in walker.members():
                first[inner] = (_walk_items(walker, tags)
                                if inner == "items" and walker.peek() == "[" else walker.value())
            data[key] = first
        else:
            data[key] = walker.value()
    return data


def _from_data(path: Path, data: Any, tags: tuple[str, ...]) -> Incoming:
    if isinstance(data, dict) and "meta" in data and "@context" not in data:
        contents = parse_contents(check_tables(data, str(path)), str(path))
        records = [(n, a.to_dict()) for n, a in enumerate(contents.annotations.values(), 1)]
        return Incoming("factread", records, f"{path}: annotation {{}}", contents.articles)
    return _read_w3c(path, data, tags)


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 (byte {err.start})") from None


def _whole(value: str) -> bool:
    """ASCII digits, few enough for an offset (str.isdigit alone takes '²' and '٣', and
    int() refuses strings of thousands of digits)."""
    return value.isascii() and value.isdigit() and len(value) <= 15


SEPARATORS = (",", ";", "\t")
"""What spreadsheets write: ',' by default, ';' where the decimal mark is a comma (Spain,
most of Europe and Latin America), tab for "text" exports."""


def _spreadsheet_text(path: Path, raw: bytes) -> tuple[str, str | None]:
    """UTF-8 (with or without BOM), else a Windows-1252 re-save, said in a warning."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return (raw.decode("cp1252", errors="replace"),
                f"{path}: not valid UTF-8; read as Windows-1252 (cp1252), as a spreadsheet "
                "re-saved on Windows writes it")


def _separator(path: Path, text: str) -> str:
    """The separator under which the first line is factread's header; else say what the
    first line holds."""
    first = text.split("\n", 1)[0].rstrip("\r")
    best: list[str] = []
    for sep in SEPARATORS:
        try:
            cells = next(csv.reader([first], delimiter=sep), [])
        except csv.Error:
            continue
        if tuple(cells) in (COLUMNS, BASE_COLUMNS):
            return sep
        if len(cells) > len(best):
            best = cells
    shown = ", ".join(display_line(c[:30]) for c in best[:6]) + (", …" if len(best) > 6 else "")
    raise InputError(f"{path}: line 1: not factread's CSV header: found {len(best)} column"
                     f"{'s' * (len(best) != 1)} ({shown or 'nothing'}); expected "
                     f"{','.join(COLUMNS)} separated by ',', ';' or tab")


def _read_csv(path: Path, raw: bytes) -> Incoming:
    text, warning = _spreadsheet_text(path, raw)
    csv.field_size_limit(MAX_FIELD)
    sep = _separator(path, text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    records = []
    try:
        header = next(reader, None)
        width = len(header or COLUMNS)  # factread's columns, or those before sources
        for row in reader:
            if len(row) != width:
                if not row:
                    continue
                raise InputError(f"{path}: line {reader.line_num}: {len(row)} fields, "
                                 f"expected {width}")
            # Unpacked into a literal: 100,000 rows, and dict(zip()) plus a loop over the
            # free-text columns took a third of the import. The source columns (url,
            # outlet, published) are the article's, which the file or --articles holds.
            (ann_id, article, _title, sha, start, end, quote, tag, note, links, annotator,
             created, modified, prefix, suffix) = row[:15]
            if not (_whole(start) and _whole(end)):
                name, value = ("start", start) if not _whole(start) else ("end", end)
                raise InputError(f"{path}: line {reader.line_num}: field '{name}' = "
                                 f"{value[:20]!r}: not a whole number")
            q = "'"  # formula protection added on export, taken off exactly
            records.append((reader.line_num, {
                "id": ann_id, "article_sha256": sha,
                "article": unprotect(article) if article[:1] == q else article,
                "start": int(start), "end": int(end),
                "quote": unprotect(quote) if quote[:1] == q else quote,
                "prefix": unprotect(prefix) if prefix[:1] == q else prefix,
                "suffix": unprotect(suffix) if suffix[:1] == q else suffix,
                "tag": tag, "note": unprotect(note) if note[:1] == q else note,
                "links": links.split(";") if links else [],
                "annotator": unprotect(annotator) if annotator[:1] == q else annotator,
                "created": created, "modified": modified}))
    except csv.Error as err:
        raise InputError(f"{path}: line {reader.line_num}: malformed CSV ({err})") from None
    return Incoming("csv", records, f"{path}: line {{}}", warnings=[warning] if warning else [])


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


def _read_w3c(path: Path, data: object, tags: tuple[str, ...] = ()) -> Incoming:
    if isinstance(data, dict) and "AnnotationCollection" in str(data.get("type")):
        first = data.get("first")
        items = first.get("items") if isinstance(first, dict) else data.get("items")
    elif isinstance(data, dict) and isinstance(data.get("rows"), list):
        items = data["rows"]  # Hypothesis API search results
    elif isinstance(data, list):
        items = data
    elif isinstance(data, dict) and ("Annotation" in str(data.get("type"))
                                     or ("target" in data and "id" in data)):
        items = [data]  # one annotation (Hypothesis: GET /api/annotations/{id})
    else:
        raise InputError(f"{path}: neither a factread file nor W3C Web Annotation JSON")
    if not isinstance(items, list):
        raise InputError(f"{path}: the collection's items are not a list")
    if isinstance(items, _Items):
        if items.error is not None:
            raise InputError(f"{path}: annotation {items.error[0]}: {items.error[1]}")
        return Incoming("w3c", items.records, f"{path}: annotation {{}}",
                        skipped=[(f"{path}: annotation {n}", why) for n, why in items.skipped])
    records = []
    skipped = []
    for number, item in enumerate(items, start=1):
        try:
            records.append((number, from_w3c(item, DEFAULT_TAG, tags)))
        except NotAboutText as err:
            skipped.append((f"{path}: annotation {number}", str(err)))
        except W3CError as err:
            raise InputError(f"{path}: annotation {number}: {err}") from None
    return Incoming("w3c", records, f"{path}: annotation {{}}", skipped=skipped)


def _utc(value: object, where: object, name: str) -> str:
    """Times from other tools (+00:00, no fraction) in factread's form."""
    if value is None or value == "":
        return now_iso()
    if not isinstance(value, str):
        raise InputError(f"{where}: field '{name}': not a time")
    if is_time(value):
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: field '{name}' = {value[:40]!r}: not an ISO-8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=16)
def _squeezed(text: str) -> tuple[str, list[int]]:
    """``text`` with every run of white space (no-break spaces, newlines, tabs) as one
    space, and the index in ``text`` of each character kept."""
    out: list[str] = []
    origin: list[int] = []
    at = 0
    for match in _SPACES.finditer(text):
        out.append(text[at:match.start()])
        origin.extend(range(at, match.start()))
        out.append(" ")
        origin.append(match.start())
        at = match.end()
    out.append(text[at:])
    origin.extend(range(at, len(text)))
    return "".join(out), origin


def locate(quote: str, prefix: str, suffix: str, candidates: list[Article],
           hint: int | None = None, min_context: int = 0) -> tuple[Article, int, int] | None:
    """The (article, start, end) of the occurrence of ``quote`` whose surroundings best
    match prefix and suffix (then nearest ``hint``), across ``candidates``, with at least
    ``min_context`` characters of that context agreeing. Where the exact quote is nowhere,
    white space is compared loosely: a web page's no-break space or line break is the
    article's plain space."""
    best: tuple[tuple[int, int], Article, int, int] | None = None
    for article in candidates:
        found = best_occurrence(article.text, quote, prefix, suffix, hint)
        if found is not None and found[0][0] < min_context:
            continue
        if found is not None and (best is None or found[0] > best[0]):
            best = (found[0], article, found[1], found[1] + len(quote))
    if best is None:
        loose = _SPACES.sub(" ", quote).strip()
        for article in candidates if loose else ():
            text, origin = _squeezed(article.text)
            found = best_occurrence(text, loose, _SPACES.sub(" ", prefix),
                                    _SPACES.sub(" ", suffix), None)
            if found is not None and found[0][0] < min_context:
                continue
            if found is not None and (best is None or found[0] > best[0]):
                start = origin[found[1]]
                best = (found[0], article, start, origin[found[1] + len(loose) - 1] + 1)
    return (best[1], best[2], best[3]) if best else None


def plan_import(store: AnnotationStore, incoming: Incoming,
                progress: Callable[[int, int], None] | None = None,
                given: Sequence[Article] = ()) -> ImportPlan:
    """Check and place every record; raise InputError on the first malformed one.
    Records are placed on the file's articles, those a factread file brings along, and
    ``given`` (``import --articles``); an article a record lands on enters the file."""
    total = len(incoming.records)
    articles = dict(store.articles)
    for sha, article in [*incoming.articles.items(), *((a.sha256, a) for a in given)]:
        articles.setdefault(sha, article)
    candidates = list(articles.values())
    placed: dict[str, Annotation] = {}
    plan = ImportPlan(Change(()), [])
    for done, (number, record) in enumerate(incoming.records):
        if progress and done % 1000 == 0:
            progress(done, total)
        ann_id = record.get("id")
        if not isinstance(ann_id, str):
            raise InputError(f"{incoming.where(number)}: field 'id' is missing or not text")
        if store.get(ann_id) is not None:
            plan.present += 1
            continue
        if ann_id in placed:
            raise InputError(f"{incoming.where(number)}: field 'id': {ann_id} appears twice "
                             "in the file")
        url = None
        if "url" in record or "outlet" in record or "published" in record:
            # A JSONL or W3C record names the article's page: it only helps to find it
            url = record.get("url")
            record = {k: v for k, v in record.items() if k not in SOURCE_COLUMNS}
        record_sha = record.get("article_sha256")
        known = articles.get(record_sha) if isinstance(record_sha, str) else None
        if known is None and isinstance(url, str) and url:
            known = next((a for a in candidates if a.source is not None
                          and url in (a.source.url, a.source.fetched_from)), None)
        ready = _in_place(record, known) if known is not None else None
        if ready is not None:
            # A record already in factread's form, on an article present by SHA-256 (a
            # factread CSV, JSONL or file): checked once, as opening a file checks it.
            placed[ann_id] = ready
            continue
        found = _place(record, known, candidates, incoming.where(number),
                       url if isinstance(url, str) else "")
        if isinstance(found, Annotation):
            placed[ann_id] = found
        else:
            plan.unplaced.append(found)
    plan.added, reverse = _settle_links(store, placed, plan)
    needed = {a.article_sha256 for a in plan.added} - set(store.articles)
    plan.change = Change(
        tuple([(None, a) for a in plan.added] + reverse), "import",
        tuple(articles[sha] for sha in needed))
    return plan


def _in_place(record: dict[str, Any], article: Article) -> Annotation | None:
    """The annotation, when the record is valid on this article's text (its context
    included) and named as the article is."""
    ann = valid_annotation(record, article.text)
    return ann if ann is not None and ann.article == article.name else None


def _place(record: dict[str, Any], article: Article | None, candidates: list[Article],
           where: str, url: str = "") -> Annotation | tuple[str, str]:
    """Check a record in any shape and find its span: by offsets on the article with its
    SHA-256 where the quote is there, else by quote, prefix and suffix. Returns the
    annotation, or (where, why) when it fits no article."""
    unknown = record.keys() - set(FIELDS)
    if unknown:
        raise InputError(f"{where}: unknown field {sorted(unknown)[0][:40]!r}")
    quote = record.get("quote")
    if not isinstance(quote, str) or not quote:
        raise InputError(f"{where}: field 'quote' is missing or empty")
    given_prefix, given_suffix = record.get("prefix"), record.get("suffix")
    prefix = given_prefix if isinstance(given_prefix, str) else ""
    suffix = given_suffix if isinstance(given_suffix, str) else ""
    start, end = record.get("start"), record.get("end")
    if (article is not None and type(start) is int and type(end) is int
            and 0 <= start < end <= len(article.text) and article.text[start:end] == quote):
        found: tuple[Article, int, int] | None = (article, start, end)
    else:
        hint = start if type(start) is int else None
        asked = record.get("article")
        versions = [a for a in candidates if a.name == asked] if article is None else [article]
        # A record that names an article none of the candidates is lands on another only
        # where its context agrees there too: a short quote ("El") is in every article.
        strict = not versions and (bool(asked) or "article_sha256" in record)
        found = locate(quote, prefix, suffix, versions or candidates, hint,
                       min(8, len(prefix) + len(suffix)) if strict else 0)
    if found is None:
        return (where, _not_found(record.get("article") or url, quote, candidates))
    article, start, end = found
    prefix, suffix = context(article.text, start, end)
    full = {
        "id": record["id"], "article_sha256": article.sha256, "article": article.name,
        "start": start, "end": end, "quote": article.text[start:end], "prefix": prefix,
        "suffix": suffix,
        "tag": record.get("tag"), "note": record.get("note", ""),
        "links": record.get("links", []), "annotator": record.get("annotator", ""),
        "created": _utc(record.get("created"), where, "created"),
        "modified": _utc(record.get("modified") or record.get("created"), where, "modified"),
    }
    return from_dict(full, where, article.text)


def _not_found(asked: object, quote: str, candidates: list[Article]) -> str:
    """Why a record fits no article, naming the article (or page) it asked for."""
    if not isinstance(asked, str) or not asked:
        return f"quote {quote[:40]!r} found in no article"
    if any(asked in (a.name, a.source and a.source.url) for a in candidates):
        return f"quote {quote[:40]!r} not found in article {asked!r}"
    what = "page" if asked.startswith(("http://", "https://")) else "article"
    return (f"{what} {asked!r} is not in the file; give it with --articles (quote "
            f"{quote[:40]!r} found in no other article)")


def _settle_links(store: AnnotationStore, placed: dict[str, Annotation], plan: ImportPlan,
                  ) -> tuple[list[Annotation], list[tuple[Annotation | None, Annotation | None]]]:
    """Keep links to annotations that exist after the import, and make every kept link go
    both ways (another tool's file may hold one direction only); count the rest."""
    kept: dict[str, list[str]] = {}
    for ann in placed.values():
        links = []
        for link in dict.fromkeys(ann.links):
            if link != ann.id and (link in placed or store.get(link) is not None):
                links.append(link)
            else:
                plan.links_dropped += 1
        kept[ann.id] = links
    back: dict[str, set[str]] = {}
    for ann_id, links in kept.items():
        for link in links:
            if link in placed:
                if ann_id not in kept[link]:
                    kept[link].append(ann_id)
            else:
                back.setdefault(link, set()).add(ann_id)
    added = [ann if tuple(kept[ann.id]) == ann.links else ann._replace(links=tuple(kept[ann.id]))
             for ann in placed.values()]
    reverse: list[tuple[Annotation | None, Annotation | None]] = []
    for target_id, sources in back.items():
        target = store.get(target_id)
        assert target is not None
        missing = tuple(s for s in sorted(sources) if s not in target.links)
        if missing:
            reverse.append((target, target.changed(links=target.links + missing)))
    return added, reverse


def import_file(store: AnnotationStore, path: Path, max_bytes: int = DEFAULT_MAX_BYTES,
                progress: Callable[[int, int], None] | None = None,
                tags: tuple[str, ...] = DEFAULT_TAGS,
                articles: Sequence[Article] = ()) -> ImportPlan:
    """``progress(done, total)`` is called as records are checked and placed; ``tags`` are
    the configured tag names another tool's tags may become; ``articles`` are articles
    the rows may be about besides the file's own."""
    with gc_paused():  # 100,000 records of small objects, none of them cyclic
        incoming = read_file(path, max_bytes, tags)
        plan = plan_import(store, incoming, progress, articles)
        plan.warnings, plan.skipped = incoming.warnings, incoming.skipped
        if plan.change.pairs:
            store.apply(plan.change)
    return plan



