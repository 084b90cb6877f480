"""The notebook API (``detente.open``) and the worked-example notebook, executed with nbclient."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import networkx as nx
import pandas as pd
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import detente
from detente.errors import UsageError
from detente.loaders.base import LoadError
from detente.notebook import KnowledgeGraph, demo_path

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "worked-example.ipynb"


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    graph = detente.open("memory:")
    graph.load(demo_path())
    return graph


def test_open_any_store_uri(tmp_path: Path) -> None:
    disk = detente.open(f"oxigraph:{tmp_path / 'store'}")
    frame = disk.load(demo_path() / "saudi-talks.yaml", demo_path() / "entities.yaml")
    assert list(frame["format"]) == ["entities-document", "claim-document"] and frame["new_claims"].sum() == 7
    disk.close()
    again = detente.open(f"oxigraph:{tmp_path / 'store'}", read_only=True)
    assert again.stats()["claims"] > 7 and repr(again).startswith("<detente.KnowledgeGraph oxigraph:")


def test_sparql_columns_are_typed(kg: KnowledgeGraph) -> None:
    frame = kg.sparql("SELECT ?claim ?n ?issued ?confidence ?label ?ok WHERE { GRAPH ?claim { ?a dt:prisonerCount ?n } "
                      "?claim prov:wasDerivedFrom/dct:issued ?issued ; dt:confidence ?confidence . "
                      "state:UKR rdfs:label ?label BIND(?n > 300 AS ?ok) } ORDER BY ?n")
    assert str(frame["n"].dtype) == "Int64" and list(frame["n"]) == [26, 300, 314, 314]
    assert pd.api.types.is_datetime64_any_dtype(frame["issued"])
    assert frame["issued"].iloc[1] == pd.Timestamp("2025-03-13")
    assert frame["confidence"].dtype == "float64" and str(frame["ok"].dtype) == "boolean"
    assert frame["label"].iloc[0] == "Ukraine"  # a language-tagged string is a str
    assert frame["claim"].iloc[0].startswith("claim:")
    full = kg.sparql("SELECT ?s WHERE { ?s dt:isoCode 'UKR' }", full_iris=True)
    assert full["s"].tolist() == ["https://w3id.org/detente/id/state/UKR"]
    assert kg.sparql("SELECT ?s WHERE { ?s dt:isoCode 'UKR' }")["s"].tolist() == ["state:UKR"]
    stamp = kg.sparql("SELECT ?t WHERE { BIND('2025-03-12T10:00:00Z'^^xsd:dateTime AS ?t) }")
    assert stamp["t"].iloc[0] == pd.Timestamp("2025-03-12T10:00:00Z")
    assert kg.sparql("ASK { state:UKR owl:sameAs wd:Q212 }") is True
    triples = kg.sparql("CONSTRUCT { state:UKR owl:sameAs ?o } WHERE { state:UKR owl:sameAs ?o }")
    assert triples.to_dict("records") == [{"subject": "state:UKR", "predicate": "owl:sameAs", "object": "wd:Q212"}]
    assert kg.sparql("SELECT ?n WHERE { ?a dt:prisonerCount ?n } ORDER BY ?n", records=True)[0] == {"n": 26}


def test_provenance_conflicts_and_claims_match_the_library(kg: KnowledgeGraph) -> None:
    from rdflib import Literal

    from detente.graph.claims import conflicts, provenance
    from detente.ontology.vocab import DT, DTR

    who = kg.provenance("agreement:ukr-rus-314-exchange", "prisonerCount", 314)
    report = provenance(kg.store, DTR["agreement/ukr-rus-314-exchange"], DT.prisonerCount, Literal(314))
    assert len(who) == len(report.supporting) + len(report.disagreeing) == 3
    assert set(who.loc[who.role == "supporting", "publisher"]) == {"Kyiv Independent", "Meridian Wire"}
    assert who.loc[who.role == "disagreeing", "value"].tolist() == [300]
    assert who["issued"].min() == pd.Timestamp("2025-03-12")
    records = kg.provenance("Ukraine", records=True)
    assert records and all(r["role"] == "supporting" for r in records)

    disputes = kg.conflicts()
    assert sorted(disputes["value"].tolist()) == [300, 314, 314]
    assert len(disputes) == sum(len(cs) for c in conflicts(kg.store) for cs in c.values.values())

    said = kg.claims(predicate="prisonerCount")
    counts = said.loc[said.predicate == "dt:prisonerCount", "object"].tolist()  # one row per statement of each claim
    assert sorted(counts) == [26, 300, 314, 314] and said["issued"].dtype.kind == "M"
    assert said["claim"].nunique() == 4
    assert kg.claims(subject="Ukraine", records=True)[0]["predicate"] == "dt:wikidataId"
    with pytest.raises(UsageError, match="Atlantis"):
        kg.claims(subject="Atlantis")


def test_network_is_the_projection_with_the_cli_filters(kg: KnowledgeGraph) -> None:
    from detente.graph.projections import project

    graph = kg.network()
    assert isinstance(graph, nx.Graph) and graph.number_of_nodes() == project(kg.store, "actors").number_of_nodes()
    # Node ids are compact names like every other answer (issue 12 review), whole IRIs on request.
    assert graph.nodes["state:UKR"]["wikidata"] == "Q212"
    assert kg.network(full_iris=True).nodes["https://w3id.org/detente/id/state/UKR"]["wikidata"] == "Q212"
    recent = kg.network(start="2025-01-01", publishers=["Kyiv Independent"])
    assert 0 < recent.number_of_edges() < graph.number_of_edges()
    assert kg.network("full").is_multigraph()
    with pytest.raises(ValueError, match="projection"):
        kg.network("nope")


def test_load_has_the_cli_options(tmp_path: Path) -> None:
    graph = detente.open("memory:")
    bad = tmp_path / "bad.csv"
    bad.write_text("claim,subject,predicate,object,source\nc1,event:x,hasParty,Ukraine,https://example.org/a\n"
                   "c2,event:x,prisonerCount,many,https://example.org/a\n")
    with pytest.raises(LoadError, match=r"bad\.csv:3"):
        graph.load(bad)
    assert graph.stats()["claims"] == 0
    rejects = tmp_path / "rejects.csv"
    frame = graph.load(bad, skip_invalid=True, rejects=rejects, shacl=False)
    assert frame["new_claims"].tolist() == [1] and "many" in rejects.read_text()
    news = tmp_path / "note.txt"
    news.write_text("Ukraine and Russia agreed to exchange 314 prisoners, the U.S. special envoy said on Tuesday.")
    reports = graph.load(news, publisher="Kyiv Independent", published="2025-03-12",
                         source_url="https://example.org/note", records=True)
    assert reports[0]["format"] == "news-text"


def test_pandas_missing_gives_a_clear_message(kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"detente\[notebook\]"):
        kg.sparql("SELECT ?s WHERE { ?s a dt:State }")
    assert kg.sparql("SELECT ?s WHERE { ?s dt:isoCode 'UKR' }", records=True) == [{"s": "state:UKR"}]


def test_the_worked_example_notebook_runs(tmp_path: Path) -> None:
    """Execute docs/worked-example.ipynb on this interpreter's ipykernel, offline, and check what it shows."""
    kernels = tmp_path / "kernels" / "detente-test"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "detente tests", "language": "python"}))
    manager = KernelManager(kernel_name="detente-test",
                            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels.parent)]),
                            transport="ipc", ip=str(tmp_path / "kernel-ipc"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not cell.get("outputs") for cell in code_cells), "store it without outputs"
    NotebookClient(notebook, km=manager, timeout=180, resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    texts = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs if o.output_type == "execute_result")
    assert "Caspian Dispatch" in texts and "Kyiv Independent" in texts and "Q212" in texts
    assert any("image/png" in o.get("data", {}) for o in outputs if o.output_type == "display_data"), "the network plot"
    assert not list(tmp_path.glob("store*")), "the notebook writes nothing to disk"


