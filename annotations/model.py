"""The annotation record: fields, validation, construction."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from annotations.errors import InputError

CONTEXT = 32
MAX_NOTE = 100_000
MAX_NAME = 200
MAX_LINKS = 1_000

FIELDS = (
    "id", "article_sha256", "article", "start", "end", "quote", "prefix", "suffix",
    "tag", "note", "links", "annotator", "created", "modified",
)  # fmt: skip

# Matched with .match: \Z, because $ would also accept a trailing newline; [0-9], because
# \d would also accept other scripts' digits.
TAG_RE = re.compile(r"[a-z][a-z0-9_-]{0,31}\Z")
SHA_RE = re.compile(r"[0-9a-f]{64}\Z")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
TIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?Z\Z")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_id() -> str:
    return str(uuid.uuid4())


class Annotation(NamedTuple):
    """Immutable; a NamedTuple because files hold 100,000 of them and it builds 5x faster
    than a frozen dataclass."""

    id: str
    article_sha256: str
    article: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    tag: str
    note: str
    links: tuple[str, ...]
    annotator: str
    created: str
    modified: str

    def to_dict(self) -> dict[str, Any]:
        # Spelled out: several times faster than _asdict(), and exports call it 100,000 times.
        return {"id": self.id, "article_sha256": self.article_sha256, "article": self.article,
                "start": self.start, "end": self.end, "quote": self.quote,
                "prefix": self.prefix, "suffix": self.suffix, "tag": self.tag,
                "note": self.note, "links": list(self.links), "annotator": self.annotator,
                "created": self.created, "modified": self.modified}

    def changed(self, **fields: Any) -> Annotation:
        """A copy with ``fields`` replaced and ``modified`` set to now."""
        return self._replace(modified=now_iso(), **fields)


def context(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]


def create(
    *,
    text: str,
    article_sha256: str,
    article: str,
    start: int,
    end: int,
    tag: str,
    annotator: str,
    note: str = "",
) -> Annotation:
    if not 0 <= start < end <= len(text):
        raise InputError(f"span {start}-{end}: outside the article (0-{len(text)}) or empty")
    check_tag_name(tag)
    check_text("note", note, MAX_NOTE)
    check_text("annotator", annotator, MAX_NAME)
    prefix, suffix = context(text, start, end)
    stamp = now_iso()
    return Annotation(
        id=new_id(), article_sha256=article_sha256, article=article, start=start, end=end,
        quote=text[start:end], prefix=prefix, suffix=suffix, tag=tag, note=note, links=(),
        annotator=annotator, created=stamp, modified=stamp,
    )  # fmt: skip


def check_tag_name(tag: object) -> str:
    if not isinstance(tag, str) or not TAG_RE.match(tag):
        raise InputError(
            f"tag {tag!r}: not a valid tag name (lower-case letter, then letters, digits, - or _)"
        )
    return tag


def check_text(field: str, value: object, limit: int) -> str:
    if not isinstance(value, str):
        raise InputError(f"{field}: expected text, got {type(value).__name__}")
    if len(value) > limit:
        raise InputError(f"{field}: {len(value)} characters, more than the {limit} allowed")
    return value


def _field(record: Mapping[str, Any], name: str, where: str) -> Any:
    if name not in record:
        raise InputError(f"{where}: field '{name}' is missing")
    return record[name]


_TAGS_SEEN: set[str] = set()


def is_valid_record(r: Any, text: str | None) -> bool:
    """True only for a record that ``_checked`` would accept: one expression, because
    opening a file of 100,000 annotations runs it 100,000 times. With ``text`` the caller
    has found the article by this record's SHA-256, so that field is known good."""
    if type(r) is not dict or len(r) != len(FIELDS):
        return False
    try:  # 14 keys, every one of FIELDS among them: exactly FIELDS
        start, end, quote, links, tag = r["start"], r["end"], r["quote"], r["links"], r["tag"]
        created, modified, ann_id = r["created"], r["modified"], r["id"]
        prefix, suffix, note = r["prefix"], r["suffix"], r["note"]
        article, annotator, sha = r["article"], r["annotator"], r["article_sha256"]
    except KeyError:
        return False
    ok = (
        type(start) is int and type(end) is int and 0 <= start < end
        and type(quote) is str and len(quote) == end - start
        and ((text is not None and text[start:end] == quote)
             or (text is None and type(sha) is str and SHA_RE.match(sha) is not None))
        and type(prefix) is str and len(prefix) <= CONTEXT
        and type(suffix) is str and len(suffix) <= CONTEXT
        and type(note) is str and len(note) <= MAX_NOTE
        and type(article) is str and len(article) <= MAX_NAME
        and type(annotator) is str and len(annotator) <= MAX_NAME
        and type(ann_id) is str and UUID_RE.match(ann_id) is not None
        and type(tag) is str and (tag in _TAGS_SEEN or TAG_RE.match(tag) is not None)
        and type(created) is str and TIME_RE.match(created) is not None
        and (modified == created or (type(modified) is str and TIME_RE.match(modified) is not None))
        and type(links) is list and len(links) <= MAX_LINKS
        and (not links or all(type(x) is str and UUID_RE.match(x) is not None for x in links))
    )
    if ok and len(_TAGS_SEEN) < 1000:
        _TAGS_SEEN.add(tag)
    return ok


