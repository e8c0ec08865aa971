"""Nothing untrusted reaches a terminal raw: the note editor, export and list on a terminal
and in a pipe, file names in tables and messages, key names from the config."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time

import pytest

from annotations.articles import Article
from annotations.store import AnnotationStore
from reader.screens import NoteScreen
from tests.reader.test_terminal import Terminal

HOSTILE = "Nota \x1b]0;PWNED\x07 \x1b]52;c;cG93bmVk\x07 \x1b[2J fin \u202eevil\x85x\u2028y"
RAW_PAYLOADS = (b"\x1b]0;PWNED", b"\x1b]52;c;cG93bmVk", "\u202eevil".encode())


def run_on_a_terminal(*args: str, cwd=None) -> bytes:
    """The command's output as a terminal receives it (stdout and stderr on a pty)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "reader", *args], stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave, cwd=cwd)
    os.close(slave)
    out = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(master)
    return bytes(out)


def run_in_a_pipe(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True,
                          timeout=60)


@pytest.fixture
def hostile_db(tmp_path, sample):
    db = tmp_path / "f.json"
    name = "a\x1b[31m\x07\tb\u202e.txt"
    article = Article.from_text(name.replace("\x1b", "␛").replace("\x07", "␇")
                                .replace("\t", "→").replace("\u202e", "⇄"), sample[0].text)
    with AnnotationStore(db, "ana") as store:
        store.add(article, 10, 40, "claim", HOSTILE)
    return db


async def test_the_note_editor_shows_controls_and_saves_exactly_what_was_there(make_app,
                                                                                sample):
    app = make_app(sample[:1])
    async with app.run_test(size=(120, 40)) as pilot:
        ann = app.store.add(sample[0], 0, 10, "claim", HOSTILE)
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NoteScreen)
        area = screen.query_one("#note")
        assert "\x1b" not in area.text and "\u202e" not in area.text
        assert "␛]0;PWNED␇" in area.text and "⇄evil" in area.text
        for y in range(area.size.height):  # what is painted holds no control either
            line = "".join(seg.text for seg in area.render_line(y))
            assert "\x1b" not in line and "\u202e" not in line and "\x85" not in line
        area.insert("\x1b[2Jpegado ")  # a paste holding an escape is shown, not obeyed
        assert "\x1b" not in area.text and "␛[2Jpegado " in area.text
        await pilot.press("end", *" ok", "ctrl+s")
        await pilot.pause()
        # Every original character, controls included, kept; what was typed, as typed.
        assert app.store.get(ann.id).note == HOSTILE + "␛[2Jpegado  ok"


def test_the_note_editor_in_a_real_terminal_sends_no_escape_of_the_note(tmp_path, hostile_db):
    env = {**os.environ, "TERM": "xterm-256color", "FACTREAD_CONFIG": str(tmp_path / "x.toml")}
    article = tmp_path / "a.txt"
    with AnnotationStore(hostile_db, "x", read_only=True) as store:
        article.write_text(next(iter(store.articles.values())).text)
    raw = bytearray()
    with Terminal([sys.executable, "-m", "reader", str(article), "--db", str(hostile_db)],
                  tmp_path, env) as term:
        feed = term.stream.feed
        term.stream.feed = lambda data: (raw.extend(data), feed(data))  # type: ignore[method-assign]
        term.wait_for("1 ann.")
        term.send("]", 0.5)
        term.send("e", 1.0)
        term.wait_for("␛]0;PWNED␇")
        term.send("\x1b", 0.5)
        term.send("q", 0.5)
        term.close()
    for payload in RAW_PAYLOADS:
        assert payload not in raw


def test_export_csv_on_a_terminal_is_shown_safely_and_exact_in_a_pipe(hostile_db):
    shown = run_on_a_terminal("export", "--format", "csv", "--db", str(hostile_db))
    for payload in RAW_PAYLOADS:
        assert payload not in shown
    assert "␛]0;PWNED␇".encode() in shown
    piped = run_in_a_pipe("export", "--format", "csv", "--db", str(hostile_db))
    assert piped.returncode == 0 and HOSTILE.encode() in piped.stdout.replace(b"\r\n", b"\n")


@pytest.mark.parametrize("fmt", ["jsonl", "w3c"])
def test_other_exports_on_a_terminal_hold_no_control(hostile_db, fmt):
    shown = run_on_a_terminal("export", "--format", fmt, "--db", str(hostile_db))
    for payload in RAW_PAYLOADS:
        assert payload not in shown


def test_list_in_a_pipe_keeps_its_columns_and_json_lines_split_once(hostile_db):
    done = run_in_a_pipe("list", "--db", str(hostile_db))
    lines = done.stdout.decode().split("\n")[:-1]
    assert len(lines) == 1 and lines[0].count("\t") == 6
    assert not any(c in lines[0] for c in "\x1b\x07\u202e\x85\u2028")
    cells = lines[0].split("\t")
    assert json.loads(f'"{cells[6]}"') == HOSTILE, (cells[6], HOSTILE)
    for command in (["list", "--json"], ["export", "--format", "jsonl"]):
        out = run_in_a_pipe(*command, "--db", str(hostile_db)).stdout.decode()
        (line,) = out.splitlines()  # U+0085 and U+2028 are escaped, so one record a line
        assert json.loads(line)["note"] == HOSTILE


def test_list_on_a_terminal_with_a_markup_like_path(tmp_path, sample):
    (tmp_path / "q[").mkdir()
    db = tmp_path / "q[/]b.json"
    with AnnotationStore(db, "ana") as store:
        store.add(sample[0], 0, 10, "claim", HOSTILE)
    shown = run_on_a_terminal("list", "--db", str(db))
    assert b"Traceback" not in shown and b"q[/]b.json" in shown
    for payload in RAW_PAYLOADS:
        assert payload not in shown


def test_check_and_errors_show_a_hostile_file_name_safely(tmp_path, sample):
    db = tmp_path / "x\x1b]0;PWNED\x07.json"
    with AnnotationStore(db, "ana") as store:
        store.add(sample[0], 0, 10, "claim")
    done = run_in_a_pipe("check", str(db))
    assert done.returncode == 0 and b"\x1b" not in done.stdout and "␛]0;PWNED␇".encode() \
        in done.stdout
    (tmp_path / "y\x1b]0;PWNED\x07.json").write_text("{")
    done = run_in_a_pipe("check", str(tmp_path / "y\x1b]0;PWNED\x07.json"))
    assert done.returncode == 1 and b"\x1b" not in done.stderr


def test_a_key_value_that_is_no_key_name_is_refused(tmp_path, sample):
    config = tmp_path / "c.toml"
    config.write_text('[keys]\nundo = "\\u001b]0;PWNED\\u0007"\n')
    env = {**os.environ, "FACTREAD_CONFIG": str(config)}
    article = tmp_path / "a.txt"
    article.write_text(sample[0].text)
    done = subprocess.run([sys.executable, "-m", "reader", str(article), "--db",
                           str(tmp_path / "f.json")], capture_output=True, timeout=60, env=env,
                          stdin=subprocess.DEVNULL)
    started = time.monotonic()
    assert done.returncode == 1 and b"\x1b" not in done.stderr
    assert b"not a key name" in done.stderr and done.stderr.count(b"\n") == 1
    assert time.monotonic() - started < 30
