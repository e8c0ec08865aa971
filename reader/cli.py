"""The ``factread`` command line. Only the reading screen imports Textual."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotations.errors import FactreadError, InputError

if TYPE_CHECKING:
    from annotations.articles import Article, LoadResult
    from annotations.config import TagSpec
    from annotations.review import ReviewSession
    from annotations.store import AnnotationStore
from annotations.defaults import default_annotator, default_db_path

# Commands that change the file wait this long (seconds, FACTREAD_LOCK_WAIT) for another
# short-lived factread (a script's ``add``) to let go of it; the reading screen holds it
# for hours and is reported at once.
CLI_LOCK_WAIT = 10.0


def _lock_wait() -> float:
    try:
        return max(0.0, float(os.environ.get("FACTREAD_LOCK_WAIT", CLI_LOCK_WAIT)))
    except ValueError:
        return CLI_LOCK_WAIT

Handler = Callable[[argparse.Namespace], int]


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not 1 or more")
    return number


def _db_user(parser: argparse.ArgumentParser, user: bool = True) -> None:
    parser.add_argument("--db", metavar="FILE",
                        help="annotation file (default: $FACTREAD_DB or ./factread.json)")
    if user:
        parser.add_argument("--user", metavar="NAME",
                            help="annotator name (default: $FACTREAD_USER or the login name)")


def say_waiting(path: Path) -> Callable[[str], None]:
    """What a command says on stderr while another factread holds the file."""
    from annotations.text import display_line

    def waiting(holder: str) -> None:
        print(f"factread: waiting for factread (pid {holder}) to close "
              f"{display_line(path.name)}…", file=sys.stderr, flush=True)

    return waiting


def _open_store(args: argparse.Namespace, *, read_only: bool = False) -> AnnotationStore:
    from annotations.store import AnnotationStore

    path = default_db_path(args.db)
    return AnnotationStore(path, default_annotator(getattr(args, "user", None)),
                           read_only=read_only, lock_wait=_lock_wait(),
                           on_wait=say_waiting(path))


def _warn(warnings: Sequence[str]) -> None:
    from annotations.text import display_line

    for warning in warnings:
        print(f"factread: warning: {display_line(warning)}", file=sys.stderr)


# ------------------------------------------------------------------ commands
def cmd_open(args: argparse.Namespace) -> int:
    from annotations.articles import bundled_paths, load_paths

    db = default_db_path(args.db)
    loaded = (_load_given(args.paths, args.refresh, _stored_articles(db, args.paths))
              if args.paths else load_paths(bundled_paths()))
    if not loaded.articles:
        from annotations.text import display_line

        for message in loaded.errors:
            print(f"factread: {display_line(message)}", file=sys.stderr)
        return 1
    tags, keymap = _screen_config()
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError("the reading screen needs a terminal (standard input and output); "
                         "scripts use factread add, list and export")
    from reader.app import run_app  # Textual is imported only here

    return run_app(loaded, tags, keymap, db=db, annotator=default_annotator(args.user))


def _say(line: str) -> None:
    print(f"factread: {line}", file=sys.stderr, flush=True)


def _stored_articles(db: Path, given: Sequence[str]) -> dict[str, Article]:
    """The articles the file holds, when a URL is given: one it holds is not fetched again.
    Only the articles are read (see ``storage.read_articles``); a file that cannot be read
    is said when it is opened."""
    from annotations.webpages import looks_like_url

    if not any(looks_like_url(g) for g in given):
        return {}
    from annotations.storage import read_articles

    try:
        return read_articles(db)
    except (InputError, OSError):
        return {}


def _load_given(given: Sequence[str], refresh: bool,
                known: dict[str, Article] | None = None) -> LoadResult:
    from annotations.webpages import load_given

    return load_given(given, known, refresh=refresh, say=_say)


def _screen_config() -> tuple[tuple[TagSpec, ...], dict[str, str]]:
    """The tags and remapped keys of the reading screen, read once; a bad config is said
    before anything else, with or without a terminal."""
    from annotations.config import load_keys, load_tags

    return load_tags(), load_keys()


def cmd_add(args: argparse.Namespace) -> int:
    from annotations.articles import load_article, resolve_path
    from annotations.config import load_tags
    from annotations.model import MAX_NOTE, check_text
    from annotations.search import find_exact
    from annotations.text import normalise
    from annotations.webpages import looks_like_url

    tags = {spec.name for spec in load_tags()}
    if args.tag not in tags:
        raise InputError(f"--tag {args.tag!r}: unknown tag (known: {', '.join(sorted(tags))})")
    quote = check_text("--quote", normalise(args.quote), MAX_NOTE)
    if not quote:
        raise InputError("--quote: empty")
    check_text("--note", args.note or "", MAX_NOTE)
    with _open_store(args) as store:
        path = Path(args.article)
        stored = (store.article_named(path.name)
                  if not path.exists() and not looks_like_url(args.article) else None)
        if stored is not None:
            article = stored
        else:
            if looks_like_url(args.article):
                loaded = _load_given([args.article], args.refresh, store.articles)
                if loaded.errors:
                    raise InputError(loaded.errors[0])
                article = loaded.articles[0]
            else:  # a path, or a bundled sample by file name or title
                article, warning = load_article(resolve_path(args.article))
                if warning:
                    print(f"factread: warning: {warning}", file=sys.stderr)
            from annotations.anchoring import move_to_new_versions

            moved = move_to_new_versions(store, [article])
            if moved.change.pairs:
                store.apply(moved.change)
            if moved.moved or moved.unplaced:
                _warn([moved.message().replace(" (listed in the panel, a)", "")])
        matches = find_exact(article.text, quote)
        if len(matches) < args.nth:
            found = f"only {len(matches)} time(s)" if matches else "nowhere"
            raise InputError(f"{args.article}: the quote {quote[:60]!r} occurs {found}; "
                             f"--nth {args.nth} asked for")
        start = matches[args.nth - 1]
        ann = store.add(article, start, start + len(quote), args.tag, args.note or "")
    # Printed once the change is durable: a script that sees no id may retry safely.
    print(ann.id)
    _warn(store.warnings)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with _open_store(args, read_only=True) as store:
        anns = store.all()
        titles = {sha: a.name for sha, a in store.articles.items()}
    from annotations.text import display_line, json_text, tsv_cell

    if args.json:
        out = sys.stdout
        for ann in anns:
            out.write(json_text(ann.to_dict()) + "\n")
        return 0
    if not sys.stdout.isatty():
        # Escaped as JSON escapes strings: a tab or newline in a name, quote or note never
        # adds a column or a line.
        for ann in anns:
            cells = [ann.id, tsv_cell(titles[ann.article_sha256]), str(ann.start), str(ann.end),
                     ann.tag, tsv_cell(ann.quote), tsv_cell(ann.note)]
            print("\t".join(cells))
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"{display_line(str(store.path))}: {len(anns)} annotations"),
                  title_justify="left")
    for column in ("id", "article", "span", "tag", "quote", "note", "links"):
        table.add_column(column, overflow="fold")
    for ann in anns:
        table.add_row(Text(ann.id[:8]), Text(display_line(titles[ann.article_sha256])),
                      Text(f"{ann.start}-{ann.end}"), Text(ann.tag),
                      Text(display_line(ann.quote)), Text(display_line(ann.note)),
                      Text(str(len(ann.links)) if ann.links else ""))
    Console(highlight=False).print(table)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from annotations.store import AnnotationStore

    # Every record checked, even where a snapshot of the file would have said it passed.
    store = AnnotationStore(Path(args.file), "check", read_only=True, snapshot=False)
    articles, anns = len(store.articles), len(store)
    from annotations.text import display_line

    print(f"{display_line(args.file)}: {articles} article{'s' * (articles != 1)}, "
          f"{anns} annotation{'s' * (anns != 1)}")
    return 0


PROGRESS_OVER = 10_000
"""Exports and imports of more annotations than this show a progress bar on a terminal."""


class ProgressBar:
    """A Rich progress bar on stderr, only for more than PROGRESS_OVER items on a terminal."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._bar: Any = None
        self._task: Any = None

    def update(self, done: int, total: int) -> None:
        if self._bar is None:
            if total <= PROGRESS_OVER or not sys.stderr.isatty():
                return
            from rich.progress import Progress

            self._bar = Progress(transient=True, console=_stderr())
            self._task = self._bar.add_task(self.what, total=total)
            self._bar.start()
        self._bar.update(self._task, completed=done)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _stderr() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def cmd_export(args: argparse.Namespace) -> int:
    from annotations.config import load_tags
    from annotations.export import export, select
    from annotations.text import display, display_line

    # On a terminal, what is shown goes through the display helper (a note's escape
    # sequences must not act on it); in a pipe or a file the bytes are exact.
    shown = args.out is None and sys.stdout.isatty()
    target = io.BytesIO() if shown else sys.stdout.buffer
    with _open_store(args, read_only=True) as store:
        if args.tag is not None:
            known = {spec.name for spec in load_tags()} | {a.tag for a in store.all()}
            if args.tag not in known:
                raise InputError(f"--tag {args.tag!r}: no such tag in the file or the config "
                                 f"(tags: {', '.join(sorted(known))})")
        total = len(select(store, args.article, args.tag))
        bar = ProgressBar(f"exporting {args.format}")
        try:
            result = export(store, args.format, Path(args.out) if args.out else None,
                            article=args.article, tag=args.tag, stdout=target,
                            progress=lambda done: bar.update(done, total), tags=load_tags())
        finally:
            bar.stop()
    if shown:
        assert isinstance(target, io.BytesIO)
        text = target.getvalue().decode("utf-8").lstrip("\ufeff").replace("\r\n", "\n")
        sys.stdout.write(display(text))
        sys.stdout.flush()

    for warning in result.warnings:
        print(f"factread: warning: {display_line(warning)}", file=sys.stderr)
    if result.files:
        where = args.out if args.format == "brat" else result.files[0]
        print(f"exported {result.count} annotations to {display_line(str(where))}",
              file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from annotations.config import load_tags
    from annotations.importing import import_file
    from annotations.text import display_line

    with _open_store(args) as store:
        given = []
        if args.articles:
            loaded = _load_given(args.articles, args.refresh, store.articles)
            if loaded.errors:
                raise InputError(loaded.errors[0])
            _warn(loaded.warnings)
            given = loaded.articles
        bar = ProgressBar("importing")
        try:
            plan = import_file(store, Path(args.file), args.max_bytes, bar.update,
                               tuple(spec.name for spec in load_tags()), given)
        finally:
            bar.stop()
    _warn(plan.warnings + store.warnings)
    if plan.unplaced and not plan.added and not plan.present:
        articles = len(store.articles)
        first = plan.unplaced[0][1]
        raise InputError(f"{args.file}: none of its {len(plan.unplaced)} annotations fits an "
                         f"article of {store.path.name} ({articles} articles; first: {first}); "
                         "name the articles they are about: factread import FILE --articles "
                         "PATH…")
    print(f"imported {len(plan.added)} annotations into {store.path.name}"
          + (f"; {plan.present} already there" if plan.present else ""))
    if plan.links_dropped:
        print(f"factread: {plan.links_dropped} links point to annotations in neither file "
              "and were left out", file=sys.stderr)
    if plan.skipped:
        print(f"factread: {len(plan.skipped)} records are not annotations of a text (page "
              "notes, replies) and were skipped:", file=sys.stderr)
        for where, why in plan.skipped:
            print(f"  {display_line(where)}: {display_line(why)}", file=sys.stderr)
    if plan.unplaced:
        print(f"factread: {len(plan.unplaced)} annotations could not be placed on any "
              "article and were not imported:", file=sys.stderr)
        for where, why in plan.unplaced:
            print(f"  {display_line(where)}: {display_line(why)}", file=sys.stderr)
    return 0


def _open_theirs(theirs_path: Path, mine_path: Path) -> AnnotationStore:
    """A colleague's file, read-only; refused if it is my own file (a decision on it would
    then write to the file that is promised to stay untouched)."""
    from annotations.store import AnnotationStore

    if theirs_path.resolve() == mine_path.resolve():
        raise InputError(f"{theirs_path}: is the same file as {mine_path}")
    return AnnotationStore(theirs_path, "review", read_only=True)


def cmd_agree(args: argparse.Namespace) -> int:
    from annotations.agreement import agreement
    from annotations.review import ReviewSession
    from annotations.store import AnnotationStore

    theirs = _open_theirs(Path(args.theirs), Path(args.mine))
    mine = AnnotationStore(Path(args.mine), "agree", read_only=True)
    session = ReviewSession(mine, theirs, classify=False)
    lengths = {a.sha256: len(a.text) for a in session.articles}
    figures = agreement([(a.article_sha256, a.start, a.end, a.tag) for a in mine.all()],
                        [(a.article_sha256, a.start, a.end, a.tag) for a in session.placed],
                        lengths)
    if session.orphans:
        print(f"factread: {len(session.orphans)} of their annotations could not be placed on "
              "my articles and are left out", file=sys.stderr)
    if args.json or not sys.stdout.isatty():
        print(json.dumps(figures, ensure_ascii=False, indent=None if not args.json else 1))
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from annotations.text import display_line

    def cell(value: float | int | None) -> str:
        return "—" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)

    table = Table(title=Text(f"agreement: {display_line(args.mine)} (mine) vs "
                             f"{display_line(args.theirs)} (theirs)"), title_justify="left")
    columns = ("mine", "theirs", "exact_matches", "exact_f1", "overlap_f1", "alpha_u")
    table.add_column("tag")
    for column in columns:
        table.add_column(column, justify="right")
    for tag, row in figures["tags"].items():
        table.add_row(tag, *(cell(row[c]) for c in columns))
    table.add_row("overall", *(cell(figures["overall"][c]) for c in columns), style="bold")
    console = Console(highlight=False)
    console.print(table)
    console.print(f"Cohen's kappa on the tags of overlapping pairs: {cell(figures['kappa'])}")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from annotations.articles import LoadResult

    db = default_db_path(args.db)
    theirs_path = Path(args.theirs)
    if theirs_path.resolve() == db.resolve():
        raise InputError(f"{theirs_path}: is the same file as {db}")
    if not theirs_path.exists():
        raise InputError(f"{theirs_path}: no such file")
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        _open_theirs(theirs_path, db)  # a bad colleague's file is said first, as on screen
        raise InputError("the review screen needs a terminal (standard input and output); "
                         "scripts use factread agree")
    from annotations.preview import Preview

    # The texts both files hold, read without their annotations so that the screen shows
    # them while both files open: by a child while the screen's modules load.
    reading = Preview.start(db, theirs_path)
    from reader.app import run_app

    preview = reading.take()

    def session(mine: AnnotationStore) -> ReviewSession:
        from annotations.review import ReviewSession  # on the opener's thread

        return ReviewSession(mine, _open_theirs(theirs_path, db))

    tags, keymap = _screen_config()
    return run_app(LoadResult(), tags, keymap, db=db, annotator=default_annotator(args.user),
                   review=session, preview=preview, lock_wait=_lock_wait(),
                   on_wait=say_waiting(db))


