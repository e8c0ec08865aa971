"""Building large annotation files for the benchmarks."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from annotations.articles import Article, bundled_paths, load_article
from annotations.fileformat import new_meta
from annotations.model import create, now_iso
from annotations.storage import dump, write_atomic

TAGS = ("claim", "unverified", "contradiction")


def big_articles(count: int = 5, size: int = 200_000) -> list[Article]:
    """Bundled articles repeated (with a counter, so texts differ) up to ``size`` chars."""
    sources = [load_article(p)[0] for p in bundled_paths()]
    articles = []
    for i in range(count):
        base = sources[i % len(sources)]
        parts, total, n = [], 0, 0
        while total < size:
            chunk = f"[{i}.{n}] " + base.text + "\n"
            parts.append(chunk)
            total += len(chunk)
            n += 1
        articles.append(Article.from_text(f"big_{i}.txt", "".join(parts)[:size]))
    return articles


def build_file(path: Path, articles: list[Article], annotations: int, seed: int = 1) -> None:
    """A factread file with ``annotations`` random annotations spread over ``articles``."""
    rng = random.Random(seed)
    data: dict[str, dict[str, object]] = {
        "meta": {"1": new_meta("bench", now_iso())},
        "articles": {str(i + 1): {"sha256": a.sha256, "name": a.name, "title": a.title,
                                  "text": a.text} for i, a in enumerate(articles)},
        "annotations": {},
    }
    anns = data["annotations"]
    for n in range(annotations):
        article = articles[n % len(articles)]
        start = rng.randrange(0, len(article.text) - 200)
        ann = create(text=article.text, article_sha256=article.sha256, article=article.name,
                     start=start, end=start + rng.randrange(5, 120), tag=rng.choice(TAGS),
                     annotator="bench", note="note" if n % 3 else "")
        anns[str(n + 1)] = ann.to_dict()
    write_atomic(path, dump(data))  # type: ignore[arg-type]


def timed(run: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    run()
    return time.perf_counter() - t0


def median_of(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000
