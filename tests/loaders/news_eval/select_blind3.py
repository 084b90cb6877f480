r"""How the third blind evaluation passages (``blind3.yaml``) were drawn from the shared corpus, reproducibly.

The draw is fixed by the rules below and ``BLIND3_SEED`` = 20261203, made before any drawn passage was read and
without the extractor's code, output or scores (the labeller's ``draw.py``, adapted to run from the repository:
``narrative_paragraph`` and the file names come from ``select_fresh``, ``used_sources`` from ``select_blind``, and
``CONFLICT``, ``FAILURE_CUE``, ``later_paragraph`` and ``permuted`` from ``select_blind2``, which the labeller copied
unchanged; the used passages come from the four earlier sets beside this file). No passage of ``passages.yaml``,
``fresh.yaml``, ``blind.yaml`` or ``blind2.yaml`` is drawn again: a Wikipedia item used by any of them, and a UCDP
agreement any paragraph of which is used by any of them, are left out.

* Wikipedia Current Events, September 2015: every item not used in the four sets (225), split by ``CONFLICT`` (101)
  and the rest ("plain", 124); ``WIKI_CONFLICT`` = 10 drawn from the first stratum and ``WIKI_PLAIN`` = 10 from the
  second (a false-alarm check: the fresh set took every item with a diplomatic keyword).
* UCDP Peace Agreement Dataset v22.1, the first narrative paragraph of ``pa_comment`` (as in the earlier sets): every
  unused agreement that has one (252), not split by ``HARD_CUE``; ``UCDP_FIRST`` = 30 drawn.
* UCDP, a later paragraph (blind2's fifth stratum, planned from the start here): for every unused agreement not drawn
  just above, the first narrative paragraph after the first that has a ``FAILURE_CUE`` word (106 agreements have
  one); ``UCDP_LATER`` = 25 drawn. Id ``ucdp-<paid>-p<n>``, source ``ucdp:<paid>#pa_comment-paragraph-<n>``, where n
  counts the narrative paragraphs (those of more than eight words) from 1.

Each stratum is shuffled with its own ``random.Random(BLIND3_SEED)`` (a seeded permutation of the stratum in id
order) and its first N items taken. The passages are printed in item order (Wikipedia, UCDP first paragraphs, UCDP
later paragraphs), as YAML without labels, each with its ``stratum`` (as the labeller's ``drawn.yaml``); the labels in
``blind3.yaml`` were written by hand from the text alone by a labeller who never saw the extraction rules, the
extractor's output or its scores.

Run from the repository root (only by hand: the tests never need the corpus)::

    python -m tests.loaders.news_eval.select_blind3 --corpus PATH/TO/corpus [--stats]   # or set DETENTE_CORPUS

>>> wikitimes, ucdp = used_sources(*(HERE / name for name in EARLIER_SETS))
>>> len(wikitimes), len(ucdp)
(203, 122)
>>> permuted(list(range(10)), BLIND3_SEED)  # each stratum is permuted the same way on every run
[2, 0, 9, 7, 6, 5, 8, 4, 1, 3]
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.loaders.news_eval.select_blind import used_sources
from tests.loaders.news_eval.select_blind2 import CONFLICT, later_paragraph, permuted
from tests.loaders.news_eval.select_fresh import UCDP, WIKITIMES, corpus_parser, narrative_paragraph

HERE = Path(__file__).resolve().parent
BLIND3_SEED = 20261203
WIKI_CONFLICT = 10
WIKI_PLAIN = 10
UCDP_FIRST = 30
UCDP_LATER = 25
#: The sets whose passages are never drawn again.
EARLIER_SETS = ("passages.yaml", "fresh.yaml", "blind.yaml", "blind2.yaml")


def select(corpus: Path, used_wikitimes: set[str], used_ucdp: set[str]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The unlabelled blind3 passages, in the order of ``blind3.yaml``, and the size of each pool."""
    items = json.loads((corpus / WIKITIMES).read_text(encoding="utf-8"))
    pool = sorted((i for i in items if i["id"] not in used_wikitimes), key=lambda i: int(i["id"]))
    text = {i["id"]: i["description"].rstrip(", ").strip() for i in pool}
    conflict = [i for i in pool if CONFLICT.search(text[i["id"]])]
    plain = [i for i in pool if not CONFLICT.search(text[i["id"]])]
    wiki = permuted(conflict, BLIND3_SEED)[:WIKI_CONFLICT] + permuted(plain, BLIND3_SEED)[:WIKI_PLAIN]
    stratum = {i["id"]: "conflict" for i in conflict} | {i["id"]: "plain" for i in plain}

    with (corpus / UCDP).open(encoding="utf-8", newline="") as handle:
        agreements: dict[str, dict[str, str]] = {}
        for row in csv.DictReader(handle):
            agreements.setdefault(row["paid"], row)
    ordered = sorted(agreements.values(), key=lambda r: int(r["paid"]))
    candidates = [r for r in ordered if r["paid"] not in used_ucdp and narrative_paragraph(r["pa_comment"])]
    first = permuted(candidates, BLIND3_SEED)[:UCDP_FIRST]
    drawn = {r["paid"] for r in first}
    later_pool = [r for r in ordered if r["paid"] not in used_ucdp | drawn and later_paragraph(r["pa_comment"])]
    later = permuted(later_pool, BLIND3_SEED)[:UCDP_LATER]

    out: list[dict[str, Any]] = []
    for item in sorted(wiki, key=lambda i: int(i["id"])):
        out.append({"id": f"wikitimes-{item['id']}", "source": f"wikitimes:{item['id']}", "published": item["date"],
                    "source_urls": [s["url"] for s in item.get("source") or []][:3], "text": text[item["id"]],
                    "stratum": stratum[item["id"]]})
    for row in sorted(first, key=lambda r: int(r["paid"])):
        out.append({"id": f"ucdp-{row['paid']}", "source": f"ucdp:{row['paid']}#pa_comment",
                    "published": row["pa_date"], "title": row["pa_name"].strip(),
                    "text": narrative_paragraph(row["pa_comment"]), "stratum": "first-paragraph"})
    for row in sorted(later, key=lambda r: int(r["paid"])):
        found = later_paragraph(row["pa_comment"])
        assert found is not None  # the pool holds only agreements that have one
        position, paragraph = found
        out.append({"id": f"ucdp-{row['paid']}-p{position}",
                    "source": f"ucdp:{row['paid']}#pa_comment-paragraph-{position}",
                    "published": row["pa_date"], "title": row["pa_name"].strip(), "text": paragraph,
                    "stratum": "later-paragraph"})
    pools = {"wiki_pool": len(pool), "wiki_conflict": len(conflict), "wiki_plain": len(plain),
             "ucdp_first_pool": len(candidates), "ucdp_later_pool": len(later_pool), "drawn": len(out)}
    return out, pools


def main(argv: list[str] | None = None) -> int:
    parser = corpus_parser(__doc__)
    parser.add_argument("--stats", action="store_true", help="print the size of each pool on stderr")
    args = parser.parse_args(argv)
    used_wikitimes, used_ucdp = used_sources(*(HERE / name for name in EARLIER_SETS))
    passages, pools = select(args.corpus, used_wikitimes, used_ucdp)
    if args.stats:
        print(pools, file=sys.stderr)
    print(yaml.safe_dump({"passages": passages}, allow_unicode=True, sort_keys=False, width=120))
    return 0


if __name__ == "__main__":
    sys.exit(main())
