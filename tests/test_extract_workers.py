"""extract_papers / extract_json_lines: the same records in input order, with or without workers."""

from __future__ import annotations

import io
import json
from pathlib import Path

from kg.extract import extract_json_lines, extract_papers, write_extractions
from kg.ingest import read_papers
from kg.model import Paper

EXAMPLES = sorted(str(path) for path in (Path(__file__).parent.parent / "examples").glob("*.txt"))


def _papers() -> list[Paper]:
    return list(read_papers(EXAMPLES))[:12]


def test_json_lines_serialize_the_records_in_order_with_and_without_workers() -> None:
    papers = _papers()
    records = list(extract_papers(papers))
    expected = [json.dumps(record, ensure_ascii=False) for record in records]
    assert [record["id"] for record in records] == [paper.id for paper in papers]
    assert list(extract_json_lines(papers)) == expected
    assert list(extract_json_lines(papers, workers=2)) == expected
    assert list(extract_papers(papers, workers=2)) == records


def test_write_extractions_takes_records_or_json_lines() -> None:
    papers = _papers()[:3]
    from_records, from_lines = io.StringIO(), io.StringIO()
    assert write_extractions(extract_papers(papers), from_records) == 3
    assert write_extractions(extract_json_lines(papers), from_lines) == 3
    assert from_records.getvalue() == from_lines.getvalue()
    assert from_lines.getvalue().count("\n") == 3
