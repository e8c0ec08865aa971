"""Articles: files on disk to normalised, identified text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from annotations.errors import InputError
from annotations.model import MAX_NAME, MAX_NAME_BYTES, SURROGATE_RE, UNSAFE_NAME_RE
from annotations.sources import Source
from annotations.text import decode_article, display_line, sha256_hex, title_of

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
ARTICLE_SUFFIXES = (".txt", ".md", *HTML_SUFFIXES)
MAX_ARTICLE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Article:
    name: str
    """File name (no directory): what people call the article."""
    text: str
    """Normalised text (see ``annotations.text.normalise``)."""
    sha256: str
    title: str
    source: Source | None = None
    """Outlet, URL and dates of an article from the web; None for a text file."""

    @classmethod
    def from_text(cls, name: str, text: str, source: Source | None = None) -> Article:
        """``text`` must already be normalised. Its title is its first line (a web page's
        text starts with its headline)."""
        return cls(name=name, text=text, sha256=sha256_hex(text), title=title_of(text, name),
                   source=source)

    @property
    def origin(self) -> str:
        """Where it comes from, beside its title in a title bar or list: the outlet and
        date of a web article, the file name of a text."""
        if self.source is None:
            return self.name
        return ", ".join(p for p in (self.source.outlet, self.source.published) if p) \
            or self.name


@dataclass
class LoadResult:
    articles: list[Article] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def safe_name(raw: str) -> str:
    """A file name as factread stores it: what ``name_problem`` accepts, as close to the
    original as it can be. Bytes that were not UTF-8 (Python hands them over as lone
    surrogates) become U+FFFD, controls and bidi characters their visible symbols, a path
    separator a look-alike, and a name too long is cut in the middle, keeping its ending."""
    try:
        name = raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        name = raw
    name = SURROGATE_RE.sub("\ufffd", name)
    if UNSAFE_NAME_RE.search(name):  # controls, bidi, separators: their visible symbols
        name = UNSAFE_NAME_RE.sub(lambda m: display_line(m.group()), name)
    name = name.replace("/", "\u2215").replace("\\", "\u29f5")
    if name in ("", ".", ".."):
        name = "article"
    if not _fits(name):
        stem, dot, suffix = name.rpartition(".")
        ending = dot + suffix if stem and len(suffix) <= 8 else ""
        head = name[: len(name) - len(ending)]
        while head and not _fits(head + "…" + ending):
            head = head[:-1]
        name = head + "…" + ending
    return name


def _fits(name: str) -> bool:
    return len(name) <= MAX_NAME and len(name.encode("utf-8")) <= MAX_NAME_BYTES


def load_article(path: Path) -> tuple[Article, str | None]:
    """A text file, or a web page saved to disk (``.html``), and a warning if any."""
    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise InputError(f"{path}: {size} bytes, more than the {MAX_ARTICLE_BYTES} allowed")
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from None
    if path.suffix.lower() in HTML_SUFFIXES:
        from annotations.webpages import article_from_html  # trafilatura only for a page

        return article_from_html(data, safe_name(path.name), display_line(str(path))), None
    text, warning = decode_article(data, display_line(str(path)))
    return Article.from_text(safe_name(path.name), text), warning


def expand_path(path: Path) -> list[Path]:
    """A file as given, a directory as its .txt, .md and .html files sorted by name."""
    if path.is_dir():
        found = sorted(
            (p for p in path.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES),
            key=lambda p: p.name,
        )
        if not found:
            raise InputError(f"{path}: directory holds no .txt, .md or .html files")
        return found
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    return [path]


def load_paths(paths: Sequence[Path]) -> LoadResult:
    """Every article that can be read; one error line for each that cannot, in order."""
    result = LoadResult()
    seen: set[tuple[str, str]] = set()
    for path in (f for given in paths for f in _expand_or_report(given, result.errors)):
        try:
            article, warning = load_article(path)
        except InputError as err:
            result.errors.append(str(err))
            continue
        if warning:
            result.warnings.append(warning)
        if (article.name, article.sha256) not in seen:
            seen.add((article.name, article.sha256))
            result.articles.append(article)
    return result


def _expand_or_report(path: Path, errors: list[str]) -> list[Path]:
    try:
        return expand_path(path)
    except InputError as err:
        errors.append(str(err))
        return []


def resolve_path(given: str) -> Path:
    """An article named on the command line: a path if there is one; else a bundled sample
    article by its file name (``000_9f74428a1fed262a.txt``) or its title, so the samples
    need no installed package path; else the path as given (opening it says what is
    wrong)."""
    path = Path(given)
    if path.exists() or len(path.parts) > 1:
        return path
    for bundled in bundled_paths():
        if bundled.name == given:
            return bundled
    wanted = given.casefold().strip()
    for bundled in bundled_paths():
        try:
            article, _ = load_article(bundled)
        except InputError:
            continue
        title = article.title.casefold()
        # A long title is its first line cut with "…": the whole first line names it too
        if wanted == title or (title.endswith("…") and wanted.startswith(title[:-1])):
            return bundled
    return path


def bundled_paths() -> list[Path]:
    """The sample articles shipped with the package, in file-name order."""
    sample = resources.files("annotations") / "sample"
    return sorted((Path(str(p)) for p in sample.iterdir() if p.name.endswith(".txt")),
                  key=lambda p: p.name)
