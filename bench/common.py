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


_COMPILED = False


def compile_factread() -> None:
    """Write factread's bytecode once, as ``pip install`` does. Where PYTHONDONTWRITEBYTECODE
    is set (this project's machines set it), an editable install would otherwise compile
    all its modules again in every launch: 100-170 ms that no installed copy pays."""
    global _COMPILED
    if not _COMPILED:
        import compileall

        root = Path(__file__).resolve().parent.parent
        for package in ("annotations", "reader"):
            compileall.compile_dir(root / package, quiet=1)
        _COMPILED = True


def first_frame_s(command: list[str], cwd: Path, markers: list[str],
                  size: tuple[int, int], quiet: float = 1.5) -> float:
    """From exec of ``command`` in a pseudo-terminal of ``size`` to the arrival of the bytes
    that put every one of ``markers`` on screen. The output is only collected during the
    run and parsed afterwards: parsing it with pyte as it comes would stall the program on
    a full pty buffer. ``quiet``: how long a silence ends the run (longer where something
    comes well after the first frame, such as the review's counts)."""
    import fcntl
    import os
    import pty
    import select
    import struct
    import subprocess
    import termios

    import pyte

    compile_factread()
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    chunks: list[tuple[float, bytes]] = []
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env)
    os.close(slave)
    try:
        quiet_since = t0
        while time.perf_counter() - t0 < 30:
            now = time.perf_counter()
            # Done once output has gone quiet; a slow start (a loaded machine, a large
            # file opened before the first frame) is waited for, not taken for the end.
            if chunks and now - t0 > 1.5 and now - quiet_since > quiet:
                break
            if select.select([master], [], [], 0.01)[0]:
                try:
                    data = os.read(master, 1 << 16)
                except OSError:
                    break
                quiet_since = time.perf_counter()
                chunks.append((quiet_since, data))
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
    screen = pyte.Screen(*size)
    stream = pyte.ByteStream(screen)
    for arrived, data in chunks:
        stream.feed(data)
        shown = "\n".join(screen.display)
        if all(marker in shown for marker in markers):
            return arrived - t0
    last = "\n".join(line.rstrip() for line in screen.display).strip()
    raise RuntimeError(f"{markers!r} never all appeared on screen: {command}\n{last}")


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
