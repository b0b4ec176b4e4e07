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
