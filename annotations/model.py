"""The annotation record: fields, validation, construction."""

from __future__ import annotations

import operator
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
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
TIME_RE = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
                     r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?Z\Z")
SURROGATE_RE = re.compile("[\ud800-\udfff]")
# What a name (an article's file name, an annotator) may not hold: controls, bidi controls,
# line separators (they would rewrite or reorder a terminal line) and lone surrogates
# (not text: UTF-8 cannot encode them).
UNSAFE_NAME_RE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
                            "\u2028\u2029\ud800-\udfff]")
MAX_NAME_BYTES = 255
"""A name must also fit a file name (brat writes one per article)."""


_DAYS_SEEN: set[str] = set()
"""Calendar days already found real: a file's annotations share a few hundred at most."""


def is_time(value: object) -> bool:
    """A real UTC time in factread's form: 2026-02-30 matches the pattern, not the calendar."""
    if type(value) is not str or TIME_RE.match(value) is None:
        return False
    day = value[:10]
    if value[8:10] < "29" or day in _DAYS_SEEN:
        return True
    try:
        date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        return False
    if len(_DAYS_SEEN) < 100_000:
        _DAYS_SEEN.add(day)
    return True


def name_problem(value: object) -> str | None:
    """Why ``value`` cannot be a name (None when it can). One rule for what is written and
    what is opened. A name is an article's file name, so it holds no path either."""
    if not isinstance(value, str) or not value:
        return "not a name (empty or not text)"
    if len(value) > MAX_NAME:
        return f"longer than {MAX_NAME} characters"
    bad = UNSAFE_NAME_RE.search(value)
    if bad:
        return f"holds the character U+{ord(bad.group()):04X} (a control, bidi or surrogate)"
    if len(value.encode("utf-8")) > MAX_NAME_BYTES:
        return f"longer than {MAX_NAME_BYTES} bytes in UTF-8"
    if "/" in value or "\\" in value or value in (".", ".."):
        return "a file name may not contain a path (/ or \\)"
    return None


_NAMES: dict[str, str] = {}
"""Names found valid, each to one shared string object."""


def is_name(value: object) -> bool:
    """``name_problem`` is None, remembered for the few distinct names a file holds."""
    if type(value) is not str:
        return False
    if value in _NAMES:
        return True
    ok = name_problem(value) is None
    if ok and len(_NAMES) < 10_000:
        _NAMES[value] = value
    return ok


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


POSITION = operator.itemgetter(Annotation._fields.index("start"), Annotation._fields.index("end"),
                               Annotation._fields.index("id"))
"""(start, end, id): the order of an article's annotations everywhere (the store's index,
snapshots), and a total order for bisecting out one annotation."""


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
    check_annotator(annotator)
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
    if SURROGATE_RE.search(value):
        raise InputError(f"{field}: holds a lone surrogate (\\ud800-\\udfff), which is not "
                         "text (a file name or argument in another encoding?)")
    return value


def check_annotator(name: object) -> str:
    """An annotator's name: at most MAX_NAME characters of text (controls are shown, not
    refused, so a name from an older file still opens)."""
    return check_text("annotator", name, MAX_NAME)


def text_problem(ann: Annotation) -> str | None:
    """The first free-text field of ``ann`` holding a lone surrogate, for changes built in
    memory (from the screen or the command line) before they are written."""
    for name in ("note", "quote", "annotator", "article", "prefix", "suffix"):
        if SURROGATE_RE.search(getattr(ann, name)):
            return f"field '{name}' holds a lone surrogate (\\ud800-\\udfff), which is not text"
    return None


def _field(record: Mapping[str, Any], name: str, where: str) -> Any:
    if name not in record:
        raise InputError(f"{where}: field '{name}' is missing")
    return record[name]


_TAGS: dict[str, str] = {}
"""Tags found valid, each to one shared string object (see ``_SHARED``)."""
_SHARED: dict[str, str] = {}
"""One string object for each of the few values that repeat in every record (the article's
SHA-256 and name, tag, annotator): JSON parsing makes a copy per record, 300 bytes each."""
_SHARE_LIMIT = 100_000
"""A hostile file of all-different values stops being shared past this many."""


def clear_shared() -> None:
    """Forget the shared values of files read before (called as a file is opened)."""
    _SHARED.clear()


