"""Title/author splitting of listing lines, checked against hand-made truth."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from kg.ingest import read_records
from kg.ingest.authors import split_title_authors

from .conftest import CORPORA, EXAMPLES

EXPECTED = json.loads((Path(__file__).parent / "data" / "listing_expected.json").read_text("utf-8"))


def test_expected_file_covers_all_38_listing_records() -> None:
    assert len(EXPECTED) == 38
    assert {row["file"][:3] for row in EXPECTED} == {"000", "004"}


@pytest.mark.parametrize("row", EXPECTED, ids=lambda row: f"{row['file'][:3]}:{row['line']}")
def test_listing_record_split_by_hand(row: dict[str, object]) -> None:
    path = str(EXAMPLES / str(row["file"]))
    papers = {paper.sources[0].line: paper for paper in read_records([path])}
    paper = papers[int(str(row["line"]))]
    assert paper.title == row["title"]
    assert paper.authors[0] == row["first_author"]
    assert paper.authors == row["authors"]
    assert paper.org_tags == row["org_tags"]


@pytest.mark.parametrize(
    ("line", "title", "first"),
    [
        ("Scaling ReportOpenAI, Josh Achiam", "Scaling Report", "OpenAI"),
        ("Parsing with LLMsRyan McDonald, Ann Lee", "Parsing with LLMs", "Ryan McDonald"),
        ("On AMS DesignSouradip Poddar, Ann Lee", "On AMS Design", "Souradip Poddar"),
        ("3D Head AvatarJean-Baptiste Alayrac", "3D Head Avatar", "Jean-Baptiste Alayrac"),
        ("Tasks, Methods, and ResultsDiego de las Casas, Bo Li", "Tasks, Methods, and Results",
         "Diego de las Casas"),
    ],
)  # fmt: skip
def test_hard_boundaries(line: str, title: str, first: str) -> None:
    split = split_title_authors(line)
    assert split is not None
    assert (split.title, split.authors[0]) == (title, first)


def test_unsplittable_line_is_none() -> None:
    assert split_title_authors("all lowercase words without any author") is None


@pytest.mark.skipif(not CORPORA.exists(), reason="needs ../shared/corpora beside the repo")
def test_split_accuracy_on_glued_corpus_records() -> None:
    """Glue real titles to real author lists the way listings do; >= 99% must split back."""
    path = CORPORA / "arxiv_cs_daily" / "arxiv_cs_daily.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for _, line in zip(range(20_000), handle, strict=False)]
    sample = random.Random(7).sample([r for r in records if r["authors"]], 3000)
    right = 0
    for record in sample:
        authors = record["authors"][:3]
        more = " et al." if len(record["authors"]) > 3 else ""
        split = split_title_authors(record["title"] + ", ".join(authors) + more)
        right += split is not None and (split.title, split.authors) == (record["title"], authors)
    assert right / len(sample) >= 0.99
