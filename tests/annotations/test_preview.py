"""The review's texts read by a forked child: what it hands over is what reading them here
gives, and where a child fails in any way they are read here, naming any problem."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from annotations import preview
from annotations.articles import Article
from annotations.errors import InputError
from annotations.review import review_articles
from annotations.sources import Source
from annotations.storage import read_articles
from annotations.store import AnnotationStore
from tests.annotations.forked import descriptors_left

WEB = Source(url="https://diario.example/n", outlet="Diario del Sur", author="Ana",
             published="2024-06-19", fetched="2024-06-20T10:00:00Z",
             fetched_from="https://diario.example/n?x=1")


@pytest.fixture
def files(tmp_path, sample) -> tuple[Path, Path]:
    web = Article.from_text("noticia.html", "Putin ratifica el tratado 🦀\n«confirmado»",
                            source=WEB)
    mine, theirs = tmp_path / "mine.json", tmp_path / "theirs.json"
    with AnnotationStore(mine, "ana") as store:
        store.add_articles(sample[:3])
        store.add(sample[0], 0, 5, "claim")
    with AnnotationStore(theirs, "bob") as store:
        store.add_articles([*sample[2:], web])
        store.add(web, 0, 5, "claim")
    return mine, theirs


def test_the_child_hands_over_what_reading_here_gives(files, monkeypatch):
    mine, theirs = files
    expected = review_articles(read_articles(mine), read_articles(theirs))
    reading = preview.Preview.start(mine, theirs)
    assert reading._pid

    def not_here(mine: Path, theirs: Path) -> list[Article]:
        raise AssertionError("read here: the child handed over nothing")

    monkeypatch.setattr(preview, "shown", not_here)  # after the fork: the child keeps it
    got = reading.take()
    assert got == expected and len(got) == 6
    assert [a.source for a in got if a.source is not None] == [WEB]


def test_a_problem_in_a_file_is_named_as_reading_here_names_it(files):
    mine, theirs = files
    theirs.write_text('{"articles": {"1": {"name": 5}}}')
    reading = preview.Preview.start(mine, theirs)
    with pytest.raises(InputError, match=r"theirs\.json: article record 1"):
        reading.take()
    assert not reading._pid  # the child that found it is reaped


@pytest.mark.parametrize("how", ["raises", "dies", "garbage", "hangs", "no fork"])
def test_where_the_child_fails_the_articles_are_read_here_in_time(files, monkeypatch, how):
    def failing(mine: Path, theirs: Path) -> bytes:
        if how == "raises":
            raise ValueError("no")
        if how == "dies":
            os._exit(0)  # with success, and nothing written
        if how == "garbage":
            return b"\x00not marshal"
        time.sleep(60)
        return b""

    expected = review_articles(read_articles(files[0]), read_articles(files[1]))
    monkeypatch.setattr(preview, "_read", failing)
    monkeypatch.setattr(preview, "WAIT_S", 0.5)
    if how == "no fork":
        monkeypatch.delattr(os, "fork")
    started = time.monotonic()
    reading = preview.Preview.start(*files)
    pid = reading._pid
    assert bool(pid) == (how != "no fork")
    assert reading.take() == expected
    assert time.monotonic() - started < 10
    if pid:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # ended and reaped: no zombie left behind


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_the_child_keeps_no_file_of_this_process_open(files, monkeypatch):
    """The terminal among them: the child must not write to the screen or hold it."""
    monkeypatch.setattr(preview, "_read", lambda mine, theirs: time.sleep(60) or b"")
    with open(files[0], "rb") as held:  # noqa: F841 - open here while the child starts
        reading = preview.Preview.start(*files)
        try:
            fds, targets = descriptors_left(reading._pid, 4)
        finally:
            reading.close()
    assert len(fds) == 4  # stdin, stdout, stderr (all /dev/null), the pipe
    assert str(files[0]) not in targets
