"""How the blind evaluation passages (``blind.yaml``) were chosen from the shared corpus, reproducibly.

The selection is fixed by rule and seed (``BLIND_SEED`` = 20261201), not by looking at the texts or at what
the extractor does. A passage already in ``passages.yaml`` or ``fresh.yaml`` is never drawn again.

* UCDP Peace Agreement Dataset v22.1: the agreements (one row per ``paid``, ordered by ``paid``) not used in
  either set and whose ``pa_comment`` has a narrative paragraph (``select_fresh.narrative_paragraph``); 40 of
  them drawn with ``random.Random(BLIND_SEED).sample``. The text is that first narrative paragraph, ``title`` is
  ``pa_name`` and ``published`` is ``pa_date``.
* Wikipedia Current Events, September 2015: all items not used in either set (any category, with or without a
  keyword; ordered by item id); 30 of them drawn with a new ``random.Random(BLIND_SEED).sample``. Most are
  ordinary negatives, so this part measures false alarms on unfiltered news.

Each part is drawn with its own ``random.Random(BLIND_SEED)``, and the drawn passages are printed in item order
(Wikipedia first, then UCDP), as YAML without labels. The labels in ``blind.yaml`` were written by hand, from
the text alone, by a labeller who had not seen the extraction rules or the extractor's output.

Run from the repository root::

    python -m tests.loaders.news_eval.select_blind --corpus PATH/TO/corpus   # or set DETENTE_CORPUS

>>> wikitimes, ucdp = used_sources(HERE / "passages.yaml", HERE / "fresh.yaml")
>>> len(wikitimes), len(ucdp)
(143, 16)
"""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.loaders.news_eval.select_fresh import UCDP, WIKITIMES, corpus_parser, narrative_paragraph

HERE = Path(__file__).resolve().parent
BLIND_SEED = 20261201
UCDP_COUNT = 40
WIKITIMES_COUNT = 30


def used_sources(*files: Path) -> tuple[set[str], set[str]]:
    """The Wikipedia item ids and the UCDP ``paid`` values already used by the given passage files."""
    wikitimes: set[str] = set()
    ucdp: set[str] = set()
    for path in files:
        for passage in yaml.safe_load(path.read_text(encoding="utf-8"))["passages"]:
            kind, _, rest = passage["source"].partition(":")
            if kind == "wikitimes":
                wikitimes.add(rest)
            elif kind == "ucdp":
                ucdp.add(rest.split("#")[0])
    return wikitimes, ucdp


def select(corpus: Path, used_wikitimes: set[str], used_ucdp: set[str]) -> list[dict[str, Any]]:
    """The unlabelled blind passages, in the order of ``blind.yaml``."""
    items = json.loads((corpus / WIKITIMES).read_text(encoding="utf-8"))
    pool = sorted((item for item in items if item["id"] not in used_wikitimes), key=lambda item: int(item["id"]))
    out: list[dict[str, Any]] = []
    for item in sorted(random.Random(BLIND_SEED).sample(pool, WIKITIMES_COUNT), key=lambda item: int(item["id"])):
        out.append({"id": f"wikitimes-{item['id']}", "split": "blind", "source": f"wikitimes:{item['id']}",
                    "published": item["date"], "source_urls": [s["url"] for s in item.get("source") or []][:3],
                    "text": item["description"].rstrip(", ").strip()})
    with (corpus / UCDP).open(encoding="utf-8", newline="") as handle:
        agreements: dict[str, dict[str, str]] = {}
        for row in csv.DictReader(handle):
            agreements.setdefault(row["paid"], row)
    candidates = [row for row in sorted(agreements.values(), key=lambda r: int(r["paid"]))
                  if row["paid"] not in used_ucdp and narrative_paragraph(row["pa_comment"])]
    for row in sorted(random.Random(BLIND_SEED).sample(candidates, UCDP_COUNT), key=lambda r: int(r["paid"])):
        out.append({"id": f"ucdp-{row['paid']}", "split": "blind", "source": f"ucdp:{row['paid']}#pa_comment",
                    "published": row["pa_date"], "title": row["pa_name"].strip(),
                    "text": narrative_paragraph(row["pa_comment"])})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = corpus_parser(__doc__)
    args = parser.parse_args(argv)
    used_wikitimes, used_ucdp = used_sources(HERE / "passages.yaml", HERE / "fresh.yaml")
    print(yaml.safe_dump({"passages": select(args.corpus, used_wikitimes, used_ucdp)}, allow_unicode=True,
                         sort_keys=False, width=120))
    return 0


if __name__ == "__main__":
    sys.exit(main())
