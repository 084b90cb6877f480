"""The conflict listing's fast path gives the answers of the per-claim reference path, on random claims.

The fast path reads the engine's TSV lines, shares the statements of claims stating the same, and finds
claims by their type in the provenance graph unless some claim is typed elsewhere.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings, strategies as st
from rdflib import Literal

from detente.graph.claims import Activity, Claim, Conflict, Source, conflicts, get_claim
from detente.graph.conflict_listing import conflict_keys, conflict_page, iter_conflicts
from detente.graph.store import Store, open_store
from detente.graph.terms import tsv_cell_nt
from detente.graph.writes import write_claims
from detente.ontology.vocab import DT, DTR

from reference_claims import old_conflicts

# Text that needs escapes in N-Triples and TSV (quotes, backslashes, tabs, line breaks) and text that does not.
_TEXT = st.sampled_from(["plain", 'say "314"', "tab\there", "line\nbreak", "back\\slash", "Émissaire", ""])
_VALUE = st.one_of(
    st.builds(lambda n: (DT.prisonerCount, Literal(n)), st.integers(min_value=-2, max_value=3)),
    st.builds(lambda d: (DT.startDate, Literal(date(2020, 1, d))), st.integers(min_value=1, max_value=3)),
    st.builds(lambda t, lang: (DT.status, Literal(t, lang=lang)), _TEXT, st.sampled_from([None, "en"])),
)
_SOURCE = st.builds(
    lambda n, url, title, publisher: Source.from_metadata(
        url=f"https://example.org/{n}" if url else None, title=title or f"title {n}",
        publisher=DTR[f"organization/o{publisher}"] if publisher is not None else None),
    st.integers(min_value=0, max_value=3), st.booleans(), _TEXT, st.one_of(st.none(), st.integers(0, 2)))
_CLAIM = st.builds(
    lambda event, values, source, quote, confidence, offsets, speaker, key: Claim(
        statements=[(DTR[f"event/e{event}"], p, o) for p, o in values]
        + [(DTR[f"event/e{event}"], DT.hasParty, DTR["state/UKR"])],
        source=source, quote=quote or None, confidence=confidence,
        quote_start=offsets, quote_end=None if offsets is None else offsets + 3,
        said_by=DTR[f"person/p{speaker}"] if speaker is not None else None,
        activity=Activity(method="test", label="random claims") if key else None, key=key),
    st.integers(min_value=0, max_value=2), st.lists(_VALUE, min_size=1, max_size=3), _SOURCE, _TEXT,
    st.one_of(st.none(), st.sampled_from([0.5, 0.25, 1.0])), st.one_of(st.none(), st.integers(0, 5)),
    st.one_of(st.none(), st.integers(0, 1)), st.one_of(st.none(), st.sampled_from(["row-1", "row\t2"])))


def _expected(store: Store) -> list[Conflict]:
    # Which claims stand behind which value, from the per-claim reference; each record as get_claim reads it.
    return [Conflict(c.subject, c.predicate, {v: [get_claim(store, r.iri) for r in records]  # type: ignore[misc]
                                              for v, records in c.values.items()})
            for c in old_conflicts(store)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claims=st.lists(_CLAIM, min_size=2, max_size=12), typed_in_facts=st.booleans())
def test_random_claims_list_the_conflicts_of_the_reference(claims: list[Claim], typed_in_facts: bool) -> None:
    store = open_store("memory:")
    write_claims(store, claims)
    labels = "".join(f'<{DTR}organization/o{n}> <http://www.w3.org/2000/01/rdf-schema#label> "Org {n}" .\n'
                     for n in range(2))
    store.add_nquads(labels)
    if typed_in_facts:  # a claim typed in the facts view only: the fields query finds claims by the union
        from rdflib.namespace import RDF, XSD

        claim, count = f"<{DTR}claim/typed-in-facts>", f'<{DT.prisonerCount}> "99"^^<{XSD.integer}>'
        store.add_nquads(f"<{DTR}event/e0> {count} {claim} .\n<{DTR}event/e0> {count} .\n"
                         f"{claim} <{RDF.type}> <{DT.Claim}> .\n")
    expected = _expected(store)
    assert conflicts(store) == expected
    keys = conflict_keys(store)
    assert keys == [(c.subject, c.predicate) for c in expected]
    assert list(iter_conflicts(store, keys, batch=1)) == expected  # a batch per claim or so
    if len(expected) > 1:
        page = conflict_page(store, limit=1, offset=1)
        assert (page.total, page.conflicts) == (len(expected), expected[1:2])


def test_select_lines_holds_what_select_nt_holds() -> None:
    """The engine's TSV lines and the generic ones (from select_nt) read as the same N-Triples cells."""
    store = open_store("memory:")
    store.update('INSERT DATA { <http://ex/s> <http://ex/p> "tab\\there \\"q\\"", 3, 2.5, 1e3, true, "x"@en . '
                 '_:b <http://ex/p> <http://ex/o> }')
    sparql = "SELECT ?s ?o ?none WHERE { ?s <http://ex/p> ?o } ORDER BY ?o"
    engine = store.select_lines(sparql)
    generic = Store.select_lines(store, sparql)  # the base class's, as a remote store runs it
    assert len(engine) == len(generic) == 7
    for ours, theirs in zip(engine, generic, strict=True):
        assert [tsv_cell_nt(c) for c in ours.split("\t")] == [tsv_cell_nt(c) for c in theirs.split("\t")]
    assert [tuple(tsv_cell_nt(c) for c in line.split("\t")) for line in engine] == store.select_nt(sparql)
