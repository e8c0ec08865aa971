"""Cross-checking: for a passage, the passages of the other reports that speak of it, and
the counts, dates and statuses on which they disagree. It proposes; it never tags.

Ranking is BM25 over passages (sentences, or ~400-character windows of very long ones),
whose terms are word stems plus a term per count value and per date, and names folded to
one spelling across reports (Pionyang/Pyongyang). Flags come from ``facts`` and are
compared only between passages that rank as speaking of the same thing.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from annotations.articles import Article
from annotations.facts import Count, Day, Facts, Status, dateline_year, facts
from annotations.stems import STOPWORDS, stem

WINDOW = 400
K1, B = 1.2, 0.75
COMMON, COMMON_FLOOR = 0.1, 50
"""Query terms found in more than this share of the passages (and more than the floor: a
small set keeps all its terms) are left out of the score: they weigh little and cost the
most."""

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”»']?\s+(?=[\"“«¿¡(]?[A-ZÁÉÍÓÚÑ0-9])|\n+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Passage:
    article: Article
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.article.text[self.start:self.end]


@dataclass(frozen=True)
class Flag:
    kind: str
    """"count", "date" or "status"."""
    here: str
    there: str
    severity: str
    """"conflict" (both cannot be true), "imprecise" (one range holds the other's value) or
    "cannot-compare" (a date without its year, or a relative day)."""
    why: str
    here_at: tuple[int, int] = (0, 0)
    there_at: tuple[int, int] = (0, 0)
    """Where ``here`` and ``there`` are, in their passages' texts."""
    about: str = ""
    """What a count counts (soldiers, dead, …); empty for dates and statuses."""

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "here": self.here, "there": self.there,
                "severity": self.severity, "why": self.why}


@dataclass
class Related:
    passage: Passage
    score: float
    flags: list[Flag] = field(default_factory=list)


def split_passages(article: Article) -> list[Passage]:
    """Sentences and paragraphs; windows of about WINDOW characters inside longer ones."""
    text = article.text
    found: list[Passage] = []
    at = 0
    for match in [*_SENTENCE_END.finditer(text), None]:
        end = match.start() if match else len(text)
        piece_start = at
        while piece_start < end:
            piece_end = end
            if end - piece_start > WINDOW * 1.5:
                cut = text.rfind(" ", piece_start, piece_start + WINDOW)
                piece_end = cut if cut > piece_start else piece_start + WINDOW
            stripped = text[piece_start:piece_end]
            lead = len(stripped) - len(stripped.lstrip())
            # Short pieces count too when they carry a figure (a dateline: "19 jun 2024")
            if stripped.strip() and (len(_WORD.findall(stripped)) >= 3
                                     or any(c.isdigit() for c in stripped)):
                found.append(Passage(article, piece_start + lead, piece_end))
            piece_start = piece_end
        at = match.end() if match else len(text)
    return found


def sentence_at(article: Article, offset: int) -> tuple[int, int]:
    """The passage holding ``offset`` (the one after it, between two), as (start, end)."""
    passages = split_passages(article)
    for passage in passages:
        if offset < passage.end:
            return passage.start, passage.end
    return (passages[-1].start, passages[-1].end) if passages else (0, len(article.text))


class _Names:
    """One spelling per name across reports: capitalised words within a small edit distance
    of one already seen (rapidfuzz) take its spelling."""

    def __init__(self) -> None:
        self.known: list[str] = []
        self.cache: dict[str, str] = {}

    def canonical(self, word: str) -> str:
        found = self.cache.get(word)
        if found is not None:
            return found
        from rapidfuzz import fuzz, process

        lowered = word.lower()
        match = process.extractOne(lowered, self.known, scorer=fuzz.ratio, score_cutoff=80)
        result = match[0] if match else lowered
        if not match:
            self.known.append(lowered)
        self.cache[word] = result
        return result


@dataclass
class _Doc:
    passage: Passage
    terms: Counter[str]
    length: int
    facts: Facts
    words: int


def _count_terms(count: Count) -> list[str]:
    return [f"#{count.what}", f"#{count.low:g}", f"#{count.high:g}"]


def _day_terms(day: Day) -> list[str]:
    terms = [f"@{day.month}"]
    if day.year is not None:
        terms.append(f"@{day.year}-{day.month}")
    return terms


