"""Output that joins back to the user's own records: ids, title-less records, offsets.

Every test writes a real input file, runs the CLI on it and reads the real output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
from click.testing import CliRunner

from kg.cli import main
from kg.graph import build_graph, load_graph_file

ABSTRACTS = [
    "We introduce Mistral 7B, a language model that outperforms Llama 2 13B on MMLU.",
    "We fine-tune BERT on SQuAD and evaluate it on GLUE, in English and Finnish.",
    "We present GPT-4, trained by OpenAI, and compare it with PaLM on GSM8K.",
]


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _paper_keys(graph: nx.MultiDiGraph[str]) -> list[str]:
    return sorted(key for key, data in graph.nodes(data=True) if data.get("label") == "Paper")


def _extract(tmp_path: Path, *inputs: Path) -> list[dict[str, Any]]:
    out = tmp_path / "extractions.jsonl"
    result = CliRunner().invoke(main, ["extract", *map(str, inputs), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_extract_gives_back_the_inputs_own_ids(tmp_path: Path) -> None:
    records = [
        {"id": f"my-000{n}", "title": f"Paper number {n}", "abstract": text}
        for n, text in enumerate(ABSTRACTS, start=1)
    ]
    extracted = _extract(tmp_path, _write_jsonl(tmp_path / "mine.jsonl", records))
    assert [r["id"] for r in extracted] == ["my-0001", "my-0002", "my-0003"]
    assert all(r["paper_id"].startswith("title-") for r in extracted)
    assert len({r["paper_id"] for r in extracted}) == 3
    assert all("input_ids" not in r for r in extracted)


def test_ids_come_back_verbatim_arxiv_and_numbers_included(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [
        {"id": "arXiv:2310.06825v2", "title": "Mistral 7B", "abstract": ABSTRACTS[0]},
        {"id": 17, "title": "A numbered record", "abstract": ABSTRACTS[1]},
        {"title": "No id at all", "abstract": ABSTRACTS[2]},
    ]
    extracted = _extract(tmp_path, _write_jsonl(tmp_path / "mixed.jsonl", records))
    assert [(r["id"], r["paper_id"]) for r in extracted[:2]] == [
        ("arXiv:2310.06825v2", "2310.06825"),
        ("17", extracted[1]["paper_id"]),
    ]
    assert extracted[1]["paper_id"].startswith("title-")
    assert extracted[2]["id"] == extracted[2]["paper_id"]
    assert extracted[2]["id"].startswith("title-")


def test_ids_survive_kg_ingest_and_merged_duplicates_list_them_all(tmp_path: Path) -> None:
    first = _write_jsonl(
        tmp_path / "a.jsonl", [{"id": "a-1", "title": "One Paper", "abstract": ABSTRACTS[0]}]
    )
    second = _write_jsonl(
        tmp_path / "b.jsonl", [{"id": "b-9", "title": "One paper.", "abstract": ABSTRACTS[0]}]
    )
    papers = tmp_path / "papers.jsonl"
    result = CliRunner().invoke(main, ["ingest", str(first), str(second), "-o", str(papers)])
    assert result.exit_code == 0, result.output
    (record,) = _extract(tmp_path, papers)
    assert (record["id"], record["input_ids"]) == ("a-1", ["a-1", "b-9"])
    assert record["paper_id"] == json.loads(papers.read_text(encoding="utf-8"))["id"]


def test_build_keys_papers_by_paper_id_not_by_the_inputs_id(tmp_path: Path) -> None:
    records = [
        {"id": f"my-000{n}", "title": f"Paper number {n}", "abstract": text}
        for n, text in enumerate(ABSTRACTS, start=1)
    ]
    source = _write_jsonl(tmp_path / "mine.jsonl", records)
    extracted = _extract(tmp_path, source)
    graph_path = tmp_path / "graph.json"
    result = CliRunner().invoke(
        main, ["build", str(source), "-o", str(graph_path), "--no-load", "--no-view"]
    )
    assert result.exit_code == 0, result.output
    graph = load_graph_file(graph_path)
    papers = _paper_keys(graph)
    assert papers == sorted(f"paper:{r['paper_id']}" for r in extracted)
    assert graph.has_edge(f"paper:{extracted[0]['paper_id']}", "model:mistral-7b")


def test_graph_reads_paper_id_and_still_reads_records_without_it() -> None:
    mention = {"field": "abstract", "start": 0, "end": 4, "text": "BERT", "sentence": "BERT."}
    bert = {"type": "Model", "name": "BERT", "key": "model:bert", "mentions": [mention]}
    new = {"id": "my-0001", "paper_id": "title-aaaa", "title": "New", "entities": [bert]}
    old = {"id": "title-bbbb", "title": "Old", "entities": [bert]}
    graph = build_graph([], [new, old])
    papers = _paper_keys(graph)
    assert papers == ["paper:title-aaaa", "paper:title-bbbb"]
    assert graph.nodes["model:bert"]["paper_count"] == 2


# --- title-less records -------------------------------------------------------------


def _build(tmp_path: Path, *inputs: Path) -> nx.MultiDiGraph[str]:
    graph_path = tmp_path / "graph.json"
    args = ["build", *map(str, inputs), "-o", str(graph_path), "--no-load", "--no-view"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return load_graph_file(graph_path)


def test_title_less_jsonl_records_extract_and_build(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [
        {"id": "para-1", "abstract": ABSTRACTS[0]},
        {"abstract": ABSTRACTS[1]},
        {"id": "para-3", "title": "", "abstract": ABSTRACTS[2]},
    ]
    source = _write_jsonl(tmp_path / "paragraphs.jsonl", records)
    extracted = _extract(tmp_path, source)
    assert [r["id"] for r in extracted[::2]] == ["para-1", "para-3"]
    assert [r["paper_id"] for r in extracted[::2]] == ["para-1", "para-3"]
    assert extracted[1]["id"] == extracted[1]["paper_id"]
    assert extracted[1]["paper_id"].startswith("text-")
    assert {e["key"] for e in extracted[0]["entities"]} >= {"model:mistral-7b", "dataset:mmlu"}
    again = _extract(tmp_path, source)
    assert [r["paper_id"] for r in again] == [r["paper_id"] for r in extracted]
    graph = _build(tmp_path, source)
    assert _paper_keys(graph) == sorted(f"paper:{r['paper_id']}" for r in extracted)
    node = graph.nodes["paper:para-1"]
    assert "title" not in node
    assert (
        node["name"] == "We introduce Mistral 7B, a language model that outperforms Llama 2 13B ..."
    )
    assert graph.has_edge("paper:para-1", "model:mistral-7b")


def test_title_less_records_with_the_same_text_stay_apart(tmp_path: Path) -> None:
    placeholder = "Abstract not available."
    source = tmp_path / "sheet.csv"
    source.write_text(
        f"id,abstract\nrow-1,{placeholder}\nrow-2,{placeholder}\n,{placeholder}\n,{placeholder}\n",
        encoding="utf-8",
    )
    extracted = _extract(tmp_path, source)
    assert [r["id"] for r in extracted[:2]] == ["row-1", "row-2"]
    assert len({r["paper_id"] for r in extracted}) == 4
    graph = _build(tmp_path, source)
    assert len(_paper_keys(graph)) == 4
    assert {graph.nodes[key]["name"] for key in _paper_keys(graph)} == {placeholder}


def test_title_less_csv_and_tsv_rows_build(tmp_path: Path) -> None:
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text(f'abstract,year\n"{ABSTRACTS[0]}",2023\n', encoding="utf-8")
    tsv_path = tmp_path / "rows.tsv"
    tsv_path.write_text(f"summary\tid\n{ABSTRACTS[1]}\tt-1\n", encoding="utf-8")
    graph = _build(tmp_path, csv_path, tsv_path)
    assert len(_paper_keys(graph)) == 2
    assert "paper:t-1" in graph
    assert graph.has_edge("paper:t-1", "model:bert")


def test_a_record_with_neither_title_nor_abstract_is_a_record_error(tmp_path: Path) -> None:
    source = _write_jsonl(tmp_path / "empty.jsonl", [{"id": "x", "authors": ["A. B"]}])
    result = CliRunner().invoke(main, ["extract", str(source), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {source}:1: record has no title and no abstract; add a non-empty 'abstract' "
        "field (a 'title' is optional) or remove the record\n"
    )


# --- offsets on the user's own strings ------------------------------------------------


def test_offsets_index_the_users_own_strings(tmp_path: Path) -> None:
    title = "  Mistral\t7B:  a model\nfor  MMLU "
    abstract = (
        "We  introduce Mistral 7B,\na language model\n\nthat outperforms\tLlama 2\n13B on "
        "MMLU  and GSM8K.\r\n  It covers English  and\u00a0Finnish. We fine-tune BERT on  SQuAD."
    )
    source = _write_jsonl(
        tmp_path / "spaces.jsonl", [{"id": "ws-1", "title": title, "abstract": abstract}]
    )
    (record,) = _extract(tmp_path, source)
    texts = {"title": title, "abstract": abstract}
    assert record["title"] == title
    mentions = [m for entity in record["entities"] for m in entity["mentions"]]
    assert {"Llama 2\n13B", "Mistral\t7B", "MMLU", "GSM8K", "Finnish"} <= {
        m["text"] for m in mentions
    }
    for mention in mentions:
        field = texts[mention["field"]]
        assert field[mention["start"] : mention["end"]] == mention["text"]
        assert mention["sentence"] in field
    evidences = [r["evidence"] for r in record["relations"] if "evidence" in r]
    assert evidences
    for evidence in evidences:
        field = texts[evidence["field"]]
        assert field[evidence["start"] : evidence["end"]] == evidence["sentence"]
        if "trigger_start" in evidence:
            trigger = field[evidence["trigger_start"] : evidence["trigger_end"]]
            assert trigger.strip() and trigger in evidence["sentence"]


def test_irregular_white_space_finds_what_single_spaces_find(tmp_path: Path) -> None:
    spaced = "We  introduce Mistral\n7B, which\toutperforms Llama 2  13B\non MMLU."
    plain = " ".join(spaced.split())
    records = [
        {"id": "spaced", "title": "T", "abstract": spaced},
        {"id": "plain", "title": "U", "abstract": plain},
    ]
    first, second = _extract(tmp_path, _write_jsonl(tmp_path / "two.jsonl", records))
    assert [e["key"] for e in first["entities"]] == [e["key"] for e in second["entities"]]
    assert [(r["type"], r["source"], r["target"]) for r in first["relations"]] == [
        (r["type"], r["source"], r["target"]) for r in second["relations"]
    ]
