"""The shape the code keeps: the app composes and routes (decisions live in the workbench),
so no class in reader/ grows past 400 lines."""

from __future__ import annotations

import ast
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
