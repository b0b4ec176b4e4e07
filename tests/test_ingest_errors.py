"""Bad input: exact messages and exit codes through the CLI, with real files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import EXIT_SKIPPED, main

GOOD = {"title": "Mistral 7B", "abstract": "We introduce Mistral 7B."}
ICONV = "convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8 IN > OUT)"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _jsonl(path: Path, *lines: bytes) -> str:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return str(path)


def _good() -> bytes:
    return json.dumps(GOOD).encode()


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "bad.jsonl", _good(), b'{"title": "Caf\xe9", "abstract": "x"}')
    code, _, err = _run("ingest", path, "-o", str(tmp_path / "out.jsonl"))
    assert code == 1
    assert err == f"Error: {path}:2: invalid UTF-8 byte 0xe9 at column 15; {ICONV}\n"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    code, _, err = _run("ingest", str(path))
    assert code == 1
    assert err == f"Error: {path}: the file is empty; there is nothing to ingest\n"


def test_truncated_listing_record(tmp_path: Path, seed_paths: list[str]) -> None:
    lines = Path(seed_paths[0]).read_text(encoding="utf-8").split("\n")[:5]
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = _run("ingest", str(path), "-o", str(tmp_path / "out.jsonl"))
    assert code == 1
    assert err == (
        f"Error: {path}:4: truncated record: the file ends before its abstract line; "
        "was the file cut short?\n"
    )


def test_truncated_page_dump(tmp_path: Path) -> None:
    path = tmp_path / "pages.txt"
    path.write_text(
        "Get trending papers in your email inbox!\nSubscribeA Title\nAn abstract.\nLonely Title\n",
        encoding="utf-8",
    )
    code, _, err = _run("ingest", str(path), "-o", str(tmp_path / "out.jsonl"))
    assert code == 1
    assert err == (
        f"Error: {path}:4: truncated record: the file ends after this title, before its "
        "abstract; was the file cut short?\n"
    )


def test_listing_record_without_abstract(tmp_path: Path, seed_paths: list[str]) -> None:
    lines = Path(seed_paths[0]).read_text(encoding="utf-8").split("\n")
    path = tmp_path / "gap.txt"
    path.write_text("\n".join(lines[:2] + lines[3:6]) + "\n", encoding="utf-8")
    code, _, err = _run("ingest", str(path))
    assert code == 1
    assert err == (
        f"Error: {path}:1: record has no abstract: the next record starts before it; "
        "add the missing line or remove the record\n"
    )


def test_json_record_without_abstract(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "p.jsonl", _good(), json.dumps({"title": "T", "abstract": " "}).encode()
    )
    code, _, err = _run("ingest", path)
    assert code == 1
    assert err == (
        f"Error: {path}:2: record has no abstract; add a non-empty 'abstract' field "
        "or remove the record\n"
    )


def test_invalid_json_line(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "p.jsonl", _good(), b'{"title": "T" "abstract": "x"}')
    code, _, err = _run("ingest", path)
    assert code == 1
    assert err == (
        f"Error: {path}:2: invalid JSON (Expecting ',' delimiter at column 15); "
        "each line must be one JSON object\n"
    )


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    code, _, err = _run("ingest", str(path))
    assert code == 1
    assert err == (
        f"Error: {path}: looks like binary data (it contains NUL bytes), not text; kg reads "
        "arXiv-style listings (listing), paper-page dumps (pages), JSON Lines (jsonl), "
        "JSON arrays (json), CSV (csv) and TSV (tsv), each optionally gzip-compressed\n"
    )


def test_damaged_gzip(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(_good() * 2000 + b"\n")[:200])
    code, _, err = _run("ingest", str(path))
    assert code == 1
    assert err.startswith(f"Error: {path}: cannot decompress (")
    assert err.endswith("the gzip file is damaged or cut short, re-download or re-compress it\n")


def test_ten_megabyte_line(tmp_path: Path) -> None:
    huge = json.dumps({"title": "Huge", "abstract": "x" * (10 * 1024 * 1024)}).encode()
    path = _jsonl(tmp_path / "huge.jsonl", _good(), huge, _good())
    code, _, err = _run("ingest", path)
    assert code == 1
    assert err == (
        f"Error: {path}:2: line is 10.0 MiB long, over the limit of 4 MiB per line; "
        "is the file missing line breaks? Split it into one record per line\n"
    )


def test_unknown_content(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\nnothing else\n", encoding="utf-8")
    code, _, err = _run("ingest", str(path))
    assert code == 1
    assert err == (
        f"Error: {path}: cannot tell the format from the content (starts with 'just some notes'); "
        "kg reads arXiv-style listings (listing), paper-page dumps (pages), JSON Lines (jsonl), "
        "JSON arrays (json), CSV (csv) and TSV (tsv), each optionally gzip-compressed; "
        "pass --format NAME if the file is one of these\n"
    )


def test_unknown_format_option_lists_supported(tmp_path: Path) -> None:
    code, _, err = _run("ingest", "x.jsonl", "--format", "xml")
    assert code == 2
    assert "Invalid value for '--format': 'xml' is not one of" in err
    assert "'listing', 'pages', 'jsonl', 'json', 'csv', 'tsv'" in err


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.jsonl"
    code, _, err = _run("ingest", str(path))
    assert code == 1
    assert err == f"Error: {path}: no such file; check the path\n"


def test_csv_without_abstract_column(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("title,body\nA,B\n", encoding="utf-8")
    code, _, err = _run("ingest", str(path), "--format", "csv")
    assert code == 1
    assert err == (
        f"Error: {path}:1: the header row has no abstract column (found: title, body); "
        "name it 'abstract' (or 'summary'); a 'title' column is optional\n"
    )


@pytest.mark.parametrize("on_error", ["skip"])
def test_skip_counts_and_lists_every_bad_record(tmp_path: Path, on_error: str) -> None:
    bad = _jsonl(
        tmp_path / "mixed.jsonl",
        _good(),
        b'{"title": "Caf\xe9", "abstract": "x"}',
        b"not json",
        json.dumps({"title": "No abstract"}).encode(),
        json.dumps({"title": "Second", "abstract": "Fine."}).encode(),
    )
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    out = tmp_path / "out.jsonl"
    code, _, err = _run("ingest", bad, str(empty), "-o", str(out), "--on-error", on_error)
    assert code == EXIT_SKIPPED
    assert err.splitlines() == [
        "records read: 6  papers: 2  duplicates merged: 0  skipped: 4",
        f"  skipped {bad}:2: invalid UTF-8 byte 0xe9 at column 15; {ICONV}",
        f"  skipped {bad}:3: invalid JSON (Expecting value at column 1); "
        "each line must be one JSON object",
        f"  skipped {bad}:4: record has no abstract; add a non-empty 'abstract' field "
        "or remove the record",
        f"  skipped {empty}: the file is empty; there is nothing to ingest",
    ]
    titles = [json.loads(line)["title"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert titles == ["Mistral 7B", "Second"]


def test_skip_resynchronizes_a_listing(tmp_path: Path, seed_paths: list[str]) -> None:
    lines = Path(seed_paths[0]).read_text(encoding="utf-8").split("\n")
    lines[3] = "garbage header"
    path = tmp_path / "listing.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    code, _, err = _run("ingest", str(path), "--on-error", "skip", "-o", str(tmp_path / "o.jsonl"))
    assert code == EXIT_SKIPPED
    assert err.splitlines() == [
        "records read: 21  papers: 20  duplicates merged: 0  skipped: 1",
        f"  skipped {path}:4: expected a listing header like 'CLOct 27, 2022Code' (class, date, "
        "optional Code), found 'garbage header'; fix the line or use --on-error skip",
    ]


def test_success_summary_and_output(tmp_path: Path, seed_paths: list[str]) -> None:
    out = tmp_path / "papers.jsonl"
    code, stdout, err = _run("ingest", *seed_paths, "-o", str(out))
    assert code == 0
    assert stdout == ""
    assert err == "records read: 486  papers: 458  duplicates merged: 28  skipped: 0\n"
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert list(first) == [
        "id", "title", "abstract", "authors", "org_tags", "categories", "date", "date_raw",
        "has_code", "sources", "input_ids", "raw_categories",
    ]  # fmt: skip


def test_version_and_help() -> None:
    code, out, _ = _run("--help")
    assert code == 0 and "ingest" in out
    code, out, _ = _run("--version")
    assert (code, out) == (0, "kg, version 0.1.0\n")
