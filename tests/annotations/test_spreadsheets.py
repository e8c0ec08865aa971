"""CSV as spreadsheets read and write it: LibreOffice headless opening the export under ',',
';' and tab (no formula cell), a LibreOffice re-save under ';' in Windows-1252 imported
back, and hand-made ';' and tab files."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from annotations.csvsafe import COLUMNS, protect, unprotect
from annotations.errors import InputError
from annotations.export import export
from annotations.importing import import_file
from annotations.store import AnnotationStore

ATTACKS = ["Ver fuente;=cmd|' /C calc'!A0;", "=1+1", "+34 600", "-2+3", "@SUM(A1)",
           "texto\t=HYPERLINK(\"http://x\")", "uno,=2+2", "nota; normal", "'ya citado",
           "línea\n=3+3", "a;b\n;=4+4", '";=5+5', 'x;"=6+6"', "x;'=7+7", "=8+8;=9+9"]


def exported(tmp_path: Path, sample, notes: list[str] = ATTACKS,
             ) -> tuple[Path, list[dict[str, object]]]:
    db = tmp_path / "f.json"
    with AnnotationStore(db, "ana") as store:
        for n, note in enumerate(notes):
            store.add(sample[0], n * 20, n * 20 + 10, "claim", note)
        out = tmp_path / "export.csv"
        export(store, "csv", out)
        original = sorted((a.to_dict() for a in store.all()), key=lambda d: str(d["id"]))
    return out, original


def soffice(*args: str, cwd: Path) -> None:
    subprocess.run(["soffice", "--headless", *args], cwd=cwd, check=True, timeout=180,
                   capture_output=True)


def formulas(ods: Path) -> list[str]:
    content = zipfile.ZipFile(ods).read("content.xml").decode()
    return [part.split('"', 1)[0] for part in content.split('table:formula="')[1:]]


needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice (soffice) is not installed")


@needs_soffice
@pytest.mark.slow
def test_libreoffice_finds_no_formula_under_any_separator(tmp_path, sample):
    _out, _ = exported(tmp_path, sample)
    # The check itself can fail: an unprotected cell is a formula for LibreOffice.
    (tmp_path / "control.csv").write_text('a,b\r\nx,"y;=2+3"\r\n=1+1,z\r\n')
    for separator, code in ((",", 44), (";", 59), ("tab", 9)):
        folder = tmp_path / f"sep{code}"
        for name in ("export.csv", "control.csv"):
            soffice("--convert-to", "ods", f"--infilter=CSV:{code},34,76,1", "--outdir",
                    str(folder), name, cwd=tmp_path)
        assert formulas(folder / "export.ods") == [], separator
        assert formulas(folder / "control.ods") != [], separator


@needs_soffice
@pytest.mark.slow
def test_a_libreoffice_resave_under_semicolons_in_windows_1252_imports_back(tmp_path, sample):
    # LibreOffice itself drops a tab inside a cell when it opens a CSV: not a note for this.
    _out, original = exported(tmp_path, sample, [n for n in ATTACKS if "\t" not in n])
    soffice("--convert-to", "ods", "--infilter=CSV:44,34,76,1", "--outdir", str(tmp_path / "o"),
            "export.csv", cwd=tmp_path)
    soffice("--convert-to", 'csv:Text - txt - csv (StarCalc):59,34,1252,1', "--outdir",
            str(tmp_path / "resaved"), str(tmp_path / "o" / "export.ods"), cwd=tmp_path)
    resaved = tmp_path / "resaved" / "export.csv"
    raw = resaved.read_bytes()
    assert raw.split(b"\n")[0].startswith(b'"id";"article";') and b"\xfa" in raw  # ; and cp1252
    with AnnotationStore(tmp_path / "t.json", "bo") as target:
        target.add_articles(sample)
        plan = import_file(target, resaved)
        assert plan.warnings == [f"{resaved}: not valid UTF-8; read as Windows-1252 (cp1252), "
                                 "as a spreadsheet re-saved on Windows writes it"]
        back = sorted((a.to_dict() for a in target.all()), key=lambda d: str(d["id"]))
    assert back == original


def rows(text: str, sep: str) -> str:
    data = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerows(data)
    return buffer.getvalue()


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_files_import(tmp_path, sample, sep):
    out, original = exported(tmp_path, sample)
    other = tmp_path / "other.csv"
    other.write_text(rows(out.read_text(encoding="utf-8-sig"), sep), encoding="utf-8")
    with AnnotationStore(tmp_path / "t.json", "bo") as target:
        target.add_articles(sample)
        assert len(import_file(target, other).added) == len(ATTACKS)
        back = sorted((a.to_dict() for a in target.all()), key=lambda d: str(d["id"]))
    assert back == original


def test_an_unknown_header_names_what_was_found(tmp_path, sample):
    bad = tmp_path / "bad.csv"
    bad.write_text("Fecha;Medio;Cita;Etiqueta\r\n1;2;3;4\r\n", encoding="utf-8")
    with AnnotationStore(tmp_path / "t.json", "bo") as target:
        with pytest.raises(InputError, match=r"line 1: not factread's CSV header: found 4 "
                                             r"columns \(Fecha, Medio, Cita, Etiqueta\)"):
            import_file(target, bad)


def test_a_separator_followed_by_a_trigger_is_protected_and_every_text_cell_quoted(tmp_path,
                                                                                   sample):
    assert protect("Ver fuente;=cmd") == "'Ver fuente;'=cmd"
    assert protect("uno,+2") == "'uno,'+2" and protect("a\t@b") == "'a\t'@b"
    assert protect("nota; normal") == "nota; normal" and protect("-1") == "'-1"
    assert protect("a\n-b") == "'a\n'-b" and protect("x;'y") == "'x;''y"
    for value in [*ATTACKS, "a\n-b", "x;'y", "';'"]:
        assert unprotect(protect(value)) == value
    out, _ = exported(tmp_path, sample)
    lines = out.read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines[0] == ",".join(f'"{c}"' for c in COLUMNS)
    first = next(csv.reader([lines[1]]))
    assert first[8] == "'Ver fuente;'=cmd|' /C calc'!A0;"
    assert ',0,10,' in lines[1]  # offsets stay numbers