def _build_agree(p: argparse.ArgumentParser) -> None:
    p.add_argument("mine", metavar="MINE", help="my annotation file")
    p.add_argument("theirs", metavar="THEIRS", help="the colleague's annotation file")
    p.add_argument("--json", action="store_true",
                   help='print {"overall": {...}, "tags": {...}, "kappa": ...}')


def _build_review(p: argparse.ArgumentParser) -> None:
    p.add_argument("theirs", metavar="THEIRS", help="the colleague's annotation file (read only)")
    _db_user(p)


def _build_export(p: argparse.ArgumentParser) -> None:
    from annotations.export import FORMATS

    p.add_argument("--format", required=True, choices=list(FORMATS),
                   help="; ".join(f"{fmt}: {what}" for fmt, (what, _) in FORMATS.items()))
    p.add_argument("--out", metavar="PATH",
                   help="file to write (directory for brat); default: standard output")
    p.add_argument("--article", metavar="NAME", help="only this article (file name)")
    p.add_argument("--tag", metavar="TAG", help="only this tag")
    _db_user(p, user=False)


def _build_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE",
                   help="a factread file (.json), factread CSV (.csv), JSON Lines (.jsonl) or "
                        "W3C Web Annotation JSON (.json)")
    p.add_argument("--max-bytes", type=_positive, default=100 * 1024 * 1024, metavar="N",
                   help="refuse larger files (default 100 MB)")
    p.add_argument("--articles", nargs="+", metavar="PATH",
                   help="the articles the rows are about (files, directories, URLs), when "
                        "the annotation file does not hold them yet")
    _refresh(p)
    _db_user(p)


