"""Web pages as articles: saved pages and URLs (served on 127.0.0.1 only), their sources
kept in the file and cited in every export, and imports placed onto given articles."""

from __future__ import annotations

import csv
import http.server
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotations.articles import load_paths
from annotations.errors import InputError
from annotations.export import export
from annotations.importing import import_file
from annotations.sources import citation
from annotations.storage import read_articles
from annotations.store import AnnotationStore
from annotations.webpages import fetch_article, load_given, url_name
from reader.cli import main
from tests.w3c_check import ANNOTATION, problems

PAGES = Path(__file__).resolve().parent.parent / "pages"
DIARIO = PAGES / "diario_tratado.html"
CANONICAL = ("https://www.diariodelsur.example/internacional/2024/11/09/"
             "putin-ratifica-tratado-corea-del-norte.html")
CLUTTER = ("Lo más leído", "cookies", "Lea también", "Suscríbete", "Compartir", "derechos",
           "Portada", "lotería", "Aviso legal", "dataLayer", "font-family")


class Site:
    """A local web server whose pages the test sets, counting the requests."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str, bytes]] = {}
        self.hits: dict[str, int] = {}
        self.delay = 0.0
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                if self.path.startswith("/slow"):
                    time.sleep(site.delay)
                status, kind, body = site.pages.get(self.path, (404, "text/plain", b"no"))
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", body.decode())
                    body = b""
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path: str, body: bytes, kind: str = "text/html; charset=utf-8",
             status: int = 200) -> str:
        self.pages[path] = (status, kind, body)
        return self.url(path)


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_a_saved_spanish_page_is_its_article_without_the_clutter():
    (article,) = load_paths([DIARIO]).articles
    assert article.name == "diario_tratado.html"
    assert article.title == "Putin ratifica el tratado de defensa mutua con Corea del Norte"
    first, *paragraphs = article.text.split("\n")
    assert first == article.title  # the headline opens the text, as in a text article
    assert len(paragraphs) == 6
    assert "11 mil soldados" in article.text and "entre 3,000 y 12,000" in article.text
    for clutter in CLUTTER:
        assert clutter not in article.text
    source = article.source
    assert source is not None
    assert (source.url, source.outlet, source.author, source.published) == (
        CANONICAL, "Diario del Sur", "María López", "2024-11-09")
    assert (source.fetched, source.fetched_from) == ("", "")


def test_a_latin1_page_decodes_and_has_its_site_name_and_date():
    (article,) = load_paths([PAGES / "cronica_latin1.html"]).articles
    assert article.title == "Seúl eleva a 12.000 los soldados norcoreanos en Rusia"
    assert "estimó el viernes" in article.text and "Moscú" in article.text
    assert "Regístrate" not in article.text and "Lea también" not in article.text
    assert article.source is not None
    assert (article.source.outlet, article.source.published) == ("La Crónica", "2024-10-18")


def test_a_page_with_nothing_but_menus_is_one_error_line():
    loaded = load_paths([PAGES / "menu_only.html"])
    assert loaded.articles == []
    (error,) = loaded.errors
    assert "menu_only.html: no article text found in the page" in error and "\n" not in error


def test_hostile_metadata_is_one_clean_line_and_the_file_reopens(db):
    (article,) = load_paths([PAGES / "hostile.html"]).articles
    assert article.source is not None
    for value in (article.title, article.source.outlet, article.source.author):
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c == "\u202e" for c in value)
    with AnnotationStore(db, "ana") as store:
        store.add(article, 0, 4, "claim")
    with AnnotationStore(db, "ana", read_only=True) as store:
        assert store.articles[article.sha256] == article


def test_a_directory_of_pages_and_texts_loads_both(tmp_path, sample):
    (tmp_path / "a.txt").write_text(sample[0].text, encoding="utf-8")
    (tmp_path / "b.html").write_bytes(DIARIO.read_bytes())
    loaded = load_paths([tmp_path])
    assert [a.name for a in loaded.articles] == ["a.txt", "b.html"]
    assert loaded.articles[0].source is None and loaded.articles[1].source is not None


def test_a_url_is_fetched_and_kept_with_when_and_where(site):
    url = site.page("/noticia/putin-tratado.html?id=7", DIARIO.read_bytes())
    said: list[str] = []
    article = fetch_article(url, say=said.append)
    assert article.name == "127.0.0.1_putin-tratado.html_id=7" == url_name(url)
    assert article.source is not None
    assert article.source.fetched_from == url and article.source.url == CANONICAL
    assert article.source.fetched.endswith("Z")
    assert said[0] == f"fetching {url} …" and said[1].startswith(f"fetched {url} (")


@pytest.mark.parametrize(("setup", "expected"), [
    ("missing", "the server answered 404"),
    ("pdf", "not an HTML page (the server says application/pdf)"),
    ("big", "more than the 1000 bytes allowed"),
    ("slow", "no answer within 0.5 s"),
    ("ftp", "which is not an http(s) URL"),
    ("refused", "connection refused"),
    ("dns", "host not found (DNS)"),
    ("scheme", "not an http or https URL"),
])
def test_fetch_errors_are_one_line_naming_the_url(site, monkeypatch, setup, expected):
    url = {
        "missing": site.url("/missing.html"),
        "pdf": site.page("/a.pdf", b"%PDF-1.4", "application/pdf"),
        "big": site.page("/big.html", b"<p>" + b"x" * 5000 + b"</p>"),
        "slow": site.page("/slow.html", DIARIO.read_bytes()),
        "ftp": site.page("/moved.html", b"ftp://example.org/x", status=302),
        "refused": "http://127.0.0.1:9/x.html",
        "dns": "http://no-such-host.invalid/x.html",
        "scheme": "http://exa mple.org/x",
    }[setup]
    site.delay = 2.0
    if setup == "dns":  # no resolver is asked: the lookup fails here as DNS would
        def no_host(*args: object, **kwargs: object) -> object:
            raise socket.gaierror(-2, "Name or service not known")
        monkeypatch.setattr(socket, "getaddrinfo", no_host)
    with pytest.raises(InputError) as caught:
        fetch_article(url, timeout=0.5, max_bytes=1000)
    message = str(caught.value)
    assert expected in message and "\n" not in message
    assert message.startswith(url[:20])


def test_a_redirect_is_followed(site):
    site.page("/final.html", DIARIO.read_bytes())
    url = site.page("/old.html", site.url("/final.html").encode(), status=301)
    article = fetch_article(url)
    assert "11 mil soldados" in article.text and article.source.fetched_from == url


def test_a_stored_url_is_not_fetched_again_unless_refreshed(site, db, capsys):
    url = site.page("/n.html", DIARIO.read_bytes())
    for quote in ("11 mil soldados", "19 de junio"):
        assert main(["add", url, "--quote", quote, "--tag", "claim", "--db", str(db)]) == 0
    assert site.hits["/n.html"] == 1
    assert "fetching" in capsys.readouterr().err
    # The page changes; --refresh fetches it again and the annotations follow the text
    changed = DIARIO.read_bytes().replace(b"11 mil soldados",
                                          "once mil soldados, según Kiev,".encode())
    site.page("/n.html", changed.replace(b"el 19 de junio", b"a mediados de junio, el 19 de junio"))
    assert main(["add", url, "--quote", "según Kiev", "--tag", "unverified", "--refresh",
                 "--db", str(db)]) == 0
    assert site.hits["/n.html"] == 2
    err = capsys.readouterr().err
    assert "moved to the new version" in err and "could not be placed" in err
    with AnnotationStore(db, "x", read_only=True) as store:
        newest = max(store.articles.values(), key=lambda a: a.source.fetched)
        on_new = {a.quote for a in store.for_article(newest.sha256)}
        assert on_new == {"19 de junio", "según Kiev"}  # "11 mil" is gone from the page
        assert len(store.articles) == 2  # the old text stays for the annotation left on it


def test_load_given_keeps_the_order_and_reports_each_failure(site, sample, tmp_path):
    url = site.page("/p.html", DIARIO.read_bytes())
    text = tmp_path / "t.txt"
    text.write_text(sample[1].text, encoding="utf-8")
    loaded = load_given([url, str(text), site.url("/gone.html"), str(tmp_path / "nope.txt")])
    assert [a.name for a in loaded.articles] == ["127.0.0.1_p.html", "t.txt"]
    assert len(loaded.errors) == 2 and "404" in loaded.errors[0]
    assert "no such file" in loaded.errors[1]


def test_a_file_from_before_sources_opens_and_a_bad_source_is_refused(db, sample):
    (page,) = load_paths([DIARIO]).articles
    with AnnotationStore(db, "ana") as store:
        store.add(sample[0], 0, 2, "claim")
        store.add(page, 0, 5, "claim")
    data = json.loads(db.read_text(encoding="utf-8"))
    records = data["articles"].values()
    assert sum("source" in r for r in records) == 1  # the text file has none: as before
    for bad, field in (({"url": "javascript:alert(1)"}, "url"),
                       ({"published": "ayer"}, "published"),
                       ({"outlet": "a\x1b[31mb"}, "outlet"),
                       ({"colour": "red"}, "colour")):
        broken = json.loads(db.read_text(encoding="utf-8"))
        for record in broken["articles"].values():
            if "source" in record:
                record["source"].update(bad)
        path = db.with_name("broken.json")
        path.write_text(json.dumps(broken), encoding="utf-8")
        with pytest.raises(InputError) as caught:
            AnnotationStore(path, "ana", read_only=True)
        assert f"field 'source': field '{field}'" in str(caught.value)


def web_file(db: Path, sample) -> AnnotationStore:
    (page,) = load_paths([DIARIO]).articles
    store = AnnotationStore(db, "ana")
    store.add(page, page.text.index("11 mil soldados"), page.text.index("11 mil soldados") + 15,
              "claim", "según Zelenski")
    store.add(sample[0], 0, 2, "unverified")
    return store


def test_exports_cite_the_source(tmp_path, db, sample):
    store = web_file(db, sample)
    export(store, "csv", tmp_path / "out.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text("utf-8-sig"))))
    assert list(rows[0])[-3:] == ["url", "outlet", "published"]
    assert list(rows[0])[:3] == ["id", "article", "title"]  # the old order is unchanged
    web = next(r for r in rows if r["quote"] == "11 mil soldados")
    text = next(r for r in rows if r["quote"] != "11 mil soldados")
    assert (web["url"], web["outlet"], web["published"]) == (CANONICAL, "Diario del Sur",
                                                             "2024-11-09")
    assert (text["url"], text["outlet"], text["published"]) == ("", "", "")

    export(store, "jsonl", tmp_path / "out.jsonl")
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    web_line = next(r for r in lines if r["quote"] == "11 mil soldados")
    assert web_line["url"] == CANONICAL and web_line["outlet"] == "Diario del Sur"

    export(store, "w3c", tmp_path / "out.json")
    items = json.loads((tmp_path / "out.json").read_text())["first"]["items"]
    by_quote = {i["target"]["selector"][0]["exact"]: i for i in items}
    target = by_quote["11 mil soldados"]["target"]
    assert target["source"] == CANONICAL
    assert target["canonical"] == f"urn:sha256:{store.all()[0].article_sha256}" or \
        target["canonical"].startswith("urn:sha256:")
    assert by_quote["El"]["target"]["source"].startswith("urn:sha256:")
    for item in items:
        assert problems(item, ANNOTATION) == []

    export(store, "brat", tmp_path / "brat")
    ann = (tmp_path / "brat" / "diario_tratado.ann").read_text()
    assert (f'AnnotatorNotes T1\tsource: Diario del Sur, "Putin ratifica el tratado de '
            f'defensa mutua con Corea del Norte", 2024-11-09, {CANONICAL}') in ann
    store.close()


def test_brat_readers_take_the_source_comment(tmp_path, db, sample):
    bratsubset = pytest.importorskip("bratsubset")
    from bratsubset.annotation import Annotations

    store = web_file(db, sample)
    export(store, "brat", tmp_path / "brat")
    store.close()
    assert bratsubset is not None
    with Annotations(str(tmp_path / "brat" / "diario_tratado"), read_only=True) as doc:
        notes = [n.tail.strip() for n in doc.get_oneline_comments()]
    assert any(n.startswith("source: Diario del Sur") for n in notes)
    assert "según Zelenski" in notes


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "w3c"])
def test_a_colleagues_export_imports_into_a_new_file_given_the_articles(tmp_path, db, sample,
                                                                        fmt, capsys):
    store = web_file(db, sample)
    out = tmp_path / f"theirs.{'json' if fmt == 'w3c' else fmt}"
    export(store, fmt, out)
    store.close()
    text = tmp_path / sample[0].name
    text.write_text(sample[0].text, encoding="utf-8")
    mine = tmp_path / "mine.json"
    # Without the articles, the rows are listed with the article each asked for
    assert main(["import", str(out), "--db", str(mine)]) == 1
    err = capsys.readouterr().err
    assert "none of its 2 annotations fits" in err and "--articles" in err
    assert not mine.exists()
    assert main(["import", str(out), "--db", str(mine), "--articles", str(DIARIO),
                 str(text)]) == 0
    assert "imported 2 annotations" in capsys.readouterr().out
    with AnnotationStore(mine, "me", read_only=True) as new:
        assert sorted(a.quote for a in new.all()) == ["11 mil soldados", "El"]
        page = next(a for a in new.articles.values() if a.source is not None)
        assert page.source.outlet == "Diario del Sur"


def test_a_row_for_an_article_not_given_is_listed_with_its_name(tmp_path, db, sample, capsys):
    store = web_file(db, sample)
    export(store, "csv", tmp_path / "theirs.csv")
    store.close()
    mine = tmp_path / "mine.json"
    assert main(["import", str(tmp_path / "theirs.csv"), "--db", str(mine), "--articles",
                 str(DIARIO)]) == 0
    err = capsys.readouterr().err
    assert "1 annotations could not be placed" in err
    assert f"article {sample[0].name!r} is not in the file; give it with --articles" in err


def test_a_quote_only_w3c_file_places_on_the_page_by_its_url(tmp_path, site):
    url = site.page("/n.html", DIARIO.read_bytes())
    hypothesis = [{"id": "https://hypothes.is/a/abc", "uri": url,
                   "target": [{"source": url, "selector": [
                       {"type": "TextQuoteSelector", "exact": "19 de junio"}]}],
                   "tags": ["claim"], "text": "¿18 o 19?", "created": "2024-11-10T10:00:00Z"}]
    path = tmp_path / "h.json"
    path.write_text(json.dumps(hypothesis), encoding="utf-8")
    with AnnotationStore(tmp_path / "new.json", "me") as store:
        (page,) = load_given([url]).articles
        plan = import_file(store, path, articles=[page])
        (ann,) = plan.added
        assert ann.quote == "19 de junio" and ann.note == "¿18 o 19?"
        assert store.articles[ann.article_sha256].source.fetched_from == url


def test_citation_names_outlet_title_date_and_url(sample):
    (page,) = load_paths([DIARIO]).articles
    assert citation("11 mil soldados", page.title, page.name, page.source) == (
        f'«11 mil soldados» — Diario del Sur, "{page.title}", 2024-11-09, {CANONICAL}')
    assert citation("El", sample[0].title, sample[0].name, None) == (
        f'«El» — "{sample[0].title}" ({sample[0].name})')


def test_read_articles_returns_the_source(db):
    (page,) = load_paths([DIARIO]).articles
    with AnnotationStore(db, "ana") as store:
        store.add_articles([page])
    assert read_articles(db)[page.sha256].source == page.source


def test_a_csv_from_before_the_source_columns_still_imports(tmp_path, db, sample):
    from annotations.csvsafe import BASE_COLUMNS

    store = web_file(db, sample)
    export(store, "csv", tmp_path / "new.csv")
    store.close()
    rows = list(csv.reader(io.StringIO((tmp_path / "new.csv").read_text("utf-8-sig"))))
    old = tmp_path / "old.csv"
    with old.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(row[:len(BASE_COLUMNS)] for row in rows)
    with AnnotationStore(tmp_path / "mine.json", "me") as mine:
        plan = import_file(mine, old, articles=[*load_paths([DIARIO]).articles, sample[0]])
        assert len(plan.added) == 2


def test_a_w3c_row_for_a_page_not_given_names_the_page(tmp_path, db, sample):
    store = web_file(db, sample)
    page = next(a for a in store.articles.values() if a.source is not None)
    at = page.text.index("398 votos")
    store.add(page, at, at + 9, "claim")
    export(store, "w3c", tmp_path / "theirs.json")
    store.close()
    with AnnotationStore(tmp_path / "mine.json", "me") as mine:
        plan = import_file(mine, tmp_path / "theirs.json", articles=[sample[0]])
        # The same sentence, context and all, is in the sample article: it lands there
        assert sorted(a.quote for a in plan.added) == ["11 mil soldados", "El"]
        ((_where, why),) = plan.unplaced
        assert f"page {CANONICAL!r} is not in the file; give it with --articles" in why


def test_a_page_with_no_article_is_one_line_on_stderr_and_exit_1(tmp_path):
    import subprocess
    import sys

    for page in ("menu_only.html", "hostile.html"):
        done = subprocess.run([sys.executable, "-m", "reader", "add", str(PAGES / page),
                               "--quote", "no such words", "--tag", "claim",
                               "--db", str(tmp_path / "f.json")],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 1 and len(done.stderr.splitlines()) == 1, done.stderr
        assert "\x1b" not in done.stderr


def test_a_colleagues_csv_lands_on_a_url_given_with_articles(tmp_path, site, capsys):
    url = site.page("/tratado.html", DIARIO.read_bytes())
    theirs = tmp_path / "theirs.json"
    assert main(["add", url, "--quote", "19 de junio", "--tag", "contradiction",
                 "--db", str(theirs), "--user", "bob"]) == 0
    assert main(["export", "--format", "csv", "--db", str(theirs),
                 "--out", str(tmp_path / "theirs.csv")]) == 0
    mine = tmp_path / "mine.json"
    assert main(["import", str(tmp_path / "theirs.csv"), "--db", str(mine),
                 "--articles", url]) == 0
    assert "imported 1 annotations" in capsys.readouterr().out
    with AnnotationStore(mine, "me", read_only=True) as store:
        (ann,) = store.all()
        page = store.articles[ann.article_sha256]
        assert ann.quote == "19 de junio" and page.source.fetched_from == url
        assert ann.article == url_name(url)


def test_related_takes_a_url_and_compares_it_with_the_samples(site, capsys):
    url = site.page("/tratado.html", DIARIO.read_bytes())
    assert main(["related", url, "003_8d9619930afc316d.txt", "--quote", "11 mil soldados",
                 "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and rows[0]["article"] == "003_8d9619930afc316d.txt"
    assert main(["related", url, "--quote", "11 mil soldados"]) == 1
    assert "name the articles to compare it with" in capsys.readouterr().err
