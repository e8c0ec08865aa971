"""Agreement between two annotators (formulas and a worked example: docs/AGREEMENT.md).

Per tag and overall: counts, exact matches and exact F1, overlap F1 over a maximum one-to-one
matching, Krippendorff's unitized alpha (alpha_u) on the character continuum as DKPro
Agreement computes it, and Cohen's kappa on the tags of overlap-matched pairs.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

Span = tuple[str, int, int, str]
"""(article_sha256, start, end, tag)"""


def max_matching(left: Sequence[tuple[int, int]], right: Sequence[tuple[int, int]],
                 ) -> list[tuple[int, int]]:
    """A maximum one-to-one matching of overlapping spans (indexes into left and right).

    Kuhn's augmenting paths over the overlap graph; spans are sorted, so each span's
    neighbours are found by a sweep rather than by comparing all pairs."""
    order = sorted(range(len(right)), key=lambda j: right[j])
    finder = _Overlaps(right, order) if len(right) >= 64 else None
    neighbours: list[list[int]] = []
    for start, end in left:
        neighbours.append(finder.of(start, end) if finder is not None else
                          [j for j in order if right[j][0] < end and right[j][1] > start])
    match_right: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        stack = [(i, iter(neighbours[i]))]
        path: list[tuple[int, int]] = []
        while stack:
            node, options = stack[-1]
            for j in options:
                if j in seen:
                    continue
                seen.add(j)
                path.append((node, j))
                holder = match_right.get(j)
                if holder is None:
                    for a, b in path:
                        match_right[b] = a
                    return True
                stack.append((holder, iter(neighbours[holder])))
                break
            else:  # every option of this node tried: back to the one before
                stack.pop()
                if path:
                    path.pop()
        return False

    # Right spans a failed search went through: none leads to a free one while the
    # matching stays as it is, so later searches skip them (a first free neighbour taken
    # below cannot be reached from them either). Forgotten when a search changes the
    # matching. A new set per search made agree at 50k a side spend ~1 s here.
    dead: set[int] = set()
    for i, options in enumerate(neighbours):
        if options and options[0] not in match_right:
            # What the search below does first anyway, without its set and stack.
            match_right[options[0]] = i
        elif augment(i, dead):
            dead = set()
    return sorted((i, j) for j, i in match_right.items())


LONG = 2_000
"""Spans longer than this are looked at apart, so that finding overlaps stays a bisect."""


class _Overlaps:
    """The spans of ``right`` overlapping a given span, in ``order`` (by start, end): a
    bisect on the starts of the short spans, the few long ones checked apart. It replaced
    a scan of every span per query (quadratic: 21.7 s for agree at 50k a side)."""

    def __init__(self, right: Sequence[tuple[int, int]], order: list[int]) -> None:
        self.right = right
        self.rank = {j: n for n, j in enumerate(order)}
        self.short = [j for j in order if right[j][1] - right[j][0] <= LONG]
        self.starts = [right[j][0] for j in self.short]
        # How far back a short span may start and still reach a given one.
        self.reach = max((right[j][1] - right[j][0] for j in self.short), default=0)
        self.long = [j for j in order if right[j][1] - right[j][0] > LONG]

    def of(self, start: int, end: int) -> list[int]:
        right = self.right
        lo = bisect.bisect_left(self.starts, start - self.reach)
        hi = bisect.bisect_left(self.starts, end)
        found = [j for j in self.short[lo:hi] if right[j][1] > start]
        far = [j for j in self.long if right[j][0] < end and right[j][1] > start]
        if far:
            found = sorted(found + far, key=self.rank.__getitem__)
        return found


def _f1(matches: int, mine: int, theirs: int) -> float | None:
    return 2 * matches / (mine + theirs) if mine + theirs else None


def _merged(units: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """One annotator's spans of one tag as disjoint units (alpha_u assumes no overlap)."""
    out: list[list[int]] = []
    for start, end in sorted(units):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def _segments(units: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int, bool]]:
    """The continuum cut into (offset, length, is_unit), units and the gaps between them."""
    out = []
    pos = 0
    for start, end in units:
        if start > pos:
            out.append((pos, start - pos, False))
        out.append((start, end - start, True))
        pos = end
    if pos < length:
        out.append((pos, length - pos, False))
    return out


def _distance(o1: int, l1: int, u1: bool, o2: int, l2: int, u2: bool) -> int:
    begin = o1 - o2
    diff = l1 - l2
    if u1 and u2 and -l1 < begin < l2:
        return begin * begin + (begin + diff) * (begin + diff)
    if u1 and not u2 and -diff >= begin >= 0:  # a unit of 1 inside a gap of 2
        return l1 * l1
    if u2 and not u1 and -diff <= begin <= 0:  # a unit of 2 inside a gap of 1
        return l2 * l2
    return 0


def _observed(a: list[tuple[int, int]], b: list[tuple[int, int]], length: int) -> Fraction:
    """DKPro's walk over both segmentations, two raters; stops, as DKPro does, once
    neither annotator has a unit left to start."""
    total = 0
    seg_a, seg_b = _segments(a, length), _segments(b, length)
    units_left_a, units_left_b = len(a), len(b)
    ia = ib = 0
    cur_a = cur_b = (0, 0, False)
    pos = 0
    started = False
    while pos < length and (units_left_a or units_left_b):
        if not started or pos == cur_a[0] + cur_a[1]:
            cur_a = seg_a[ia]
            ia += 1
            units_left_a -= cur_a[2]
        if not started or pos == cur_b[0] + cur_b[1]:
            cur_b = seg_b[ib]
            ib += 1
            units_left_b -= cur_b[2]
        started = True
        total += _distance(*cur_a, *cur_b)
        pos = min(cur_a[0] + cur_a[1], cur_b[0] + cur_b[1])
    raters = 2
    return Fraction(2 * total, raters * (raters - 1) * length * length)