def _refresh(p: argparse.ArgumentParser) -> None:
    p.add_argument("--refresh", action="store_true",
                   help="fetch URLs again even when the file holds them (annotations move to "
                        "the new version)")


# ------------------------------------------------------------------ parsers
def _build_add(p: argparse.ArgumentParser) -> None:
    p.add_argument("article", metavar="ARTICLE",
                   help="article file or http(s) URL (or the name of an article already in "
                        "the file)")
    p.add_argument("--quote", required=True, metavar="TEXT", help="exact text to annotate")
    p.add_argument("--tag", required=True, metavar="TAG", help="claim, unverified, contradiction…")
    p.add_argument("--note", metavar="TEXT", help="a note on the annotation")
    p.add_argument("--nth", type=_positive, default=1, metavar="N",
                   help="which occurrence of the quote (default 1)")
    _refresh(p)
    _db_user(p)


def _build_list(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true",
                   help="one JSON object per annotation and line, with the model's field names")
    _db_user(p, user=False)


def _build_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="annotation file to check")


def _articles_of(paths: Sequence[str], what: str) -> list[Article]:
    from annotations.text import display_line

    loaded = _load_given(paths, False)
    for message in loaded.errors:
        print(f"factread: {display_line(message)}", file=sys.stderr)
    if not loaded.articles:
        raise InputError(f"{what}: no article could be read")
    return loaded.articles


