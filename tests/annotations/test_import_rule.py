from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import annotations


def test_core_never_imports_the_ui():
    modules = sorted(p.stem for p in Path(annotations.__file__).parent.glob("*.py"))
    code = ("import sys\n" + "".join(f"import annotations.{m}\n" for m in modules) +
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'reader')]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_commands_that_do_not_open_the_ui_do_not_import_textual(tmp_path):
    code = ("import sys\nfrom reader.cli import main\n"
            f"main(['list', '--db', {str(tmp_path / 'x.json')!r}])\n"
            f"main(['check', {str(tmp_path / 'x.json')!r}])\n"
            "assert 'textual' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
