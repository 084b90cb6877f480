"""UCDP signatories on a whole release: person IRIs and the pairs of them whose names are close.

Loads a UCDP Peace Agreement CSV (by default the v22.1 file in the corpus folder ``DETENTE_CORPUS`` names)
with the UCDP loader and prints how many person IRIs sign agreements, how many signatories are states, and
every pair of person IRIs whose labels are at least ``--ratio`` similar (difflib's ratio over
:func:`normalize_label`), with the agreements, dates, conflicts and countries each signs, so that a pair
can be judged from the raw rows.
This is the check behind the README's figures (v22.1: 62 pairs before the first merge, 15 after it, 0 now).
With ``--shuffle SEED`` it loads the records again in a seeded random order and lists the people whose
spellings group differently from the file's order (the merge compares each name with those seen before it).

Run::

    .venv/bin/python benchmarks/ucdp_people.py [path/to/ucdp-peace-agreements.csv] [--ratio 0.85] [--shuffle 1]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import tempfile
from difflib import SequenceMatcher
from itertools import combinations
from pathlib import Path

from rdflib import URIRef

from detente.graph.entities import normalize_label
from detente.loaders.base import LoadContext, ParseResult
from detente.loaders.registry import Entity, EntityRegistry
from detente.loaders.ucdp import parse_ucdp
from detente.ontology.vocab import DT

#: Where the v22.1 file sits in the research corpus (the folder the news_eval selection scripts read too).
RELEASE = Path("ucdp-peace-agreements-v22.1") / "ucdp-peace-agreements-221.csv"


def _people(path: Path) -> tuple[ParseResult, dict[URIRef, list[str]], dict[URIRef, Entity]]:
    """Load ``path``; the signatories with the agreements each signs, and the person entities among them."""
    context = LoadContext(EntityRegistry())
    result = parse_ucdp(path, context)
    signed: dict[URIRef, list[str]] = {}
    for claim in result.claims:
        for subject, predicate, obj in claim.statements:
            if predicate == DT.signatory and isinstance(obj, URIRef):
                signed.setdefault(obj, []).append(str(subject).rsplit("-", 1)[-1])
    people = {iri: e for iri in signed if (e := context.registry.get(iri)) is not None and e.type == DT.Person}
    return result, signed, people


def _groupings(people: dict[URIRef, Entity]) -> set[frozenset[str]]:
    return {frozenset([e.label, *e.aliases]) for e in people.values()}


def shuffled_groupings(path: Path, seed: int) -> set[frozenset[str]]:
    """The people's spellings (label and aliases, one set per person) with the records loaded in a seeded order."""
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text, newline=""))
    records, previous = [], 0
    for _row in reader:  # whole records, quoted line breaks kept
        records.append("".join(lines[previous:reader.line_num]))
        previous = reader.line_num
    body = records[1:]
    random.Random(seed).shuffle(body)
    with tempfile.TemporaryDirectory() as folder:
        shuffled = Path(folder) / path.name
        shuffled.write_text(records[0] + "".join(body), encoding="utf-8")
        return _groupings(_people(shuffled)[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    corpus = os.environ.get("DETENTE_CORPUS")
    parser.add_argument("path", nargs="?" if corpus else None, type=Path,
                        default=Path(corpus) / RELEASE if corpus else None,
                        help="a UCDP peace agreements CSV (default: the v22.1 file under DETENTE_CORPUS)")
    parser.add_argument("--ratio", type=float, default=0.85)
    parser.add_argument("--shuffle", type=int, metavar="SEED", help="also load the records in this seeded order")
    args = parser.parse_args()
    result, signed, people = _people(args.path)
    with args.path.open(newline="", encoding="utf-8-sig") as handle:
        rows = {r["paid"].strip(): {k.strip(): v for k, v in r.items() if k} for r in csv.DictReader(handle)}
    print(f"{args.path}: {result.records} agreements, {len(result.rejects)} rejects, {len(people)} person IRIs, "
          f"{len(signed) - len(people)} other signatories")
    pairs = [(ratio, a, b) for a, b in combinations(sorted(people), 2)
             if (ratio := SequenceMatcher(None, normalize_label(people[a].label),
                                          normalize_label(people[b].label)).ratio()) >= args.ratio]
    print(f"{len(pairs)} pairs of person IRIs with names at least {args.ratio} similar")
    for ratio, a, b in sorted(pairs, key=lambda p: -p[0]):
        print(f"\n{ratio:.3f}")
        for iri in (a, b):
            print(f"  {people[iri].label!r} aliases {sorted(people[iri].aliases)}")
            for paid in signed[iri]:
                row = rows[paid]
                print(f"    agreement {paid} {row['pa_date']} conflict {row['conflict_id']} gwno {row['gwno']}: "
                      f"{row['actor_name']}")
    if args.shuffle is not None:
        in_order, shuffled = _groupings(people), shuffled_groupings(args.path, args.shuffle)
        print(f"\nrecords shuffled (seed {args.shuffle}): {len(shuffled)} person IRIs; people grouped otherwise "
              f"than in file order: {len(shuffled - in_order)}")
        for group in sorted(shuffled - in_order, key=sorted):
            print(f"  shuffled {sorted(group)}")
        for group in sorted(in_order - shuffled, key=sorted):
            print(f"  in order {sorted(group)}")


if __name__ == "__main__":
    main()