def test_limits_are_checked_and_a_cut_result_warns(kg: KnowledgeGraph) -> None:
    from detente.errors import ParameterError
    from detente.notebook import TruncatedResultWarning

    with pytest.raises(ParameterError, match="limit: must not be negative"):
        kg.claims(limit=-1)
    with pytest.raises(ParameterError, match="limit"):
        kg.claims(limit="ten")  # type: ignore[arg-type]
    every = kg.claims(limit=None)
    assert every["claim"].nunique() == kg.stats()["claims"]
    with pytest.warns(TruncatedResultWarning, match="limit=None"):
        cut = kg.claims(limit=3)
    assert cut["claim"].nunique() == 3
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert kg.claims(predicate="prisonerCount", limit=4)["claim"].nunique() == 4  # exactly all: no warning


def test_conflicts_page_like_the_command_line(kg: KnowledgeGraph) -> None:
    from detente.errors import ParameterError
    from detente.graph.conflict_listing import conflict_page
    from detente.notebook import TruncatedResultWarning

    total = conflict_page(kg.store).total
    assert total >= 1 and kg.conflicts(limit=total, offset=0)["subject"].nunique() >= 1
    with pytest.warns(TruncatedResultWarning):
        assert kg.conflicts(limit=0).empty
    assert kg.conflicts(offset=total).empty
    with pytest.raises(ParameterError, match="offset"):
        kg.conflicts(offset=-1)


