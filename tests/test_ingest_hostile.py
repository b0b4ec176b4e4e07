"""Hostile input that once crashed, lost records or coerced values (issue 10).

Each test writes the real file to tmp_path and runs the CLI, then checks the
exact message and exit code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import EXIT_SKIPPED, main
from kg.model import abstract_hash_id

GOOD = {"title": "Mistral 7B", "abstract": "We introduce Mistral 7B."}
FIX = "fix the field or remove the record"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def _jsonl(path: Path, *records: Any) -> str:
    return _write(path, b"".join(json.dumps(record).encode() + b"\n" for record in records))


def _titles(path: Path) -> list[str]:
    return [json.loads(line)["title"] for line in path.read_text(encoding="utf-8").splitlines()]


# --- defect 4: tracebacks ----------------------------------------------------------------
@pytest.mark.parametrize("space", ["\u00a0", "\u3000", "\u00a0\u3000\n\u2003\n"])
def test_only_unicode_white_space_is_an_empty_file(tmp_path: Path, space: str) -> None:
    path = _write(tmp_path / "blank.txt", space.encode())
    assert _run("ingest", path) == (
        1,
        "",
        f"Error: {path}: the file is empty; there is nothing to ingest\n",
    )


DEEP = 50_000
NESTED_REASON = (
    "the JSON is nested too deeply to read (a paper record needs only a few levels); "
    "fix or remove the record"
)


def test_deep_nesting_in_json_lines(tmp_path: Path) -> None:
    deep = b'{"title": "Deep", "abstract": ' + b"[" * DEEP + b"]" * DEEP + b"}"
    path = _write(tmp_path / "deep.jsonl", deep + b"\n" + json.dumps(GOOD).encode() + b"\n")
    out = tmp_path / "out.jsonl"
    assert _run("ingest", path) == (1, "", f"Error: {path}:1: {NESTED_REASON}\n")
    code, _, err = _run("ingest", path, "-o", str(out), "--on-error", "skip")
    assert (code, err.splitlines()) == (
        EXIT_SKIPPED,
        [
            "records read: 2  papers: 1  duplicates merged: 0  skipped: 1",
            f"  skipped {path}:1: {NESTED_REASON}",
        ],
    )
    assert _titles(out) == ["Mistral 7B"]


def test_deep_nesting_in_a_json_array(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "deep.json",
        b"[" + b"[" * DEEP + b"]" * DEEP + b",\n" + json.dumps(GOOD).encode() + b"]",
    )
    out = tmp_path / "out.jsonl"
    code, _, err = _run("ingest", path, "-o", str(out), "--on-error", "skip")
    assert (code, err.splitlines()) == (
        EXIT_SKIPPED,
        [
            "records read: 2  papers: 1  duplicates merged: 0  skipped: 1",
            f"  skipped {path}:1: {NESTED_REASON}",
        ],
    )
    assert _titles(out) == ["Mistral 7B"]


def test_deep_top_level_array(tmp_path: Path) -> None:
    path = _write(tmp_path / "deep.json", b"[" * DEEP + b"]" * DEEP)
    code, _, err = _run("ingest", path)
    assert (code, err) == (1, f"Error: {path}:1: {NESTED_REASON}\n")


def test_source_line_that_is_not_a_number(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "p.jsonl", {**GOOD, "sources": [{"file": "x", "line": "abc"}]})
    assert _run("ingest", path) == (
        1,
        "",
        f'Error: {path}:1: \'sources\' must be a list of {{"file": NAME, "line": NUMBER}} '
        f"objects, found line 'abc'; {FIX}\n",
    )


def test_date_fields_of_the_wrong_type(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "p.jsonl", {**GOOD, "date": 2020, "date_raw": 5})
    assert _run("ingest", path) == (
        1,
        "",
        f"Error: {path}:1: 'date_raw' must be a string, found a number (5); {FIX}\n",
    )


def test_a_year_as_a_number_is_a_date(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "p.jsonl", {**GOOD, "date": 2020, "date_raw": "2020"})
    out = tmp_path / "out.jsonl"
    assert _run("ingest", path, "-o", str(out))[0] == 0
    assert json.loads(out.read_text(encoding="utf-8"))["date"] == "2020"


# --- defect 5: silent loss ---------------------------------------------------------------
def test_one_bad_array_element_costs_one_record(tmp_path: Path) -> None:
    elements = [
        json.dumps({"title": "One", "abstract": "A."}),
        '{"title": "Broken", "abstract": "B.", "extra": tru}',
        json.dumps({"title": "Three", "abstract": "C.", "note": 'a ] and a , and a " }'}),
        json.dumps({"title": "Four", "abstract": "D."}),
    ]
    path = _write(tmp_path / "a.json", ("[\n" + ",\n".join(elements) + "\n]\n").encode())
    out = tmp_path / "out.jsonl"
    code, _, err = _run("ingest", path, "-o", str(out), "--on-error", "skip")
    assert (code, err.splitlines()) == (
        EXIT_SKIPPED,
        [
            "records read: 4  papers: 3  duplicates merged: 0  skipped: 1",
            f"  skipped {path}:3: invalid JSON (Expecting value at column 48) in this array "
            "element; fix or remove the element",
        ],
    )
    assert _titles(out) == ["One", "Three", "Four"]


def test_cr_only_line_endings_are_line_breaks(tmp_path: Path) -> None:
    records = [json.dumps(GOOD), json.dumps({"title": "Two", "abstract": "B."})]
    path = _write(tmp_path / "mac.jsonl", "\r".join(records).encode() + b"\r")
    out = tmp_path / "out.jsonl"
    assert _run("ingest", path, "-o", str(out)) == (
        0,
        "",
        "records read: 2  papers: 2  duplicates merged: 0  skipped: 0\n",
    )
    assert _titles(out) == ["Mistral 7B", "Two"]
    assert [json.loads(line)["sources"][0]["line"] for line in out.read_text().splitlines()] == [
        1,
        2,
    ]


def test_cr_only_listing(tmp_path: Path, seed_paths: list[str]) -> None:
    text = Path(seed_paths[0]).read_text(encoding="utf-8")
    path = _write(tmp_path / "mac.txt", text.replace("\n", "\r").encode())
    code, _, err = _run("ingest", path, "-o", str(tmp_path / "out.jsonl"))
    assert (code, err) == (0, "records read: 21  papers: 21  duplicates merged: 0  skipped: 0\n")


# --- defect 6: silent coercion -----------------------------------------------------------
@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"title": ["list", "title"], "abstract": "A."}, "'title' must be a string, found a list"),
        ({"title": "T", "abstract": {"a": 1}}, "'abstract' must be a string, found an object"),
        ({"title": True, "abstract": "A."}, "'title' must be a string, found true"),
        (
            {"title": "T", "abstract": "A.", "authors": 42},
            "'authors' must be a list of names or one string of names, found a number (42)",
        ),
        (
            {"title": "T", "abstract": "A.", "authors": ["Ann Lee", 7]},
            "'authors' must be a list of names or one string of names, "
            "found an item that is a number (7)",
        ),
        (
            {"title": "T", "abstract": "A.", "categories": {"cs": 1}},
            "'categories' must be a list of strings or one string, found an object",
        ),
        (
            {"title": "T", "abstract": "A.", "has_code": "maybe"},
            "'has_code' must be true or false, found 'maybe'",
        ),
    ],
)
def test_wrong_types_are_record_errors(tmp_path: Path, record: dict[str, Any], reason: str) -> None:
    path = _jsonl(tmp_path / "p.jsonl", GOOD, record, {"title": "Last", "abstract": "Z."})
    assert _run("ingest", path) == (1, "", f"Error: {path}:2: {reason}; {FIX}\n")
    out = tmp_path / "out.jsonl"
    code, _, err = _run("ingest", path, "-o", str(out), "--on-error", "skip")
    assert (code, err.splitlines()) == (
        EXIT_SKIPPED,
        [
            "records read: 3  papers: 2  duplicates merged: 0  skipped: 1",
            f"  skipped {path}:2: {reason}; {FIX}",
        ],
    )
    assert _titles(out) == ["Mistral 7B", "Last"]


# --- defect 10: smaller ones -------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_input_says_how_to_convert(tmp_path: Path, encoding: str) -> None:
    path = _write(tmp_path / "p.jsonl", (json.dumps(GOOD) + "\n").encode(encoding))
    assert _run("ingest", path) == (
        1,
        "",
        f"Error: {path}: looks like UTF-16 text; kg reads UTF-8: convert it with "
        f"iconv -f UTF-16 -t UTF-8 {path} > {path}.utf8\n",
    )


def test_csv_without_abstract_column_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.csv", b"title,body\nA,B\n")
    assert _run("ingest", path) == (
        1,
        "",
        f"Error: {path}: looks like CSV but has no abstract column; columns are: title, body; "
        "name the abstract column 'abstract' (or 'summary')\n",
    )


def test_tsv_without_title_column_is_read_title_less(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.tsv", b"name\tabstract\nA\tB\n")
    out = tmp_path / "out.jsonl"
    assert _run("ingest", path, "-o", str(out)) == (
        0,
        "",
        "records read: 1  papers: 1  duplicates merged: 0  skipped: 0\n",
    )
    paper = json.loads(out.read_text(encoding="utf-8"))
    assert (paper["title"], paper["abstract"]) == ("", "B")


def test_control_character_message_reads_well(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.jsonl", b'{"title": "a\x01b", "abstract": "x"}\n')
    assert _run("ingest", path) == (
        1,
        "",
        f"Error: {path}:1: invalid JSON (Invalid control character at column 13); "
        "each line must be one JSON object\n",
    )


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2023-02-30", None),
        ("2023-04-31", None),
        ("2023-02-29", None),
        ("2024-02-29", "2024-02-29"),
        ("Feb 30, 2023", None),
        ("Feb 29", "--02-29"),
        ("Feb 30", None),
    ],
)
def test_impossible_dates_stay_raw(tmp_path: Path, raw: str, iso: str | None) -> None:
    path = _jsonl(tmp_path / "p.jsonl", {**GOOD, "date": raw})
    out = tmp_path / "out.jsonl"
    assert _run("ingest", path, "-o", str(out))[0] == 0
    paper = json.loads(out.read_text(encoding="utf-8"))
    assert (paper["date"], paper["date_raw"]) == (iso, raw)


def test_impossible_date_in_kg_papers_file_stays_raw(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "p.jsonl", {**GOOD, "date": "2023-02-30", "date_raw": "2023-02-30"})
    out = tmp_path / "out.jsonl"
    assert _run("ingest", path, "-o", str(out))[0] == 0
    paper = json.loads(out.read_text(encoding="utf-8"))
    assert (paper["date"], paper["date_raw"]) == (None, "2023-02-30")


def test_zero_width_title_is_no_title(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "p.jsonl", {"title": "\u200b\u200c\u200d\ufeff", "abstract": "A."})
    out = tmp_path / "out.jsonl"
    assert _run("ingest", path, "-o", str(out))[0] == 0
    paper = json.loads(out.read_text(encoding="utf-8"))
    assert (paper["title"], paper["id"]) == ("", abstract_hash_id("A."))


def test_zero_width_title_and_abstract_is_a_record_error(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "p.jsonl", {"title": "\u200b", "abstract": "\u200d\ufeff"})
    code, _, err = _run("ingest", path)
    assert code == 1
    assert err.startswith(f"Error: {path}:1: record has no title and no abstract")


def test_zero_width_title_line_in_a_page_dump(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "pages.txt",
        "Get trending papers in your email inbox!\nA Title\nAn abstract.\n\u200b\u200d\n"
        "Next Title\nNext abstract.\n".encode(),
    )
    out = tmp_path / "out.jsonl"
    code, _, err = _run("ingest", path, "-o", str(out))
    assert (code, err) == (0, "records read: 2  papers: 2  duplicates merged: 0  skipped: 0\n")
    assert _titles(out) == ["A Title", "Next Title"]


@pytest.mark.parametrize("tag", ['say"hi', "<script>", "a&b", "x'y"])
def test_listing_org_tags_with_markup_characters(tmp_path: Path, tag: str) -> None:
    listing = f"CLOct 10, 2023Code\nMistral 7BAlbert Q. Jiang, Alexandre Sablayrolles · {tag}\n"
    path = _write(tmp_path / "l.txt", (listing + "We introduce Mistral 7B.\n").encode())
    out = tmp_path / "out.jsonl"
    assert _run("ingest", path, "-o", str(out))[0] == 0
    paper = json.loads(out.read_text(encoding="utf-8"))
    assert (paper["title"], paper["authors"], paper["org_tags"]) == (
        "Mistral 7B",
        ["Albert Q. Jiang", "Alexandre Sablayrolles"],
        [tag],
    )


def test_bad_byte_in_an_array_element_costs_that_element(tmp_path: Path) -> None:
    data = b'[\n{"title": "One", "abstract": "A."},\n{"title": "Caf\xe9", "abstract": "B."},\n'
    data += b'{"title": "Three", "abstract": "C."}\n]\n'
    path = _write(tmp_path / "a.json", data)
    out = tmp_path / "out.jsonl"
    code, _, err = _run("ingest", path, "-o", str(out), "--on-error", "skip")
    assert (code, err.splitlines()) == (
        EXIT_SKIPPED,
        [
            "records read: 3  papers: 2  duplicates merged: 0  skipped: 1",
            f"  skipped {path}:3: invalid UTF-8 byte 0xe9 at column 15 in this array element; "
            "convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8 IN > OUT)",
        ],
    )
    assert _titles(out) == ["One", "Three"]


def test_text_after_the_array_is_reported(tmp_path: Path) -> None:
    first = json.dumps([GOOD])
    second = json.dumps([{"title": "Lost", "abstract": "Lost."}])
    path = _write(tmp_path / "two.json", (first + "\n" + second + "\n").encode())
    code, _, err = _run("ingest", path, "-o", str(tmp_path / "out.jsonl"), "--on-error", "skip")
    assert (code, err.splitlines()) == (
        EXIT_SKIPPED,
        [
            "records read: 2  papers: 1  duplicates merged: 0  skipped: 1",
            f"  skipped {path}:2: found '[' after the JSON array's closing ']'; a JSON file "
            "holds one array: join the arrays, or use JSON Lines (one object per line)",
        ],
    )
