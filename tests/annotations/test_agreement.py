from __future__ import annotations

import json
import subprocess
import sys

import pytest

from annotations.agreement import agreement, alpha_u_parts, max_matching
from annotations.articles import Article
from annotations.store import AnnotationStore

TEXT = "abcdefghij"  # the worked example's 10-character article
MINE = [(2, 5, "claim"), (7, 9, "claim"), (0, 1, "unverified")]
THEIRS = [(2, 5, "claim"), (6, 9, "claim"), (0, 1, "contradiction")]


def write(path, user, spans, text=TEXT, name="a.txt"):
    article = Article.from_text(name, text)
    with AnnotationStore(path, user) as store:
        for start, end, tag in spans:
            store.add(article, start, end, tag)
    return article


def test_the_worked_example_in_docs_agreement(tmp_path):
    write(tmp_path / "mine.json", "ana", MINE)
    write(tmp_path / "theirs.json", "bob", THEIRS)
    result = subprocess.run([sys.executable, "-m", "reader", "agree", str(tmp_path / "mine.json"),
                             str(tmp_path / "theirs.json"), "--json"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert set(figures) == {"overall", "tags", "kappa"}
    claim, unverified, contradiction = (figures["tags"][t] for t in
                                        ("claim", "unverified", "contradiction"))
    assert (claim["mine"], claim["theirs"], claim["exact_matches"]) == (2, 2, 1)
    assert claim["exact_f1"] == 0.5 and claim["overlap_f1"] == 1.0
    assert claim["alpha_u"] == pytest.approx(1 - 0.01 / 0.06)
    assert unverified == {"mine": 1, "theirs": 0, "exact_matches": 0, "exact_f1": 0.0,
                          "overlap_f1": 0.0, "alpha_u": 0.0}
    assert contradiction["theirs"] == 1 and contradiction["alpha_u"] == 0.0
    overall = figures["overall"]
    assert (overall["mine"], overall["theirs"], overall["exact_matches"]) == (3, 3, 1)
    assert overall["exact_f1"] == pytest.approx(1 / 3)
    assert overall["overlap_f1"] == pytest.approx(2 / 3)
    assert overall["alpha_u"] == pytest.approx(0.625)
    assert figures["kappa"] == pytest.approx(0.4)


def test_the_hand_computed_disagreements():
    mine = [("a", *span) for span in MINE]
    theirs = [("a", *span) for span in THEIRS]
    observed, expected = alpha_u_parts(mine, theirs, "claim", {"a": 10})
    assert (observed, expected) == (pytest.approx(0.01), pytest.approx(0.06))


def test_dkpro_reference_case():
    mine = [("x", 1, 9, "A")]
    theirs = [("x", 2, 3, "A"), ("x", 4, 5, "A"), ("x", 6, 7, "A")]
    observed, expected = alpha_u_parts(mine, theirs, "A", {"x": 10})
    assert float(observed) == pytest.approx(0.9100, abs=1e-4)
    assert float(expected) == pytest.approx(0.5351, abs=1e-4)
    assert agreement(mine, theirs, {"x": 10})["tags"]["A"]["alpha_u"] == pytest.approx(
        -0.7003, abs=1e-4)


def test_identical_files_agree_perfectly_and_empty_files_give_nulls():
    spans = [("a", 0, 4, "claim"), ("a", 5, 9, "unverified")]
    figures = agreement(spans, spans, {"a": 20})
    assert figures["overall"]["exact_f1"] == 1.0 and figures["overall"]["alpha_u"] == 1.0
    assert figures["kappa"] == 1.0
    empty = agreement([], [], {"a": 20})
    assert empty["overall"]["exact_f1"] is None and empty["kappa"] is None


def test_matching_is_maximum_not_greedy():
    # A greedy first-fit pairs left 0 with right 0 and strands left 1.
    left = [(0, 10), (0, 3)]
    right = [(0, 2), (5, 8)]
    assert len(max_matching(left, right)) == 2


def test_agree_refuses_a_broken_file(tmp_path):
    write(tmp_path / "mine.json", "ana", MINE)
    (tmp_path / "bad.json").write_text("{}")
    result = subprocess.run([sys.executable, "-m", "reader", "agree", str(tmp_path / "mine.json"),
                             str(tmp_path / "bad.json")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1 and "bad.json" in result.stderr
    assert result.stderr.count("\n") == 1


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

spans_strategy = st.lists(st.tuples(st.integers(0, 9_000), st.integers(1, 3_000)).map(
    lambda p: (p[0], p[0] + p[1])), min_size=0, max_size=150)


@settings(max_examples=200, deadline=None)
@given(spans_strategy, spans_strategy)
def test_overlaps_by_bisect_are_the_scan_in_the_same_order(left, right):
    """The bisect finder gives each span exactly the neighbours, in the order, that a scan
    of every span gives: the matching (and so kappa) cannot change."""
    from annotations.agreement import _Overlaps

    order = sorted(range(len(right)), key=lambda j: right[j])
    finder = _Overlaps(right, order)
    for start, end in left:
        scan = [j for j in order if right[j][0] < end and right[j][1] > start]
        assert finder.of(start, end) == scan


def _kuhn_reference(left, right):
    """Kuhn's algorithm as it stood before the shortcuts: neighbours by scanning."""
    order = sorted(range(len(right)), key=lambda j: right[j])
    nbrs = [[j for j in order if right[j][0] < e and right[j][1] > s] for s, e in left]
    match: dict[int, int] = {}

    def augment(i, seen):
        for j in nbrs[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in match or augment(match[j], seen):
                match[j] = i
                return True
        return False

    for i in range(len(left)):
        augment(i, set())
    return sorted((i, j) for j, i in match.items())


@settings(max_examples=200, deadline=None)
@given(spans_strategy, spans_strategy)
def test_the_matching_is_the_one_plain_kuhn_finds(left, right):
    """Same pairs, not only as many: kappa is computed on them."""
    from annotations.agreement import max_matching

    assert max_matching(left, right) == _kuhn_reference(left, right)
