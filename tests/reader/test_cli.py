from __future__ import annotations

import json
import subprocess
import sys

import pytest

from annotations.store import AnnotationStore
from reader.cli import main

SEED = "000_9f74428a1fed262a.txt"


@pytest.fixture
def article(tmp_path, sample):
    path = tmp_path / SEED
    path.write_text(sample[0].text.replace("\n", "\r\n"), encoding="utf-8-sig")
    return path


def run(*args):
    return subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True,
                          text=True, timeout=60)


def test_add_list_check(tmp_path, article, db, capsys):
    assert main(["add", str(article), "--quote", "11 mil soldados", "--tag", "claim",
                 "--note", "según Zelenski", "--db", str(db), "--user", "ana"]) == 0
    ann_id = capsys.readouterr().out.strip()
    assert main(["list", "--db", str(db), "--json"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert record["id"] == ann_id and record["quote"] == "11 mil soldados"
    assert record["annotator"] == "ana" and record["note"] == "según Zelenski"
    assert list(record) == ["id", "article_sha256", "article", "start", "end", "quote", "prefix",
                            "suffix", "tag", "note", "links", "annotator", "created", "modified"]
    assert main(["check", str(db)]) == 0
    assert capsys.readouterr().out == f"{db}: 1 article, 1 annotation\n"


def test_add_nth_occurrence_and_normalised_quote(tmp_path, db, capsys):
    path = tmp_path / "a.txt"
    path.write_text("Moscu\u0301 dijo. Moscú dijo. Moscú dijo.", encoding="utf-8")
    assert main(["add", str(path), "--quote", "Moscu\u0301", "--tag", "unverified", "--nth", "2",
                 "--db", str(db)]) == 0
    ann_id = capsys.readouterr().out.strip()
    with AnnotationStore(db, "x", read_only=True) as store:
        ann = store.get(ann_id)
        assert (ann.start, ann.quote) == (12, "Moscú")
        assert ann.annotator == "tester"  # from FACTREAD_USER


def test_add_to_an_article_already_in_the_file_by_name(article, db, capsys):
    assert main(["add", str(article), "--quote", "Putin", "--tag", "claim", "--db", str(db)]) == 0
    article.unlink()
    assert main(["add", SEED, "--quote", "Kim", "--tag", "claim", "--db", str(db)]) == 0
    with AnnotationStore(db, "x", read_only=True) as store:
        assert len(store) == 2 and len(store.articles) == 1


@pytest.mark.parametrize("args, message", [
    (["--quote", "no está en el texto", "--tag", "claim"], "occurs nowhere"),
    (["--quote", "Putin", "--tag", "claim", "--nth", "99"], "occurs only"),
    (["--quote", "Putin", "--tag", "rumour"], "--tag 'rumour': unknown tag"),
])
def test_add_refusals_are_one_line_exit_1_and_touch_nothing(article, db, args, message):
    result = run("add", str(article), *args, "--db", str(db))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr
    if db.exists():
        with AnnotationStore(db, "x", read_only=True) as store:
            assert len(store) == 0 and len(store.articles) == 0


@pytest.mark.parametrize("args", [["add"], ["add", "a.txt", "--quote", "x", "--tag", "claim",
                                            "--nth", "0"], ["list", "--bogus"], ["--nope"]])
def test_usage_errors_exit_2(args):
    assert run(*args).returncode == 2


def test_check_reports_a_broken_file_in_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"meta": {"1": {"format": "factread", "version": 7}}}')
    result = run("check", str(bad))
    assert result.returncode == 1
    assert result.stderr == f"factread: {bad}: meta record 1: field 'version' = 7: unknown " \
                            "format version (this factread reads version 1)\n"
    missing = run("check", str(tmp_path / "none.json"))
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_help_on_every_command():
    for command in ([], ["add"], ["list"], ["check"]):
        result = run(*command, "--help")
        assert result.returncode == 0 and "usage: factread" in result.stdout


def test_hostile_text_in_messages_is_made_visible(tmp_path):
    result = run("check", str(tmp_path / "evil\x1b[2J.json"))
    assert result.returncode == 1 and "\x1b" not in result.stderr and "␛[2J" in result.stderr


def test_export_to_stdout_and_import_from_the_command_line(tmp_path, article, db):
    assert run("add", str(article), "--quote", "11 mil soldados", "--tag", "claim",
               "--note", "+ojo", "--db", str(db)).returncode == 0
    csv_out = run("export", "--format", "csv", "--db", str(db))
    assert csv_out.returncode == 0 and csv_out.stdout.startswith("\ufeff\"id\",\"article\",\"title\"")
    assert "'+ojo" in csv_out.stdout
    jsonl = tmp_path / "x.jsonl"
    result = run("export", "--format", "jsonl", "--out", str(jsonl), "--db", str(db))
    assert result.returncode == 0 and f"exported 1 annotations to {jsonl}" in result.stderr
    other = tmp_path / "other.json"
    # The colleague's file holds the article text, so a fresh file can take the CSV after it.
    assert run("import", str(db), "--db", str(other)).stdout.startswith("imported 1 annotations")
    again = run("import", str(jsonl), "--db", str(other))
    assert again.returncode == 0 and "imported 0 annotations" in again.stdout
    assert "1 already there" in again.stdout


def test_export_brat_needs_a_directory_and_import_refusals_exit_1(tmp_path, db):
    assert run("export", "--format", "brat", "--db", str(db)).returncode == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("nope\n")
    result = run("import", str(bad), "--db", str(db))
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "line 1: not factread's CSV header" in result.stderr
    assert run("export", "--format", "pdf", "--db", str(db)).returncode == 2
    assert run("import", str(bad), "--max-bytes", "zero").returncode == 2


def test_unplaced_annotations_are_listed_not_dropped(tmp_path, db, sample):
    with AnnotationStore(db, "ana") as store:
        store.add_articles(sample[:1])
    w3c = tmp_path / "x.json"
    w3c.write_text(json.dumps([{"id": "urn:uuid:00000000-0000-4000-8000-000000000001",
                                "type": "Annotation", "target": {"source": "urn:x", "selector": {
                                    "type": "TextQuoteSelector", "exact": "no aparece"}}},
                               {"id": "urn:uuid:00000000-0000-4000-8000-000000000002",
                                "type": "Annotation", "target": {"source": "urn:x", "selector": {
                                    "type": "TextQuoteSelector",
                                    "exact": "11 mil soldados"}}}]))
    result = run("import", str(w3c), "--db", str(db))
    assert result.returncode == 0 and "imported 1 annotations" in result.stdout
    assert "1 annotations could not be placed" in result.stderr
    assert "annotation 1: quote 'no aparece' found in no article" in result.stderr
    # None placed at all: an error, naming the first reason (test_cli's next test too).
    w3c.write_text(json.dumps([{"id": "urn:uuid:00000000-0000-4000-8000-000000000003",
                                "type": "Annotation", "target": {"source": "urn:x", "selector": {
                                    "type": "TextQuoteSelector", "exact": "no aparece"}}}]))
    result = run("import", str(w3c), "--db", str(db))
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "quote 'no aparece' found in no article" in result.stderr


def test_progress_bar_only_past_ten_thousand_on_a_terminal(monkeypatch):
    from reader.cli import ProgressBar

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    small, large = ProgressBar("x"), ProgressBar("y")
    small.update(0, 10_000)
    large.update(0, 10_001)
    large.update(5_000, 10_001)
    assert small._bar is None and large._bar is not None
    assert large._bar.tasks[0].completed == 5_000 and large._bar.tasks[0].total == 10_001
    large.stop()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    piped = ProgressBar("z")
    piped.update(0, 50_000)
    assert piped._bar is None


def test_add_warns_when_an_article_is_not_utf8(tmp_path, db):
    old = tmp_path / "viejo.txt"
    old.write_bytes("Moscú firmó el tratado".encode("cp1252"))
    result = run("add", str(old), "--quote", "Moscú", "--tag", "claim", "--db", str(db))
    assert result.returncode == 0
    assert "viejo.txt: not valid UTF-8; read as Windows-1252 (cp1252)" in result.stderr


def test_bundled_articles_are_named_by_file_name_or_title(tmp_path, db, sample, capsys):
    """No installed package path needed: the sample's file name, or its title."""
    assert main(["add", SEED, "--quote", "11 mil soldados", "--tag", "claim",
                 "--db", str(db), "--user", "ana"]) == 0
    title = sample[4].title  # "Kim Jong-un respalda totalmente la invasión rusa en Ucrania"
    assert main(["add", title, "--quote", "18 de junio de 2024", "--tag", "claim",
                 "--db", str(db), "--user", "ana"]) == 0
    capsys.readouterr()
    with AnnotationStore(db, "x", read_only=True) as store:
        assert sorted(a.article for a in store.all()) == [SEED, sample[4].name]
    missing = run("add", "no_such_article.txt", "--quote", "x", "--tag", "claim",
                  "--db", str(db))
    assert missing.returncode == 1 and "no_such_article.txt" in missing.stderr


def test_export_with_an_unknown_tag_is_an_error_not_an_empty_file(tmp_path, db, sample):
    assert main(["add", SEED, "--quote", "11 mil soldados", "--tag", "claim",
                 "--db", str(db), "--user", "ana"]) == 0
    done = run("export", "--format", "csv", "--tag", "claimm", "--db", str(db),
               "--out", str(tmp_path / "out.csv"))
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    assert "--tag 'claimm'" in done.stderr and "claim" in done.stderr
    assert not (tmp_path / "out.csv").exists()
    # A configured tag without annotations is no error: the export is empty.
    assert run("export", "--format", "csv", "--tag", "unverified", "--db", str(db),
               "--out", str(tmp_path / "none.csv")).returncode == 0


def test_importing_where_no_row_fits_an_article_is_an_error_that_says_what_to_do(tmp_path, db,
                                                                                   sample):
    source = tmp_path / "colleague.json"
    assert main(["add", SEED, "--quote", "11 mil soldados", "--tag", "claim",
                 "--db", str(source), "--user", "bob"]) == 0
    assert main(["export", "--format", "csv", "--db", str(source),
                 "--out", str(tmp_path / "c.csv")]) == 0
    done = run("import", str(tmp_path / "c.csv"), "--db", str(db))
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    assert "none of its 1 annotations" in done.stderr
    assert "factread import FILE --articles PATH" in done.stderr
    assert not db.exists()
    # Told where the article is, the same row lands (a bundled article by its file name)
    done = run("import", str(tmp_path / "c.csv"), "--db", str(db), "--articles", SEED)
    assert done.returncode == 0 and "imported 1 annotations" in done.stdout
