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
from pathlib import Path

from tinydb import Query, TinyDB
from tinydb.storages import MemoryStorage

sys.path.insert(0, str(Path(__file__).parent))
from common import big_articles, build_file, first_frame_s, median_of, timed

from annotations.review import ReviewSession
from annotations.store import AnnotationStore


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


async def decision_cpu(mine: AnnotationStore, theirs: AnnotationStore,
                       presses: int) -> dict[str, float]:
    """Median CPU in the app from a key to its painted frame: ] to the next disagreement,
    then R (reject) or A (accept), which reclassify and redraw the review panel."""
    from bench_reader import AppClock

    from annotations.articles import LoadResult
    from annotations.config import DEFAULT_TAGS
    from reader.app import FactreadApp

    app = FactreadApp.build(LoadResult(), mine, DEFAULT_TAGS, None, ReviewSession(mine, theirs))
    samples: dict[str, list[float]] = {"]": [], "R": [], "A": [], "ctrl+z": []}
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        clock = AppClock(app)
        clock.watch_screen(app.screen)
        for n in range(presses):
            for key in ("]", "A" if n % 2 else "R", "ctrl+z"):
                clock.spent = 0.0
                await pilot.press(key)
                await pilot.pause()
                samples[key].append(clock.spent)
    return {key: median_of(values) for key, values in samples.items() if values}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    with tempfile.TemporaryDirectory(dir=".", prefix=".bench-") as tmp_name:
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

        decide_ms = asyncio.run(decision_cpu(mine, theirs, max(5, repeat * 2)))
        counts = session.counts()
        articles = list(mine.articles.values())
        mine.close(fold=False)  # the command below must be able to take the file's lock
        theirs.close()

        # The review screen as a user starts it, in a real pty, beside plain factread on
        # my file alone and five stock TextAreas over the same articles, in the same run.
        paths = []
        for article in articles:
            (tmp / article.name).write_text(article.text, encoding="utf-8")
            paths.append(tmp / article.name)
        body = "[0.0] El tratado"  # the first row of the first article
        stock = [sys.executable, str(Path(__file__).parent / "stock_apps.py")]
        programs = {
            "factread review THEIRS": ([sys.executable, "-m", "reader", "review",
                                        str(tmp / "theirs.json"), "--db", str(tmp / "mine.json")],
                                       ["only theirs:", "only mine:", body]),
            "factread on my file alone": ([sys.executable, "-m", "reader", *map(str, paths),
                                           "--db", str(tmp / "mine.json")], [body]),
            "stock: 5 read-only TextAreas": ([*stock, "textarea", *map(str, paths)], [body]),
        }
        launches: dict[str, list[float]] = {name: [] for name in programs}
        for _ in range(repeat):
            for name, (command, markers) in programs.items():
                launches[name].append(first_frame_s(command, tmp, markers, (160, 45)))

        print(f"10,000 mine vs {len(theirs)} theirs: "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        print(f"  classify:            {classify_ms:7.1f} ms median")
        print(f"  place + classify:    {align_ms:7.1f} ms median")
        print(f"  stock TinyDB queries for the same overlaps: {stock_ms:7.0f} ms "
              f"(500 measured, scaled to {len(theirs)})")
        print("  a decision in the review screen, median CPU from key to painted frame: "
              + ", ".join(f"{key} {ms:.1f} ms" for key, ms in decide_ms.items()))
        print(f"launch to first frame with the text (and the review panel's counts), "
              f"real pty, 160x45, median of {repeat}:")
        for name, samples in launches.items():
            print(f"  {name:>30}: {median_of(samples):5.0f} ms "
                  f"(min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f})")


if __name__ == "__main__":
    main()
