"""Hostile input files are refused at once, in bounded memory, with file, line and field — and fetch nothing.

Each bomb is generated here and loaded in a fresh Python process whose peak
resident memory is compared with its peak before the load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from detente.cli import main
from detente.loaders import load_paths

from adversary import Canary

HEADER = "claim,subject,predicate,object,source,publisher,published,quote,said_by,confidence\n"
RSS_GROWTH_LIMIT_MB = 150

_PROBE = textwrap.dedent("""
    import json, resource, sys
    from detente.loaders.pipeline import load_paths
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reports = load_paths(None, [sys.argv[1]], skip_invalid=True, shacl=False)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rejects": [str(r) for report in reports for r in report.rejects],
                      "growth_mb": (after - before) / 1024}))
""")


def _load_in_a_fresh_process(path: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _yaml_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + (f"\nsource: {{url: 'https://example.org/a'}}\nclaims:\n"
                               f"  - statements: [[state:UKR, hasParty, state:RUS]]\n    quote: *a{levels - 1}\n")


def _xml_laughs(levels: int = 9) -> str:
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    entities += [f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, levels)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "]>\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
            f'<rdf:Description rdf:about="http://example.org/a"><ex:p>&lol{levels - 1};</ex:p></rdf:Description>\n'
            "</rdf:RDF>\n")


BOMBS: dict[str, tuple[str, str, str]] = {
    # name: (file name, content or a recipe, expected words in the reject)
    "yaml billion laughs": ("claims.yaml", _yaml_laughs(), "aliases expand this document"),
    "yaml recursive alias": ("claims.yaml", "source: {url: 'https://example.org/a'}\nclaims: &c [*c]\n",
                             "refers to a collection that contains it"),
    "yaml deep nesting": ("claims.yaml", "claims: " + "[" * 500 + "]" * 500 + "\n", "nest deeper than"),
    "json deep nesting": ("claims.json", "[" * 100_000 + "]" * 100_000, "nested deeper than"),
    "json lines: a long line": ("claims.jsonl", '{"source": "' + "x" * (5 << 20) + '"}\n', "longer than"),
    "rdf/xml billion laughs": ("data.rdf", _xml_laughs(), "declares the entity"),
    "rdf/xml external entity": ("data.rdf", '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ext SYSTEM '
                                '"file:///etc/hostname">]>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
                                'syntax-ns#" xmlns:ex="http://example.org/"><rdf:Description rdf:about='
                                '"http://example.org/a"><ex:p>&ext;</ex:p></rdf:Description></rdf:RDF>\n',
                                "declares the entity 'ext'"),
    "csv: a 300 kB field": ("statements.csv", HEADER + "c1,event:t1,hasParty,Ukraine,https://example.org/a,X,"
                            "2025-03-12," + "x" * 300_000 + ",,0.9\n", "field larger than field limit"),
    "csv: an 8 MB line": ("statements.csv", HEADER + "c1," + "y" * (8 << 20) + "\n", "line 2 is longer than"),
}


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_bombs_are_refused_in_bounded_memory(tmp_path: Path, bomb: str) -> None:
    name, content, expected = BOMBS[bomb]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    outcome = _load_in_a_fresh_process(path)
    rejects = outcome["rejects"]
    assert len(rejects) == 1 and expected in rejects[0], rejects  # type: ignore[arg-type]
    assert rejects[0].startswith(str(path)), rejects  # type: ignore[index]
    assert outcome["growth_mb"] < RSS_GROWTH_LIMIT_MB, outcome


def test_an_html_entity_bomb_is_not_expanded(tmp_path: Path) -> None:
    """News HTML is parsed as HTML (lxml's HTML parser), which does not expand DTD entities."""
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    entities += [f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 9)]
    path = tmp_path / "story.html"
    path.write_text("---\nurl: https://example.org/a\npublisher: Example News\npublished: 2025-03-12\n---\n"
                    "<!DOCTYPE html [\n" + "\n".join(entities) + "]>\n<html><body><article><p>Ukraine and Russia "
                    "agreed to exchange prisoners. " + "&lol8;" * 3 + "</p></article></body></html>\n",
                    encoding="utf-8")
    outcome = _load_in_a_fresh_process(path)
    assert outcome["growth_mb"] < RSS_GROWTH_LIMIT_MB, outcome


