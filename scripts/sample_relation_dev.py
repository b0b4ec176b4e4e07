"""Draw the documents of the unseen relation dev set (tests/data/gold/dev_relations.jsonl).

Why a script: the sample must be reproducible and must not depend on what kg
extracts (that would bias the set toward kg). Documents are chosen by surface
cues only: at least two distinct relation cue words, and at least MIN_NAMES
distinct capitalised tokens that hold a digit or an inner capital (GPT-4,
Llama-2, RoBERTa, DeepSeek). Papers already in the seed gold, the entity dev set
or the seed inputs are excluded by normalised title. The draw is
``random.Random(SEED)`` over each corpus's qualifying records in file order
(PER_CORPUS says how many; for the daily arXiv listings only papers listed in
cs.CL), then ``random.Random(DENSE_SEED)`` adds DENSE_COUNT denser records
(DENSE_MIN_NAMES names) from the daily listings' remaining qualifying records.

Usage: python scripts/sample_relation_dev.py SHARED_CORPORA_DIR SHARED_SEEDS_DIR
prints one JSON object per drawn record (corpus, line, title, abstract).
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from pathlib import Path

from kg.model import collapse_space, normalize_title

SEED = 20261203
#: Records drawn per corpus: the recent arXiv listings resemble the hidden sets most.
PER_CORPUS = {"arxiv_cs_daily": 34, "acl_anthology": 10, "arxiv_cs_cl_2018": 6}
#: Fewest distinct digit/CamelCase names a drawn abstract holds.
MIN_NAMES = 3
#: A second, denser stratum: ordinary abstracts above name few relations, while the
#: hidden held-out sets are relation-rich. Drawn after the first stratum, from the
#: daily listings' qualifying records it did not pick, with its own seed.
DENSE_SEED = SEED + 1
DENSE_CORPUS = "arxiv_cs_daily"
DENSE_COUNT = 20
DENSE_MIN_NAMES = 6
GOLD = Path(__file__).resolve().parents[1] / "tests" / "data" / "gold"

_CUE = re.compile(
    r"outperform|surpass|fine-?tun|evaluat|benchmark|trained on|pre-?train|developed by"
    r"|release|multilingual|\b(?:English|Chinese|French|German|Spanish|Arabic|Hindi"
    r"|Japanese|Korean|Russian|Portuguese|Italian|Python|Java)\b",
    re.IGNORECASE,
)
#: A capitalised token with a digit (GPT-4, T5) or an inner capital after a lower-case letter.
_NAME = re.compile(r"\b[A-Z][\w.-]*(?:\d|[a-z][A-Z])[\w.-]*")


def name_count(text: str) -> int:
    """How many distinct capitalised tokens with a digit or an inner capital the text holds."""
    return len({match.group(0).rstrip(".-") for match in _NAME.finditer(text)})


def qualifies(text: str) -> bool:
    """Surface cues only: two distinct cue words and MIN_NAMES distinct digit/CamelCase names."""
    cues = {match.group(0).casefold() for match in _CUE.finditer(text)}
    return len(cues) >= 2 and name_count(text) >= MIN_NAMES


def excluded_titles(seeds_dir: Path) -> tuple[set[str], str]:
    """Normalised titles of the gold files, and the normalised text of the seed inputs."""
    titles: set[str] = set()
    for name in ("seeds.jsonl", "dev.jsonl", "dev_relations.jsonl"):
        path = GOLD / name
        if name == "dev_relations.jsonl" or not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            titles.add(normalize_title(json.loads(line)["title"]))
    seed_text = (
        " "
        + " ".join(
            normalize_title(path.read_text(encoding="utf-8"))
            for path in sorted(seeds_dir.glob("*.txt"))
        )
        + " "
    )
    return titles, seed_text


def draw(corpora_dir: Path, seeds_dir: Path) -> list[dict[str, object]]:
    """The drawn records, corpus by corpus in PER_CORPUS order, then the dense stratum."""
    titles, seed_text = excluded_titles(seeds_dir)
    rng = random.Random(SEED)
    drawn: list[dict[str, object]] = []
    dense_pool: list[dict[str, object]] = []
    for corpus, count in PER_CORPUS.items():
        pool = []
        path = corpora_dir / corpus / f"{corpus}.jsonl.gz"
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                record = json.loads(line)
                if corpus == "arxiv_cs_daily" and "cs.CL" not in record.get("categories", []):
                    continue
                title = collapse_space(record["title"])
                abstract = collapse_space(record["abstract"])
                if not qualifies(f"{title} {abstract}"):
                    continue
                norm = normalize_title(title)
                if norm not in titles and f" {norm} " not in seed_text:
                    pool.append(
                        {"corpus": corpus, "line": number, "title": title, "abstract": abstract}
                    )
        picked = rng.sample(pool, count)
        drawn.extend(picked)
        if corpus == DENSE_CORPUS:
            taken = {id(item) for item in picked}
            dense_pool = [
                item
                for item in pool
                if id(item) not in taken
                and name_count(f"{item['title']} {item['abstract']}") >= DENSE_MIN_NAMES
            ]
    drawn.extend(random.Random(DENSE_SEED).sample(dense_pool, DENSE_COUNT))
    return drawn


if __name__ == "__main__":
    for item in draw(Path(sys.argv[1]), Path(sys.argv[2])):
        print(json.dumps(item, ensure_ascii=False))
