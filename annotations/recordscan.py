"""Annotation records as factread writes them, read with one regular expression each.

Opening a file of 300,000 annotations spends most of its time in two loops over the
records: Python's JSON scanner builds a 14-key dict of each, and ``valid_annotation`` then
reads the dict back field by field and checks it. For a record in the exact layout
``storage.encode_file`` writes (keys in ``FIELDS`` order, no spaces, ``\\uXXXX`` escapes),
``RECORD`` does both in the regular-expression engine: the match is the JSON syntax, and
its groups already hold a UUID, a SHA-256, two integers, a tag and two times in
factread's forms. What is left in Python is what needs the article: the quote, prefix and
suffix are taken from its text and compared with the file's bytes in their encoded form.

Anything else (another layout, an escape written another way, a record that is wrong)
does not match, or ``annotation_of`` returns None, and the record goes the careful way
(``record_of`` gives the dict the JSON scanner would have built), which accepts the same
or names the problem. So this is a faster path to the same result, never a second set of
rules: a test compares the two on generated records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Protocol

from annotations.model import (
    _TAGS,
    CONTEXT,
    FIELDS,
    MAX_LINKS,
    MAX_NAME,
    MAX_NOTE,
    SHA_RE,
    TAG_RE,
    TIME_RE,
    UUID_RE,
    Annotation,
    clear_shared,
    is_time,
    shared,
    shared_name,
    shared_tag,
)

_NEW = tuple.__new__
"""An ``Annotation`` from its fields in order, without the Python frame of the named
tuple's ``__new__`` (0.25 us of the 2.7 us this module spends on a record)."""
_ENCODE = json.encoder.encode_basestring_ascii
"""What ``storage.encode_file`` writes for a string, quotes included."""
_SCANSTRING = json.decoder.scanstring  # type: ignore[attr-defined]
"""The C function ``json.loads`` decodes a string with."""

# A JSON string, quotes included; possessive (Python 3.11), so that a record that fails
# to match fails at once instead of backtracking through its text.
_STRING = r'"[^"\\\x00-\x1f]*+(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*+)*+"'
_INT = r"(0|[1-9][0-9]{0,17})"


def _inline(pattern: re.Pattern[str]) -> str:
    """One of ``model``'s field patterns, without the end anchor it has there: the field's
    rules are written once, in ``model``."""
    return pattern.pattern.removesuffix(r"\Z")


_UUID, _SHA, _TAG, _TIME = map(_inline, (UUID_RE, SHA_RE, TAG_RE, TIME_RE))

RECORD = re.compile(
    r'"([0-9]{1,18})":\{'
    rf'"id":"({_UUID})","article_sha256":"({_SHA})","article":({_STRING}),'
    rf'"start":{_INT},"end":{_INT},'
    rf'"quote":({_STRING}),"prefix":({_STRING}),"suffix":({_STRING}),'
    rf'"tag":"({_TAG})","note":({_STRING}),'
    rf'"links":\[((?:"{_UUID}"(?:,"{_UUID}")*)?)\],'
    rf'"annotator":({_STRING}),"created":"({_TIME})","modified":"({_TIME})"\}}'
)
"""One member of the annotations table: ``"key":{record}``. Group 1 is the key; the
others are the record's fields in ``FIELDS`` order, strings with their quotes."""


class _HasText(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def sha256(self) -> str: ...


def _string(raw: str) -> str:
    """The value of a JSON string ``RECORD`` matched (so a valid one)."""
    if "\\" in raw:
        return _SCANSTRING(raw, 1)[0]  # type: ignore[no-any-return]
    return raw[1:-1]


def annotation_of(groups: tuple[str, ...], articles: Mapping[str, _HasText]
                  ) -> Annotation | None:
    """The annotation of a member ``RECORD`` matched (its groups), when it is one
    ``valid_annotation`` accepts on an article of ``articles``; else None."""
    (_key, ann_id, sha, article, start_s, end_s, quote, prefix, suffix, tag, note, links,
     annotator, created, modified) = groups
    known = articles.get(sha)
    if known is None:
        return None
    text = known.text
    start, end = int(start_s), int(end_s)
    if not start < end <= len(text):
        return None
    # The file's bytes equal what encoding the article's text gives, so they decode to it.
    exact = text[start:end]
    if _ENCODE(exact) != quote:
        return None
    before = text[start - CONTEXT if start > CONTEXT else 0:start]
    if _ENCODE(before) != prefix:
        return None
    after = text[end:end + CONTEXT]
    if _ENCODE(after) != suffix:
        return None
    note = note[1:-1] if "\\" not in note else _SCANSTRING(note, 1)[0]
    name = _NAME_OF.get(article) or _name_of(article)
    who = _ANNOTATOR_OF.get(annotator) or _annotator_of(annotator)
    tag_object = _TAGS.get(tag) or shared_tag(tag)
    if len(note) > MAX_NOTE or name is None or who is None or tag_object is None:
        return None
    links_tuple: tuple[str, ...] = tuple(links[1:-1].split('","')) if links else ()
    if len(links_tuple) > MAX_LINKS:
        return None
    if not (created[8:10] < "29" or is_time(created)):
        return None
    if modified == created:
        modified = created
    elif not (modified[8:10] < "29" or is_time(modified)):
        return None
    # ``known.sha256`` is the article's own object: every annotation of it shares it.
    return _NEW(Annotation, (ann_id, known.sha256, name, start, end, exact, before, after,
                             tag_object, note, links_tuple, who, created, modified))


_NAME_OF: dict[str, str] = {}
_ANNOTATOR_OF: dict[str, str] = {}
"""A JSON string as a record holds it (quotes, escapes) to the valid, shared value it
decodes to: an article's name, an annotator. A file holds few; each record then costs one
lookup instead of a decoding, a check and a lookup (0.5 us of the 2.5 this module spent on
a record, with the two lines around them). Bounded (``_RAW_LIMIT``), in case a hostile
file holds a different one in every record."""
_RAW_LIMIT = 10_000


def clear_values() -> None:
    """Forget the shared values of files read before (called as a file is opened): an
    annotator's object is then the one ``shared`` keeps for this file."""
    clear_shared()
    _ANNOTATOR_OF.clear()


def _name_of(raw: str) -> str | None:
    name = shared_name(_string(raw))
    if name is not None and len(_NAME_OF) < _RAW_LIMIT:
        _NAME_OF[raw] = name
    return name


def _annotator_of(raw: str) -> str | None:
    value = _string(raw)
    if len(value) > MAX_NAME:
        return None
    who = shared(value)
    if len(_ANNOTATOR_OF) < _RAW_LIMIT:
        _ANNOTATOR_OF[raw] = who
    return who


_NUMBERS = (3, 4)
"""Positions of ``start`` and ``end`` among the fields."""


def record_of(groups: tuple[str, ...]) -> dict[str, Any]:
    """The record's dict as the JSON scanner builds it from the same text, for the
    careful way."""
    record: dict[str, Any] = {}
    for number, (name, raw) in enumerate(zip(FIELDS, groups[1:], strict=True)):
        if number in _NUMBERS:
            record[name] = int(raw)
        elif name == "links":
            record[name] = raw[1:-1].split('","') if raw else []
        elif raw.startswith('"'):
            record[name] = _string(raw)
        else:
            record[name] = raw  # id, SHA-256, tag, times: matched without their quotes
    return record
