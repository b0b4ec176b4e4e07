"""Byte-range partitions of JSON Lines files: every line read once, with its own line number.

These run the worker-side functions in this process, in partition order, as
the client's plan orders them; tests/test_dask.py runs them on a real cluster.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from kg.distributed.partitions import (
    Partition,
    PartitionResult,
    count_newlines,
    plan_input,
    read_partition,
)
from kg.ingest import OnError, Skipped, read_records
from kg.ingest.textio import InputFile


def _read_all(path: Path, partition_bytes: int, on_error: OnError = "skip") -> PartitionResult:
    """Read ``path`` partition by partition, as the cluster does; the results joined."""
    plan = plan_input(str(path), None, partition_bytes)
    assert plan.error is None
    parts = plan.partitions
    counts = [count_newlines(part) for part in parts[:-1]]
    joined = PartitionResult()
    for index, part in enumerate(parts):
        result = read_partition(part, on_error, *counts[:index])
        joined.papers += result.papers
        joined.skipped += result.skipped
    return joined


def _jsonl(path: Path, count: int, bad: tuple[int, ...] = ()) -> Path:
    lines = []
    for number in range(1, count + 1):
        if number in bad:
            lines.append("{not json")
        elif number % 7 == 0:
            lines.append("")  # blank lines are skipped but counted
        else:
            record = {"title": f"Paper {number}", "abstract": "x" * (number * 13 % 90)}
            lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _local(path: Path) -> tuple[list[dict[str, object]], list[Skipped]]:
    from kg.ingest import IngestReport

    report = IngestReport()
    papers = [p.to_json() for p in read_records([str(path)], on_error="skip", report=report)]
    return papers, report.skipped


def test_every_cut_reads_every_line_once_with_its_number(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "papers.jsonl", 40, bad=(3, 17, 40))
    expected_papers, expected_skipped = _local(path)
    assert [s.line for s in expected_skipped] == [3, 17, 40]
    size = path.stat().st_size
    for partition_bytes in [*range(1, 80), 97, 256, 1000, size - 1, size]:
        result = _read_all(path, partition_bytes)
        assert [p.to_json() for p in result.papers] == expected_papers, partition_bytes
        assert result.skipped == expected_skipped, partition_bytes


def test_a_file_without_final_newline_and_with_crlf(tmp_path: Path) -> None:
    path = tmp_path / "crlf.jsonl"
    rows = [json.dumps({"title": f"T{n}", "abstract": "a b c"}) for n in range(9)]
    path.write_bytes("\r\n".join(rows).encode())  # no line break after the last record
    expected_papers, _ = _local(path)
    assert len(expected_papers) == 9
    for partition_bytes in range(1, 60):
        result = _read_all(path, partition_bytes)
        assert [p.to_json() for p in result.papers] == expected_papers, partition_bytes


def test_gzip_and_other_formats_stay_whole(tmp_path: Path, seed_paths: list[str]) -> None:
    plain = _jsonl(tmp_path / "papers.jsonl", 30)
    packed = tmp_path / "papers.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert len(plan_input(str(plain), None, 64).partitions) > 1
    assert plan_input(str(packed), None, 64).partitions == (
        Partition(str(packed), str(packed), "jsonl", size=packed.stat().st_size),
    )
    listing = plan_input(seed_paths[0], None, 64)
    assert len(listing.partitions) == 1
    assert listing.partitions[0].fmt == "listing"


def test_unreadable_input_is_planned_as_its_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    plan = plan_input(str(empty), None, 64)
    assert plan.error == Skipped(str(empty), None, "the file is empty; there is nothing to ingest")
    missing = plan_input(str(tmp_path / "gone.jsonl"), None, 64)
    assert missing.error == Skipped(
        str(tmp_path / "gone.jsonl"), None, "no such file; check the path"
    )


def test_fail_stops_the_partition_at_its_first_bad_record(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "papers.jsonl", 20, bad=(5, 9))
    (part,) = plan_input(str(path), None, 10_000).partitions
    result = read_partition(part, "fail")
    assert result.failed
    assert [s.line for s in result.skipped] == [5]
    assert len(result.papers) == 4


@pytest.mark.parametrize("url", [True, False])
def test_input_file_reads_urls_and_keeps_the_typed_name(tmp_path: Path, url: bool) -> None:
    path = _jsonl(tmp_path / "papers.jsonl", 3)
    target = path.as_uri() if url else str(path)
    with InputFile(target, name="typed.jsonl") as source:
        lines = list(source.lines())
        assert source.size() == path.stat().st_size
    assert [line.number for line in lines] == [1, 2, 3]
    assert source.name == "typed.jsonl"


def test_a_missing_url_is_a_one_line_input_error(tmp_path: Path) -> None:
    url = (tmp_path / "gone.jsonl").as_uri()
    papers, skipped = _local_url(url)
    assert papers == []
    assert skipped == [Skipped(url, None, "no such file; check the URL")]


def _local_url(url: str) -> tuple[list[object], list[Skipped]]:
    from kg.ingest import IngestReport

    report = IngestReport()
    return list(read_records([url], on_error="skip", report=report)), report.skipped
