"""Build ``kg/data/common_words.txt.gz``: words the corpora mostly write in lower case.

A capitalized word in a title or after a colon (``Language``, ``Scalable``,
``Tools``) is not a name when the same word is usually written in lower case.
Model and dataset names (``Mistral``, ``Falcon``, ``Sailor``) are rarely written
in lower case in ML abstracts, so they stay out. Run:

    python scripts/build_common_words.py ../shared/corpora/*/*.jsonl.gz
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "kg" / "data" / "common_words.txt.gz"
MIN_LOWER = 30
MIN_LOWER_SHARE = 0.6
_WORD = re.compile(r"\b[A-Za-z][a-z]+(?:-[a-z]+)*\b")


def count_words(paths: list[str]) -> tuple[Counter[str], Counter[str]]:
    """Lower-case and capitalized occurrences of every word in the abstracts."""
    lower: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                for word in _WORD.findall(json.loads(line)["abstract"]):
                    (lower if word[0].islower() else upper)[word.lower()] += 1
    return lower, upper


def main(paths: list[str]) -> None:
    lower, upper = count_words(paths)
    words = sorted(
        word
        for word, count in lower.items()
        if count >= MIN_LOWER and count / (count + upper[word]) >= MIN_LOWER_SHARE
    )
    with gzip.GzipFile(OUTPUT, "wb", mtime=0) as handle:
        handle.write(("\n".join(words) + "\n").encode("utf-8"))
    print(f"{len(words)} common words -> {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
