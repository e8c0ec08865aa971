"""Store speed: one recorded change and opening a file, beside stock TinyDB.

    python bench/bench_store.py [--quick]

Targets (issue 2): a change <= 10 ms median at 10,000 annotations over five 200 KB
articles; opening 100,000 annotations <= 1.5 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from tinydb import TinyDB
from tinydb.storages import JSONStorage

sys.path.insert(0, str(Path(__file__).parent))
from common import TAGS, big_articles, build_file, median_ms, median_of

from annotations.store import AnnotationStore


def bench(tmp: Path, size: int, changes: int, opens: int) -> None:
    articles = big_articles()
    path = tmp / f"f{size}.json"
    build_file(path, articles, size)
    mb = path.stat().st_size / 1e6

    def open_once() -> float:
        # Freeing the previous store's objects is not part of opening: done outside.
        t0 = time.perf_counter()
        store = AnnotationStore(path, "bench")
        elapsed = time.perf_counter() - t0
        store.close(fold=False)
        return elapsed

    open_ms = median_of([open_once() for _ in range(opens)])

    store = AnnotationStore(path, "bench")
    rng = random.Random(2)

    def change() -> None:
        article = rng.choice(articles)
        start = rng.randrange(0, len(article.text) - 100)
        store.add(article, start, start + 40, rng.choice(TAGS))

    change_ms = median_ms(change, changes)
    store.close()

    # Stock TinyDB on the same file's annotations: JSONStorage rewrites the file each insert.
    stock_path = tmp / f"stock{size}.json"
    db = TinyDB(stock_path, storage=JSONStorage)
    db.table("annotations").insert_multiple(a.to_dict() for a in store.all())
    db.close()
    db = TinyDB(stock_path, storage=JSONStorage)
    table = db.table("annotations")
    sample = store.all()[0].to_dict()
    stock_change_ms = median_ms(lambda: table.insert(dict(sample)), max(5, changes // 10))
    db.close()
    stock_open_ms = median_ms(lambda: TinyDB(stock_path, storage=JSONStorage)
                              .table("annotations").all(), opens)

    print(f"{size:>7} annotations ({mb:.1f} MB file):")
    print(f"   change: factread {change_ms:7.2f} ms median   stock TinyDB insert "
          f"{stock_change_ms:7.2f} ms median")
    print(f"   open:   factread {open_ms:7.1f} ms median   stock TinyDB open+all "
          f"{stock_open_ms:7.1f} ms median")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=".", prefix=".bench-") as tmp:
        bench(Path(tmp), 10_000, 50 if args.quick else 300, 3 if args.quick else 5)
        bench(Path(tmp), 100_000, 20 if args.quick else 100, 3 if args.quick else 5)


if __name__ == "__main__":
    main()
