"""The W3C Web Annotation test suite's "must" assertions, run with jsonschema on the suite's
own JSON Schemas (draft-04), copied into tests/w3c_suite/ with the W3C licence
(tests/w3c_suite/license.md), so that the tests need nothing outside this repository."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SUITE = Path(__file__).resolve().parent / "w3c_suite"
ANNOTATION = "annotations/annotationMusts.test"
COLLECTION = "collections/collectionMusts.test"
PAGE = "collections/pages/pageMusts.test"


@cache
def registry() -> Registry:
    resources = []
    for path in SUITE.rglob("*.json"):
        resource = Resource.from_contents(json.loads(path.read_text(encoding="utf-8")),
                                          default_specification=DRAFT4)
        resources += [(path.name, resource), (path.relative_to(SUITE).as_posix(), resource)]
    return Registry().with_resources(resources)


@cache
def _groups(test: str) -> list[list[dict[str, Any]]]:
    """Each assertion of a .test file, or an "or" group of them (one must hold)."""
    listed = json.loads((SUITE / test).read_text(encoding="utf-8"))["assertions"]
    groups = []
    for entry in listed:
        names = entry["assertions"] if isinstance(entry, dict) else [entry]
        groups.append([json.loads((SUITE / n).read_text(encoding="utf-8")) for n in names])
    return groups


def problems(document: Any, test: str) -> list[str]:
    """The error messages of the assertions of ``test`` that ``document`` fails."""
    failed = []
    for group in _groups(test):
        errors = []
        for schema in group:
            valid = jsonschema.Draft4Validator(schema, registry=registry()).is_valid(document)
            if valid != (schema.get("expectedResult", "valid") == "valid"):
                errors.append(schema.get("errorMessage") or schema.get("title", "?"))
        if len(errors) == len(group):
            failed.append(errors[0])
    return failed
