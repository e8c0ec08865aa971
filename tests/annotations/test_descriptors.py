"""Writing a whole buffer to a descriptor: short writes are continued, a write of nothing
is a full disk (never an endless loop)."""

from __future__ import annotations

import errno
import os

import pytest

from annotations import descriptors


def test_short_writes_are_continued_until_all_is_written(monkeypatch, tmp_path):
    real = os.write
    calls = []

    def three_at_a_time(fd, data):
        calls.append(1)
        return real(fd, bytes(data[:3]))

    monkeypatch.setattr(descriptors.os, "write", three_at_a_time)
    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT)
    try:
        descriptors.write_all(fd, b"0123456789")
    finally:
        os.close(fd)
    assert (tmp_path / "f").read_bytes() == b"0123456789"
    assert len(calls) == 4


def test_a_write_of_nothing_is_a_full_disk(monkeypatch, tmp_path):
    monkeypatch.setattr(descriptors.os, "write", lambda fd, data: 0)
    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT)
    try:
        with pytest.raises(OSError) as err:
            descriptors.write_all(fd, b"data")
    finally:
        os.close(fd)
    assert err.value.errno == errno.ENOSPC
