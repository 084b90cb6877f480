"""Every export of the demo corpus, read back by an independent reader."""

from __future__ import annotations

import csv
import io
import json
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import igraph
import jsonschema
import networkx as nx
import pydot
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from detente.graph.exports import FORMATS, export_bytes, export_file
from detente.graph.exports.links import add_wikidata_links
from detente.graph.projections import actor_graph, project
from detente.graph.store import Store
from detente.ontology.vocab import DTR, FACTS_GRAPH

UKR, RUS = str(DTR["state/UKR"]), str(DTR["state/RUS"])
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

# What a Cytoscape.js elements document must look like (https://js.cytoscape.org/#notation/elements-json).
CYTOSCAPE_SCHEMA = {
    "type": "object",
    "required": ["elements", "data"],
    "properties": {
        "data": {"type": "object", "required": ["directed", "multigraph"]},
        "elements": {
            "type": "object",
            "required": ["nodes", "edges"],
            "additionalProperties": False,
            "properties": {
                "nodes": {"type": "array", "items": {
                    "type": "object", "required": ["data"],
                    "properties": {"data": {"type": "object", "required": ["id", "label", "type"],
                                            "properties": {"id": {"type": "string", "minLength": 1},
                                                           "label": {"type": "string"}}}}}},
                "edges": {"type": "array", "items": {
                    "type": "object", "required": ["data"],
                    "properties": {"data": {
                        "type": "object",
                        "required": ["id", "source", "target", "claim_count", "source_count", "claims"],
                        "properties": {"id": {"type": "string"}, "source": {"type": "string"},
                                       "target": {"type": "string"}, "claim_count": {"type": "integer", "minimum": 1},
                                       "source_count": {"type": "integer", "minimum": 0},
                                       "claims": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                                       "confidence_mean": {"type": ["number", "null"]},
                                       "first_seen": {"type": ["string", "null"]}}}}}},
            },
        },
    },
}


@pytest.fixture(scope="module")
def store(demo_store: Store) -> Store:
    return demo_store


@pytest.fixture(scope="module")
def actors(store: Store) -> nx.Graph:
    return actor_graph(store)


@pytest.mark.parametrize("projection", ["actors", "bipartite", "full"])
def test_graphml_reads_back_in_igraph(store: Store, tmp_path: Path, projection: str) -> None:
    expected = project(store, projection)
    path = export_file(store, "graphml", tmp_path / "net.graphml", projection=projection)
    read = igraph.Graph.Read_GraphML(str(path))
    assert (read.vcount(), read.ecount()) == (expected.number_of_nodes(), expected.number_of_edges())
    assert read.is_directed() == expected.is_directed()
    ids = read.vs["id"]
    tie = read.es[read.get_eid(ids.index(UKR), ids.index(RUS))] if projection == "actors" else None
    if tie is not None:
        assert tie["claim_count"] == 6 and len(tie["claims"].split()) == 6
        assert tie["first_seen"] == "2022-07-22"
    assert "Ukraine" in read.vs["label"]


def test_gexf_is_dynamic_with_spells(store: Store, actors: nx.Graph) -> None:
    body, media_type = export_bytes(store, "gexf")
    assert media_type == "application/gexf+xml"
    assert b'mode="dynamic"' in body and b'timeformat="date"' in body
    read = nx.read_gexf(io.BytesIO(body))
    assert read.number_of_nodes() == actors.number_of_nodes()
    assert read.number_of_edges() == actors.number_of_edges()
    assert read.nodes[UKR]["start"] == "2022-07-22" and read.nodes[UKR]["end"] == "2025-03-19"
    assert all("start" in d and "end" in d for *_e, d in read.edges(data=True))
    assert read.edges[UKR, RUS]["claim_count"] == 6


def test_cytoscape_json_matches_the_schema(store: Store, actors: nx.Graph) -> None:
    body, media_type = export_bytes(store, "cytoscape")
    document = json.loads(body)
    jsonschema.validate(document, CYTOSCAPE_SCHEMA)
    assert media_type == "application/json"
    assert len(document["elements"]["nodes"]) == actors.number_of_nodes()
    ids = {n["data"]["id"] for n in document["elements"]["nodes"]}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in document["elements"]["edges"])
    full = json.loads(export_bytes(store, "cytoscape", projection="full")[0])
    jsonschema.validate(full, CYTOSCAPE_SCHEMA)
    assert full["data"]["directed"] is True
    assert any(e["data"]["key"] == "dt:hasParty" for e in full["elements"]["edges"])


def test_nodelink_reads_back_in_networkx(store: Store, actors: nx.Graph) -> None:
    body, _ = export_bytes(store, "nodelink")
    read = nx.node_link_graph(json.loads(body), edges="links")
    assert nx.utils.graphs_equal(read, add_wikidata_links(store, actors.copy()))  # exports add wikidata, sameAs


