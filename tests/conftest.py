from __future__ import annotations

from pathlib import Path

import pytest

from annotations.articles import Article, bundled_paths, load_paths


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test reads the developer's config, annotation file or name."""
    monkeypatch.setenv("FACTREAD_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("FACTREAD_STATE", str(tmp_path / "state" / "positions.json"))
    monkeypatch.setenv("FACTREAD_CACHE", str(tmp_path / "cache" / "snapshots"))
    monkeypatch.setenv("FACTREAD_USER", "tester")
    monkeypatch.delenv("FACTREAD_DB", raising=False)


@pytest.fixture(scope="session")
def sample() -> list[Article]:
    return load_paths(bundled_paths()).articles


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "factread.json"
