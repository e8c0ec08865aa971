"""W3C Web Annotation (JSON-LD) to and from the factread model."""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from typing import Any

from annotations.model import TAG_RE, UUID_RE, Annotation

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# Identifiers from other tools (Hypothesis: https://hypothes.is/a/…) become stable uuids,
# so importing the same file twice still adds nothing.
_FOREIGN = uuid.UUID("6f3d7a52-6a2e-4f0b-9d8c-2f1c3b8e9a10")


def to_w3c(ann: Annotation, url: str = "") -> dict[str, Any]:
    """The annotation as W3C JSON-LD. Parts that repeat across a file (the tag's body, the
    creator) are shared objects: the result is for encoding, not for changing.

    The target's source is the article's URL when it came from the web (so that
    Hypothesis and other web tools anchor on the page), with the text's SHA-256 kept as
    the target's ``canonical`` identity; else the SHA-256 itself."""
    bodies: list[dict[str, Any]] = [_tag_body(ann.tag)]
    if ann.note:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": ann.note,
                       "format": "text/plain"})
    bodies += [{"type": "SpecificResource", "purpose": "linking", "source": f"urn:uuid:{link}"}
               for link in ann.links]
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{ann.id}",
        "type": "Annotation",
        "motivation": "assessing",
        "created": ann.created,
        "modified": ann.modified,
        "creator": person(ann.annotator),
        "body": bodies,
        "target": _target(ann, url),
    }


def _target(ann: Annotation, url: str) -> dict[str, Any]:
    sha = f"urn:sha256:{ann.article_sha256}"
    target: dict[str, Any] = {"source": url or sha}
    if url:
        target["canonical"] = sha
    target["selector"] = [
        {"type": "TextQuoteSelector", "exact": ann.quote, "prefix": ann.prefix,
         "suffix": ann.suffix},
        {"type": "TextPositionSelector", "start": ann.start, "end": ann.end},
    ]
    return target


_PEOPLE = uuid.UUID("0b8f6d2e-4c1a-5e7b-9a3d-6f2e1c8b7a40")


@lru_cache(maxsize=1024)
def _tag_body(tag: str) -> dict[str, str]:
    return {"type": "TextualBody", "purpose": "tagging", "value": tag}


@lru_cache(maxsize=4096)
def person(name: str) -> dict[str, str]:
    """A creator with the ``id`` the model wants: a stable urn per annotator name (one
    shared object per name: see ``to_w3c``)."""
    return {"id": _person_id(name), "type": "Person", "name": name}


@lru_cache(maxsize=4096)
def _person_id(name: str) -> str:
    # uuid5 costs 18 us: a quarter of writing one annotation, for a handful of names.
    return f"urn:uuid:{uuid.uuid5(_PEOPLE, name)}"


def collection(items: list[dict[str, Any]], label: str) -> dict[str, Any]:
    ident = f"urn:uuid:{uuid.uuid4()}"
    return {
        "@context": CONTEXT,
        "id": ident,
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items),
        # One page, embedded; it needs an id of its own (the suite's 5.2 pageIdValidated).
        "first": {"id": f"{ident}-page-1", "type": "AnnotationPage",
                  "startIndex": 0, "items": items},
    }


def local_id(identifier: object) -> str:
    text = str(identifier)
    bare = text.removeprefix("urn:uuid:").lower()
    return bare if UUID_RE.match(bare) else str(uuid.uuid5(_FOREIGN, text))


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def slug_tag(value: str) -> str | None:
    tag = re.sub(r"[^a-z0-9_-]+", "-", value.strip().lower()).strip("-")[:32]
    return tag if TAG_RE.match(tag) else None


class W3CError(ValueError):
    pass


class NotAboutText(W3CError):
    """A record that annotates no passage (a page note, a reply): skipped, not refused."""