def from_dict(record: object, where: str | Callable[[], str],
              text: str | None = None) -> Annotation:
    """Validate an untrusted record. ``where`` names the file and record for messages (a
    callable is asked only when there is a problem); with ``text``, the offsets and quote
    are checked against the article."""
    if is_valid_record(record, text):
        return from_valid_record(record)  # type: ignore[arg-type]
    return _checked(record, where() if callable(where) else where, text)


def from_valid_record(r: dict[str, Any]) -> Annotation:
    """The annotation of a record ``is_valid_record`` accepted (not checked again)."""
    return Annotation(r["id"], r["article_sha256"], r["article"], r["start"], r["end"],
                      r["quote"], r["prefix"], r["suffix"], r["tag"], r["note"],
                      tuple(r["links"]), r["annotator"], r["created"], r["modified"])


def _checked(record: object, where: str, text: str | None) -> Annotation:
    """The slow path: finds the first problem and names it."""
    if not isinstance(record, Mapping):
        raise InputError(f"{where}: expected an object, got {type(record).__name__}")
    unknown = set(record) - set(FIELDS)
    if unknown:
        raise InputError(f"{where}: unknown field '{sorted(unknown)[0]}'")

    def bad(name: str, problem: str) -> InputError:
        value = repr(record.get(name))
        if len(value) > 60:
            value = value[:57] + "..."
        return InputError(f"{where}: field '{name}' = {value}: {problem}")

    def matching(name: str, pattern: re.Pattern[str], what: str) -> str:
        value = _field(record, name, where)
        if not isinstance(value, str) or not pattern.match(value):
            raise bad(name, f"not {what}")
        return value

    def string(name: str, limit: int) -> str:
        value = _field(record, name, where)
        if not isinstance(value, str):
            raise bad(name, "not text")
        if len(value) > limit:
            raise bad(name, f"longer than {limit} characters")
        return value

    def offset(name: str) -> int:
        value = _field(record, name, where)
        if type(value) is not int or value < 0:
            raise bad(name, "not a non-negative integer")
        return value

    start, end = offset("start"), offset("end")
    if start >= end:
        raise bad("end", f"must be greater than start ({start})")
    quote = string("quote", end - start)
    links = _field(record, "links", where)
    if not isinstance(links, list) or len(links) > MAX_LINKS:
        raise bad("links", f"not a list of at most {MAX_LINKS} annotation ids")
    for link in links:
        if not isinstance(link, str) or not UUID_RE.match(link):
            raise bad("links", f"{link!r} is not an annotation id")
    ann = Annotation(
        id=matching("id", UUID_RE, "a lower-case uuid"),
        article_sha256=matching("article_sha256", SHA_RE, "a SHA-256 in lower-case hex"),
        article=string("article", MAX_NAME),
        start=start,
        end=end,
        quote=quote,
        prefix=string("prefix", CONTEXT),
        suffix=string("suffix", CONTEXT),
        tag=matching("tag", TAG_RE, "a valid tag name"),
        note=string("note", MAX_NOTE),
        links=tuple(links),
        annotator=string("annotator", MAX_NAME),
        created=matching("created", TIME_RE, "a UTC ISO-8601 time ending in Z"),
        modified=matching("modified", TIME_RE, "a UTC ISO-8601 time ending in Z"),
    )
    if len(quote) != end - start:
        raise bad("quote", f"has {len(quote)} characters but the span {start}-{end} has {end - start}")
    if text is not None:
        if end > len(text):
            raise bad("end", f"outside the article text ({len(text)} characters)")
        if text[start:end] != quote:
            raise bad("quote", f"does not match the article text at {start}-{end}")
    return ann
