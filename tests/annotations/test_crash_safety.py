"""kill -9 at random moments, and two processes on one file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from annotations.store import AnnotationStore

WRITER = textwrap.dedent("""
    import sys
    from annotations.articles import bundled_paths, load_article
    from annotations.store import AnnotationStore
    article = load_article(bundled_paths()[0])[0]
    # A tiny fold threshold so that kills also land in the middle of folds.
    store = AnnotationStore(sys.argv[1], "killer", lock_wait=10, fold_bytes=int(sys.argv[2]),
                            background=sys.argv[3] == "background")
    print("open", flush=True)
    n = 0
    while True:
        start = (n * 7) % (len(article.text) - 20)
        ann = store.add(article, start, start + 12, ("claim", "unverified")[n % 2])
        if n % 5 == 4:
            store.apply(store.prepare_update(ann.id, "note", note=f"nota {n}"))
            print("note", ann.id, f"nota {n}", flush=True)
        else:
            print("add", ann.id, flush=True)
        n += 1
""")


@pytest.mark.slow
@pytest.mark.parametrize("folds", ["in-line", "background"])
def test_sigkill_at_random_moments_never_loses_an_acknowledged_change(db, folds):
    """Background folds (the reading screen's) are killed mid-write and mid-rotation of
    the journal too: a tiny threshold starts one every few changes."""
    rng = random.Random(20261123)
    acknowledged: dict[str, str] = {}
    for round_ in range(50):
        fold_bytes = rng.choice([2_000, 20_000, 4_000_000])
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(fold_bytes),
                                 folds],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline() == "open\n"
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        for line in out.splitlines():
            parts = line.split(" ", 2)
            if len(parts) < 2 or len(parts[1]) != 36:
                continue  # a line cut by the kill was never fully acknowledged
            acknowledged[parts[1]] = parts[2] if parts[0] == "note" and len(parts) == 3 else \
                acknowledged.get(parts[1], "")
        # Whatever moment it died at, the file opens (read-only first: no repair needed).
        with AnnotationStore(db, "check", read_only=True) as store:
            for ann_id, note in acknowledged.items():
                ann = store.get(ann_id)
                assert ann is not None, f"round {round_}: lost {ann_id}"
                assert ann.note == note or ann.note.startswith("nota"), f"round {round_}"
    assert len(acknowledged) > 100


@pytest.mark.slow
def test_two_processes_adding_to_one_file_lose_nothing(db, sample, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(sample[0].text, encoding="utf-8")
    words = sample[0].text.split()[:40]
    script = textwrap.dedent("""
        import sys
        from reader.cli import main
        for word in sys.argv[3:]:
            assert main(["add", sys.argv[1], "--quote", word, "--tag", "claim",
                         "--db", sys.argv[2], "--user", "p"]) == 0
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(article), str(db), *half],
                              stdout=subprocess.PIPE, text=True)
             for half in (words[:20], words[20:])]
    ids = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        ids += out.split()
    assert len(ids) == 40
    with AnnotationStore(db, "check", read_only=True) as store:
        assert {a.id for a in store.all()} == set(ids)


def test_a_reading_screen_holding_the_file_is_named_to_the_second_writer(db, sample):
    with AnnotationStore(db, "ana"):
        result = subprocess.run([sys.executable, "-m", "reader", "add", "x.txt", "--quote", "a",
                                 "--tag", "claim", "--db", str(db)],
                                capture_output=True, text=True, timeout=60,
                                env={**os.environ, "FACTREAD_LOCK_WAIT": "0"})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"factread: factread.json is open in another factread (pid {os.getpid()})")
