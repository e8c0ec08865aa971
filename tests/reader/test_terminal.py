"""The real ``factread`` in a real pseudo-terminal, driven by keys, read with pyte."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time

import pyte

from annotations.store import AnnotationStore

COLS, ROWS = 160, 45


class Terminal:
    def __init__(self, args: list[str], cwd, env: dict[str, str]) -> None:
        self.master: int | None
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                                     env=env, start_new_session=True)
        os.close(slave)
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)

    def read(self, seconds: float = 0.1) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    return
                self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 20.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.read(0.1)
            if needle in self.text():
                return
        raise AssertionError(f"{needle!r} never appeared on screen:\n{self.text()}")

    def send(self, keys: str, settle: float = 0.3) -> None:
        os.write(self.master, keys.encode())
        self.read(settle)

    def close(self) -> int:
        """Wait for factread to end (after ``q``); its exit code."""
        try:
            return self.proc.wait(timeout=20)
        finally:
            self._release()

    def _release(self) -> None:
        if self.master is not None:
            os.close(self.master)
            self.master = None

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        """A test that failed midway leaves no factread running, and no pty open."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._release()


def factread_on_the_samples(tmp_path, *args: str) -> Terminal:
    """``factread`` with ``args`` (none: the bundled articles), its file in ``tmp_path``."""
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLS), "LINES": str(ROWS),
           "FACTREAD_USER": "e2e", "FACTREAD_CONFIG": str(tmp_path / "none.toml")}
    env.pop("FACTREAD_DB", None)
    return Terminal([sys.executable, "-m", "reader", *args], tmp_path, env)


