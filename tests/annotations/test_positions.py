"""Where you were: positions kept per annotation file, merged, pruned, never fatal."""

from __future__ import annotations

from annotations import positions

A, B = "a" * 64, "b" * 64


def test_saves_merge_per_file_and_the_oldest_files_are_forgotten(tmp_path, monkeypatch):
    db = tmp_path / "f.json"
    assert positions.save(db, {A: 10}, A) is None
    assert positions.save(db, {B: 20}, B) is None  # A not open this time: its cursor stays
    assert positions.load(db) == positions.Positions({A: 10, B: 20}, B)
    monkeypatch.setattr(positions, "MAX_FILES", 3)
    for n in range(5):
        positions.save(tmp_path / f"other{n}.json", {A: n}, None)
    assert positions.load(db) == positions.Positions()  # the first file is forgotten
    assert positions.load(tmp_path / "other4.json").cursors == {A: 4}


def test_a_state_directory_that_cannot_be_written_is_a_message(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("FACTREAD_STATE", str(blocker / "positions.json"))
    problem = positions.save(tmp_path / "f.json", {A: 1}, A)
    assert problem is not None and "positions not saved" in problem
