r"""How the second blind evaluation passages (``blind2.yaml``) were drawn from the shared corpus, reproducibly.

The draw is fixed by the rules below and ``BLIND2_SEED`` = 20261202, made before any drawn passage was read and
without the extractor's code, output or scores (the labeller's ``draw.py``, adapted to run from the repository:
``narrative_paragraph`` and the file names come from ``select_fresh``, the used passages from the three earlier sets
beside this file). A passage already in ``passages.yaml``, ``fresh.yaml`` or ``blind.yaml`` is never drawn again.

* Wikipedia Current Events, September 2015: every item not used in the three sets (255), split by ``CONFLICT``
  (war, armed groups, governments, international bodies, elections, refugees…: 116) and the rest ("plain", 139);
  ``WIKI_CONFLICT`` = 15 drawn from the first stratum and ``WIKI_PLAIN`` = 15 from the second.
* UCDP Peace Agreement Dataset v22.1, the first narrative paragraph of ``pa_comment`` (as in the fresh and blind
  sets): every agreement not used in the three sets that has one (318), split by ``HARD_CUE`` (words of a summary
  that leans on earlier agreements, future steps, negation or description rather than a signing: 169) and the rest
  (149); ``UCDP_CUE`` = 26 and ``UCDP_OTHER`` = 16 drawn.
* UCDP, a later paragraph (the second step told in README.md): for every unused agreement not drawn above, the first
  narrative paragraph after the first that has a ``FAILURE_CUE`` word (146 agreements have one); ``UCDP_LATER`` = 24
  drawn. Id ``ucdp-<paid>-p<n>``, source ``ucdp:<paid>#pa_comment-paragraph-<n>``, where n counts the narrative
  paragraphs (those of more than eight words) from 1.

Each stratum is shuffled with its own ``random.Random(BLIND2_SEED)`` (a seeded permutation of the stratum in id
order) and its first N items taken, so a larger N extends a stratum without changing what was already drawn. The
passages are printed in item order (Wikipedia, UCDP first paragraphs, UCDP later paragraphs), as YAML without
labels; the labels in ``blind2.yaml`` were written by hand from the text alone by a labeller who never saw the
extraction rules, the extractor's output or its scores.

Run from the repository root (only by hand: the tests never need the corpus)::

    python -m tests.loaders.news_eval.select_blind2 --corpus PATH/TO/corpus   # or set DETENTE_CORPUS

>>> later_paragraph("Full peace agreement\nThe parties met in Lome.  Nothing more to say here today.\n\n"
...                 "The accord was signed on 3 June and it set out a plan for peace.\n\n"
...                 "The ceasefire did not hold and fighting resumed within a month of the signing.")
(3, 'The ceasefire did not hold and fighting resumed within a month of the signing.')
>>> bool(HARD_CUE.search("This agreement reaffirms the earlier accord.")), bool(CONFLICT.search("A storm hits."))
(True, False)
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from tests.loaders.news_eval.select_blind import used_sources
from tests.loaders.news_eval.select_fresh import _TYPE_LINE, UCDP, WIKITIMES, corpus_parser, narrative_paragraph

HERE = Path(__file__).resolve().parent
BLIND2_SEED = 20261202
WIKI_CONFLICT = 15
WIKI_PLAIN = 15
UCDP_CUE = 26
UCDP_OTHER = 16
UCDP_LATER = 24
#: The sets whose passages are never drawn again.
EARLIER_SETS = ("passages.yaml", "fresh.yaml", "blind.yaml")

CONFLICT = re.compile(
    r"\b(?:wars?|military|troops|soldiers|army|armed|rebels?|insurgen\w*|militants?|militias?|forces|attacks?|"
    r"attacked|clash\w*|bomb\w*|airstrikes?|air strikes?|killed|kills?|fighting|fighters|conflict\w*|sanctions?|"
    r"United Nations|U\.N\.|UN|NATO|European Union|EU|African Union|government|president|prime minister|"
    r"foreign|border|refugees?|migrants?|asylum|protest\w*|coup|elections?|parliament\w*|votes?|voted|"
    r"Islamic State|ISIL|ISIS|Taliban|Boko Haram|al-Qaeda|Houthis?|Kurd\w*|nuclear)\b", re.I)
HARD_CUE = re.compile(
    r"\b(?:reaffirm\w*|previous\w*|earlier|prior|preceding|framework|builds? on|in line with|pursuant|annex\w*|"
    r"would|should|will|future|propos\w*|fail\w*|reject\w*|refus\w*|not|never|collaps\w*|broke down|violat\w*|"
    r"outlines?|describes?|provides?|regulates?|stipulat\w*|sets? out|lays? out)\b", re.I)
FAILURE_CUE = re.compile(
    r"\b(?:fail\w*|collaps\w*|broke down|break down|breakdown|reject\w*|refus\w*|not|never|den(?:y|ies|ied)|"
    r"withdr\w*|violat\w*|boycott\w*|postpon\w*|suspend\w*|abandon\w*|resum\w*|would|could|may|might|should|"
    r"propos\w*|planned|previous\w*|earlier)\b", re.I)

T = TypeVar("T")


def later_paragraph(comment: str) -> tuple[int, str] | None:
    """The first narrative paragraph after the first that has a ``FAILURE_CUE`` word, with its position (from 1)."""
    text = _TYPE_LINE.sub("", comment.replace("\r", "").strip())
    narrative = [p for p in (_TYPE_LINE.sub("", q.strip()).strip() for q in re.split(r"\n\s*\n", text))
                 if len(p.split()) > 8]
    for position, paragraph in enumerate(narrative[1:], start=2):
        if FAILURE_CUE.search(paragraph):
            return position, paragraph
    return None


def permuted(items: Sequence[T], seed: int = BLIND2_SEED) -> list[T]:
    """A seeded permutation of ``items`` (each stratum gets its own generator)."""
    return random.Random(seed).sample(list(items), len(items))


def select(corpus: Path, used_wikitimes: set[str], used_ucdp: set[str]) -> list[dict[str, Any]]:
    """The unlabelled blind2 passages, in the order of ``blind2.yaml``."""
    items = json.loads((corpus / WIKITIMES).read_text(encoding="utf-8"))
    pool = sorted((i for i in items if i["id"] not in used_wikitimes), key=lambda i: int(i["id"]))
    text = {i["id"]: i["description"].rstrip(", ").strip() for i in pool}
    conflict = [i for i in pool if CONFLICT.search(text[i["id"]])]
    plain = [i for i in pool if not CONFLICT.search(text[i["id"]])]
    wiki = permuted(conflict)[:WIKI_CONFLICT] + permuted(plain)[:WIKI_PLAIN]

    with (corpus / UCDP).open(encoding="utf-8", newline="") as handle:
        agreements: dict[str, dict[str, str]] = {}
        for row in csv.DictReader(handle):
            agreements.setdefault(row["paid"], row)
    ordered = sorted(agreements.values(), key=lambda r: int(r["paid"]))
    candidates = [r for r in ordered if r["paid"] not in used_ucdp and narrative_paragraph(r["pa_comment"])]
    cue = [r for r in candidates if HARD_CUE.search(narrative_paragraph(r["pa_comment"]) or "")]
    other = [r for r in candidates if not HARD_CUE.search(narrative_paragraph(r["pa_comment"]) or "")]
    ucdp = permuted(cue)[:UCDP_CUE] + permuted(other)[:UCDP_OTHER]
    drawn = {r["paid"] for r in ucdp}
    later = permuted([r for r in ordered if r["paid"] not in used_ucdp | drawn
                      and later_paragraph(r["pa_comment"])])[:UCDP_LATER]

    out: list[dict[str, Any]] = []
    for item in sorted(wiki, key=lambda i: int(i["id"])):
        out.append({"id": f"wikitimes-{item['id']}", "source": f"wikitimes:{item['id']}", "published": item["date"],
                    "source_urls": [s["url"] for s in item.get("source") or []][:3], "text": text[item["id"]]})
    for row in sorted(ucdp, key=lambda r: int(r["paid"])):
        out.append({"id": f"ucdp-{row['paid']}", "source": f"ucdp:{row['paid']}#pa_comment",
                    "published": row["pa_date"], "title": row["pa_name"].strip(),
                    "text": narrative_paragraph(row["pa_comment"])})
    for row in sorted(later, key=lambda r: int(r["paid"])):
        found = later_paragraph(row["pa_comment"])
        assert found is not None  # the pool holds only agreements that have one
        position, paragraph = found
        out.append({"id": f"ucdp-{row['paid']}-p{position}",
                    "source": f"ucdp:{row['paid']}#pa_comment-paragraph-{position}",
                    "published": row["pa_date"], "title": row["pa_name"].strip(), "text": paragraph})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = corpus_parser(__doc__)
    args = parser.parse_args(argv)
    used_wikitimes, used_ucdp = used_sources(*(HERE / name for name in EARLIER_SETS))
    print(yaml.safe_dump({"passages": select(args.corpus, used_wikitimes, used_ucdp)}, allow_unicode=True,
                         sort_keys=False, width=120))
    return 0


if __name__ == "__main__":
    sys.exit(main())
