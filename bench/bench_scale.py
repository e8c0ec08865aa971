"""Scale (issue 12): each row of the issue's table beside a baseline measured in the same run.

    python bench/bench_scale.py            # a tenth of the sizes: a few minutes
    python bench/bench_scale.py --scale    # the issue's sizes (300k, 50k x 50k, 100k)

Rows and targets:
  agree 50k x 50k          <= 3 x `check` opening both files
  fold while reading       no key waits > 150 ms in the 40 s after a change, 100k annotations
                           (baseline: the same screen folding on its own thread turned off)
  memory on open           <= 1.5 KB per annotation (baseline: json.loads of the same file)
  open 300k                <= 2 s on the issue's machine, where the issue's own code took
                           3.7 s: <= 0.54 of that code's open in the same run (baselines
                           too: json.loads of the file, the first open on one core); first
                           open (every record checked, two cores) and the next (snapshot)
  W3C export 100k          <= 1.5 x CSV export
  W3C import 300k          <= 1.2 GB peak (baseline: json.loads of the same W3C file)
  review launch 50k x 50k  first frame with the text <= 0.5 s (baseline: a bare Textual app
                           showing one article, and the review screen's own full load)
  dense annotations        page down <= 20 ms CPU, 100k annotations on 100 KB (baseline: a
                           stock TextArea's page down over the same text)
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import big_articles, build_file, first_frame_s, median_of, timed

from annotations.articles import Article, LoadResult, bundled_paths, load_article
from annotations.config import DEFAULT_TAGS
from annotations.export import export
from annotations.store import AnnotationStore

PY = sys.executable
ISSUE_CODE = "20e359e"
"""The last commit before issue 12's work: the code whose first open of 300,000 annotations
the issue measured at 3.7 s on its machine (the target, 2 s, is 0.54 of that). Run in the
same run as a baseline, it turns the absolute target into a ratio this machine can check."""
ISSUE_OPEN_S, TARGET_OPEN_S = 3.7, 2.0


def _row(name: str, ours: str, baseline: str, verdict: str) -> None:
    print(f"{name:<24} {ours:<34} {baseline:<44} {verdict}")


def _child(code: str, *args: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter (its own memory) and read the JSON it prints."""
    out = subprocess.run([PY, "-c", textwrap.dedent(code), *args], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


_RSS = """
import json, os, sys, time, gc
from annotations.store import AnnotationStore
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
gc.collect()
before = rss()
"""


def row_agree(tmp: Path, n: int, repeat: int) -> None:
    arts = big_articles()
    mine, theirs = tmp / "agree-mine.json", tmp / "agree-theirs.json"
    build_file(mine, arts, n, seed=1)
    build_file(theirs, arts, n, seed=2)
    from reader.cli import main as cli

    def check_both() -> None:  # as `factread check` reads: every record, no snapshot
        AnnotationStore(mine, "check", read_only=True, snapshot=False)
        AnnotationStore(theirs, "check", read_only=True, snapshot=False)

    def agree() -> None:
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):
            assert cli(["agree", str(mine), str(theirs), "--json"]) == 0

    import os

    checks, firsts, agains = [], [], []
    for n_run in range(repeat):
        cache = tmp / f"cache-{n_run}"
        os.environ["FACTREAD_CACHE"] = str(cache)  # empty: both files read the careful way
        checks.append(timed(check_both))
        firsts.append(timed(agree))
        deadline = time.monotonic() + 120
        while len(list(cache.glob("*.snap"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        agains.append(timed(agree))  # both files from their snapshots
    for label, agrees in (("", firsts), (", again", agains)):
        ratio = statistics.median(agrees) / statistics.median(checks)
        _row(f"agree {n // 1000}k x {n // 1000}k{label}", f"{median_of(agrees) / 1000:.2f} s",
             f"check opening both {median_of(checks) / 1000:.2f} s",
             f"{ratio:.1f}x (target <= 3x)")


def row_open_and_memory(tmp: Path, n: int, repeat: int) -> None:
    """The first open checks every record, on two cores for a large file (see
    annotations.splitread), and leaves a snapshot written by a forked grandchild; the next
    open of the same bytes reads the snapshot (annotations.snapshots). Each first open has a
    cache of its own, so that none finds another's snapshot."""
    import os

    path = tmp / f"open-{n}.json"
    build_file(path, big_articles(), n)
    code = _RSS + """
if sys.argv[2:] == ["one-core"] and hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # really one core: no split
elif sys.argv[2:] == ["one-core"]:
    from annotations import splitread
    splitread.MIN_CHARACTERS = 10**15  # no file is large enough to split
t = time.perf_counter()
store = AnnotationStore(sys.argv[1], "bench")
store.for_article(next(iter(store.articles)))  # an article's list is sorted when first asked
elapsed = time.perf_counter() - t
gc.collect()
print(json.dumps({"s": elapsed, "rss": rss() - before, "n": len(store)}))
"""

    def snapshot_written(cache: Path) -> None:
        """Waits for the grandchild writing the snapshot: it would take a core from the
        next run."""
        deadline = time.monotonic() + 120
        while not list(cache.glob("*.snap")) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # it renames a complete file: nothing more to wait for

    def runs(*how: str) -> list[dict[str, float]]:
        found = []
        for number in range(repeat):
            # never the user's own cache, and a fresh one for each first open
            cache = tmp / f"cache-{'-'.join(how) or 'first'}-{number}"
            os.environ["FACTREAD_CACHE"] = str(cache)
            found.append(_child(code, str(path), *how))
            snapshot_written(cache)
        return found

    firsts, serial = runs(), runs("one-core")
    cache = tmp / "cache-first-0"
    agains = []
    for _ in range(repeat):
        os.environ["FACTREAD_CACHE"] = str(cache)
        agains.append(_child(code, str(path)))
    bases = [_child(_RSS + """
raw = open(sys.argv[1], "rb").read()
t = time.perf_counter()
gc.disable()
data = json.loads(raw)
elapsed = time.perf_counter() - t
del raw
gc.enable()
gc.collect()
print(json.dumps({"s": elapsed, "rss": rss() - before}))
""", str(path)) for _ in range(repeat)]

    old_code = issue_code(tmp)
    olds = [json.loads(subprocess.run(
        [PY, "-c", textwrap.dedent(_RSS + """
t = time.perf_counter()
AnnotationStore(sys.argv[1], "bench", read_only=True)
print(json.dumps({"s": time.perf_counter() - t}))
"""), str(path)], cwd=old_code, capture_output=True, text=True, check=True
    ).stdout.splitlines()[-1]) for _ in range(repeat)] if old_code is not None else []

    def median(found: list[dict[str, float]], what: str) -> float:
        return statistics.median(run[what] for run in found)

    base_s, base_rss = median(bases, "s"), median(bases, "rss")
    for label, ours in (("", firsts), (" again", agains)):
        per = median(ours, "rss") / n
        _row(f"memory on open{label} {n // 1000}k", f"{per:.0f} B per annotation (RSS)",
             f"json.loads alone keeps {base_rss / n:.0f} B each",
             f"{'met' if per <= 1536 else 'NOT met'} (target <= 1536 B)")
    first_s, serial_s, again_s = median(firsts, "s"), median(serial, "s"), median(agains, "s")
    if olds:
        old_s = median(olds, "s")
        ratio = first_s / old_s
        there = (f": {ratio * ISSUE_OPEN_S:.2f} s on the issue's machine, "
                 f"{'met' if ratio * ISSUE_OPEN_S <= TARGET_OPEN_S else 'NOT met'}"
                 if n == 300_000 else "")
        versus = (f"; the issue's code ({ISSUE_CODE}) {old_s:.2f} s",
                  f"{ratio:.2f} of the issue's code{there} (target "
                  f"{TARGET_OPEN_S / ISSUE_OPEN_S:.2f}: {TARGET_OPEN_S:g} s of its "
                  f"{ISSUE_OPEN_S:g} s)")
    else:
        versus = ("", f"{first_s / base_s:.1f}x json.loads (target 2 s on the issue's "
                      "machine; its code is not in this clone's history)")
    _row(f"open {n // 1000}k, first",
         f"{first_s:.2f} s (every record checked, 2 cores, one article sorted)",
         f"json.loads {base_s:.2f} s; 1 core {serial_s:.2f} s{versus[0]}", versus[1])
    _row(f"open {n // 1000}k, again", f"{again_s:.2f} s (from its snapshot)",
         f"json.loads of the file {base_s:.2f} s",
         f"{again_s / base_s:.1f}x json.loads (target 2 s on the issue's machine)")


def issue_code(tmp: Path) -> Path | None:
    """The ``annotations`` package as it was at ``ISSUE_CODE``, extracted under ``tmp``;
    None where the history is not here (a shallow clone, no git)."""
    import io
    import tarfile

    found = subprocess.run(["git", "archive", "--format=tar", ISSUE_CODE, "annotations"],
                           cwd=Path(__file__).resolve().parent.parent, capture_output=True)
    if found.returncode != 0:
        return None
    where = tmp / "issue-code"
    with tarfile.open(fileobj=io.BytesIO(found.stdout)) as archive:
        if hasattr(tarfile, "data_filter"):  # 3.11.4 and later
            archive.extractall(where, filter="data")
        else:  # our own history: nothing in it points outside ``where``
            archive.extractall(where)
    return where


def row_w3c_export(tmp: Path, n: int, repeat: int) -> None:
    path = tmp / f"export-{n}.json"
    build_file(path, big_articles(), n)
    store = AnnotationStore(path, "bench", read_only=True)
    csv = median_of([timed(lambda: export(store, "csv", tmp / "out.csv")) for _ in range(repeat)])
    w3c = median_of([timed(lambda: export(store, "w3c", tmp / "out.w3c.json"))
                     for _ in range(repeat)])
    _row(f"W3C export {n // 1000}k", f"{w3c / 1000:.2f} s", f"CSV export {csv / 1000:.2f} s",
         f"{w3c / csv:.2f}x CSV (target <= 1.5x)")


def row_w3c_import(tmp: Path, n: int) -> None:
    arts = big_articles()
    source = tmp / f"w3c-source-{n}.json"
    build_file(source, arts, n)
    w3c = tmp / f"w3c-{n}.json"
    export(AnnotationStore(source, "bench", read_only=True), "w3c", w3c)
    target = tmp / "w3c-target.json"
    with AnnotationStore(target, "bench") as store:
        store.add_articles(arts)
    peak = """
import json, resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(json.dumps({"kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""
    t = time.perf_counter()
    ours = _child(peak, PY, "-m", "reader", "import", "--db", str(target), "--max-bytes",
                  str(10 ** 10), str(w3c))
    elapsed = time.perf_counter() - t
    base = _child(peak, PY, "-c", "import json, sys; json.loads(open(sys.argv[1], 'rb').read())",
                  str(w3c))
    mb, base_mb = ours["kb"] / 1024, base["kb"] / 1024
    _row(f"W3C import {n // 1000}k", f"{mb:.0f} MB peak, {elapsed:.1f} s",
         f"json.loads of the file: {base_mb:.0f} MB peak",
         f"{'met' if mb <= 1229 else 'NOT met'} (target <= 1.2 GB)")


def row_fold(tmp: Path, n: int, window: float, every: float) -> None:
    path = tmp / f"fold-{n}.json"
    build_file(path, big_articles(), n)
    background = asyncio.run(_key_waits(path, True, window, every))
    inline = asyncio.run(_key_waits(path, False, window, every))
    quiet = asyncio.run(_key_waits(path, True, window, window * 10))
    _row(f"fold while reading {n // 1000}k",
         f"key {background[0] * 1000:.0f} ms, loop stall {background[2] * 1000:.0f} ms "
         f"({background[1]} folds)",
         f"fold on the UI thread: key {inline[0] * 1000:.0f} ms, stall "
         f"{inline[2] * 1000:.0f} ms; no fold: key {quiet[0] * 1000:.0f} ms, stall "
         f"{quiet[2] * 1000:.0f} ms",
         f"{'met' if background[2] <= 0.150 else 'NOT met'} (target <= 150 ms)")


async def _key_waits(path: Path, background: bool, window: float, every: float
                     ) -> tuple[float, int, float]:
    """Over ``window`` seconds after a change, with the screen folding every ``every``
    seconds: the longest wall time from when a key was due to its handled frame, the folds,
    and the longest stall of the screen's own event loop (a 10 ms timer's lateness: how long
    any key arriving then would have waited before being looked at, Pilot left out)."""
    import reader.app as app_module
    from reader.app import FactreadApp

    app_module.FOLD_EVERY = every
    store = AnnotationStore(path, "bench", background=background)
    folds = [0]
    real = store._storage.start_fold if background else store._storage.try_fold  # type: ignore[union-attr]

    def counted(*args: object) -> bool:
        folds[0] += 1
        return real()  # type: ignore[no-any-return]

    if background:
        store._storage.start_fold = counted  # type: ignore[method-assign,union-attr]
    else:
        store._storage.try_fold = counted  # type: ignore[method-assign,union-attr]
    articles = list(store.articles.values())
    app = FactreadApp.build(LoadResult(articles), store, DEFAULT_TAGS)
    longest = 0.0
    ticks: list[float] = []
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("shift+right", "shift+right", "c")  # the change
        await pilot.pause()
        app.set_interval(0.01, lambda: ticks.append(time.perf_counter()))
        end = time.perf_counter() + window
        keys = ("down", "down", "up", "right")
        n = 0
        due = time.perf_counter()
        while time.perf_counter() < end:
            await pilot.press(keys[n % len(keys)])
            await pilot.pause()
            done = time.perf_counter()
            # From when the key was due (50 ms after the last one was handled) to its frame:
            # a fold that blocks the loop during the pause between keys counts too.
            longest = max(longest, done - due)
            n += 1
            await asyncio.sleep(0.05)
            due = done + 0.05
    store.close()
    stall = max((b - a for a, b in itertools.pairwise(ticks)), default=0.0) - 0.01
    return longest, folds[0], stall


def row_review_launch(tmp: Path, n: int, repeat: int) -> None:
    arts = big_articles()
    mine, theirs = tmp / "review-mine.json", tmp / "review-theirs.json"
    build_file(mine, arts, n, seed=1)
    build_file(theirs, arts, n, seed=2)
    body = "[0.0] El tratado"
    paths = []
    for article in arts[:1]:
        (tmp / article.name).write_text(article.text, encoding="utf-8")
        paths.append(tmp / article.name)
    review = [PY, "-m", "reader", "review", str(theirs), "--db", str(mine)]
    floor = [PY, str(Path(__file__).parent / "stock_apps.py"), "minimal", str(paths[0])]
    text_s, full_s, floor_s = [], [], []
    for _ in range(repeat):
        text_s.append(first_frame_s(review, tmp, [body], (160, 45)))
        full_s.append(first_frame_s(review, tmp, [body, "only theirs:"], (160, 45), quiet=15))
        floor_s.append(first_frame_s(floor, tmp, [body], (160, 45)))
    _row(f"review launch {n // 1000}k x {n // 1000}k",
         f"text {median_of(text_s):.0f} ms, counts {median_of(full_s):.0f} ms",
         f"bare Textual app {median_of(floor_s):.0f} ms",
         f"text {median_of(text_s) - median_of(floor_s):+.0f} ms over the floor "
         "(target 500 ms on the issue's machine)")


def row_dense(n: int, presses: int) -> None:
    from bench_reader import per_key_cpu
    from stock_apps import StockApp

    from reader.app import FactreadApp

    base = load_article(bundled_paths()[0])[0].text
    text = (base * (100_000 // len(base) + 1))[:100_000]
    article = Article.from_text("dense.txt", text)
    with tempfile.TemporaryDirectory(dir=".", prefix=".bench-") as tmp_name:
        path = Path(tmp_name) / "dense.json"
        build_file(path, [article], n)
        store = AnnotationStore(path, "bench")
        app = FactreadApp.build(LoadResult([article]), store, DEFAULT_TAGS)
        ours = asyncio.run(per_key_cpu(app, {"page down": "pagedown", "cursor": "down"},
                                       presses))
        # Rows painted after a frame, ahead of the next key (the cursor keys scroll a row
        # at a time and paint little ahead; the first screen's pages are counted too).
        ahead = app.views[0]._cache
        ahead_ms, ahead_rows = ahead.ahead_seconds * 1000 / presses, ahead.ahead_painted / presses
        store.close(fold=False)
    stock = asyncio.run(per_key_cpu(StockApp([text]), {"page down": "pagedown"}, presses))
    print(f"{'':<24} after each page down's frame, rows painted ahead: "
          f"{ahead_ms:.1f} ms for {ahead_rows:.0f} rows, in slices of 4 ms")
    _row(f"dense {n // 1000}k on 100 KB",
         f"page down {ours['page down']:.1f} ms, cursor {ours['cursor']:.1f} ms",
         f"stock TextArea page down {stock['page down']:.1f} ms",
         f"{'met' if ours['page down'] <= 20 else 'NOT met'} (target <= 20 ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", action="store_true", help="the issue's sizes")
    parser.add_argument("--only", help="run only rows whose name contains this")
    args = parser.parse_args()
    k = 1 if args.scale else 10
    repeat = 3
    rows = {
        "agree": lambda tmp: row_agree(tmp, 50_000 // k, repeat),
        "fold": lambda tmp: row_fold(tmp, 100_000 // k, 40.0 if args.scale else 12.0,
                                     30.0 if args.scale else 4.0),
        "memory": lambda tmp: row_open_and_memory(tmp, 300_000 // k, repeat),
        "export": lambda tmp: row_w3c_export(tmp, 100_000 // k, repeat),
        "import": lambda tmp: row_w3c_import(tmp, 300_000 // k),
        "review": lambda tmp: row_review_launch(tmp, 50_000 // k, repeat),
        "dense": lambda tmp: row_dense(100_000 // k, 10),
    }
    random.seed(1)
    print(f"issue 12 rows at {'full' if args.scale else 'one tenth of the'} scale; "
          "medians of 3 unless said")
    _row("row", "factread", "baseline, same run", "verdict")
    for name, run in rows.items():
        if args.only and args.only not in name:
            continue
        with tempfile.TemporaryDirectory(dir=".", prefix=".bench-") as tmp_name:
            run(Path(tmp_name).resolve())
            sys.stdout.flush()


if __name__ == "__main__":
    main()