def test_a_url_opens_tags_and_exports_with_its_source_in_a_real_terminal(tmp_path):
    from tests.annotations.test_webpages import CANONICAL, DIARIO, Site

    site = Site()
    url = site.page("/noticia.html", DIARIO.read_bytes())
    try:
        with factread_on_the_samples(tmp_path, url, "000_9f74428a1fed262a.txt") as term:
            term.wait_for("Diario del Sur · Putin ratifica el tratado")
            term.send("/")
            term.send("398 votos\r")
            term.wait_for("sel 9")
            term.send("c")
            term.wait_for("claim  «398 votos»")
            term.send("q")
            assert term.close() == 0
        # Opened again, the page comes from the file: it is not fetched a second time
        with factread_on_the_samples(tmp_path, url) as term:
            term.wait_for("1 ann.  Diario del Sur")
            term.send("q")
            assert term.close() == 0
    finally:
        site.server.shutdown()
        site.server.server_close()
    assert site.hits == {"/noticia.html": 1}
    done = subprocess.run([sys.executable, "-m", "reader", "export", "--format", "csv"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    import csv
    import io

    header, row = csv.reader(io.StringIO(done.stdout.lstrip("\ufeff")))
    assert header[-3:] == ["url", "outlet", "published"]
    assert row[-3:] == [CANONICAL, "Diario del Sur", "2024-11-09"] and row[6] == "398 votos"
    with AnnotationStore(tmp_path / "factread.json", "x", read_only=True) as store:
        assert len(store.articles) == 2  # both articles on screen were recorded


def test_search_tag_quit_in_a_real_terminal(tmp_path):
    with factread_on_the_samples(tmp_path) as term:
        term.wait_for("El tratado estrecha los lazos")
        term.wait_for("Kim Jong-un respalda")  # all five panes side by side
        term.send("/")
        term.send("hizo el mes pasado\r")
        term.wait_for("sel 18")
        term.send("u")
        term.wait_for("unverified  «hizo el mes pasado»")
        term.send("q")
        assert term.close() == 0
    with AnnotationStore(tmp_path / "factread.json", "x", read_only=True) as store:
        (ann,) = store.all()
        assert (ann.quote, ann.tag, ann.annotator) == ("hizo el mes pasado", "unverified", "e2e")
        assert ann.article == "000_9f74428a1fed262a.txt"
    assert not (tmp_path / "factread.json-journal").exists()


def test_a_file_held_by_another_factread_is_one_line_and_exit_1(tmp_path):
    env = {**os.environ, "TERM": "xterm-256color", "FACTREAD_CONFIG": str(tmp_path / "x.toml")}
    db = tmp_path / "factread.json"
    with AnnotationStore(db, "holder"):
        with Terminal([sys.executable, "-m", "reader", "--db", str(db)], tmp_path, env) as term:
            deadline = time.monotonic() + 30
            while term.proc.poll() is None and time.monotonic() < deadline:
                term.read(0.1)  # a child whose output nobody reads blocks on the pty
            term.read(0.3)
            code = term.proc.wait(timeout=5)
        assert code == 1
        assert f"factread: factread.json is open in another factread (pid {os.getpid()})" \
            in term.text()


def test_related_then_the_finder_accepts_a_contradiction_in_a_real_terminal(tmp_path):
    """r shows what the other reports say of "11 mil soldados", Enter goes to Seúl's
    figure with it selected, x tags it; D lists the disagreements and a accepts the
    first: two linked contradictions on disk."""
    with factread_on_the_samples(tmp_path) as term:
        term.wait_for("Kim Jong-un respalda")
        term.send("/")
        term.send("11 mil soldados\r")
        term.wait_for("sel 15")
        term.send("r")
        term.wait_for("Related to «11 mil soldados»")
        term.wait_for("3,000-12,000 there")
        term.send("r")  # into the list
        term.send("\x1b[B")  # down to the second row: Seúl's range
        term.send("\r")
        term.wait_for("sel 29")  # «entre 3,000 y 12,000 soldados» selected in its pane
        term.send("x")
        term.wait_for("contradiction  «entre 3,000 y 12,000 soldados»")
        term.send("D")
        term.wait_for("possible disagreements across 5 articles")
        term.send("a")
        term.wait_for("Tagged both as contradiction and linked")
        term.send("\x1b", settle=0.5)
        term.send("q")
        assert term.close() == 0
    with AnnotationStore(tmp_path / "factread.json", "x", read_only=True) as store:
        anns = store.all()
        assert len(anns) == 3
        linked = [a for a in anns if a.links]
        assert len(linked) == 2 and linked[0].links == (linked[1].id,)
        assert all(a.tag == "contradiction" for a in linked)


def test_find_in_all_articles_then_tag_and_link_across_them_in_a_real_terminal(tmp_path):
    with factread_on_the_samples(tmp_path) as term:
        term.wait_for("Kim Jong-un respalda")
        term.send("F")
        term.send("soldados norcoreanos\r")
        term.wait_for("matches in")
        term.send("\r")  # the first result: its pane, the match selected
        term.wait_for("match 1/")
        term.send("x")
        term.wait_for("contradiction  «soldados norcoreanos»")
        term.send("l")
        term.wait_for("LINKING: go to the other span")
        term.send("n")  # on to the next result, into another article
        term.wait_for("On into")
        term.send("x")
        term.send("l")
        term.wait_for("links: 1")
        term.send("q")
        assert term.close() == 0
    with AnnotationStore(tmp_path / "factread.json", "x", read_only=True) as store:
        a, b = store.all()
        assert a.article_sha256 != b.article_sha256
        assert a.links == (b.id,) and b.links == (a.id,)
        assert a.quote.casefold() == b.quote.casefold() == "soldados norcoreanos"


def test_where_you_were_comes_back_in_a_real_terminal(tmp_path):
    with factread_on_the_samples(tmp_path) as term:
        term.wait_for("Kim Jong-un respalda")
        term.send("3")
        term.send("/")
        term.send("Sunan\r")
        term.wait_for("sel 5")
        term.send("q")
        assert term.close() == 0
    with factread_on_the_samples(tmp_path) as term:
        # The third article has the focus again, its cursor on "Sunan"
        term.wait_for("El ministro de Defensa de Rusia… @")
        at = term.text().split("El ministro de Defensa de Rusia… @")[1].split()[0]
        term.send("q")
        assert term.close() == 0
    from annotations.articles import bundled_paths, load_paths

    third = load_paths(bundled_paths()).articles[2]
    assert int(at) == third.text.index("Sunan") + 5  # the cursor ends the selected match


def test_review_shows_the_texts_then_the_counts_and_decides_in_a_real_terminal(tmp_path, sample):
    """``factread review``: the texts (read by a child while the screen starts), then both
    files' counts; ``]`` and ``A`` accept their tag into my file. A colleague's file with a
    bad article record is one line naming it, exit 1, my file untouched."""
    mine, theirs = tmp_path / "factread.json", tmp_path / "theirs.json"
    quote = "El tratado estrecha los lazos"
    start = sample[0].text.index(quote)
    with AnnotationStore(mine, "e2e") as store:
        store.add_articles(sample)
    with AnnotationStore(theirs, "bob") as store:
        store.add(sample[0], start, start + len(quote), "contradiction")
    env = {**os.environ, "TERM": "xterm-256color", "FACTREAD_USER": "e2e",
           "FACTREAD_CONFIG": str(tmp_path / "none.toml")}
    args = [sys.executable, "-m", "reader", "review", str(theirs), "--db", str(mine)]
    with Terminal(args, tmp_path, env) as term:
        term.wait_for(quote)
        term.wait_for("only theirs: 1")
        term.send("]")
        term.send("A", settle=1.0)
        term.send("q")
        assert term.close() == 0
    with AnnotationStore(mine, "x", read_only=True) as store:
        (ann,) = store.all()
        assert (ann.quote, ann.tag) == (quote, "contradiction")
    before = mine.read_bytes()
    theirs.write_text('{"meta": {}, "articles": {"1": {"name": 5}}}')
    with Terminal(args, tmp_path, env) as term:
        deadline = time.monotonic() + 30
        while term.proc.poll() is None and time.monotonic() < deadline:
            term.read(0.1)
        term.read(0.3)
        assert term.proc.wait(timeout=5) == 1
    assert "factread: " in term.text() and "theirs.json: article record 1" in term.text()
    assert mine.read_bytes() == before
