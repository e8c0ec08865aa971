"""What a factread annotation file holds, checked record by record (see docs/FORMAT.md)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from annotations.articles import MAX_ARTICLE_BYTES, Article
from annotations.errors import InputError
from annotations.model import MAX_NAME, SHA_RE, Annotation, from_dict, is_time, name_problem
from annotations.text import sha256_hex

FORMAT = "factread"
VERSION = 1
TABLES = ("meta", "articles", "annotations", "reviews")
MAX_ARTICLES = 10_000
MAX_ANNOTATIONS = 5_000_000
REVIEW_DECISIONS = ("rejected", "kept")


@dataclass
class Contents:
    meta: dict[str, Any]
    articles: dict[str, Article] = field(default_factory=dict)
    """By SHA-256, in file order."""
    annotations: dict[str, Annotation] = field(default_factory=dict)
    """By uuid."""
    reviews: dict[str, str] = field(default_factory=dict)
    """A colleague's annotation id to the decision taken on it ('rejected' or 'kept')."""
    keys: dict[tuple[str, str], str] = field(default_factory=dict)
    """(table, uuid or sha256) to the TinyDB document id that holds it."""
    next_key: dict[str, int] = field(default_factory=dict)


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


def _article(record: Any, where: str) -> Article:
    if not isinstance(record, dict):
        raise InputError(f"{where}: not an object")
    if set(record) != {"sha256", "name", "title", "text"}:
        missing = {"sha256", "name", "title", "text"} ^ set(record)
        raise InputError(f"{where}: field '{sorted(missing)[0]}' is missing or unknown")
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
    return Article(name=name, text=text, sha256=sha, title=title)


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


def parse_contents(data: dict[str, dict[str, Any]], where: str) -> Contents:
    """Validate everything; raise InputError naming the record and field of the first problem."""
    unknown = set(data) - set(TABLES)
    if unknown:
        raise InputError(f"{where}: unknown table '{sorted(unknown)[0]}'")
    if "meta" not in data:
        raise InputError(f"{where}: table 'meta' is missing; not a factread file")
    contents = Contents(meta=_meta(data["meta"], where))
    tables = {name: data.get(name, {}) for name in TABLES}
    if len(tables["articles"]) > MAX_ARTICLES:
        raise InputError(f"{where}: more than {MAX_ARTICLES} articles")
    if len(tables["annotations"]) > MAX_ANNOTATIONS:
        raise InputError(f"{where}: more than {MAX_ANNOTATIONS} annotations")
    for name in TABLES:
        contents.next_key[name] = max((int(k) for k in tables[name]), default=0) + 1

    for key, record in tables["articles"].items():
        article = _article(record, f"{where}: article record {key}")
        if article.sha256 in contents.articles:
            raise InputError(f"{where}: article record {key}: the same text is stored twice")
        contents.articles[article.sha256] = article
        contents.keys["articles", article.sha256] = key

    anns = contents.annotations
    for key, record in tables["annotations"].items():
        rec_where = f"{where}: annotation record {key}"
        sha = record.get("article_sha256") if isinstance(record, dict) else None
        known = contents.articles.get(sha) if isinstance(sha, str) else None
        if isinstance(record, dict) and known is None:
            raise InputError(f"{rec_where}: field 'article_sha256' names no article in the file")
        ann = from_dict(record, rec_where, known.text if known else None)
        if ann.id in anns:
            raise InputError(f"{rec_where}: field 'id': {ann.id} is used twice")
        anns[ann.id] = ann
        contents.keys["annotations", ann.id] = key
    for ann in anns.values():
        if not ann.links:
            continue
        problem = link_problem(ann, anns.get)
        if problem:
            rec = contents.keys["annotations", ann.id]
            raise InputError(f"{where}: annotation record {rec}: field 'links': {problem}")

    for key, record in tables["reviews"].items():
        rec_where = f"{where}: review record {key}"
        if (not isinstance(record, dict) or set(record) != {"their_id", "decision"}
                or not isinstance(record["their_id"], str) or len(record["their_id"]) > 64
                or record["decision"] not in REVIEW_DECISIONS):
            raise InputError(f"{rec_where}: expected {{their_id, decision}} with decision "
                             f"one of {', '.join(REVIEW_DECISIONS)}")
        contents.reviews[record["their_id"]] = record["decision"]
        contents.keys["reviews", record["their_id"]] = key
    return contents