def cmd_related(args: argparse.Namespace) -> int:
    from annotations.articles import resolve_path
    from annotations.crosscheck import Index
    from annotations.search import find_exact
    from annotations.text import display_line, json_text, normalise

    loaded = _load_given([args.article], False)
    if loaded.errors:
        raise InputError(loaded.errors[0])
    _warn(loaded.warnings)
    article = loaded.articles[0]
    quote = normalise(args.quote)
    matches = find_exact(article.text, quote) if quote else []
    if len(matches) < args.nth:
        found = f"only {len(matches)} time(s)" if matches else "nowhere"
        raise InputError(f"{args.article}: the quote {quote[:60]!r} occurs {found}; "
                         f"--nth {args.nth} asked for")
    start = matches[args.nth - 1]
    from annotations.webpages import looks_like_url

    if not args.others and looks_like_url(args.article):
        raise InputError(f"{args.article}: name the articles to compare it with (OTHER …)")
    others = [a for a in _articles_of(args.others or [str(resolve_path(args.article).parent)],
                                      "OTHER") if a.sha256 != article.sha256]
    index = Index(others)
    rows = index.rank(article, start, start + len(quote), top=args.top,
                      exclude=article.sha256)
    for row in rows:
        passage = row.passage
        record = {"article": passage.article.name, "start": passage.start, "end": passage.end,
                  "text": passage.text, "score": round(row.score, 3),
                  "flags": [flag.as_json() for flag in row.flags]}
        if args.json:
            print(json_text(record))
        else:
            flags = "; ".join(f"{f.severity} {f.kind}: {f.why}" for f in row.flags)
            print(f"{row.score:6.2f}  {display_line(passage.article.name)} "
                  f"{passage.start}-{passage.end}  {display_line(passage.text[:160])}"
                  + (f"\n        {display_line(flags)}" if flags else ""))
    return 0


