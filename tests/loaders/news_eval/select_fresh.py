r"""How the fresh held-out passages (``fresh.yaml``) were chosen from the shared corpus, reproducibly.

The selection is fixed by rule and seed, not by looking at what the extractor does:

* Wikipedia Current Events, September 2015: every item not already in ``passages.yaml`` whose text has a
  word the extractor or its hard cases key on (``KEYWORDS``), and every other unused item of the
  portal's ``International_Relation`` category;
* UCDP Peace Agreement Dataset v22.1 (another genre: a dataset's summaries of peace agreements):
  16 agreements drawn with ``random.Random(UCDP_SEED)`` from the 374, each giving the first narrative
  paragraph of its ``pa_comment`` (the agreement-type line that heads it is dropped).

Run from the repository root; it prints the passages without labels (labels were written by hand,
from the text alone, before any rule was run on them)::

    python -m tests.loaders.news_eval.select_fresh --corpus PATH/TO/corpus   # or set DETENTE_CORPUS

>>> bool(KEYWORDS.search("Russia and Estonia exchange two convicted spies.")), bool(KEYWORDS.search("A storm hits."))
(True, False)
>>> narrative_paragraph("Full peace agreement\nOn 3 May the parties signed an accord in Lome after long talks."
...                     "\n\nMore.")
'On 3 May the parties signed an accord in Lome after long talks.'
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
WIKITIMES = "wikipedia-current-events-2015-09/wikitimes_CEP_2015-09.json"
UCDP = "ucdp-peace-agreements-v22.1/ucdp-peace-agreements-221.csv"
UCDP_SEED = 20220601
UCDP_COUNT = 16
KEYWORDS = re.compile(
    r"\b(?:talks?|negotiat\w*|agree\w*|deals?|accords?|treat(?:y|ies)|conventions?|pacts?|summits?|meet\w*|met|"
    r"ceasefire|cease-fire|truce|prisoners?|hostages?|detain\w*|releas\w*|free[sd]?|freeing|pardon\w*|exchang\w*|"
    r"swap\w*|sign\w*|settle\w*|ministers?|envoys?|ambassadors?|diplomat\w*|visit\w*|mediat\w*|broker\w*|host\w*|"
    r"peace|reject\w*|refus\w*|join\w*)\b", re.I)
_TYPE_LINE = re.compile(r"\A(?:full|partial)?\s*(?:peace\s+)?(?:process\s+)?agreement\s*\n", re.I)


def narrative_paragraph(comment: str) -> str | None:
    """The first paragraph of a UCDP ``pa_comment`` that tells something (more than eight words)."""
    text = _TYPE_LINE.sub("", comment.replace("\r", "").strip())
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = _TYPE_LINE.sub("", paragraph.strip()).strip()
        if len(paragraph.split()) > 8:
            return paragraph
    return None


def select(corpus: Path, used: set[str]) -> list[dict[str, Any]]:
    """The unlabelled fresh passages, in the order of ``fresh.yaml``."""
    items = json.loads((corpus / WIKITIMES).read_text(encoding="utf-8"))
    out: list[dict[str, Any]] = []
    for item in items:
        if item["id"] in used:
            continue
        text = item["description"].rstrip(", ").strip()
        category = (item.get("category") or {}).get("name")
        if KEYWORDS.search(text) or category == "International_Relation":
            out.append({"id": f"wikitimes-{item['id']}", "source": f"wikitimes:{item['id']}", "published": item["date"],
                        "source_urls": [s["url"] for s in item.get("source") or []][:3], "text": text})
    out.sort(key=lambda p: int(p["source"].split(":")[1]))
    with (corpus / UCDP).open(encoding="utf-8", newline="") as handle:
        agreements: dict[str, dict[str, str]] = {}
        for row in csv.DictReader(handle):
            agreements.setdefault(row["paid"], row)
    ordered = sorted(agreements.values(), key=lambda r: int(r["paid"]))
    for row in sorted(random.Random(UCDP_SEED).sample(ordered, UCDP_COUNT), key=lambda r: int(r["paid"])):
        text = narrative_paragraph(row["pa_comment"])
        if text:
            out.append({"id": f"ucdp-{row['paid']}", "source": f"ucdp:{row['paid']}#pa_comment",
                        "published": row["pa_date"], "title": row["pa_name"].strip(), "text": text})
    return out


def corpus_parser(doc: str | None) -> argparse.ArgumentParser:
    """The command line all selection scripts share: ``--corpus`` (or ``DETENTE_CORPUS``), the corpus folder."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=os.environ.get("DETENTE_CORPUS"),
                        required="DETENTE_CORPUS" not in os.environ, help="the research corpus folder")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = corpus_parser(__doc__)
    args = parser.parse_args(argv)
    original = yaml.safe_load((HERE / "passages.yaml").read_text(encoding="utf-8"))["passages"]
    used = {p["source"].split(":")[1] for p in original if p["source"].startswith("wikitimes:")}
    print(yaml.safe_dump({"passages": select(args.corpus, used)}, allow_unicode=True, sort_keys=False, width=120))
    return 0


if __name__ == "__main__":
    sys.exit(main())
