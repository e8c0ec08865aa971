from __future__ import annotations

import pytest

from annotations.config import DEFAULT_TAGS, load_tags
from annotations.errors import InputError


def test_defaults_without_a_config(tmp_path):
    assert load_tags(tmp_path / "none.toml") == DEFAULT_TAGS
    assert [(t.name, t.key) for t in DEFAULT_TAGS] == [
        ("claim", "c"), ("unverified", "u"), ("contradiction", "x")]


def test_config_adds_tags_and_recolours_defaults(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[tags.disputed]\ncolour = "#8844CC"\nkey = "p"\n'
                      '[tags.claim]\ncolour = "#000000"\n')
    tags = {t.name: t for t in load_tags(config)}
    assert tags["disputed"].colour == "#8844cc" and tags["disputed"].key == "p"
    assert tags["claim"].colour == "#000000" and tags["claim"].key == "c"


@pytest.mark.parametrize("toml, message", [
    ('[tags.Bad]\ncolour = "#000000"\nkey = "b"', "tags.Bad"),
    ('[tags.new]\ncolour = "red"\nkey = "n"', "colour = 'red'"),
    ('[tags.new]\ncolour = "#000000"\nkey = "nn"', "key = 'nn'"),
    ('[tags.new]\ncolour = "#000000"\nkey = "c"', "key 'c' is used by both"),
    ('[tags.new]\ncolour = "#000000"\nkey = "n"\nsize = 3', "unknown setting 'size'"),
    ("[tags", "not a readable TOML file"),
])
def test_invalid_config_names_the_file_and_value(tmp_path, toml, message):
    config = tmp_path / "config.toml"
    config.write_text(toml)
    with pytest.raises(InputError, match=message) as err:
        load_tags(config)
    assert str(config) in str(err.value)


def test_keymap_section(tmp_path):
    from annotations.config import load_keys

    config = tmp_path / "config.toml"
    config.write_text('[keys]\nundo = "ctrl+u"\n')
    assert load_keys(config) == {"undo": "ctrl+u"}
    config.write_text('[keys]\nundo = 3\n')
    with pytest.raises(InputError, match="undo = 3"):
        load_keys(config)


def test_config_state_and_cache_live_in_the_users_directories_unless_told(monkeypatch,
                                                                           tmp_path):
    import sys

    from annotations.config import config_path
    from annotations.positions import state_path
    from annotations.snapshots import directory

    for name in ("FACTREAD_CONFIG", "FACTREAD_STATE", "FACTREAD_CACHE"):
        monkeypatch.delenv(name, raising=False)
    if sys.platform.startswith("linux"):
        for name in ("CONFIG", "STATE", "CACHE"):
            monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / name.lower()))
        assert config_path() == tmp_path / "config" / "factread" / "config.toml"
        assert state_path() == tmp_path / "state" / "factread" / "positions.json"
        assert directory() == tmp_path / "cache" / "factread" / "snapshots"
    monkeypatch.setenv("FACTREAD_CACHE", str(tmp_path / "here"))
    assert directory() == tmp_path / "here"
