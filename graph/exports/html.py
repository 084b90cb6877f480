"""A self-contained HTML network view: Cytoscape.js and the graph in one file.

The page needs no network: Cytoscape.js (MIT licence, vendored from the npm
package ``cytoscape``, version in :data:`CYTOSCAPE_VERSION`) and the graph JSON
are inlined. It offers node search, a details panel on click, and edge
tooltips with claim and source counts, confidence and dates.

>>> import networkx as nx
>>> page = network_html(nx.Graph(name="empty")).decode()
>>> page.startswith("<!DOCTYPE html>") and "cytoscape" in page
True
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from importlib import resources
from typing import Any

import networkx as nx

from detente.graph.exports.network import cytoscape_data

CYTOSCAPE_VERSION = "3.34.4"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="detente">
<title>__TITLE__</title>
<style>
  html, body { margin: 0; height: 100%;
               font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d2330; }
  body { display: flex; flex-direction: column; }
  header { display: flex; gap: 1em; align-items: center; padding: .5em 1em; background: #1f3a5f; color: #fff; }
  header h1 { font-size: 1.05em; margin: 0; font-weight: 600; }
  header input { padding: .3em .5em; border-radius: 4px; border: 0; min-width: 16em; }
  header .meta { margin-left: auto; font-size: .85em; opacity: .85; }
  main { flex: 1; display: flex; min-height: 0; }
  #cy { flex: 1; background: #fafbfd; }
  aside { width: 19em; overflow: auto; padding: .8em 1em; border-left: 1px solid #d9dee8; background: #fff;
          font-size: .9em; }
  aside h2 { font-size: 1em; margin: .2em 0 .5em; }
  aside dl { margin: 0; }
  aside dt { font-weight: 600; margin-top: .4em; }
  aside dd { margin: 0; word-break: break-all; }
  #tooltip { position: fixed; pointer-events: none; display: none; max-width: 24em; padding: .5em .7em;
             border-radius: 6px; background: rgba(20, 28, 42, .93); color: #fff; font-size: 12px; z-index: 10; }
  .legend span { display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin-right: .3em;
                 vertical-align: middle; }
</style>
</head>
<body>
<header>
  <h1>__TITLE__</h1>
  <input id="search" type="search" placeholder="Find an actor or event…" aria-label="Find a node">
  <span class="meta" id="status" data-rendered-nodes="0" data-rendered-edges="0">loading…</span>
</header>
<main>
  <div id="cy" role="img" aria-label="network view"></div>
  <aside id="details"><h2>About this view</h2><p>__FILTERS__</p>
    <p>Node size follows the number of claims; edge width the number of distinct claims behind a tie.
      Hover a tie for its sources; click a node for details; type in the box to find a node (Enter zooms to it).</p>
    <div class="legend" id="legend"></div></aside>
</main>
<div id="tooltip" role="tooltip"></div>
<script type="application/json" id="graph-data">__DATA__</script>
<script>__CYTOSCAPE__</script>
<script>
(function () {
  "use strict";
  var graph = JSON.parse(document.getElementById("graph-data").textContent);
  var palette = {State: "#2b6cb0", Envoy: "#b7791f", Person: "#d69e2e", Organization: "#2f855a",
    InternationalOrganization: "#38a169", NewsOrganization: "#718096", Talks: "#c05621", Agreement: "#9b2c2c",
    Ceasefire: "#c53030", PeaceAgreement: "#e53e3e", PrisonerExchange: "#6b46c1", Exchange: "#805ad5",
    Announcement: "#d53f8c", Venue: "#319795"};
  function colour(type) { return palette[type] || "#4a5568"; }
  var maxWeight = 1;
  graph.elements.edges.forEach(function (e) { maxWeight = Math.max(maxWeight, e.data.weight || 1); });
  var cy = cytoscape({
    container: document.getElementById("cy"),
    elements: graph.elements,
    wheelSensitivity: 0.3,
    style: [
      {selector: "node", style: {"label": "data(label)",
        "background-color": function (n) { return colour(n.data("type")); },
        "width": function (n) { return 18 + 6 * Math.sqrt(n.data("claim_count") || 1); },
        "height": function (n) { return 18 + 6 * Math.sqrt(n.data("claim_count") || 1); },
        "font-size": 11, "text-wrap": "wrap", "text-max-width": 120, "text-valign": "bottom", "text-margin-y": 4,
        "color": "#1d2330", "border-width": 1, "border-color": "#fff"}},
      {selector: "node[kind = 'event']", style: {"shape": "round-rectangle"}},
      {selector: "edge", style: {"width": function (e) { return 1 + 7 * (e.data("weight") || 1) / maxWeight; },
        "line-color": "#9aa8bd", "opacity": 0.85, "curve-style": "bezier",
        "target-arrow-shape": graph.data.directed ? "triangle" : "none", "target-arrow-color": "#9aa8bd"}},
      {selector: "edge[relations]", style: {"line-style": function (e) {
        var r = e.data("relations") || []; return (r.length === 1 && r[0] === "mediation") ? "dashed" : "solid"; }}},
      {selector: ".faded", style: {"opacity": 0.12}},
      {selector: ".match", style: {"border-width": 4, "border-color": "#f6ad55"}},
      {selector: "node:selected", style: {"border-width": 4, "border-color": "#1f3a5f"}}
    ],
    layout: {name: graph.elements.nodes.length > 400 ? "grid" : "cose", animate: false, randomize: true,
             nodeRepulsion: function () { return 400000; }, idealEdgeLength: function () { return 100; },
             nodeOverlap: 20, componentSpacing: 100, padding: 40}
  });
  // A small network fitted to the window would be blown up: keep labels at their natural size.
  if (cy.zoom() > 1.4) { cy.zoom(1.4); cy.center(); }
  var status = document.getElementById("status");
  status.setAttribute("data-rendered-nodes", String(cy.nodes().length));
  status.setAttribute("data-rendered-edges", String(cy.edges().length));
  status.textContent = cy.nodes().length + " nodes, " + cy.edges().length + " edges";

  var types = {};
  cy.nodes().forEach(function (n) { types[n.data("type")] = true; });
  document.getElementById("legend").innerHTML = Object.keys(types).sort().map(function (t) {
    return "<div><span style=\\"background:" + colour(t) + "\\"></span>" + escapeHtml(t) + "</div>"; }).join("");

  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\"": "&quot;", "'": "&#39;"}[c]; });
  }
  function list(value) { return Array.isArray(value) ? value.join(", ") : (value == null ? "" : value); }
  var tooltip = document.getElementById("tooltip");
  cy.on("mouseover", "edge", function (evt) {
    var d = evt.target.data();
    var s = cy.getElementById(d.source).data("label"), t = cy.getElementById(d.target).data("label");
    tooltip.innerHTML = "<strong>" + escapeHtml(s) + " — " + escapeHtml(t) + "</strong><br>" +
      (d.key ? escapeHtml(d.key) + "<br>" : "") +
      escapeHtml(d.claim_count) + " claims from " + escapeHtml(d.source_count) + " sources<br>" +
      "confidence: mean " + escapeHtml(d.confidence_mean == null ? "–" : d.confidence_mean) +
      ", max " + escapeHtml(d.confidence_max == null ? "–" : d.confidence_max) + "<br>" +
      "seen: " + escapeHtml(d.first_seen || "?") + " → " + escapeHtml(d.last_seen || "?") + "<br>" +
      (d.relations ? "relations: " + escapeHtml(list(d.relations)) + "<br>" : "") +
      (d.publishers ? "publishers: " + escapeHtml(list(d.publishers)) : "");
    tooltip.style.display = "block";
  });
  cy.on("mousemove", function (evt) {
    var e = evt.originalEvent; if (!e) { return; }
    tooltip.style.left = (e.clientX + 14) + "px"; tooltip.style.top = (e.clientY + 14) + "px";
  });
  cy.on("mouseout", "edge", function () { tooltip.style.display = "none"; });
  cy.on("tap", "node", function (evt) {
    var d = evt.target.data();
    var rows = ["type", "kind", "claim_count", "source_count", "first_seen", "last_seen", "date", "end_date", "iri"];
    document.getElementById("details").innerHTML = "<h2>" + escapeHtml(d.label) + "</h2><dl>" +
      rows.filter(function (k) { return d[k] != null; }).map(function (k) {
        return "<dt>" + escapeHtml(k.replace(/_/g, " ")) + "</dt><dd>" + escapeHtml(d[k]) + "</dd>"; }).join("") +
      "<dt>ties</dt><dd>" + evt.target.connectedEdges().length + "</dd></dl>";
  });
  var search = document.getElementById("search");
  function find() {
    var q = search.value.trim().toLowerCase();
    cy.elements().removeClass("faded match");
    if (!q) { return cy.collection(); }
    var hits = cy.nodes().filter(function (n) {
      return String(n.data("label")).toLowerCase().indexOf(q) >= 0 || String(n.id()).toLowerCase().indexOf(q) >= 0; });
    if (hits.length) {
      cy.elements().addClass("faded");
      hits.closedNeighborhood().removeClass("faded");
      hits.addClass("match");
    }
    return hits;
  }
  search.addEventListener("input", find);
  search.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      var hits = find();
      if (hits.length) { cy.animate({fit: {eles: hits.closedNeighborhood(), padding: 60}}); }
    }
  });
  window.detenteNetwork = cy;
})();
</script>
</body>
</html>
"""


