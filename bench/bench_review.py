"""Review speed: classifying two files of 10,000 annotations each, and the review screen
opening on them, beside stock TinyDB queries doing the same classification.

    python bench/bench_review.py [--quick]

Targets (issue 5): classifying <= 0.3 s; the review screen opens <= 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

from tinydb import Query, TinyDB
from tinydb.storages import MemoryStorage

sys.path.insert(0, str(Path(__file__).parent))
from common import big_articles, build_file, median_of, timed

from annotations.articles import LoadResult
from annotations.config import DEFAULT_TAGS
from annotations.review import ReviewSession
from annotations.store import AnnotationStore
from reader.app import FactreadApp


def colleague(mine: AnnotationStore, path: Path, seed: int = 3) -> None:
    """Their file: half the same, then retags, shifted bounds and spans of their own."""
    rng = random.Random(seed)
    with AnnotationStore(path, "bob") as theirs:
        for ann in mine.all():
            roll = rng.random()
            article = mine.articles[ann.article_sha256]
            start, end, tag = ann.start, ann.end, ann.tag
            if roll < 0.2:
                tag = rng.choice([t for t in ("claim", "unverified", "contradiction") if t != tag])
            elif roll < 0.4:
                start = max(0, start - rng.randrange(1, 5))
            elif roll < 0.5:
                start = rng.randrange(0, len(article.text) - 200)
                end = start + 30
            theirs.add(article, start, end, tag)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    with tempfile.TemporaryDirectory(dir=".") as tmp_name:
        tmp = Path(tmp_name).resolve()
        build_file(tmp / "mine.json", big_articles(), 10_000)
        mine = AnnotationStore(tmp / "mine.json", "ana")
        colleague(mine, tmp / "theirs.json")
        theirs = AnnotationStore(tmp / "theirs.json", "x", read_only=True)


        session = ReviewSession(mine, theirs)
        classify_ms = median_of([timed(session.refresh) for _ in range(repeat)])
        align_ms = median_of([timed(lambda: ReviewSession(mine, theirs)) for _ in range(repeat)])

        # Stock TinyDB: one query per colleague annotation for my overlapping ones.
        db = TinyDB(storage=MemoryStorage)
        db.insert_multiple(a.to_dict() for a in mine.all())
        q = Query()
        sample = theirs.all()[:500]

        def stock() -> None:
            for ann in sample:
                db.search((q.article_sha256 == ann.article_sha256) & (q.start < ann.end)
                          & (q.end > ann.start))

        stock_ms = median_of([timed(stock) for _ in range(max(1, repeat // 3))]) * (
            len(theirs) / len(sample))

        async def open_screen() -> float:
            t0 = time.perf_counter()
            app = FactreadApp(LoadResult(), mine, DEFAULT_TAGS, None,
                              ReviewSession(mine, theirs))
            async with app.run_test(size=(160, 45)) as pilot:
                await pilot.pause()
                return time.perf_counter() - t0

        screen_ms = median_of([asyncio.run(open_screen()) for _ in range(max(2, repeat // 2))])
        counts = session.counts()
        print(f"10,000 mine vs {len(theirs)} theirs: "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        print(f"  classify:            {classify_ms:7.1f} ms median")
        print(f"  place + classify:    {align_ms:7.1f} ms median")
        print(f"  stock TinyDB queries for the same overlaps: {stock_ms:7.0f} ms "
              f"(500 measured, scaled to {len(theirs)})")
        print(f"  review screen open (session + app to first frame, headless): "
              f"{screen_ms:7.0f} ms median")
        mine.close(fold=False)


if __name__ == "__main__":
    main()
