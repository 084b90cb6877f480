"""A nanopublication reader for the tests: parse TriG and check the nanopub structure rules.

Written from the nanopublication guidelines, independently of the writer
(``detente.graph.exports.nanopub``): it knows only the ``np:`` vocabulary.

Rules checked for every nanopub (a node typed ``np:Nanopublication`` in a graph, its head):

1. the head graph holds exactly the type and one each of ``np:hasAssertion``,
   ``np:hasProvenance``, ``np:hasPublicationInfo``, all with the nanopub as subject;
2. the four graphs (head, assertion, provenance, pubinfo) are distinct and all present;
3. the assertion graph is not empty;
4. the provenance graph says something about the assertion (the assertion's IRI as a subject);
5. the publication-info graph says something about the nanopub (the nanopub's IRI as a subject);
6. no graph belongs to two nanopubs, no graph belongs to none, and nothing is in the default graph;
7. trusty-URI ready: every graph IRI starts with the nanopub's IRI (one base per nanopub).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF

NP = "http://www.nanopub.org/nschema#"
LINKS = {URIRef(NP + "hasAssertion"): "assertion", URIRef(NP + "hasProvenance"): "provenance",
         URIRef(NP + "hasPublicationInfo"): "pubinfo"}


class NanopubError(ValueError):
    """A nanopub breaks a structure rule."""


@dataclass
class Nanopub:
    iri: URIRef
    head: Graph
    assertion: Graph
    provenance: Graph
    pubinfo: Graph


def read_nanopubs(trig: str | bytes) -> list[Nanopub]:
    """Parse TriG and return its nanopubs; raise NanopubError naming the first broken rule."""
    dataset = Dataset()
    dataset.parse(data=trig, format="trig")
    graphs = {g.identifier: g for g in dataset.graphs() if len(g)}
    default = [g for name, g in graphs.items() if name == DATASET_DEFAULT_GRAPH_ID]
    if default:
        raise NanopubError("rule 6: triples outside any nanopub graph (in the default graph)")
    owner: dict[URIRef, URIRef] = {}
    found: list[Nanopub] = []
    for head_name, head in graphs.items():
        for np in head.subjects(RDF.type, URIRef(NP + "Nanopublication")):
            parts: dict[str, URIRef] = {}
            for predicate, role in LINKS.items():
                values = list(head.objects(np, predicate))
                if len(values) != 1:
                    raise NanopubError(f"rule 1: {np} has {len(values)} {role} links in its head")
                parts[role] = values[0]  # type: ignore[assignment]
            if len(head) != 4 or set(head.subjects()) != {np}:
                raise NanopubError(f"rule 1: the head of {np} holds other triples")
            names = [head_name, parts["assertion"], parts["provenance"], parts["pubinfo"]]
            if len(set(names)) != 4:
                raise NanopubError(f"rule 2: the graphs of {np} are not distinct")
            for name in names:
                if name not in graphs and name != parts["assertion"]:
                    raise NanopubError(f"rule 2: graph {name} of {np} is missing or empty")
                if name in owner:
                    raise NanopubError(f"rule 6: graph {name} belongs to {owner[name]} and {np}")
                owner[name] = np  # type: ignore[assignment]
                if not str(name).startswith(str(np)):
                    raise NanopubError(f"rule 7: graph {name} is not under the nanopub's IRI {np}")
            assertion = graphs.get(parts["assertion"])
            if assertion is None or not len(assertion):
                raise NanopubError(f"rule 3: the assertion of {np} is empty")
            provenance, pubinfo = graphs[parts["provenance"]], graphs[parts["pubinfo"]]
            if (parts["assertion"], None, None) not in provenance:
                raise NanopubError(f"rule 4: the provenance of {np} says nothing about its assertion")
            if (np, None, None) not in pubinfo:
                raise NanopubError(f"rule 5: the publication info of {np} says nothing about the nanopub")
            found.append(Nanopub(np, head, assertion, provenance, pubinfo))  # type: ignore[arg-type]
    stray = set(graphs) - set(owner)
    if stray:
        raise NanopubError(f"rule 6: graph(s) belonging to no nanopub: {sorted(stray)[:3]}")
    return found
