"""Web pages as articles: the main text of a saved page or a URL, without its menus,
banners and "read also" lines, and the outlet, address and dates a citation needs.

Extraction is trafilatura's (imported only when a page is opened: it costs 0.3 s to
import). Fetching is urllib's, so that the timeout, the size limit and every error are
factread's own and said in one line.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from http.client import HTTPException
from typing import Any

from annotations.articles import (
    Article,
    LoadResult,
    load_paths,
    resolve_path,
    safe_name,
)
from annotations.errors import InputError
from annotations.model import now_iso
from annotations.sources import MAX_URL, Source, clean, is_url
from annotations.text import display_line, normalise

MAX_PAGE_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT = 20.0
HTML_TYPES = ("text/html", "application/xhtml+xml")
USER_AGENT = "factread (fact-checking reader; https://pypi.org/project/factread/)"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

_QUIET = ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer")
Say = Callable[[str], None]
"""Where progress lines go (standard error in the command line)."""


def looks_like_url(given: str) -> bool:
    return given[:8].lower().startswith(("http://", "https://"))


def article_from_html(raw: bytes | str, name: str, where: str, *, fetched_from: str = "",
                      fetched: str = "") -> Article:
    """The page's main text, headline first, with its source. Raise InputError when the
    page holds no text trafilatura takes for an article."""
    import trafilatura

    for quiet in _QUIET:  # page content in their log lines never reaches stderr
        logger = logging.getLogger(quiet)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())  # else Python's last resort prints
        logger.propagate = False
    try:
        doc: Any = trafilatura.bare_extraction(
            raw, url=fetched_from or None, with_metadata=True, include_comments=False,
            include_tables=True, favor_precision=True)
    except Exception as err:  # lxml and trafilatura raise many kinds on broken markup
        raise InputError(f"{where}: not a readable HTML page ({type(err).__name__})") from None
    body = normalise(str(getattr(doc, "text", "") or "")).strip() if doc is not None else ""
    if not body:
        raise InputError(f"{where}: no article text found in the page (only menus, links "
                         "and boilerplate)")
    title = clean(getattr(doc, "title", ""))
    text = body if not title or body.startswith(title) else f"{normalise(title)}\n{body}"
    url = clean(getattr(doc, "url", ""), MAX_URL)
    published = str(getattr(doc, "date", "") or "")
    source = Source(
        url=url if is_url(url) else fetched_from,
        outlet=clean(getattr(doc, "sitename", "")) or clean(getattr(doc, "hostname", "")),
        author=clean(getattr(doc, "author", "")),
        published=published if _DATE.fullmatch(published) else "",
        fetched=fetched, fetched_from=fetched_from)
    return Article.from_text(name, text, source)


def url_name(url: str) -> str:
    """What an article fetched from ``url`` is called: its host and the last part of its
    path (``diariodelsur.example_putin-ratifica.html``). The same URL always gives the
    same name, so a refreshed page is a new version of the same article."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "page").removeprefix("www.")
    segment = urllib.parse.unquote(parts.path.rstrip("/").rpartition("/")[2])
    name = f"{host}_{segment}" if segment else host
    if parts.query:
        name += "_" + urllib.parse.unquote(parts.query)
    return safe_name(name)


class _HttpOnly(urllib.request.HTTPRedirectHandler):
    """Redirects within http and https only, at most five."""

    max_redirections = 5

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise InputError(f"{display_line(req.full_url)}: redirected to "
                             f"{display_line(newurl[:100])}, which is not an http(s) URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, *, timeout: float = FETCH_TIMEOUT, max_bytes: int = MAX_PAGE_BYTES,
          say: Say | None = None) -> tuple[bytes | str, str]:
    """The page at ``url`` (decoded when the server names its charset) and the address it
    came from after redirects. Every failure is one InputError line naming the URL."""
    shown = display_line(url)
    if not is_url(url):
        raise InputError(f"{shown[:200]}: not an http or https URL factread can fetch")
    request = urllib.request.Request(url, headers={
        "User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml;q=0.9"})
    opener = urllib.request.build_opener(_HttpOnly())
    started = time.monotonic()
    if say:
        say(f"fetching {shown} …")
    try:
        with opener.open(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            if kind not in HTML_TYPES:
                raise InputError(f"{shown}: not an HTML page (the server says {kind})")
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise InputError(f"{shown}: {int(length)} bytes, more than the {max_bytes} bytes "
                                 "allowed")
            chunks: list[bytes] = []
            got = 0
            while chunk := response.read(64 * 1024):
                got += len(chunk)
                if got > max_bytes:
                    raise InputError(f"{shown}: more than the {max_bytes} bytes allowed")
                if time.monotonic() - started > timeout:
                    raise TimeoutError
                chunks.append(chunk)
            charset = response.headers.get_content_charset()
            final = response.geturl()
    except urllib.error.HTTPError as err:
        raise InputError(f"{shown}: the server answered {err.code} "
                         f"{display_line(str(err.reason))[:80]}") from None
    except urllib.error.URLError as err:
        raise InputError(f"{shown}: {_why(err.reason, timeout)}") from None
    except TimeoutError:
        raise InputError(f"{shown}: no answer within {timeout:g} s") from None
    except (OSError, HTTPException, ValueError) as err:
        raise InputError(f"{shown}: cannot fetch ({display_line(str(err))[:120]})") from None
    raw = b"".join(chunks)
    if say:
        say(f"fetched {shown} ({got // 1024} KB in {time.monotonic() - started:.1f} s)")
    if charset:
        try:
            return raw.decode(charset, errors="replace"), final
        except LookupError:
            pass  # a charset Python does not know: trafilatura guesses from the bytes
    return raw, final


def _why(reason: object, timeout: float) -> str:
    if isinstance(reason, socket.gaierror):
        return "host not found (DNS)"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ssl.SSLError):
        return f"secure connection failed ({display_line(str(reason))[:100]})"
    return f"cannot fetch ({display_line(str(reason))[:120]})"


def fetch_article(url: str, *, timeout: float = FETCH_TIMEOUT,
                  max_bytes: int = MAX_PAGE_BYTES, say: Say | None = None) -> Article:
    page, _final = fetch(url, timeout=timeout, max_bytes=max_bytes, say=say)
    return article_from_html(page, url_name(url), display_line(url), fetched_from=url,
                             fetched=now_iso())


def stored_for(url: str, known: Mapping[str, Article]) -> Article | None:
    """The newest version of the page fetched from ``url`` that a file already holds."""
    found = [a for a in known.values() if a.source is not None
             and url in (a.source.fetched_from, a.source.url)]
    return max(found, key=lambda a: a.source.fetched if a.source else "", default=None)


def load_given(given: Sequence[str], known: Mapping[str, Article] | None = None, *,
               refresh: bool = False, timeout: float = FETCH_TIMEOUT,
               say: Say | None = None) -> LoadResult:
    """Articles named on the command line, in order: files, directories, bundled sample
    names and URLs. A URL the file already holds is taken from it, not fetched again,
    unless ``refresh``."""
    result = LoadResult()
    seen = set()
    for item in given:
        if looks_like_url(item):
            stored = None if refresh else stored_for(item, known or {})
            try:
                article = stored or fetch_article(item, timeout=timeout, say=say)
            except InputError as err:
                result.errors.append(str(err))
                continue
            loaded = LoadResult([article])
        else:
            loaded = load_paths([resolve_path(item)])
        result.errors += loaded.errors
        result.warnings += loaded.warnings
        for article in loaded.articles:
            if (article.name, article.sha256) not in seen:
                seen.add((article.name, article.sha256))
                result.articles.append(article)
    return result
