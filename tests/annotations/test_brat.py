"""brat export read by brat's own configuration and annotation parsers (bratsubset, as
shipped in bratiaa), by bratiaa's agreement and by pybrat, an independent reader."""

from __future__ import annotations

import os
import shutil
import warnings

import pytest

from annotations.articles import Article
from annotations.config import DEFAULT_TAGS, TagSpec
from annotations.export import brat_stems, export
from annotations.store import AnnotationStore

TAGS = (*DEFAULT_TAGS, TagSpec("disputed", "#8844cc", "p"))
TEXT = "Rusia no ha confirmado la presencia de 11 mil soldados. El tratado se firmó en junio.\n"


def project(tmp_path, annotator: str, tags: tuple[str, ...]):
    articles = [Article.from_text(name, TEXT + f"({name}) 😀 fin.\n")
                for name in ("a.txt", "a.md", "a", "A.TXT")]
    with AnnotationStore(tmp_path / f"{annotator}.json", annotator) as store:
        for article, tag in zip(articles, tags, strict=True):
            x = store.add(article, 0, 22, tag, "nota\tcon tab")
            y = store.add(article, 39, 54, "claim")
            store.add(article, 0, 5, "unverified")  # nested inside x
            store.apply(store.prepare_link(x.id, y.id))
        out = tmp_path / annotator
        result = export(store, "brat", out, tags=TAGS)
    return out, result, articles


def test_names_that_collide_get_distinct_files_and_it_is_said(tmp_path):
    out, result, articles = project(tmp_path, "ana", ("claim", "disputed", "claim", "claim"))
    stems = brat_stems(articles)
    assert len({s.casefold() for s in stems.values()}) == 4
    names = sorted(p.name for p in out.iterdir())
    assert names.count("annotation.conf") == 1 and len([n for n in names if n.endswith(".ann")]) == 4
    assert sum("written as" in w for w in result.warnings) == 3
    assert any("outside the BMP" in w for w in result.warnings)


def test_long_names_fit_a_file_name():
    article = Article.from_text("é" * 127 + ".txt", TEXT)
    (stem,) = brat_stems([article]).values()
    assert len((stem + ".ann").encode()) <= 255 - 30


def test_brats_own_parsers_know_every_type_and_read_every_span(tmp_path):
    bratsubset = pytest.importorskip("bratsubset")
    from bratsubset.annotation import Annotations
    from bratsubset.projectconfig import ProjectConfiguration

    out, _, _articles = project(tmp_path, "ana", ("claim", "disputed", "contradiction", "claim"))
    config = ProjectConfiguration(str(out))
    assert set(config.get_entity_types()) >= {"claim", "unverified", "contradiction", "disputed"}
    assert config.is_relation_type("link")
    (link,) = [r for r in config.get_relations_by_type("link")]
    assert "symmetric" in link.special_arguments["<REL-TYPE>"]
    assert bratsubset is not None
    for ann_file in sorted(out.glob("*.ann")):
        with Annotations(str(ann_file)[:-4], read_only=True) as doc:
            spans = [(t.type, t.spans) for t in doc.get_textbounds()]
            assert len(spans) == 3 and all(config.is_configured_type(t) for t, _ in spans)
            assert len(list(doc.get_relations())) == 1


def test_bratiaa_computes_agreement_on_the_exports(tmp_path):
    pytest.importorskip("bratiaa")
    from bratiaa import compute_f1_agreement

    root = tmp_path / "project"
    root.mkdir()
    for annotator, tags in (("ana", ("claim", "disputed", "claim", "claim")),
                            ("bob", ("claim", "claim", "claim", "contradiction"))):
        out, _, _ = project(tmp_path, annotator, tags)
        shutil.copytree(out, root / annotator)
    shutil.copy(root / "ana" / "annotation.conf", root / "annotation.conf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agreement = compute_f1_agreement(str(root))
    assert set(agreement.labels) >= {"claim", "disputed", "contradiction", "unverified"}
    assert 0 < agreement.mean_sd_total()[0] < 1


def test_pybrat_reads_every_entity_and_relation(tmp_path):
    pytest.importorskip("pybrat")
    from pybrat.parser import BratParser

    out, _, _ = project(tmp_path, "ana", ("claim", "disputed", "claim", "claim"))
    examples = BratParser(error="raise").parse(os.fspath(out))
    assert len(examples) == 4
    for example in examples:
        assert sorted(e.type for e in example.entities) == ["claim", "claim", "unverified"] or \
            sorted(e.type for e in example.entities) == ["claim", "disputed", "unverified"]
        assert len(example.relations) == 1
        for entity in example.entities:
            span = entity.spans[0]
            assert example.text[span.start:span.end] == entity.mention
