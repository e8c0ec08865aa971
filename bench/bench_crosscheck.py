"""Cross-checking speed and quality (issue 15), in one run.

    python bench/bench_crosscheck.py

Targets: related passages <= 20 ms per selection over the five samples, <= 50 ms over 50
articles of 10 KB; the finder over 50 x 10 KB <= 2 s. Baseline in the same run: building
the index (what a screen does once per set of articles).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
from annotations.articles import Article, bundled_paths, load_paths
from annotations.crosscheck import Index, disagreements, split_passages
from tests.annotations.crosscheck_eval import evaluate


def per_selection(articles: list[Article], queries: int = 40) -> tuple[float, float]:
    t = time.perf_counter()
    index = Index(articles)
    build = time.perf_counter() - t
    passages = [p for a in articles for p in split_passages(a)][:queries]
    times = []
    for passage in passages:
        t = time.perf_counter()
        index.rank(passage.article, passage.start, passage.end, top=10,
                   exclude=passage.article.sha256)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, build * 1000


def main() -> None:
    samples = load_paths(bundled_paths()).articles
    ms, build = per_selection(samples)
    print(f"related, 5 sample articles: {ms:.1f} ms per selection (index built once: "
          f"{build:.0f} ms)  target <= 20 ms")
    many = []
    for n in range(50):
        base = samples[n % len(samples)].text
        many.append(Article.from_text(f"many_{n}.txt", ((f"[{n}] " + base) * 3)[:10_000]))
    ms, build = per_selection(many)
    print(f"related, 50 articles of 10 KB: {ms:.1f} ms per selection (index built once: "
          f"{build:.0f} ms)  target <= 50 ms")
    t = time.perf_counter()
    found = disagreements(many)
    print(f"finder, 50 articles of 10 KB: {time.perf_counter() - t:.2f} s, {len(found)} "
          "proposals  target <= 2 s")
    scores = evaluate()
    print(f"gold: recall@1 {scores.recall_at_1:.2f}, recall@3 {scores.recall_at_3:.2f} "
          f"({scores.queries} queries); conflicts proposed {scores.conflicts_proposed:.0%} of "
          f"{scores.conflicts}; distractors proposed {scores.distractors_proposed} of "
          f"{scores.distractors}; {scores.proposals} proposals")


if __name__ == "__main__":
    main()
