"""The shape the code keeps: the app composes and routes (decisions live in the workbench),
so no class in reader/ grows past 400 lines."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import reader

LIMIT = 400


def test_no_class_in_reader_is_over_400_lines():
    big = []
    for path in sorted(Path(reader.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > LIMIT:
                    big.append(f"{path.name}: {node.name} ({lines} lines)")
    assert big == []


def test_the_screen_starts_without_the_cross_checking_modules():
    """The stemmer, the number parser and the fact patterns (50 ms of imports) load when
    cross-checking is first used, not before the first frame."""
    code = ("import sys, reader.cli, reader.app, annotations.review, annotations.storage; "
            "print(sorted(m for m in ('annotations.crosscheck', 'annotations.facts', "
            "'annotations.stems', 'Stemmer', 'text_to_num') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
