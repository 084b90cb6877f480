"""IRIs of the worked example (DESIGN.md's story), shared by the ontology tests."""

from detente.ontology.vocab import DTR

UKR, RUS, SAU, USA = (DTR[f"state/{c}"] for c in ("UKR", "RUS", "SAU", "USA"))
ENVOY = DTR["person/us-special-envoy"]
KYIV_INDEPENDENT = DTR["org/kyiv-independent"]
EXCHANGE = DTR["event/ukr-rus-prisoner-exchange"]
AGREEMENT = DTR["agreement/ukr-rus-314"]
TALKS = DTR["event/saudi-talks"]
SOURCE = DTR["source/kyiv-independent-314"]
CLAIM = DTR["claim/314"]