@pytest.mark.parametrize(("name", "limit_words"), [("claims.yaml", "the document is"),
                                                   ("claims.json", "the document is"),
                                                   ("story.txt", "the text file is")])
def test_oversized_documents_are_refused_before_reading(tmp_path: Path, name: str, limit_words: str) -> None:
    path = tmp_path / name
    with path.open("wb") as handle:
        handle.truncate(40 << 20)  # a sparse file: its size is what counts
    outcome = _load_in_a_fresh_process(path)
    rejects = outcome["rejects"]
    assert len(rejects) == 1 and limit_words in rejects[0] and "split it" in rejects[0], rejects  # type: ignore
    assert outcome["growth_mb"] < RSS_GROWTH_LIMIT_MB


def test_devices_and_fifos_are_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "statements.csv"
    os.mkfifo(fifo)
    reports = load_paths(None, [fifo, Path("/dev/zero")], skip_invalid=True, shacl=False)
    messages = [str(r) for report in reports for r in report.rejects]
    assert messages == [f"{fifo}: not a regular file (a device, FIFO or socket is never read)",
                        "/dev/zero: not a regular file (a device, FIFO or socket is never read)"]


def _jsonld(tmp_path: Path, context: object) -> Path:
    path = tmp_path / "data.jsonld"
    path.write_text(json.dumps({"@context": context, "@id": "http://example.org/a", "name": "x"}), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["load", "validate"])
def test_a_remote_jsonld_context_is_refused_and_never_fetched(tmp_path: Path, canary: Canary, command: str) -> None:
    remote = f"http://127.0.0.1:{canary.port}/context.jsonld"
    path = _jsonld(tmp_path, remote)
    store = ["--store", f"oxigraph:{tmp_path / 'store'}"] if command == "load" else []
    result = CliRunner().invoke(main, [command, str(path), *store])
    time.sleep(0.1)
    assert canary.connections == []
    assert result.exit_code == 1, result.output
    assert str(path) in result.output and remote in result.output and "inline" in result.output


@pytest.mark.parametrize("context", ["file:///etc/hostname", ["file:///etc/hostname", {"name": "http://schema.org/name"}],
                                     {"@import": "file:///etc/hostname"}, "context.jsonld"])
def test_file_contexts_are_refused(tmp_path: Path, context: object) -> None:
    (tmp_path / "context.jsonld").write_text('{"@context": {"name": "http://schema.org/name"}}', encoding="utf-8")
    path = _jsonld(tmp_path, context)
    reports = load_paths(None, [path], skip_invalid=True, shacl=False)
    reject, = reports[0].rejects
    assert reject.field == "@context" and "never fetches a context" in reject.message


def test_a_scoped_context_by_iri_is_refused_too(tmp_path: Path, canary: Canary) -> None:
    path = tmp_path / "scoped.jsonld"
    path.write_text(json.dumps({"@context": {"knows": {"@id": "http://schema.org/knows",
                                                       "@context": f"http://127.0.0.1:{canary.port}/c"}},
                                "@id": "http://example.org/a", "knows": {"@id": "http://example.org/b"}}))
    reports = load_paths(None, [path], skip_invalid=True, shacl=False)
    assert "never fetches a context" in reports[0].rejects[0].message and canary.connections == []


def test_an_inline_context_loads(tmp_path: Path) -> None:
    path = _jsonld(tmp_path, {"name": "http://schema.org/name"})
    reports = load_paths(None, [path], skip_invalid=True, shacl=False)
    assert reports[0].rejects == [] and reports[0].records == 1