def valid_annotation(r: Any, text: str | None) -> Annotation | None:
    """The annotation of record ``r`` when ``_checked`` would accept it, else None (and
    ``_checked`` then names the problem). One function that reads each field once, because
    opening a file of 300,000 annotations runs it 300,000 times. With ``text`` the caller
    has found the article by this record's SHA-256, so that field is known good."""
    if type(r) is not dict or len(r) != 14:
        return None
    try:  # 14 keys, every one of FIELDS among them: exactly FIELDS
        start, end, quote, links, tag = r["start"], r["end"], r["quote"], r["links"], r["tag"]
        created, modified, ann_id = r["created"], r["modified"], r["id"]
        prefix, suffix, note = r["prefix"], r["suffix"], r["note"]
        article, annotator, sha = r["article"], r["annotator"], r["article_sha256"]
    except KeyError:
        return None
    if not (
        type(start) is int and type(end) is int and 0 <= start < end
        and type(quote) is str and len(quote) == end - start
        and type(prefix) is str and len(prefix) <= CONTEXT
        and type(suffix) is str and len(suffix) <= CONTEXT
        # startswith at an offset compares in place: no slice of the article is made.
        and ((text is not None and end <= len(text) and text.startswith(quote, start)
              and len(prefix) == min(CONTEXT, start)
              and text.startswith(prefix, start - len(prefix))
              and len(suffix) == min(CONTEXT, len(text) - end) and text.startswith(suffix, end))
             or (text is None and type(sha) is str and SHA_RE.match(sha) is not None))
        and type(note) is str and len(note) <= MAX_NOTE
        and type(annotator) is str and len(annotator) <= MAX_NAME
        and type(ann_id) is str and UUID_RE.match(ann_id) is not None
        and type(created) is str and TIME_RE.match(created) is not None
        and (created[8:10] < "29" or is_time(created))
        and (modified == created or (type(modified) is str and TIME_RE.match(modified) is not None
                                     and (modified[8:10] < "29" or is_time(modified))))
        and type(links) is list and len(links) <= MAX_LINKS
        and (not links or all(type(x) is str and UUID_RE.match(x) is not None for x in links))
    ):
        return None
    if type(tag) is not str or type(article) is not str:
        return None
    tag, name = shared_tag(tag), shared_name(article)
    if tag is None or name is None:
        return None
    return Annotation(ann_id, shared(sha), name, start, end, quote, prefix, suffix, tag, note,
                      tuple(links), shared(annotator), created,
                      created if modified == created else modified)


def shared(value: str) -> str:
    """The one string object kept for ``value`` (see ``_SHARED``)."""
    found = _SHARED.get(value)
    if found is not None:
        return found
    if len(_SHARED) >= _SHARE_LIMIT:
        return value
    return _SHARED.setdefault(value, value)


def shared_tag(tag: str) -> str | None:
    """The shared object of a valid tag; None for an invalid one. The few a file holds are
    remembered (past 1,000, each is checked every time)."""
    found = _TAGS.get(tag)
    if found is not None:
        return found
    if TAG_RE.match(tag) is None:
        return None
    if len(_TAGS) < 1000:
        _TAGS[tag] = tag
    return tag


def shared_name(value: str) -> str | None:
    """The shared object of a valid name (``is_name``); None for an invalid one."""
    found = _NAMES.get(value)
    if found is not None:
        return found
    return _NAMES.get(value, value) if is_name(value) else None


def from_dict(record: object, where: str | Callable[[], str],
              text: str | None = None) -> Annotation:
    """Validate an untrusted record. ``where`` names the file and record for messages (a
    callable is asked only when there is a problem); with ``text``, the offsets and quote
    are checked against the article."""
    ann = valid_annotation(record, text)
    if ann is not None:
        return ann
    return _checked(record, where() if callable(where) else where, text)


def _checked(record: object, where: str, text: str | None) -> Annotation:
    """The slow path: finds the first problem and names it."""
    if not isinstance(record, Mapping):
        raise InputError(f"{where}: expected an object, got {type(record).__name__}")
    unknown = set(record) - set(FIELDS)
    if unknown:
        raise InputError(f"{where}: unknown field {sorted(unknown)[0][:40]!r}")

    def bad(name: str, problem: str) -> InputError:
        value = repr(record.get(name))
        if len(value) > 60:
            value = value[:57] + "..."
        return InputError(f"{where}: field '{name}' = {value}: {problem}")

    def time(name: str) -> str:
        value = _field(record, name, where)
        if not is_time(value):
            raise bad(name, "not a real UTC ISO-8601 time ending in Z")
        return value  # type: ignore[no-any-return]

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
        created=time("created"),
        modified=time("modified"),
    )
    problem = name_problem(ann.article)
    if problem:
        raise bad("article", problem)
    if len(quote) != end - start:
        raise bad("quote", f"has {len(quote)} characters but the span {start}-{end} has {end - start}")
    if text is not None:
        if end > len(text):
            raise bad("end", f"outside the article text ({len(text)} characters)")
        if text[start:end] != quote:
            raise bad("quote", f"does not match the article text at {start}-{end}")
        prefix, suffix = context(text, start, end)
        if ann.prefix != prefix:
            raise bad("prefix", f"is not the {CONTEXT} characters before the span in the text")
        if ann.suffix != suffix:
            raise bad("suffix", f"is not the {CONTEXT} characters after the span in the text")
    return ann