def test_sparql_updates_are_refused_with_the_way_to_write(kg: KnowledgeGraph) -> None:
    from detente.errors import QuerySyntaxError, ReadOnlyError

    for update in ("INSERT DATA { <urn:a> <urn:b> 1 }", "PREFIX ex: <urn:x#> DELETE WHERE { ?s ex:p ?o }"):
        with pytest.raises(ReadOnlyError, match=r"kg\.load"):
            kg.sparql(update)
    with pytest.raises(QuerySyntaxError):
        kg.sparql("SELECT WHERE nonsense")
    assert not kg.sparql("ASK { <urn:a> <urn:b> 1 }")


@pytest.mark.slow  # starts a real `detente serve`
def test_a_store_held_by_a_server_is_read_through_it(tmp_path: Path) -> None:
    import signal
    import subprocess
    import time

    from detente.errors import ReadOnlyError

    store = tmp_path / "store"
    command = str(Path(sys.executable).with_name("detente"))
    subprocess.run([command, "load", str(demo_path() / "entities.yaml"), str(demo_path() / "pretoria.yaml"),
                    "--store", f"oxigraph:{store}"], check=True, capture_output=True, timeout=300)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([command, "serve", "--store",
                                   f"oxigraph:{store}", "--workers", "1", "--port", "0"], stdout=out,
                                  stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(600):  # wait for the lock file the server writes once it serves
            if "serving on" in log.read_text() or server.poll() is not None:
                break
            time.sleep(0.1)
        assert "serving on" in log.read_text(), log.read_text()
        kg = detente.open(f"oxigraph:{store}")  # no StoreLockedError: read through the server
        assert "read through the server" in repr(kg)
        claims_before = kg.stats()["claims"]
        assert claims_before > 0
        with pytest.raises(ReadOnlyError):
            kg.store.update("INSERT DATA { <urn:a> <urn:b> 1 }")
        kg.load(demo_path() / "saudi-talks.yaml")  # through the server's writer, then a fresh snapshot
        assert kg.stats()["claims"] > claims_before
        kg.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def test_a_query_past_the_engines_bounds_is_refused_not_a_crash(kg: KnowledgeGraph) -> None:
    from detente.errors import QueryTooComplexError

    with pytest.raises(QueryTooComplexError, match="nests groups or brackets 1001 deep"):
        kg.sparql("ASK " + "{" * 1001 + "}" * 1001)
