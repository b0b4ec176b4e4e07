"""Build ``kg/data/given_names.txt.gz`` from the author lists of the corpora.

The listing reader must find where a title ends and the first author begins
in lines like ``Mistral 7BAlbert Q. Jiang, ...``. Knowing which words are
given names is the strongest clue, and the corpora's 140k author lists are a
far better source for ML authors' names (many of them Chinese, Indian or
Korean) than any English name list. Run:

    python scripts/build_given_names.py ../shared/corpora/*/*.jsonl.gz
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "kg" / "data" / "given_names.txt.gz"
MIN_COUNT = 2
_NAME = re.compile(r"^[^\W\d_][^\W\d_'’\-]*(?:[-'’][^\W\d_]+)*$")


def given_names(paths: list[str]) -> Counter[str]:
    """Count the first word of every author name that looks like a given name."""
    counts: Counter[str] = Counter()
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                for author in json.loads(line).get("authors") or []:
                    words = author.split()
                    if (
                        len(words) >= 2
                        and len(words[0]) >= 2
                        and _NAME.match(words[0])
                        and words[0][0].isupper()
                    ):
                        counts[words[0]] += 1
    return counts


def main(paths: list[str]) -> None:
    counts = given_names(paths)
    names = sorted(name for name, count in counts.items() if count >= MIN_COUNT)
    with gzip.GzipFile(OUTPUT, "wb", mtime=0) as handle:
        handle.write(("\n".join(names) + "\n").encode("utf-8"))
    print(f"{len(names)} given names -> {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
