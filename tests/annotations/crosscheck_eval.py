"""Scoring cross-checking against tests/crosscheck_gold (used by the test and the bench)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from annotations.articles import Article, bundled_paths, load_paths
from annotations.crosscheck import Index, disagreements, split_passages

GOLD = Path(__file__).parent.parent / "crosscheck_gold"


@dataclass
class Scores:
    recall_at_1: float
    recall_at_3: float
    queries: int
    conflicts_proposed: float
    conflicts: int
    distractors_proposed: int
    distractors: int
    proposals: int
    missed: list[str]
    false: list[str]


def events() -> dict[str, list[Article]]:
    return {"sample": load_paths(bundled_paths()).articles,
            "presa": load_paths([GOLD / "presa"]).articles,
            "hospital": load_paths([GOLD / "hospital"]).articles}


def _span(articles: list[Article], name: str, quote: str) -> tuple[Article, int, int]:
    article = next(a for a in articles if a.name == name)
    at = article.text.index(quote)
    return article, at, at + len(quote)


def _holds(passage_start: int, passage_end: int, start: int, end: int) -> bool:
    return passage_start < end and start < passage_end


def evaluate() -> Scores:
    gold = json.loads((GOLD / "gold.json").read_text(encoding="utf-8"))["pairs"]
    by_event = events()
    hits1 = hits3 = queries = 0
    found_conflicts = conflicts = false_count = distractors = proposals = 0
    missed: list[str] = []
    false: list[str] = []
    proposed_by_event = {name: disagreements(arts) for name, arts in by_event.items()}
    index_by_event = {name: Index(arts) for name, arts in by_event.items()}
    for pair in gold:
        articles = by_event[pair["event"]]
        a, a_start, a_end = _span(articles, *pair["a"])
        b, b_start, b_end = _span(articles, *pair["b"])
        if pair["kind"] in ("related", "conflict"):
            for (qa, qs, qe), (ta, ts, te) in (((a, a_start, a_end), (b, b_start, b_end)),
                                               ((b, b_start, b_end), (a, a_start, a_end))):
                # The query is the sentence holding the quote, as the screen asks
                passage = next(p for p in split_passages(qa) if _holds(p.start, p.end, qs, qe))
                ranked = index_by_event[pair["event"]].rank(qa, passage.start, passage.end,
                                                             top=3, exclude=qa.sha256)
                partner = ta.text[ts:te]
                ranks = [n for n, r in enumerate(ranked) if r.passage.article.sha256 ==
                         ta.sha256 and partner in r.passage.text]
                queries += 1
                hits1 += bool(ranks and ranks[0] == 0)
                hits3 += bool(ranks)
        quote_a, quote_b = pair["a"][1], pair["b"][1]
        # A proposal joins the pair when its two passages hold the two quotes (any
        # occurrence: a headline often repeats the body's figure)
        joined = [d for d in proposed_by_event[pair["event"]]
                  if any(p.article.sha256 == a.sha256 and quote_a in p.text
                         and q.article.sha256 == b.sha256 and quote_b in q.text
                         for p, q in ((d.a, d.b), (d.b, d.a)))
                  and (pair["kind"] == "distractor" or d.kind == pair["type"])]
        if pair["kind"] == "conflict":
            conflicts += 1
            found_conflicts += bool(joined)
            if not joined:
                missed.append(f"{pair['a'][1]} / {pair['b'][1]}")
        elif pair["kind"] == "distractor":
            distractors += 1
            if any(d.severity == "conflict" for d in joined):
                false_count += 1
                false.append(f"{pair['a'][1]} / {pair['b'][1]}")
    proposals = sum(len(found) for found in proposed_by_event.values())
    return Scores(hits1 / queries, hits3 / queries, queries, found_conflicts / conflicts,
                  conflicts, false_count, distractors, proposals, missed, false)
