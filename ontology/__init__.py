"""The detente ontology: vocabulary, schema look-ups, SHACL, HermiT and docs.

``detente.ontology`` re-exports the public API. The vocabulary and the
rdflib-based schema functions are imported eagerly; the heavy parts are
imported on first use through a module ``__getattr__``, so importing this
package does not import owlready2 (Java reasoning), pySHACL or pyLODE.

>>> import detente.ontology as onto
>>> onto.property_range(onto.DT.prisonerCount) == onto.XSD.integer
True
>>> str(onto.DT.Claim)
'https://w3id.org/detente/ontology#Claim'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from detente.ontology.schema import (
    ONTOLOGY_PATH,
    OWL_PATH,
    SHAPES_PATH,
    class_ancestors,
    datatype_properties,
    definitions,
    domain_classes,
    export_rdfxml,
    functional_properties,
    is_xsd_datatype,
    labels,
    object_properties,
    ontology_classes,
    ontology_graph,
    ontology_path,
    ontology_version,
    owl_path,
    property_range,
    range_classes,
    shapes_graph,
    shapes_path,
    subclasses,
    vocabulary_graph,
)
from detente.ontology.vocab import (
    DCT,
    DEFAULT_BASE,
    DT,
    DTR,
    ENTITIES_GRAPH,
    ENTITY_TYPES,
    FACTS_GRAPH,
    ONTOLOGY_GRAPH,
    ONTOLOGY_IRI,
    ORG,
    OWL,
    PREFIXES,
    PROV,
    PROVENANCE_GRAPH,
    RDF,
    RDFS,
    SCHEMA,
    SEM,
    SH,
    SKOS,
    TIME,
    TYPE_SEGMENTS,
    WD,
    XSD,
    expand_curie,
)

if TYPE_CHECKING:  # pragma: no cover - for type checkers only; `X as X` marks each as re-exported (PEP 484)
    from detente.ontology.docs import (
        DocumentationError as DocumentationError,
        render_html as render_html,
        write_html as write_html,
    )
    from detente.ontology.reasoning import (
        ConsistencyReport as ConsistencyReport,
        ReasoningError as ReasoningError,
        check_consistency as check_consistency,
        diagnose as diagnose,
    )
    from detente.ontology.validation import (
        ShaclReport as ShaclReport,
        ShaclResult as ShaclResult,
        ShaclValidationError as ShaclValidationError,
        validate_shacl as validate_shacl,
    )

_LAZY: dict[str, str] = {
    "check_consistency": "detente.ontology.reasoning",
    "diagnose": "detente.ontology.reasoning",
    "ConsistencyReport": "detente.ontology.reasoning",
    "ReasoningError": "detente.ontology.reasoning",
    "validate_shacl": "detente.ontology.validation",
    "ShaclReport": "detente.ontology.validation",
    "ShaclResult": "detente.ontology.validation",
    "ShaclValidationError": "detente.ontology.validation",
    "render_html": "detente.ontology.docs",
    "write_html": "detente.ontology.docs",
    "DocumentationError": "detente.ontology.docs",
}

__all__ = [
    # vocabulary
    "DCT", "DEFAULT_BASE", "DT", "DTR", "ENTITIES_GRAPH", "ENTITY_TYPES", "FACTS_GRAPH",
    "ONTOLOGY_GRAPH", "ONTOLOGY_IRI", "ORG", "OWL", "PREFIXES", "PROV", "PROVENANCE_GRAPH",
    "RDF", "RDFS", "SCHEMA", "SEM", "SH", "SKOS", "TIME", "TYPE_SEGMENTS", "WD", "XSD",
    "expand_curie",
    # schema
    "ONTOLOGY_PATH", "OWL_PATH", "SHAPES_PATH", "class_ancestors", "datatype_properties",
    "definitions", "domain_classes", "export_rdfxml", "functional_properties",
    "is_xsd_datatype", "labels", "object_properties", "ontology_classes", "ontology_graph",
    "ontology_path", "ontology_version", "owl_path", "property_range", "range_classes",
    "shapes_graph", "shapes_path", "subclasses", "vocabulary_graph",
    # lazy
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    """Import reasoning, validation and docs only when one of their names is used."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