def annotator_of(item: dict[str, Any]) -> str:
    """Who wrote it: Hypothesis's display name, else its user name without ``acct:`` and
    the authority (``acct:maria@hypothes.is`` is maria), else the W3C creator's name."""
    info = item.get("user_info")
    if isinstance(info, dict) and isinstance(info.get("display_name"), str) \
            and info["display_name"].strip():
        return str(info["display_name"]).strip()
    creator = item.get("creator") or item.get("user")
    if isinstance(creator, list):
        creator = next((c for c in creator if c), None)
    if isinstance(creator, dict):
        creator = creator.get("name") or creator.get("nickname") or creator.get("id")
    if not isinstance(creator, str):
        return ""
    if creator.startswith("acct:"):
        creator = creator.removeprefix("acct:").rsplit("@", 1)[0]
    return creator


def choose_tag(candidates: list[str], known: tuple[str, ...], default_tag: str,
               ) -> tuple[str, list[str]]:
    """The first candidate that is a configured tag (``["Rusia", "Claim"]`` gives claim),
    else ``default_tag``; and the candidates left over, for the note. Never a tag that is
    not configured."""
    chosen = None
    rest = []
    for value in candidates:
        slug = slug_tag(value)
        if chosen is None and slug in known:
            chosen = slug
        else:
            rest.append(value)
    return chosen or default_tag, rest


def from_w3c(item: object, default_tag: str, known: tuple[str, ...] = ()) -> dict[str, Any]:
    """What an Annotation says, as a partial factread record: id, quote, prefix, suffix,
    start/end when given, article_sha256 when the source (or its canonical identity) is
    urn:sha256:…, url when the source is a web page, tag (one of
    ``known``), note, links, annotator, created, modified. Raises NotAboutText for a page
    note or a reply, W3CError naming the problem for anything else wrong."""
    if not isinstance(item, dict):
        raise W3CError("an annotation must be an object")
    if "id" not in item:
        raise W3CError("annotation has no 'id'")
    record: dict[str, Any] = {"id": local_id(item["id"])}
    if _as_list(item.get("references")):
        raise NotAboutText("a reply to another annotation, not about a passage")
    targets = _as_list(item.get("target"))
    target = next((t for t in targets if isinstance(t, dict)), None)
    if target is None:
        raise NotAboutText("a page note (no target passage)")
    source = target.get("source")
    for identity in (target.get("canonical"), source):
        if isinstance(identity, str) and identity.startswith("urn:sha256:"):
            record["article_sha256"] = identity.removeprefix("urn:sha256:")
            break
    page = source if isinstance(source, str) else item.get("uri")  # Hypothesis: "uri"
    if isinstance(page, str) and page[:8].lower().startswith(("http://", "https://")):
        record["url"] = page
    for selector in _as_list(target.get("selector")):
        if not isinstance(selector, dict):
            continue
        kind = selector.get("type")
        if kind == "TextQuoteSelector":
            record["quote"] = selector.get("exact")
            record["prefix"] = selector.get("prefix", "")
            record["suffix"] = selector.get("suffix", "")
        elif kind == "TextPositionSelector":
            record["start"], record["end"] = selector.get("start"), selector.get("end")
    if not isinstance(record.get("quote"), str) or not record["quote"]:
        raise NotAboutText("a page note (no TextQuoteSelector with an 'exact' quote)")
    tags, notes, links = [], [], []
    for body in _as_list(item.get("body")):
        if isinstance(body, str):
            notes.append(body)
            continue
        if not isinstance(body, dict):
            continue
        purpose = body.get("purpose")
        if purpose == "tagging" and isinstance(body.get("value"), str):
            tags.append(body["value"])
        elif purpose == "linking" and isinstance(body.get("source"), str):
            links.append(local_id(body["source"]))
        elif isinstance(body.get("value"), str):
            notes.append(body["value"])
    # Hypothesis keeps its tags in a top-level "tags" list and the comment in "text".
    tags += [t for t in _as_list(item.get("tags")) if isinstance(t, str)]
    if isinstance(item.get("text"), str) and item["text"]:
        notes.append(item["text"])
    record["tag"], other_tags = choose_tag(tags, known or (default_tag,), default_tag)
    if other_tags:
        notes.append("tags: " + ", ".join(other_tags))
    record["note"] = "\n\n".join(notes)
    record["links"] = links
    record["annotator"] = annotator_of(item)
    for key in ("created", "modified"):
        if isinstance(item.get(key), str):
            record[key] = item[key]
    if "modified" not in record and isinstance(item.get("updated"), str):
        record["modified"] = item["updated"]
    return record