def cmd_disagreements(args: argparse.Namespace) -> int:
    from annotations.crosscheck import disagreements
    from annotations.text import display_line, json_text

    articles = _articles_of(args.paths, "PATH")
    for found in disagreements(articles):
        if args.json:
            print(json_text({
                "kind": found.kind, "severity": found.severity, "why": found.why,
                "a": {"article": found.a.article.name, "start": found.a.start,
                      "end": found.a.end, "text": found.a.text},
                "b": {"article": found.b.article.name, "start": found.b.start,
                      "end": found.b.end, "text": found.b.text}}))
        else:
            print(f"{found.severity} {found.kind}: {display_line(found.why)}\n"
                  f"  {display_line(found.a.article.name)}: {display_line(found.a.text[:150])}\n"
                  f"  {display_line(found.b.article.name)}: {display_line(found.b.text[:150])}")
    return 0


def _build_related(p: argparse.ArgumentParser) -> None:
    p.add_argument("article", metavar="ARTICLE", help="the article the quote is in")
    p.add_argument("others", nargs="*", metavar="OTHER",
                   help="articles or directories to search (default: ARTICLE's directory); "
                        "ARTICLE itself is left out")
    p.add_argument("--quote", required=True, metavar="TEXT", help="the passage asked about")
    p.add_argument("--nth", type=_positive, default=1, metavar="N",
                   help="which occurrence of the quote (default 1)")
    p.add_argument("--top", type=_positive, default=5, metavar="K",
                   help="how many passages (default 5)")
    p.add_argument("--json", action="store_true", help="one JSON object per line, best first")


