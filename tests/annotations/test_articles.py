from __future__ import annotations

from annotations.articles import bundled_paths, load_paths

SEEDS = ["000_9f74428a1fed262a.txt", "001_71221e7312774d3f.txt", "002_3bf0f70579c4ed77.txt",
         "003_8d9619930afc316d.txt", "004_c11d152f0e18ed40.txt"]


def test_bundled_sample_is_the_five_seeds_in_name_order():
    assert [p.name for p in bundled_paths()] == SEEDS


def test_directories_expand_to_their_articles_sorted(tmp_path):
    (tmp_path / "b.md").write_text("B")
    (tmp_path / "a.txt").write_text("A")
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    result = load_paths([tmp_path])
    assert [a.name for a in result.articles] == ["a.txt", "b.md"]


def test_a_bad_article_is_reported_and_the_others_still_open(tmp_path):
    (tmp_path / "good.txt").write_text("Texto")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01binary")
    result = load_paths([tmp_path / "good.txt", tmp_path / "bad.txt", tmp_path / "missing.txt"])
    assert [a.name for a in result.articles] == ["good.txt"]
    assert len(result.errors) == 2
    assert "bad.txt" in result.errors[0] and "missing.txt" in result.errors[1]


def test_identity_is_sha256_of_normalised_text(tmp_path):
    (tmp_path / "crlf.txt").write_bytes(b"Hola\r\nmundo")
    (tmp_path / "lf.txt").write_bytes(b"Hola\nmundo")
    a, b = load_paths([tmp_path]).articles
    assert a.sha256 == b.sha256 and a.name != b.name
