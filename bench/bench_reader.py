"""Reading-screen speed at 160x45: one 1 MB article with 10,000 annotations beside the
four other bundled articles, against a stock read-only, word-wrapping TextArea.

    python bench/bench_reader.py [--quick]

Targets (issue 3): first frame <= 0.5 s; a cursor move, a shift+move or a page down
<= 10 ms median CPU per keypress; tagging a selection on screen and durable <= 30 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from textual.app import App

sys.path.insert(0, str(Path(__file__).parent))
from common import big_articles, build_file, first_frame_s
from stock_apps import StockApp

from annotations.articles import LoadResult, bundled_paths, load_article
from annotations.config import DEFAULT_TAGS
from annotations.store import AnnotationStore
from reader.app import FactreadApp

SIZE = (160, 45)
MARKER = "El líder norcoreano"
"""Text from the body of a bundled article (not its title), visible at 160x45 in every
program measured."""
KEYS = {"cursor move": "down", "shift+move": "shift+right", "page down": "pagedown"}


class AppClock:
    """CPU spent by the app itself on a key: the bound action, the messages it causes
    and the compositor frames that paint the result. Pilot's own waiting is left out."""

    def __init__(self, app: App) -> None:
        self.spent = 0.0
        self.depth = 0
        app.run_action = self.timed(app.run_action)  # type: ignore[method-assign]
        app._dispatch_message = self.timed(app._dispatch_message)  # type: ignore[method-assign]

    def timed(self, method):
        async def wrapper(*args, **kwargs):
            outer = self.depth == 0
            self.depth += 1
            t0 = time.process_time()
            try:
                return await method(*args, **kwargs)
            finally:
                self.depth -= 1
                if outer:
                    self.spent += time.process_time() - t0

        return wrapper

    def watch_screen(self, screen) -> None:
        refresh = screen._compositor_refresh

        def frame() -> None:
            t0 = time.process_time()
            refresh()
            self.spent += time.process_time() - t0

        screen._compositor_refresh = frame


async def per_key_cpu(app: App, keys: dict[str, str], presses: int) -> dict[str, float]:
    """Median CPU ms per keypress inside the app, from key to the painted frame."""
    results = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        clock = AppClock(app)
        clock.watch_screen(app.screen)
        for name, key in keys.items():
            samples = []
            for _ in range(presses):
                clock.spent = 0.0
                await pilot.press(key)
                await pilot.pause()
                samples.append(clock.spent)
            results[name] = statistics.median(samples) * 1000
    return results


async def tag_ms(app: FactreadApp, repeats: int) -> tuple[float, float]:
    """Tagging a sentence: (in-app CPU from key to painted frame, wall time of the tag
    action itself: the change built, fsynced to the journal and the repaint requested).
    Textual's frame timer (up to 1/60 s) and Pilot's polling are not counted."""
    cpu, wall = [], []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        clock = AppClock(app)
        clock.watch_screen(app.screen)
        action = app.action_tag
        spent_wall = [0.0]

        def timed_tag(tag: str) -> None:
            t0 = time.perf_counter()
            action(tag)
            spent_wall[0] = time.perf_counter() - t0

        app.action_tag = timed_tag  # type: ignore[method-assign]
        for _ in range(repeats):
            await pilot.press("pagedown", "s")
            await pilot.pause()
            before = len(app.store)
            clock.spent = 0.0
            await pilot.press("c")
            await pilot.pause()
            assert len(app.store) == before + 1
            cpu.append(clock.spent)
            wall.append(spent_wall[0])
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000


def launch_frames(args: argparse.Namespace, db: Path, paths: list[Path], cwd: Path) -> None:
    """First frame of factread, beside a bare Textual app and five stock TextAreas
    launched the same way in the same run."""
    stock = [sys.executable, str(Path(__file__).parent / "stock_apps.py")]
    programs = {
        "factread": [sys.executable, "-m", "reader", *map(str, paths), "--db", str(db)],
        "stock: 5 read-only TextAreas": [*stock, "textarea", *map(str, paths)],
        "floor: bare Textual app, one Static": [*stock, "minimal", str(paths[-1])],
    }
    runs = 3 if args.quick else 7
    times: dict[str, list[float]] = {name: [] for name in programs}
    for _ in range(runs):  # interleaved, so a slow moment of the host hits all three
        for name, command in programs.items():
            times[name].append(first_frame_s(command, cwd, [MARKER], SIZE))
    print(f"first frame (launch to article text on screen, real pty, median of {runs}):")
    for name, samples in times.items():
        print(f"{name:>36}: {statistics.median(samples) * 1000:5.0f} ms "
              f"(min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--launch-only", action="store_true",
                        help="measure only the first frame")
    args = parser.parse_args()
    presses = 15 if args.quick else 60
    with tempfile.TemporaryDirectory(dir=".", prefix=".bench-") as tmp_name:
        tmp = Path(tmp_name).resolve()
        big = big_articles(1, 1_000_000)[0]
        (tmp / big.name).write_text(big.text, encoding="utf-8")
        others = [load_article(p)[0] for p in bundled_paths()[1:]]
        articles = [big, *others]
        db = tmp / "bench.json"
        build_file(db, [big], 10_000)
        paths = [tmp / big.name, *bundled_paths()[1:]]

        launch_frames(args, db, paths, tmp)
        if args.launch_only:
            return

        store = AnnotationStore(db, "bench")
        ours = asyncio.run(per_key_cpu(FactreadApp.build(LoadResult(articles), store, DEFAULT_TAGS),
                                       KEYS, presses))
        stock = asyncio.run(per_key_cpu(StockApp([a.text for a in articles]), KEYS, presses))
        print("median CPU in the app per keypress (action, messages, painted frames):")
        for name in KEYS:
            print(f"{name:>12}: factread {ours[name]:6.2f} ms   stock TextArea "
                  f"{stock[name]:6.2f} ms")
        cpu, wall = asyncio.run(tag_ms(FactreadApp.build(LoadResult(articles), store, DEFAULT_TAGS),
                                       10 if args.quick else 30))
        print(f"tag a selection: {cpu:.1f} ms CPU from key to painted frame; the tag action "
              f"itself (durable: journal fsynced) {wall:.2f} ms wall (medians)")
        store.close(fold=False)


if __name__ == "__main__":
    main()
