"""Writing annotations out: CSV for spreadsheets, W3C Web Annotation, brat standoff, JSON Lines."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

from annotations.articles import Article
from annotations.csvsafe import COLUMNS, protect
from annotations.errors import InputError
from annotations.model import Annotation
from annotations.storage import atomic_open
from annotations.store import AnnotationStore
from annotations.text import json_text
from annotations.w3c import collection, to_w3c

FORMATS = ("csv", "w3c", "brat", "jsonl")
Progress = Callable[[int], None]
"""Called with the number of annotations written so far."""


@dataclass
class ExportResult:
    count: int
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def select(store: AnnotationStore, article: str | None = None,
           tag: str | None = None) -> list[Annotation]:
    """The annotations to export, in article then position order."""
    anns = store.all()
    if article is not None:
        shas = {a.sha256 for a in store.articles.values() if article in (a.name, a.sha256)}
        if not shas:
            names = ", ".join(sorted({a.name for a in store.articles.values()})) or "none"
            raise InputError(f"--article {article!r}: no such article in {store.path.name} "
                             f"(articles: {names})")
        anns = [a for a in anns if a.article_sha256 in shas]
    if tag is not None:
        anns = [a for a in anns if a.tag == tag]
    return anns


def write_csv(anns: Sequence[Annotation], articles: dict[str, Article], out: IO[str],
              progress: Progress | None = None) -> None:
    """UTF-8 with BOM (Excel), RFC 4180, CRLF row ends, formula-safe text cells. Every text
    cell is quoted (the offsets are not): a spreadsheet told to split on ';' or tab keeps a
    quoted cell whole, so a separator inside a note never starts a new cell there."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(COLUMNS)
    titles = {sha: protect(a.title) for sha, a in articles.items()}
    for n, a in enumerate(anns, start=1):
        # Spelled out in COLUMNS order: the hot loop of a 100,000-row export.
        writer.writerow((a.id, protect(a.article), titles[a.article_sha256], a.article_sha256,
                         a.start, a.end, protect(a.quote), a.tag, protect(a.note),
                         ";".join(a.links), protect(a.annotator), a.created, a.modified,
                         protect(a.prefix), protect(a.suffix)))
        if progress and n % 1000 == 0:
            progress(n)


def write_jsonl(anns: Iterable[Annotation], out: IO[str],
                progress: Progress | None = None) -> None:
    for n, ann in enumerate(anns, start=1):
        out.write(json_text(ann.to_dict()) + "\n")
        if progress and n % 1000 == 0:
            progress(n)


def write_w3c(anns: Sequence[Annotation], out: IO[str], label: str) -> None:
    out.write(json_text(collection([to_w3c(a) for a in anns], label), indent=1))
    out.write("\n")


def _brat_fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """brat spans cannot cross a newline: split into fragments around them."""
    fragments = []
    at = start
    for piece in text[start:end].split("\n"):
        if piece:
            fragments.append((at, at + len(piece)))
        at += len(piece) + 1
    return fragments


def _one_line(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ").replace("\t", " ")


def write_brat(anns: Sequence[Annotation], articles: dict[str, Article],
               directory: Path) -> ExportResult:
    """NAME.txt (the normalised text) and NAME.ann per article."""
    directory.mkdir(parents=True, exist_ok=True)
    result = ExportResult(len(anns))
    by_article: dict[str, list[Annotation]] = {}
    for ann in anns:
        by_article.setdefault(ann.article_sha256, []).append(ann)
    names = [a.name for a in articles.values()]
    located = {a.id: a for a in anns}
    for sha, group in by_article.items():
        article = articles[sha]
        stem = Path(article.name).stem
        if names.count(article.name) > 1:  # two versions of one article
            stem = f"{stem}-{sha[:8]}"
        t_of = {ann.id: f"T{n}" for n, ann in enumerate(group, start=1)}
        lines: list[str] = []
        notes = 0
        relations = 0
        for ann in group:
            fragments = _brat_fragments(article.text, ann.start, ann.end)
            spans = ";".join(f"{s} {e}" for s, e in fragments)
            quote = " ".join(article.text[s:e] for s, e in fragments)
            lines.append(f"{t_of[ann.id]}\t{ann.tag} {spans}\t{quote}")
            if ann.note:
                notes += 1
                lines.append(f"#{notes}\tAnnotatorNotes {t_of[ann.id]}\t{_one_line(ann.note)}")
        for ann in group:
            for link in ann.links:
                other = located.get(link)
                if other is not None and other.article_sha256 == sha:
                    if ann.id < link:  # once per pair
                        relations += 1
                        lines.append(f"R{relations}\tlink Arg1:{t_of[ann.id]} "
                                     f"Arg2:{t_of[link]}")
                else:
                    notes += 1
                    target = other.article if other else "another article"
                    quote = f' "{_one_line(other.quote)}"' if other else ""
                    lines.append(f"#{notes}\tAnnotatorNotes {t_of[ann.id]}\tlinked to "
                                 f"{target} annotation {link}{quote}")
                    result.warnings.append(
                        f"{article.name}: a link from {t_of[ann.id]} to {target} cannot be "
                        "expressed in brat; kept as an AnnotatorNotes comment")
        txt, ann_file = directory / f"{stem}.txt", directory / f"{stem}.ann"
        txt.write_text(article.text, encoding="utf-8", newline="\n")
        ann_file.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
        result.files += [txt, ann_file]
    return result


def export(store: AnnotationStore, fmt: str, out: Path | None, *, article: str | None = None,
           tag: str | None = None, stdout: BinaryIO | None = None,
           progress: Progress | None = None) -> ExportResult:
    """Write ``fmt`` to ``out`` (a file, or a directory for brat) or to ``stdout``.

    Files are written whole to a temp file and renamed, so a failed export never leaves
    a half-written file behind."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: not one of {', '.join(FORMATS)}")
    anns = select(store, article, tag)
    if fmt == "brat":
        if out is None:
            raise InputError("--format brat writes a .txt and a .ann per article: give --out DIR")
        if out.exists() and not out.is_dir():
            raise InputError(f"{out}: not a directory (brat writes one .txt and .ann per article)")
        return write_brat(anns, store.articles, out)
    result = ExportResult(len(anns))

    def write(binary: BinaryIO) -> None:
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="", write_through=False)
        if fmt == "csv":
            write_csv(anns, store.articles, text, progress)
        elif fmt == "jsonl":
            write_jsonl(anns, text, progress)
        else:
            write_w3c(anns, text, f"factread annotations from {store.path.name}")
        text.flush()
        text.detach()

    if out is None:
        assert stdout is not None
        write(stdout)
        stdout.flush()
        return result
    try:
        with atomic_open(out) as handle:
            write(handle)
    except OSError as err:
        raise InputError(f"{out}: cannot write ({err.strerror or err})") from None
    result.files.append(out)
    return result
