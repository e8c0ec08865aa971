"""Writing annotations out: CSV for spreadsheets, W3C Web Annotation, brat standoff, JSON Lines."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

from annotations.articles import Article
from annotations.config import DEFAULT_TAGS, TagSpec
from annotations.csvsafe import COLUMNS, SOURCE_COLUMNS, protect
from annotations.errors import InputError
from annotations.model import Annotation
from annotations.sources import reference
from annotations.storage import atomic_open, write_atomic
from annotations.store import AnnotationStore
from annotations.text import json_text
from annotations.w3c import collection, to_w3c

FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("CSV for spreadsheets (formula-safe)", "factread-export.csv"),
    "w3c": ("W3C Web Annotation collection, JSON-LD", "factread-export.w3c.json"),
    "w3c-items": ("W3C annotations as a plain array (Recogito, Annotorious)",
                  "factread-export.items.json"),
    "jsonl": ("JSON Lines, one annotation a line, lossless", "factread-export.jsonl"),
    "brat": ("brat standoff: a directory of .txt and .ann with annotation.conf",
             "factread-brat"),
}
"""Each format: what it is, and the file (or directory) the export screen proposes."""
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
    sources = {sha: tuple(protect(v) for v in source_cells(a)) for sha, a in articles.items()}
    for n, a in enumerate(anns, start=1):
        # Spelled out in COLUMNS order: the hot loop of a 100,000-row export.
        writer.writerow((a.id, protect(a.article), titles[a.article_sha256], a.article_sha256,
                         a.start, a.end, protect(a.quote), a.tag, protect(a.note),
                         ";".join(a.links), protect(a.annotator), a.created, a.modified,
                         protect(a.prefix), protect(a.suffix), *sources[a.article_sha256]))
        if progress and n % 1000 == 0:
            progress(n)


def source_cells(article: Article) -> tuple[str, str, str]:
    """url, outlet, published: what a citation needs beyond the title ("" when unknown)."""
    source = article.source
    return (source.url, source.outlet, source.published) if source else ("", "", "")


def write_jsonl(anns: Iterable[Annotation], articles: dict[str, Article], out: IO[str],
                progress: Progress | None = None) -> None:
    """The model's fields, then the article's url, outlet and published date."""
    sources = {sha: dict(zip(SOURCE_COLUMNS, source_cells(a), strict=True))
               for sha, a in articles.items()}
    for n, ann in enumerate(anns, start=1):
        out.write(json_text({**ann.to_dict(), **sources[ann.article_sha256]}) + "\n")
        if progress and n % 1000 == 0:
            progress(n)


def _w3c_items(anns: Iterable[Annotation], urls: dict[str, str], out: IO[str], indent: str,
               progress: Progress | None) -> None:
    """One annotation a line, each dumped by the C encoder: json.dump with indent runs
    the pure-Python encoder, 12.7 million small writes at 100,000 annotations."""
    anns = list(anns)
    separator = ",\n" + indent
    for at in range(0, len(anns), 1000):
        # A thousand at a time: one join and one write instead of a thousand
        chunk = separator.join([json_text(to_w3c(ann, urls[ann.article_sha256]))
                                  for ann in anns[at:at + 1000]])
        out.write((separator if at else indent) + chunk)
        if progress:
            progress(min(at + 1000, len(anns)))


def _urls(articles: dict[str, Article]) -> dict[str, str]:
    return {sha: a.source.url if a.source else "" for sha, a in articles.items()}


def write_w3c(anns: Sequence[Annotation], articles: dict[str, Article], out: IO[str],
              label: str, progress: Progress | None = None) -> None:
    """An AnnotationCollection with its one page embedded."""
    head = collection([], label)
    head["total"] = len(anns)  # the items are written one by one below, not counted there
    page = head.pop("first")
    page.pop("items")
    out.write(json_text(head)[:-1] + ', "first": ' + json_text(page)[:-1] + ', "items": [\n')
    _w3c_items(anns, _urls(articles), out, "  ", progress)
    out.write("\n]}}\n")


def write_w3c_items(anns: Sequence[Annotation], articles: dict[str, Article], out: IO[str],
                    progress: Progress | None = None) -> None:
    """A plain JSON array of annotations, each with its @context: what Recogito and
    Annotorious load directly."""
    out.write("[\n")
    _w3c_items(anns, _urls(articles), out, "", progress)
    out.write("\n]\n")


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


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
BRAT_STEM_BYTES = 200
"""A stem leaves room for ".ann" and the temp file's suffix (written whole, then renamed)
in a 255-byte file name."""


def brat_stems(articles: Sequence[Article]) -> dict[str, str]:
    """A file stem per article (by SHA-256), distinct even where names collide once their
    extensions go (a.txt, a.md and a) or differ only in case, with no dot (some readers
    take a file's stem up to its first dot), and short enough to be a file name with
    ".ann" after it."""
    stems: dict[str, str] = {}
    used: set[str] = set()
    for article in articles:
        name = article.name.replace(".", "_")
        stem = Path(article.name).stem.replace(".", "_")
        for candidate in (stem, name, f"{name}-{article.sha256[:8]}", article.sha256):
            candidate = _cut_bytes(candidate.strip("_") or article.sha256[:8])
            if candidate.casefold() not in used:
                break
        used.add(candidate.casefold())
        stems[article.sha256] = candidate
    return stems


def _cut_bytes(stem: str) -> str:
    while len(stem.encode("utf-8")) > BRAT_STEM_BYTES:
        stem = stem[:-1]
    return stem


def brat_config(tags: Sequence[TagSpec], used: Iterable[str]) -> tuple[str, str]:
    """annotation.conf and visual.conf: every tag an entity type (the configured ones and
    any other the export holds), ``link`` a symmetric relation between any two, and any
    nesting or overlap of spans allowed, as factread allows it."""
    colours = {spec.name: spec.colour for spec in tags}
    names = list(colours) + sorted(set(used) - set(colours))
    annotation = "\n".join([
        "# Written by factread: its tags, and the links between annotations.",
        "[entities]", *names, "",
        "[relations]",
        "link\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "",
        "[events]", "", "[attributes]", ""])
    visual = "\n".join([
        "[labels]", *(f"{name} | {name}" for name in names), "link | link", "",
        "[drawing]",
        "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
        "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
        *(f"{name}\tbgColor:{colours.get(name, '#999999')}" for name in names),
        "link\tcolor:#555555, dashArray:3-3", ""])
    return annotation, visual


def brat_source(article: Article) -> str:
    """The comment that cites a web article's source in brat ("" for a text file)."""
    if article.source is None:
        return ""
    return _one_line("source: " + reference(article.title, article.name, article.source))


def write_brat(anns: Sequence[Annotation], articles: dict[str, Article],
               directory: Path, tags: Sequence[TagSpec] = DEFAULT_TAGS) -> ExportResult:
    """NAME.txt (the normalised text) and NAME.ann per article, with annotation.conf and
    visual.conf so that brat and the tools that read its projects know every type."""
    directory.mkdir(parents=True, exist_ok=True)
    result = ExportResult(len(anns))
    by_article: dict[str, list[Annotation]] = {}
    for ann in anns:
        by_article.setdefault(ann.article_sha256, []).append(ann)
    stems = brat_stems([articles[sha] for sha in by_article])
    located = {a.id: a for a in anns}
    for sha, group in by_article.items():
        article = articles[sha]
        stem = stems[sha]
        if stem != Path(article.name).stem:
            result.warnings.append(f"{article.name}: written as {stem}.txt and {stem}.ann "
                                   "(its name would collide with another or is too long)")
        if _ASTRAL.search(article.text):
            result.warnings.append(
                f"{article.name}: has characters outside the BMP (emoji and the like); brat "
                "offsets here count code points, which INCEpTION reads as UTF-16 units, so "
                "spans after them shift there")
        t_of = {ann.id: f"T{n}" for n, ann in enumerate(group, start=1)}
        lines: list[str] = []
        notes = 0
        relations = 0
        cited = brat_source(article)
        for ann in group:
            fragments = _brat_fragments(article.text, ann.start, ann.end)
            spans = ";".join(f"{s} {e}" for s, e in fragments)
            quote = " ".join(article.text[s:e] for s, e in fragments)
            lines.append(f"{t_of[ann.id]}\t{ann.tag} {spans}\t{quote}")
            if cited:  # brat has no note on a document: the source rides on its first span
                notes += 1
                lines.append(f"#{notes}\tAnnotatorNotes {t_of[ann.id]}\t{cited}")
                cited = ""
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
                                 f"{_one_line(target)} annotation {link}{quote}")
                    result.warnings.append(
                        f"{article.name}: a link from {t_of[ann.id]} to {target} cannot be "
                        "expressed in brat; kept as an AnnotatorNotes comment")
        txt, ann_file = directory / f"{stem}.txt", directory / f"{stem}.ann"
        write_atomic(txt, article.text.encode("utf-8"))
        write_atomic(ann_file, ("\n".join(lines) + "\n").encode("utf-8"))
        result.files += [txt, ann_file]
    annotation, visual = brat_config(tags, {a.tag for a in anns})
    for name, content in (("annotation.conf", annotation), ("visual.conf", visual)):
        write_atomic(directory / name, content.encode("utf-8"))
        result.files.append(directory / name)
    return result


def export(store: AnnotationStore, fmt: str, out: Path | None, *, article: str | None = None,
           tag: str | None = None, stdout: BinaryIO | None = None,
           progress: Progress | None = None,
           tags: Sequence[TagSpec] = DEFAULT_TAGS) -> ExportResult:
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
        return write_brat(anns, store.articles, out, tags)
    result = ExportResult(len(anns))

    def write(binary: BinaryIO) -> None:
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="", write_through=False)
        if fmt == "csv":
            write_csv(anns, store.articles, text, progress)
        elif fmt == "jsonl":
            write_jsonl(anns, store.articles, text, progress)
        elif fmt == "w3c-items":
            write_w3c_items(anns, store.articles, text, progress)
        else:
            write_w3c(anns, store.articles, text, f"factread annotations from {store.path.name}", progress)
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
