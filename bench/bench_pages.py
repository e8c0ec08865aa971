"""Opening a saved 200 KB news page: factread's whole open (read, extract, normalise,
SHA-256, source) beside trafilatura's own extraction of the same bytes with the same
options, in the same run; and the same from a cold process, where importing trafilatura
(and lxml) is part of the cost.

    python bench/bench_pages.py [--quick]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import compile_factread, median_ms

HERE = Path(__file__).resolve().parent
PAGE = HERE.parent / "tests" / "pages" / "diario_tratado.html"


def big_page(size: int = 200_000) -> bytes:
    """The test page's article repeated (paragraphs numbered) inside its clutter, with a
    long "most read" list and menus, up to ``size`` bytes."""
    html = PAGE.read_text(encoding="utf-8")
    head, _, rest = html.partition('<div class="article-body">')
    body, _, tail = rest.partition("</div>")
    parts, n = [], 0
    filler = "".join(f'<li><a href="/n{i}">Titular de portada número {i} sobre otra noticia</a>'
                     f"</li>" for i in range(200))
    tail = tail.replace("<ol>", "<ol>" + filler)
    while len(head) + len(tail) + sum(map(len, parts)) < size:
        parts.append(body.replace("<p>", f"<p>[{n}] "))
        n += 1
    return (head + '<div class="article-body">' + "".join(parts) + "</div>" + tail).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 5 if args.quick else 15
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.html"
        raw = big_page()
        path.write_bytes(raw)

        import trafilatura

        from annotations.articles import load_article

        def extract() -> object:
            return trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False,
                                               include_tables=True, favor_precision=True)

        article, _ = load_article(path)
        print(f"page: {len(raw) / 1024:.0f} KB of HTML, {len(article.text) / 1024:.0f} KB of "
              f"text, {article.text.count(chr(10)) + 1} paragraphs")
        ours = median_ms(lambda: load_article(path), repeat)
        theirs = median_ms(extract, repeat)
        print(f"open in a running factread: {ours:7.1f} ms   trafilatura.bare_extraction "
              f"alone: {theirs:7.1f} ms   ({ours / theirs:.2f}x; target 300 ms)")

        cold_ours, cold_theirs = [], []
        code_ours = ("import sys; from pathlib import Path; from annotations.articles import "
                     "load_article; load_article(Path(sys.argv[1]))")
        code_theirs = ("import sys, trafilatura; trafilatura.bare_extraction(open(sys.argv[1], "
                       "'rb').read(), with_metadata=True, include_comments=False, "
                       "include_tables=True, favor_precision=True)")
        compile_factread()
        for _ in range(3 if args.quick else 7):
            for code, into in ((code_ours, cold_ours), (code_theirs, cold_theirs)):
                started = time.perf_counter()
                subprocess.run([sys.executable, "-c", code, str(path)], check=True)
                into.append((time.perf_counter() - started) * 1000)
        cold_ours.sort()
        cold_theirs.sort()
        print(f"cold process, import included: factread {cold_ours[len(cold_ours) // 2]:7.1f} ms"
              f"   trafilatura alone {cold_theirs[len(cold_theirs) // 2]:7.1f} ms")


if __name__ == "__main__":
    main()
