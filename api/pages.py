"""The pages blueprint: the home page (a SPARQL editor with example queries, entity search, links).

The claim and entity pages are the HTML forms of ``/claims/{id}`` and
``/entities/{id}`` (negotiated by :mod:`detente.api.rest`).

>>> from flask import Flask
>>> from detente.api.common import DetenteApi
>>> from detente.api.config import ApiSettings
>>> app = Flask("bare")
>>> DetenteApi(ApiSettings.from_mapping({"store": "memory:", "workers": 1})).init_app(app)
>>> app.register_blueprint(bp)
>>> "Who mediated which talks" in app.test_client().get("/").get_data(as_text=True)
True
>>> app.extensions["detente"].close()
"""

from __future__ import annotations

import re

from flask import Blueprint, render_template

from detente.api.common import current_api
from detente.graph.store import prefix_header
from detente.ontology.vocab import PREFIXES

__all__ = ["bp", "EXAMPLE_QUERIES"]

bp = Blueprint("pages", __name__, template_folder="templates")

#: Researchers' starting points, shown on the home page.
EXAMPLE_QUERIES: list[dict[str, str]] = [
    {"title": "Who mediated which talks",
     "query": """SELECT DISTINCT ?talks ?talksLabel ?mediator ?mediatorLabel ?venueLabel WHERE {
  ?talks a dt:Talks ; dt:mediatedBy ?mediator .
  OPTIONAL { ?talks rdfs:label ?talksLabel }
  OPTIONAL { ?mediator rdfs:label ?mediatorLabel }
  OPTIONAL { ?talks dt:heldAt/rdfs:label ?venueLabel }
}
ORDER BY ?talks"""},
    {"title": "Sources of the 314-prisoner claim",
     "query": """SELECT ?claim ?publisherLabel ?title ?quote ?speakerLabel WHERE {
  GRAPH ?claim { ?agreement dt:prisonerCount 314 }
  ?claim a dt:Claim ; prov:wasDerivedFrom ?source .
  OPTIONAL { ?source dct:title ?title }
  OPTIONAL { ?source dct:publisher/rdfs:label ?publisherLabel }
  OPTIONAL { ?claim dt:quote ?quote }
  OPTIONAL { ?claim dt:saidBy/rdfs:label ?speakerLabel }
}"""},
    {"title": "Conflicting values (e.g. 314 vs 300 prisoners)",
     "query": """SELECT ?subject ?value ?claim ?publisherLabel WHERE {
  { SELECT ?subject WHERE { ?subject dt:prisonerCount ?v } GROUP BY ?subject HAVING (COUNT(DISTINCT ?v) > 1) }
  GRAPH ?claim { ?subject dt:prisonerCount ?value }
  ?claim a dt:Claim ; prov:wasDerivedFrom/dct:publisher ?publisher .
  OPTIONAL { ?publisher rdfs:label ?publisherLabel }
}
ORDER BY ?subject ?value"""},
    {"title": "Agreements per state",
     "query": """SELECT ?state ?stateLabel (COUNT(DISTINCT ?agreement) AS ?agreements) WHERE {
  ?agreement a/rdfs:subClassOf* dt:Agreement ; dt:hasParty ?state .
  ?state a dt:State .
  OPTIONAL { ?state rdfs:label ?stateLabel }
}
GROUP BY ?state ?stateLabel
ORDER BY DESC(?agreements)"""},
]


def _with_prefixes(query: str) -> str:
    """Declare the prefixes a query uses, so that it also runs outside detente."""
    used = [name for name in PREFIXES if re.search(rf"(?<![\w:]){re.escape(name)}:", query)]
    return prefix_header(used) + query


for _example in EXAMPLE_QUERIES:
    _example["query"] = _with_prefixes(_example["query"])


@bp.get("/")
def index() -> str:
    """The home page."""
    return render_template("index.html", examples=EXAMPLE_QUERIES,
                           update_enabled=bool(current_api().settings.update_token))