def _build_disagreements(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="articles or directories")
    p.add_argument("--json", action="store_true", help="one JSON object per line")


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {
    "add": ("annotate the Nth occurrence of a quote in an article (for scripts)",
            _build_add, cmd_add),
    "list": ("list the annotations in the file", _build_list, cmd_list),
    "check": ("check that a file is a valid factread file", _build_check, cmd_check),
    "export": ("write the annotations as CSV, W3C Web Annotation, brat or JSON Lines",
               _build_export, cmd_export),
    "import": ("add the annotations of another file (factread, CSV, JSON Lines, W3C)",
               _build_import, cmd_import),
    "review": ("review a colleague's file against mine: disagreements, accept, reject",
               _build_review, cmd_review),
    "agree": ("agreement figures between two files (F1, Krippendorff's alpha_u, kappa)",
              _build_agree, cmd_agree),
    "related": ("the passages of other reports that speak of a quote, with what disagrees",
                _build_related, cmd_related),
    "disagreements": ("candidate contradictions across reports: counts, dates, statuses",
                      _build_disagreements, cmd_disagreements),
}


def _open_parser() -> argparse.ArgumentParser:
    commands = "\n".join(f"  {name:<8} {help_text}" for name, (help_text, _, _) in COMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="factread",
        description="Read articles side by side and annotate claims, unverified statements "
                    "and contradictions. With no PATH, opens the bundled sample articles.",
        epilog=f"commands (factread COMMAND --help):\n{commands}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="article files (.txt, .md, .html), directories of them, or "
                             "http(s) URLs of news pages")
    _refresh(parser)
    _db_user(parser)
    return parser


def build_parser(argv: Sequence[str]) -> tuple[argparse.ArgumentParser, Handler]:
    if argv and argv[0] in COMMANDS:
        help_text, build, handler = COMMANDS[argv[0]]
        parser = argparse.ArgumentParser(prog=f"factread {argv[0]}", description=help_text)
        build(parser)
        return parser, handler
    return _open_parser(), cmd_open


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, handler = build_parser(argv)
    args = parser.parse_args(argv[1:] if handler is not cmd_open else argv)
    try:
        return handler(args)
    except FactreadError as err:
        from annotations.text import display_line

        print(f"factread: {display_line(str(err))}", file=sys.stderr)
        return 1
    except OSError as err:  # one the code did not expect: still one line, never a traceback
        from annotations.errors import disk_error
        from annotations.text import display_line

        if isinstance(err, BrokenPipeError):
            return 0
        print(f"factread: {display_line(str(disk_error(None, err)))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