def test_dot_parses_with_pydot(store: Store, actors: nx.Graph) -> None:
    body, media_type = export_bytes(store, "dot")
    assert media_type == "text/vnd.graphviz"
    [parsed] = pydot.graph_from_dot_data(body.decode())
    nodes = [n for n in parsed.get_nodes() if n.get_name().strip('"') not in ("node", "edge", "graph")]
    assert len(nodes) == actors.number_of_nodes()
    assert len(parsed.get_edges()) == actors.number_of_edges()
    ukraine = next(n for n in nodes if n.get_name().strip('"') == UKR)
    assert ukraine.get("label").strip('"') == "Ukraine"
    # Labels with quotes survive.
    tricky = nx.Graph(name='say "hi"')
    tricky.add_edge("a", 'b"\\c', weight=1)
    from detente.graph.exports.network import to_dot
    [again] = pydot.graph_from_dot_data(to_dot(tricky).decode())
    assert len(again.get_edges()) == 1


def test_csv_edges_table(store: Store, actors: nx.Graph) -> None:
    body, _ = export_bytes(store, "csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert len(rows) == actors.number_of_edges()
    tie = next(r for r in rows if {r["source"], r["target"]} == {UKR, RUS})
    assert {tie["source_label"], tie["target_label"]} == {"Ukraine", "Russia"}
    assert int(tie["claim_count"]) == 6 and len(tie["claims"].split()) == 6
    assert set(tie["relations"].split("; ")) == {"agreement", "exchange", "talks"}
    nodes = list(csv.DictReader(io.StringIO(export_bytes(store, "csv-nodes")[0].decode())))
    assert {r["id"] for r in nodes} == set(actors.nodes)


def test_rdf_exports_parse_in_rdflib(store: Store) -> None:
    turtle = Graph().parse(data=export_bytes(store, "turtle")[0], format="turtle")
    assert len(turtle) == store.count_quads(FACTS_GRAPH)
    jsonld = Graph().parse(data=export_bytes(store, "jsonld")[0], format="json-ld")
    assert isomorphic(turtle, jsonld)
    claim_count = len(store.query("SELECT ?c WHERE { ?c a dt:Claim }").rows)
    for fmt in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(data=export_bytes(store, fmt)[0], format=fmt)
        claim_graphs = {str(g.identifier) for g in dataset.graphs() if str(g.identifier).startswith(str(DTR["claim/"]))}
        assert len(claim_graphs) == claim_count
        assert sum(1 for _ in dataset.quads((None, None, None, None))) == store.count_quads()


def test_filtered_rdf_keeps_only_the_publishers_claims(store: Store) -> None:
    dataset = Dataset()
    dataset.parse(data=export_bytes(store, "trig", publisher="Caspian Dispatch")[0], format="trig")
    claims = {g.identifier for g in dataset.graphs() if str(g.identifier).startswith(str(DTR["claim/"]))}
    expected = {row[0] for row in store.query(
        "SELECT ?c WHERE { ?c prov:wasDerivedFrom/dct:publisher organization:caspian-dispatch }").rows}
    assert claims == expected and len(claims) == 2
    facts = Graph().parse(data=export_bytes(store, "turtle", publisher="Caspian Dispatch")[0], format="turtle")
    counts = {str(o) for o in facts.objects(URIRef(str(DTR["agreement/ukr-rus-314-exchange"])),
                                            URIRef("https://w3id.org/detente/ontology#prisonerCount"))}
    assert counts == {"300"}


def test_unknown_format_and_projection(store: Store) -> None:
    with pytest.raises(KeyError, match="unknown export format"):
        export_bytes(store, "pdf")
    with pytest.raises(ValueError, match="projection"):
        export_bytes(store, "graphml", projection="sideways")
    with pytest.raises(ValueError, match="colour"):
        export_bytes(store, "graphml", colour="red")
    assert {"graphml", "gexf", "cytoscape", "nodelink", "dot", "csv", "turtle", "trig", "nquads", "jsonld",
            "html"} <= set(FORMATS)


def test_filters_change_the_exported_network(store: Store) -> None:
    everything = json.loads(export_bytes(store, "nodelink")[0])
    recent = json.loads(export_bytes(store, "nodelink", start="2025-01-01", min_confidence=0.8)[0])
    assert len(recent["links"]) < len(everything["links"])
    assert recent["graph"]["filters"]["start"] == "2025-01-01"


# -- the HTML view in a real browser -------------------------------------------------------------

def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG into rows of raw pixel bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(b"".join(chunks)), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, up_left = previous[i], (previous[i - bpp] if i >= bpp else 0)
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, bpp, rows


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=1200,800", *args], capture_output=True, timeout=120, check=False)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
def test_html_view_renders_every_node_in_chromium(store: Store, actors: nx.Graph, tmp_path: Path) -> None:
    page = export_file(store, "html", tmp_path / "network.html")
    text = page.read_text(encoding="utf-8")
    assert "<script src=" not in text and "http://" not in text.split("<script>", 1)[0].split("</title>")[1]
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri()).stdout.decode()
    assert f'data-rendered-nodes="{actors.number_of_nodes()}"' in dom
    assert f'data-rendered-edges="{actors.number_of_edges()}"' in dom
    shot = tmp_path / "shot.png"
    _chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    width, bpp, rows = _png_pixels(shot.read_bytes())
    colours = {row[x:x + 3] for row in rows[::7] for x in range(0, width * bpp, bpp * 7)}
    # Background, header, node colours, edge grey, text: far more than one colour.
    assert len(colours) > 10
