"""pyLODE documentation and the package's public surface."""

from __future__ import annotations

import doctest
import importlib
import logging
import subprocess
import sys

import pytest

import detente.ontology as onto


def test_render_html_documents_the_ontology() -> None:
    from detente.ontology.docs import render_html

    html = render_html()
    assert html.lstrip().lower().startswith("<!doctype html")
    for text in ("detente ontology", "Prisoner Exchange", "Envoy", "has party", "held at",
                 "prisoner count", "https://w3id.org/detente/ontology#Claim",
                 "A sourced statement"):
        assert text in html, text
    assert render_html() is html, "cached"


def test_render_html_leaves_logging_alone() -> None:
    from detente.ontology import docs

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    docs.render_html.cache_clear()
    docs.render_html()
    assert root.level == level
    assert root.handlers == handlers


def test_render_html_failure_is_loud(monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.ontology import docs

    class Broken:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise ValueError("boom")

    pylode = docs._import_pylode()
    monkeypatch.setattr(pylode, "OntPub", Broken)
    docs.render_html.cache_clear()
    try:
        with pytest.raises(docs.DocumentationError, match="boom"):
            docs.render_html()
    finally:
        docs.render_html.cache_clear()


def test_import_does_not_load_heavy_dependencies() -> None:
    code = (
        "import sys, detente.ontology as o\n"
        "o.property_range(o.DT.prisonerCount)\n"
        "heavy = [m for m in ('owlready2', 'pyshacl', 'pylode') if m in sys.modules]\n"
        "print(heavy)\n"
        "raise SystemExit(1 if heavy else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_public_api_resolves() -> None:
    for name in onto.__all__:
        assert getattr(onto, name) is not None, name
    assert callable(onto.check_consistency)
    assert callable(onto.validate_shacl)
    assert callable(onto.render_html)
    with pytest.raises(AttributeError):
        onto.no_such_name  # noqa: B018


@pytest.mark.parametrize(
    "module",
    ["detente.ontology", "detente.ontology.schema", "detente.ontology.validation",
     "detente.ontology.reasoning", "detente.ontology.docs"],
)
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
