"""Find in all articles (``F``): the time from Enter in its prompt to the results listed
(the search and the panel's rows, inside a running reading screen), over the five sample
articles and over 50 articles of 10 KB. Baseline in the same run: ``/`` in one article
(the same matching, one article, no list).

    python bench/bench_find_all.py

Targets: <= 30 ms over the samples, <= 100 ms over 50 x 10 KB.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
from annotations.articles import Article, LoadResult, bundled_paths, load_paths
from annotations.config import DEFAULT_TAGS
from annotations.store import AnnotationStore
from reader.app import FactreadApp

QUERIES = ("Rusia", "Pionyang", "soldados", "tratado", "confirmado", "Kim Jong", "junio",
           "de defensa")


async def measure(articles: list[Article], db: Path) -> tuple[float, float, int]:
    store = AnnotationStore(db, "bench")
    app = FactreadApp.build(LoadResult(articles=articles), store, DEFAULT_TAGS)
    ours, theirs, rows = [], [], 0
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        view = app.views[0]
        for _ in range(5):
            for query in QUERIES:
                t = time.perf_counter()
                app._find_everywhere(query)
                ours.append(time.perf_counter() - t)
                rows = max(rows, app._find_panel.options.option_count)
                await pilot.pause()
                view.search_query = ""  # each / search starts afresh, as a new query does
                t = time.perf_counter()
                view.search(query)
                theirs.append(time.perf_counter() - t)
    store.close()
    return statistics.median(ours) * 1000, statistics.median(theirs) * 1000, rows


def main() -> None:
    import tempfile

    samples = load_paths(bundled_paths()).articles
    many = [Article.from_text(f"many_{n}.txt",
                              ((f"[{n}] " + samples[n % 5].text) * 3)[:10_000])
            for n in range(50)]
    with tempfile.TemporaryDirectory() as tmp:
        for label, articles, target in (("5 sample articles", samples, 30),
                                        ("50 articles of 10 KB", many, 100)):
            ours, theirs, rows = asyncio.run(measure(articles, Path(tmp) / f"{len(articles)}.json"))
            print(f"F over {label}: {ours:6.1f} ms median to the list (up to {rows} rows)   "
                  f"/ in one article: {theirs:5.2f} ms   target <= {target} ms")


if __name__ == "__main__":
    main()
