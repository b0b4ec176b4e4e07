"""``kg eval``: the scoring itself, and the gold set's scores as a regression gate."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main
from kg.evaluate import Counts, evaluate

GOLD = Path(__file__).parent / "data" / "gold" / "seeds.jsonl"


def test_gold_scores_meet_the_bar() -> None:
    result = CliRunner().invoke(main, ["eval", str(GOLD), "--format", "json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["documents"] == 108
    assert scores["entities"]["micro"]["f1"] >= 0.90
    for label in ("Model", "Dataset", "Organization", "Language"):
        assert scores["entities"][label]["f1"] >= 0.85, label


def test_table_output_with_spans() -> None:
    result = CliRunner().invoke(main, ["eval", str(GOLD), "--spans"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "documents: 108"
    assert lines[1].split() == ["type", "precision", "recall", "f1", "tp", "fp", "fn"]
    assert [line.split()[0] for line in lines[2:]] == [
        "Model", "Dataset", "Organization", "Language", "micro", "spans:exact", "spans:overlap",
    ]  # fmt: skip


def test_matching_uses_aliases_and_ignores_uncertain() -> None:
    gold = [
        {
            "id": "x",
            "title": "Mistral 7B",
            "abstract": "We introduce Mistral 7B, which outperforms Llama 2 13B. We thank GitHub.",
            "entities": [
                {"type": "Model", "name": "Mistral-7B", "aliases": []},
                {"type": "Model", "name": "Llama 2 13B", "aliases": ["LLaMA-2-13B"]},
                {"type": "Organization", "name": "GitHub", "uncertain": True},
                {"type": "Dataset", "name": "Nowhere", "aliases": []},
            ],
        }
    ]
    report = evaluate(gold)
    assert (report.entities["Model"].tp, report.entities["Model"].fp) == (2, 0)
    assert report.entities["Organization"].fp == 0
    assert report.entities["Dataset"].fn == 1


def test_counts_arithmetic() -> None:
    counts = Counts(tp=8, fp=2, fn=2)
    assert (counts.precision, counts.recall, round(counts.f1, 3)) == (0.8, 0.8, 0.8)
    assert Counts().f1 == 0.0


def test_bad_gold_line(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        '{"title": "t", "abstract": "a", "entities": []}\n{"title": "x"}\n', encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["eval", str(gold)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {gold}:2: not a gold record ('abstract'); see docs/annotation.md for the format\n"
    )