class Index:
    """The passages of a set of articles, ready to rank against a query passage."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self.names = _Names()
        self.docs: list[_Doc] = []
        self.df: Counter[str] = Counter()
        for article in articles:
            year = dateline_year(article.text)
            for passage in split_passages(article):
                doc = self._doc(passage, year)
                self.docs.append(doc)
                self.df.update(doc.terms.keys())
        self.average = (sum(d.length for d in self.docs) / len(self.docs)) if self.docs else 1.0
        # Postings: each term's passages with its BM25 term weight (idf and the passage's
        # length folded in), so a query touches only the passages that share a term.
        n = len(self.docs)
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for number, doc in enumerate(self.docs):
            norm = K1 * (1 - B + B * doc.length / self.average)
            for term, tf in doc.terms.items():
                idf = math.log(1 + (n - self.df[term] + 0.5) / (self.df[term] + 0.5))
                self.postings.setdefault(term, []).append(
                    (number, idf * tf * (K1 + 1) / (tf + norm)))

    def _terms(self, text: str, found: Facts) -> Counter[str]:
        terms: Counter[str] = Counter()
        for word in _WORD.findall(text):
            if len(word) < 2 or word.lower() in STOPWORDS:
                continue
            if word[0].isupper() and len(word) > 3:
                terms["N:" + self.names.canonical(word)] += 1
                continue
            terms[stem(word)] += 1
        for count in found.counts:
            terms.update(_count_terms(count))
        for day in found.days:
            terms.update(_day_terms(day))
        if found.statuses:
            terms["!status"] += 1
        return terms

    def _doc(self, passage: Passage, year: int | None) -> _Doc:
        found = _facts(passage.text, year)
        terms = self._terms(passage.text, found)
        return _Doc(passage, terms, sum(terms.values()), found,
                    len(_WORD.findall(passage.text)))

    def rank(self, article: Article, start: int, end: int, top: int = 10,
             exclude: str | None = None) -> list[Related]:
        """The passages most like ``article.text[start:end]``, best first, those of the
        article ``exclude`` (a SHA-256) left out, each with its disagreement flags."""
        text = article.text[start:end]
        query_facts = _facts(text, dateline_year(article.text))
        return self.ranked(self._terms(text, query_facts), query_facts, top, exclude)

    def ranked(self, query: Counter[str], query_facts: Facts, top: int,
               exclude: str | None) -> list[Related]:
        """``rank`` for a query already made terms (a passage of the index itself)."""
        totals: dict[int, float] = {}
        common = max(COMMON_FLOOR, COMMON * len(self.docs))
        for term, weight in query.items():
            postings = self.postings.get(term, ())
            if len(postings) > common:
                continue  # in most passages: it scores little and costs the most
            factor = min(weight, 2)
            for number, part in postings:
                totals[number] = totals.get(number, 0.0) + part * factor
        scores: list[tuple[float, int]] = []
        for number, score in totals.items():
            doc = self.docs[number]
            if exclude is not None and doc.passage.article.sha256 == exclude:
                continue
            if doc.words < 3:
                score *= 0.5  # a bare dateline matches every date; it says little else
            scores.append((score, number))
        found = []
        for score, number in heapq.nlargest(top, scores):
            doc = self.docs[number]
            found.append(Related(doc.passage, score, compare(query_facts, doc.facts)))
        return found


@lru_cache(maxsize=20_000)
def _facts(text: str, year: int | None) -> Facts:
    return facts(text, year)


def _shown(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def _flag(kind: str, a: Count | Day | Status, b: Count | Day | Status, severity: str,
          why: str) -> Flag:
    about = a.what if isinstance(a, Count) else ""
    return Flag(kind, a.text, b.text, severity, why, (a.start, a.end), (b.start, b.end), about)


def _counts(here: Sequence[Count], there: Sequence[Count]) -> list[Flag]:
    flags = []
    for a in here:
        for b in there:
            if not a.what or a.what != b.what or a.what == "-":
                continue
            if a.low == b.low and a.high == b.high:
                continue
            what = a.what
            if a.high < b.low or b.high < a.low:
                if a.vague and b.vague:
                    continue
                flags.append(_flag("count", a, b, "conflict",
                                  f"{what}: {_range(a)} here, {_range(b)} there"))
            else:
                flags.append(_flag("count", a, b, "imprecise",
                                  f"{what}: {_range(a)} here and {_range(b)} there overlap"))
    return flags


def _range(count: Count) -> str:
    if count.low == count.high:
        return _shown(count.low)
    return f"{_shown(count.low)}-{_shown(count.high)}"


def _days(here: Sequence[Day], there: Sequence[Day]) -> list[Flag]:
    flags = []
    for a in here:
        for b in there:
            if a.month != b.month and (a.year is None or b.year is None or a.year == b.year):
                continue  # dates of different months: most likely other events
            if a.day is None or b.day is None:
                continue  # month precision: holds the other
            if a.year is None or b.year is None:
                if a.day != b.day:
                    flags.append(_flag("date", a, b, "cannot-compare",
                                      "a date without its year"))
                continue
            if (a.year, a.month, a.day) != (b.year, b.month, b.day):
                flags.append(_flag("date", a, b, "conflict",
                                  f"{a.year}-{a.month:02}-{a.day:02} here, "
                                  f"{b.year}-{b.month:02}-{b.day:02} there"))
    return flags


def _said(status: Status) -> str:
    return f"{'confirmed' if status.confirmed else 'not confirmed'} («{status.text}»)"


def _statuses(here: Sequence[Status], there: Sequence[Status]) -> list[Flag]:
    flags = []
    for a in here:
        for b in there:
            if a.confirmed == b.confirmed:
                continue
            if set(a.about.split()) & set(b.about.split()):
                flags.append(_flag("status", a, b, "conflict",
                                   f"{_said(a)} here, {_said(b)} there"))
    return flags[:1]


def compare(here: Facts, there: Facts) -> list[Flag]:
    flags = _counts(here.counts, there.counts) + _days(here.days, there.days)
    flags += _statuses(here.statuses, there.statuses)
    if here.relative and there.days:
        start, end, text = here.relative[0]
        day = there.days[0]
        flags.append(Flag("date", text, day.text, "cannot-compare",
                          "a relative day against a date", (start, end), (day.start, day.end)))
    return flags


@dataclass
class Disagreement:
    kind: str
    severity: str
    why: str
    a: Passage
    b: Passage
    score: float
    a_span: tuple[int, int] = (0, 0)
    b_span: tuple[int, int] = (0, 0)
    """The disagreeing words (a figure, a date, a status), in their articles' texts."""
    about: str = ""
    """What a count counts; empty for dates and statuses."""

    @property
    def key(self) -> str:
        """Names this proposal in the file (a dismissal is remembered under it)."""
        what = (f"{self.kind}|{self.a.article.sha256}|{self.a_span}|{self.b.article.sha256}|"
                f"{self.b_span}")
        return "d:" + hashlib.sha1(what.encode(), usedforsecurity=False).hexdigest()


