"""Every input format, read from real files in tmp_path and from the bundled seeds."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from kg.ingest import IngestReport, ingest, read_papers, read_records
from kg.model import Paper, PartialDate, title_hash_id

ABSTRACT = "We introduce a model. It is trained on a corpus and evaluated on a benchmark."


def _papers(paths: list[str], **options: object) -> tuple[list[Paper], IngestReport]:
    report = IngestReport()
    papers = list(read_papers(paths, report=report, **options))  # type: ignore[arg-type]
    return papers, report


def test_seeds_read_completely(seed_paths: list[str]) -> None:
    papers, report = _papers(seed_paths)
    assert report.records == 486
    assert report.skipped == []
    assert report.merged == 28
    assert report.papers == len(papers) == 458
    assert all(paper.title and paper.abstract for paper in papers)
    assert report.formats == {
        seed_paths[0]: "listing",
        seed_paths[1]: "pages",
        seed_paths[2]: "pages",
        seed_paths[3]: "pages",
        seed_paths[4]: "listing",
    }


def test_seed_duplicates_keep_every_source(seed_paths: list[str]) -> None:
    papers, _ = _papers(seed_paths)
    mistral = next(paper for paper in papers if paper.title == "Mistral 7B")
    assert [(Path(s.file).name[:3], s.line) for s in mistral.sources] == [
        ("000", 16),
        ("001", 285),
        ("002", 185),
        ("004", 7),
    ]
    assert mistral.authors[0] == "Albert Q. Jiang"
    assert mistral.org_tags == ["cambridge"]
    assert mistral.date == PartialDate("Oct 10, 2023", 2023, 10, 10)
    assert mistral.has_code is True
    assert mistral.categories == ["cs.CL"] and mistral.raw_categories == ["CL"]


def test_listing_record_fields(seed_paths: list[str]) -> None:
    papers = list(read_records([seed_paths[0]]))
    voxtral = next(paper for paper in papers if paper.title == "Voxtral TTS")
    assert voxtral.date == PartialDate("Mar 26", None, 3, 26)
    assert voxtral.date is not None and voxtral.date.iso == "--03-26"
    assert voxtral.has_code is False
    assert voxtral.org_tags == ["deepmind", "tsinghua"]
    assert voxtral.authors == ["Alexander H. Liu", "Alexis Tacnet", "Andy Ehrenberg"]
    assert voxtral.categories == ["cs.AI"]


def test_page_dump_drops_boilerplate(seed_paths: list[str]) -> None:
    papers = list(read_records([seed_paths[1]]))
    assert len(papers) == 230
    assert papers[0].title == "Scaling Laws for Fine-Grained Mixture of Experts"
    assert papers[0].sources[0].line == 3
    assert papers[1].title.startswith("MTU-Bench: A Multi-granularity Tool-Use Benchmark")
    assert not any("trending papers" in paper.title for paper in papers)


def _corpus_record(**overrides: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": "2310.06825",
        "title": "Mistral 7B",
        "abstract": ABSTRACT,
        "authors": ["Albert Q. Jiang", "Alexandre Sablayrolles"],
        "date": "2023-10-10",
        "categories": ["cs.CL", "cs.LG"],
    }
    record.update(overrides)
    return record


def test_json_lines_corpus_format(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    path.write_text(json.dumps(_corpus_record()) + "\n\n", encoding="utf-8")
    [paper] = list(read_records([str(path)]))
    assert paper.id == "2310.06825"
    assert paper.input_ids == ["2310.06825"]
    assert paper.authors == ["Albert Q. Jiang", "Alexandre Sablayrolles"]
    assert paper.categories == ["cs.CL", "cs.LG"]
    assert paper.date == PartialDate("2023-10-10", 2023, 10, 10)
    assert paper.sources[0].file == str(path) and paper.sources[0].line == 1


def test_arxiv_snapshot_field_names(tmp_path: Path) -> None:
    record = {
        "id": "0704.0001v2",
        "submitter": "Pavel Nadolsky",
        "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
        "title": "Calculation of prompt diphoton production cross sections at Tevatron and\n"
        "  LHC energies",
        "abstract": "  A fully differential calculation in perturbative quantum chromodynamics is\n"
        "presented.\n",
        "categories": "hep-ph cs.CL",
        "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
        "update_date": "2008-11-13",
        "authors_parsed": [["Balázs", "C.", ""], ["Berger", "E. L.", ""], ["Yuan", "C.-P.", ""]],
    }
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    [paper] = list(read_records([str(path)]))
    assert paper.id == "0704.0001"
    assert paper.title.endswith("at Tevatron and LHC energies")
    assert (
        paper.abstract
        == "A fully differential calculation in perturbative quantum chromodynamics is presented."
    )
    assert paper.authors == ["C. Balázs", "E. L. Berger", "C.-P. Yuan"]
    assert paper.categories == ["hep-ph", "cs.CL"]
    assert paper.date == PartialDate("Mon, 2 Apr 2007 19:18:42 GMT", 2007, 4, 2)


def test_authors_as_one_string_without_parsed(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.jsonl"
    record = _corpus_record(authors="Ada Lovelace, Alan Turing and Grace Hopper")
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    [paper] = list(read_records([str(path)]))
    assert paper.authors == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_unpaired_surrogate_escapes_become_replacement_characters(
    tmp_path: Path, suffix: str
) -> None:
    """``\\ud800`` alone decodes to a string UTF-8 cannot hold: the paper is kept, repaired."""
    record = _corpus_record(title="Bad \ud800 title \ud83d\ude00", abstract="We train BLOOM.")
    text = json.dumps(record)  # ASCII-escaped: the lone surrogate stays a \ud800 escape
    path = tmp_path / f"papers{suffix}"
    path.write_text(text if suffix == ".jsonl" else f"[{text}]", encoding="utf-8")
    [paper] = list(read_papers([str(path)]))  # read_papers spools to SQLite, which needs UTF-8
    assert paper.title == "Bad \ufffd title \U0001f600"
    assert paper.title.encode("utf-8")


@pytest.mark.parametrize("indent", [None, 2])
def test_json_array(tmp_path: Path, indent: int | None) -> None:
    records = [_corpus_record(id=f"2401.0000{i}", title=f"Paper {i}") for i in range(3)]
    path = tmp_path / "papers.json"
    path.write_text(json.dumps(records, indent=indent), encoding="utf-8")
    papers = list(read_records([str(path)]))
    assert [paper.title for paper in papers] == ["Paper 0", "Paper 1", "Paper 2"]
    lines = [paper.sources[0].line for paper in papers]
    assert lines == ([1, 1, 1] if indent is None else [2, 16, 30])


def test_large_single_line_json_array_streams(tmp_path: Path) -> None:
    """A compact json.dump of many records is one long line; it must still read."""
    records = [_corpus_record(id=f"2401.{i:05d}", title=f"Paper {i}") for i in range(20_000)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    assert path.stat().st_size > 4 * 1024 * 1024
    papers = list(read_records([str(path)]))
    assert len(papers) == 20_000 and papers[-1].title == "Paper 19999"


def test_csv_and_tsv(tmp_path: Path) -> None:
    csv_path = tmp_path / "papers.csv"
    csv_path.write_text(
        "Title,Abstract,Authors,Date\n"
        '"Mistral 7B","We introduce, with commas,\nMistral.","A; B",2023\n',
        encoding="utf-8",
    )
    tsv_path = tmp_path / "papers.tsv"
    tsv_path.write_text("title\tsummary\nBLOOM\tA 176B model.\n", encoding="utf-8")
    csv_paper, tsv_paper = read_records([str(csv_path), str(tsv_path)])
    assert csv_paper.abstract == "We introduce, with commas, Mistral."
    assert csv_paper.authors == ["A", "B"]
    assert csv_paper.date == PartialDate("2023", 2023)
    assert csv_paper.sources[0].line == 2
    assert (tsv_paper.title, tsv_paper.abstract) == ("BLOOM", "A 176B model.")


def test_gzip_is_detected_by_content(tmp_path: Path, seed_paths: list[str]) -> None:
    path = tmp_path / "listing.data"
    path.write_bytes(gzip.compress(Path(seed_paths[0]).read_bytes()))
    papers = list(read_records([str(path)]))
    assert len(papers) == 21
    assert papers[0].title == "What Language Model to Train if You Have One Million GPU Hours?"


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (json.dumps(_corpus_record()) + "\n").encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    [paper] = list(read_records(["-"]))
    assert paper.title == "Mistral 7B"
    assert paper.sources[0].file == "<stdin>"


def test_format_override(tmp_path: Path) -> None:
    path = tmp_path / "pairs.txt"
    path.write_text("A Title\nAn abstract that follows it.\n", encoding="utf-8")
    [paper] = list(read_records([str(path)], fmt="pages"))
    assert (paper.title, paper.abstract) == ("A Title", "An abstract that follows it.")


def test_same_paper_by_arxiv_id_and_title(tmp_path: Path) -> None:
    arxiv = _corpus_record()
    acl = _corpus_record(id="2023.acl-long.1", title="MISTRAL  7b", date="2023", categories=["acl"])
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps(acl) + "\n" + json.dumps(arxiv) + "\n", encoding="utf-8")
    papers, report = _papers([str(path)])
    assert report.merged == 1
    [paper] = papers
    assert paper.id == "2310.06825"
    assert paper.input_ids == ["2023.acl-long.1", "2310.06825"]
    assert paper.categories == ["acl", "cs.CL", "cs.LG"]
    assert paper.date == PartialDate("2023-10-10", 2023, 10, 10)
    assert [source.line for source in paper.sources] == [1, 2]


def test_same_title_different_authors_stay_apart(tmp_path: Path) -> None:
    first = _corpus_record(id="W1", title="Introduction", authors=["Ann Smith"])
    second = _corpus_record(id="W2", title="Introduction", authors=["Bo Chen"])
    path = tmp_path / "intro.jsonl"
    path.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n", encoding="utf-8")
    papers, report = _papers([str(path)])
    assert report.merged == 0
    assert len({paper.id for paper in papers}) == 2
    assert papers[0].id == title_hash_id("Introduction")


def test_round_trip_through_papers_jsonl(tmp_path: Path, seed_paths: list[str]) -> None:
    out = tmp_path / "papers.jsonl"
    with out.open("w", encoding="utf-8") as handle:
        ingest(seed_paths, handle)
    again = tmp_path / "again.jsonl"
    with again.open("w", encoding="utf-8") as handle:
        report = ingest([str(out)], handle)
    assert report.records == 458 and report.merged == 0
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
