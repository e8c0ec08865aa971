"""Reading a large JSON document one record at a time.

Two readers: ``tables`` walks a factread file already in memory as one string (opening a
file: the fastest loop, 300,000 times); ``Walker`` reads any document from a binary file a
window at a time (imports of other tools' files, whose size and shape are not ours).

``json.loads`` builds every record of a 300,000-annotation file at once: 485 MB of dicts
that live beside the annotations built from them, and a peak the process keeps. These
readers walk the outer object or array themselves and hand each record to the caller as
soon as Python's own C scanner has parsed it, so a record's dict is freed (and its memory
reused) before the next one is built. What is accepted is what ``json.loads`` accepts,
except that a key repeated in the same object is refused instead of silently overriding
the first (factread never writes one).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Generator, Iterator, Mapping
from functools import cache
from itertools import islice
from json.scanner import make_scanner
from operator import itemgetter
from typing import IO, Any, Protocol

_WS = re.compile(r"[ \t\n\r]*")
_SCAN = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


class StreamError(ValueError):
    """Malformed JSON; the message says where (line and column, like json's own)."""

    def __init__(self, text: str, pos: int, problem: str) -> None:
        self.line = text.count("\n", 0, pos) + 1
        self.column = pos - text.rfind("\n", 0, pos)
        self.problem = problem
        super().__init__(f"malformed JSON at line {self.line} column {self.column}: {problem}")


def _skip(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]


def _value(text: str, pos: int) -> tuple[Any, int]:
    try:
        return _SCAN(text, pos)
    except StopIteration:
        raise StreamError(text, pos, "expecting value") from None
    except json.JSONDecodeError as err:
        raise StreamError(text, err.pos, err.msg) from None


def _key(text: str, pos: int, seen: set[str]) -> tuple[str, int]:
    """The key at ``pos`` and the position of its value."""
    if text[pos:pos + 1] != '"':
        raise StreamError(text, pos, "expecting property name enclosed in double quotes")
    key, pos = _value(text, pos)
    if key in seen:
        raise StreamError(text, pos, f"key {key[:40]!r} appears twice")
    seen.add(key)
    pos = _skip(text, pos)
    if text[pos:pos + 1] != ":":
        raise StreamError(text, pos, "expecting ':' delimiter")
    return key, _skip(text, pos + 1)


def _next(text: str, pos: int, close: str) -> tuple[bool, int]:
    """After a member or element: (more follow, position of the next one or after the
    closing bracket)."""
    pos = _skip(text, pos)
    char = text[pos:pos + 1]
    if char == ",":
        return True, _skip(text, pos + 1)
    if char == close:
        return False, pos + 1
    raise StreamError(text, pos, f"expecting ',' delimiter or '{close}'")


def _open(text: str, pos: int, bracket: str, what: str) -> tuple[bool, int]:
    """At ``bracket``: (not empty, position of the first member or after the close)."""
    if text[pos:pos + 1] != bracket:
        raise StreamError(text, pos, f"{what} is not {'an object' if bracket == '{' else 'a list'}")
    pos = _skip(text, pos + 1)
    close = "}" if bracket == "{" else "]"
    if text[pos:pos + 1] == close:
        return False, pos + 1
    return True, pos


def _end(text: str, pos: int) -> None:
    pos = _skip(text, pos)
    if pos != len(text):
        raise StreamError(text, pos, "extra data")


class Run(list[tuple[str, ...]]):
    """Members in a row that a table's quick pattern matched (see ``tables``): the groups
    of each, group 1 its key. Yielded as one record, so that the caller's loop over 300,000
    members runs in one place instead of through every generator on the way."""


RUN = 2048
"""Members at most in a run: a run's groups are held until the caller takes them."""

_GROUPS = re.Match.groups
_KEY = itemgetter(0)


class _Scanner(Protocol):
    def match(self) -> re.Match[str] | None:
        """The next match, anchored where the last one ended."""


@cache
def _in_a_row(quick: re.Pattern[str]) -> Callable[[str, int, int], _Scanner] | None:
    """A scanner of ``quick``'s members each followed by a comma, as ``_AFTER`` reads
    one (the table's last member, followed by its brace, is matched the other way).
    ``Pattern.scanner`` is what the standard library's ``re.Scanner`` is built on, but
    undocumented: where it is missing, every member is parsed."""
    compiled = re.compile(f"(?:{quick.pattern})[ \\t\\n\\r]*,[ \\t\\n\\r]*")
    scanner: Callable[[str, int, int], _Scanner] | None = getattr(compiled, "scanner", None)
    return scanner


_MEMBER = re.compile(r'[ \t\n\r]*"([^"\\]*)"[ \t\n\r]*:[ \t\n\r]*')
_AFTER = re.compile(r"[ \t\n\r]*([,}])[ \t\n\r]*")


class Handover(Protocol):
    """Members of one table read elsewhere (by another process: see ``splitread``)."""

    table: str
    at: int
    """Where a member of ``table`` begins: from there on, the members are handed over."""

    def take(self) -> tuple[int, Any] | None:
        """(position after the table's closing brace, what stands for its members from
        ``at`` on), or None when they could not be read there: they are read here then."""


def tables(text: str, members: Mapping[str, re.Pattern[str]] | None = None,
           handover: Handover | None = None) -> Iterator[tuple[str, str | None, Any]]:
    """(table, key, record) for a document ``{table: {key: record}}`` (TinyDB's layout), in
    file order. Each table first yields (table, None, None), so an empty one is seen too.

    ``members``: for a table named there, a pattern tried first on each member (key and
    record). Members it matches in a row, each followed by a comma, are yielded as one
    ``Run`` of their groups, with the key "" (never a key of a record: those are numbers);
    the caller knows what they mean (see ``recordscan``). Any other member is parsed: one
    it does not match, the table's last, and all from a repeated key on (refused there).

    ``handover``: where a member of its table begins at its ``at``, what it takes is
    yielded as one record with the key "" (never a key of a record: those are numbers),
    and the table ends there (a ``Run`` ends there too)."""
    more, pos = _open(text, _skip(text, 0), "{", "the document")
    names: set[str] = set()
    while more:
        name, pos = _key(text, pos, names)
        yield name, None, None
        filled, pos = _open(text, pos, "{", f"table '{name[:40]}'")
        if filled:
            quick = members.get(name) if members else None
            stop = handover.at if handover is not None and handover.table == name else -1
            keys: set[str] = set()
            pos, stopped = yield from _members(name, text, pos, keys, quick, stop)
            taken = handover.take() if stopped and handover is not None else None
            if taken is not None:
                pos, batch = taken
                yield name, "", batch
            elif stopped:
                pos, _ = yield from _members(name, text, pos, keys, quick, -1)
        more, pos = _next(text, pos, "}")
    _end(text, pos)


def members_from(text: str, pos: int, quick: re.Pattern[str] | None = None
                 ) -> Generator[tuple[str, Any], None, int]:
    """The members of an object from ``pos`` (where one begins) to its end, as (key,
    value), ``quick`` as in ``tables`` (a ``Run`` with the key ""); returns the position
    after its closing brace."""
    end, _ = yield from _members(None, text, pos, set(), quick, -1)
    return end


def _members(name: str | None, text: str, pos: int, keys: set[str], quick: re.Pattern[str] | None,
             stop: int) -> Generator[Any, None, tuple[int, bool]]:
    """Members of a non-empty object from ``pos`` (where one begins): (table, key, value)
    with a ``name`` (a table's), else (key, value). Returns (the position after the
    closing brace, False), or (``stop``, True) when a member begins at ``stop``."""
    member, after, scan = _MEMBER.match, _AFTER.match, _SCAN
    in_a_row = _in_a_row(quick) if quick is not None else None
    filled = True
    while filled:
        if pos == stop:
            return pos, True
        if in_a_row is not None:
            # Members followed by a comma, matched one after another by the regex engine
            # itself (each match anchored where the last ended): no Python per member.
            within = stop if pos < stop else len(text)  # a run ends where a handover begins
            matches = list(islice(iter(in_a_row(text, pos, within).match, None), RUN))
            if matches:
                run = Run(map(_GROUPS, matches))
                fresh = set(map(_KEY, run))
                if len(fresh) == len(run) and keys.isdisjoint(fresh):
                    keys |= fresh
                    pos = matches[-1].end()
                    yield ("", run) if name is None else (name, "", run)
                    continue
                # A key repeated, which the careful way below refuses when it gets there
                # (within this run's members): no more runs in this object.
                in_a_row = None
        # The common case (a key without escapes) in two regex matches and the C scanner;
        # anything else goes the careful way.
        found = member(text, pos)
        if found is None or found.group(1) in keys:
            key, pos = _key(text, pos, keys)
        else:
            key = found.group(1)
            keys.add(key)
            pos = found.end()
        record: Any
        try:
            record, pos = scan(text, pos)
        except (StopIteration, json.JSONDecodeError):
            record, pos = _value(text, pos)  # raises, naming the place
        yield (key, record) if name is None else (name, key, record)
        found = after(text, pos)
        if found is None:
            raise StreamError(text, _skip(text, pos), "expecting ',' delimiter or '}'")
        filled, pos = found.group(1) == ",", found.end()
    return pos, False


class Walker:
    """A JSON document read from a binary file a window at a time, for documents too large
    to hold as one string (a 258 MB W3C export with one emoji anywhere becomes a 1 GB
    string). The caller walks it: ``members`` and ``elements`` yield with the walker at each
    value, which the caller consumes with ``value`` or a nested walk before going on.
    ``on_bytes`` sees every chunk of raw bytes as it is read."""

    CHUNK = 4 * 1024 * 1024

    def __init__(self, stream: IO[bytes], on_bytes: Callable[[bytes], None] | None = None
                 ) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._on_bytes = on_bytes
        self._eof = False
        self._consumed = 0
        """Characters dropped from the front of the window so far (for positions)."""
        self.text = ""
        self.pos = 0
        self._fill(1)
        self._skip()

    def _fill(self, wanted: int) -> bool:
        """At least ``wanted`` characters after ``pos`` unless the file ends; False when
        nothing more could be read."""
        grew = False
        while len(self.text) - self.pos < wanted and not self._eof:
            chunk = self._stream.read(max(self.CHUNK, wanted))
            if self._on_bytes is not None and chunk:
                self._on_bytes(chunk)
            self._eof = not chunk
            try:
                more = self._decoder.decode(chunk, final=self._eof)
            except UnicodeDecodeError as err:
                raise StreamError(self.text, len(self.text),
                                  f"not UTF-8 ({err.reason})") from None
            self._consumed += self.pos
            self.text = self.text[self.pos:] + more
            self.pos = 0
            grew = True
        return grew

    def _error(self, problem: str) -> StreamError:
        return StreamError(self.text, self.pos, f"{problem} (character {self._consumed + self.pos})")

    def _skip(self) -> None:
        while True:
            self.pos = _skip(self.text, self.pos)
            if self.pos < len(self.text) or not self._fill(1):
                return

    def peek(self) -> str:
        self._skip()
        return self.text[self.pos:self.pos + 1]

    def value(self) -> Any:
        """The value at the cursor, read whole."""
        self._skip()
        while True:
            try:
                value, end = _SCAN(self.text, self.pos)
            except (StopIteration, json.JSONDecodeError) as err:
                # Cut by the window's end, or malformed: read on and try again, until the
                # file ends (then it is malformed).
                if self._fill(len(self.text) - self.pos + self.CHUNK):
                    continue
                if isinstance(err, json.JSONDecodeError):
                    self.pos = err.pos
                    raise self._error(err.msg) from None
                raise self._error("expecting value") from None
            if len(self.text) - end < 64 and not self._eof:
                # A number may go on in the next window ("1" of "1e+16"): read on and read
                # it again.
                if self._fill(end - self.pos + 64):
                    continue
            self.pos = end
            return value

    def _expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            raise self._error(f"expecting {what}")
        self.pos += 1

    def _more(self, close: str) -> bool:
        char = self.peek()
        if char == ",":
            self.pos += 1
            return True
        if char == close:
            self.pos += 1
            return False
        raise self._error(f"expecting ',' delimiter or '{close}'")

    def members(self) -> Iterator[str]:
        self._expect("{", "an object")
        if self.peek() == "}":
            self.pos += 1
            return
        seen: set[str] = set()
        while True:
            if self.peek() != '"':
                raise self._error("expecting property name enclosed in double quotes")
            key = self.value()
            if key in seen:
                raise self._error(f"key {key[:40]!r} appears twice")
            seen.add(key)
            self._expect(":", "':' delimiter")
            self._skip()
            yield key
            if not self._more("}"):
                return

    def elements(self) -> Iterator[None]:
        self._expect("[", "a list")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            self._skip()
            yield None
            if not self._more("]"):
                return

    def end(self) -> None:
        if self.peek():
            raise self._error("extra data")