@lru_cache(maxsize=1)
def cytoscape_js() -> str:
    """The vendored ``cytoscape.min.js``."""
    return resources.files("detente.graph.exports").joinpath("vendor/cytoscape.min.js").read_text(encoding="utf-8")


def network_html(graph: nx.Graph[Any], title: str | None = None) -> bytes:
    """One HTML file that shows ``graph`` with Cytoscape.js, working offline."""
    data = json.dumps(cytoscape_data(graph), ensure_ascii=False, default=str)
    # Inside <script>, "<" could close the element early; JSON allows it escaped.
    data = data.replace("<", "\\u003c")
    script = cytoscape_js()
    if "</script" in script.lower():
        raise ValueError("the vendored Cytoscape.js contains '</script' and cannot be inlined")
    filters = graph.graph.get("filters") or {}
    shown = {k: v for k, v in filters.items() if v not in (None, [], "event")} if isinstance(filters, dict) else {}
    filter_text = ("Filters: " + "; ".join(f"{k} = {v}" for k, v in shown.items()) if shown
                   else "No filters: every claim.")
    page_title = title or f"detente — {graph.graph.get('projection', 'network')} network"
    # Split the template first so no inserted text is ever searched for placeholders.
    head, _, rest = _PAGE.partition("__DATA__")
    middle, _, tail = rest.partition("__CYTOSCAPE__")
    head = head.replace("__TITLE__", html.escape(page_title)).replace("__FILTERS__", html.escape(filter_text))
    return "".join((head, data, middle, script, tail)).encode("utf-8")