SEVERITY = {"conflict": 0, "imprecise": 1, "cannot-compare": 2}


def disagreements(articles: Sequence[Article], index: Index | None = None,
                  per_passage: int = 3, min_share: float = 0.25) -> list[Disagreement]:
    """Candidate pairs across articles, strongest first: for every passage, its best
    partners in the other articles (a partner must score at least ``min_share`` of the
    best), and the flags between them. The same disagreement (same kind and values) is
    proposed once, by its best pair."""
    index = index or Index(articles)
    best: dict[tuple[str, str, str], Disagreement] = {}
    for doc in index.docs:
        facts_here = doc.facts
        if not (facts_here.counts or facts_here.days or facts_here.statuses):
            continue
        passage = doc.passage
        found = index.ranked(doc.terms, facts_here, per_passage, passage.article.sha256)
        if not found:
            continue
        floor = found[0].score * min_share
        for related in found:
            if related.score < floor:
                continue
            for flag in related.flags:
                if flag.severity == "cannot-compare":
                    continue
                a, b = passage, related.passage
                # A figure or a date is what is tagged; a status, its whole sentence
                whole = flag.kind == "status"
                a_span = ((a.start, a.end) if whole else
                          (a.start + flag.here_at[0], a.start + flag.here_at[1]))
                b_span = ((b.start, b.end) if whole else
                          (b.start + flag.there_at[0], b.start + flag.there_at[1]))
                # One proposal per disagreement between two articles: the same values
                # (in either order), or for a status, the one contradiction. ``a`` stays
                # the passage asked about, so "here" and "there" in ``why`` are a and b.
                values = ("" if flag.kind == "status"
                          else "|".join(sorted((flag.here, flag.there))))
                key = (flag.kind, values, "".join(sorted((a.article.sha256,
                                                          b.article.sha256))))
                current = best.get(key)
                if current is None or related.score > current.score:
                    best[key] = Disagreement(flag.kind, flag.severity, flag.why, a, b,
                                             related.score, a_span, b_span, flag.about)
    return sorted(best.values(), key=lambda d: (SEVERITY[d.severity], -d.score))