def _expected(a: list[tuple[int, int]], b: list[tuple[int, int]], length: int) -> Fraction:
    raters = 2
    lengths = [e - s for s, e in (*a, *b)]
    n_c = len(lengths)
    gaps = sorted(g for units in (a, b) for _, g, unit in _segments(units, length) if not unit)
    # Sum over gaps g >= l of (g - l + 1) = (sum of those gaps) - (l - 1) * (their count),
    # from suffix sums of the sorted gaps: O(n log n) rather than units x gaps.
    suffix = [0] * (len(gaps) + 1)
    for i in range(len(gaps) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + gaps[i]
    # Summed as integers, three times over (the cubic term is a third): a Fraction per
    # unit cost a gcd each, most of agree's time at 50,000 annotations.
    thrice = 0
    for unit in lengths:
        thrice += (n_c - 1) * (2 * unit**3 - 3 * unit**2 + unit)
        first = bisect.bisect_left(gaps, unit)
        fitting = suffix[first] - (unit - 1) * (len(gaps) - first)
        thrice += 3 * unit * unit * fitting
    total = Fraction(thrice, 3) * Fraction(2, length)
    squared = sum(unit * (unit - 1) for unit in lengths)
    return total / (raters * length * (raters * length - 1) - squared)


def alpha_u_parts(mine: Sequence[Span], theirs: Sequence[Span], tag: str,
                  lengths: dict[str, int]) -> tuple[Fraction, Fraction]:
    """(observed, expected) disagreement of ``tag`` on the articles laid end to end."""
    base, total = {}, 0
    for sha in sorted(lengths):
        base[sha] = total
        total += lengths[sha]
    if total == 0:
        return Fraction(0), Fraction(0)

    def units(spans: Sequence[Span]) -> list[tuple[int, int]]:
        return _merged((base[s] + a, base[s] + b) for s, a, b, t in spans if t == tag)

    a, b = units(mine), units(theirs)
    return _observed(a, b, total), _expected(a, b, total)


def _alpha(observed: Fraction, expected: Fraction) -> float:
    return 0.0 if observed == expected else float(1 - observed / expected)


@dataclass
class TagFigures:
    mine: int
    theirs: int
    exact_matches: int
    exact_f1: float | None
    overlap_f1: float | None
    alpha_u: float

    def as_dict(self) -> dict[str, Any]:
        return {"mine": self.mine, "theirs": self.theirs, "exact_matches": self.exact_matches,
                "exact_f1": self.exact_f1, "overlap_f1": self.overlap_f1,
                "alpha_u": self.alpha_u}


def _overlap_matches(mine: Sequence[Span], theirs: Sequence[Span], same_tag: bool,
                     ) -> list[tuple[Span, Span]]:
    groups: dict[tuple[str, str], tuple[list[Span], list[Span]]] = {}
    for side, spans in ((0, mine), (1, theirs)):
        for span in spans:
            key = (span[0], span[3] if same_tag else "")
            groups.setdefault(key, ([], []))[side].append(span)
    pairs = []
    for left, right in groups.values():
        for i, j in max_matching([(s[1], s[2]) for s in left], [(s[1], s[2]) for s in right]):
            pairs.append((left[i], right[j]))
    return pairs


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    if not pairs:
        return None
    n = len(pairs)
    observed = Fraction(sum(a == b for a, b in pairs), n)
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(Fraction(first[t] * second[t], n * n) for t in first.keys() | second.keys())
    if expected == 1:
        return 1.0 if observed == 1 else 0.0
    return float((observed - expected) / (1 - expected))


def agreement(mine: Sequence[Span], theirs: Sequence[Span],
              lengths: dict[str, int]) -> dict[str, Any]:
    """``{"overall": {...}, "tags": {tag: {...}}, "kappa": k}`` for two annotators' spans
    over the articles whose lengths are given."""
    tags = sorted({s[3] for s in (*mine, *theirs)})
    exact = Counter(s[3] for s in set(mine) & set(theirs))
    overlap = Counter(a[3] for a, _ in _overlap_matches(mine, theirs, same_tag=True))
    by_tag: dict[str, TagFigures] = {}
    parts = {}
    for tag in tags:
        n_mine = sum(1 for s in mine if s[3] == tag)
        n_theirs = sum(1 for s in theirs if s[3] == tag)
        parts[tag] = alpha_u_parts(mine, theirs, tag, lengths)
        by_tag[tag] = TagFigures(n_mine, n_theirs, exact[tag], _f1(exact[tag], n_mine, n_theirs),
                                 _f1(overlap[tag], n_mine, n_theirs), _alpha(*parts[tag]))
    if parts:
        observed = sum((p[0] for p in parts.values()), Fraction(0)) / len(parts)
        expected = sum((p[1] for p in parts.values()), Fraction(0)) / len(parts)
    else:
        observed = expected = Fraction(0)
    total_exact, total_overlap = sum(exact.values()), sum(overlap.values())
    overall = TagFigures(len(mine), len(theirs), total_exact,
                         _f1(total_exact, len(mine), len(theirs)),
                         _f1(total_overlap, len(mine), len(theirs)), _alpha(observed, expected))
    kappa = cohen_kappa([(a[3], b[3]) for a, b in _overlap_matches(mine, theirs, same_tag=False)])
    return {"overall": overall.as_dict(), "tags": {t: f.as_dict() for t, f in by_tag.items()},
            "kappa": kappa}
