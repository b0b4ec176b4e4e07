"""``kg eval``: the scoring itself, and the gold set's scores as a regression gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from kg.cli import main
from kg.evaluate import Counts, evaluate, score_relations
from kg.schema import EXTRACTED_REL_TYPES, make_key

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


# --- relations --------------------------------------------------------------------------
def _entity(label: str, name: str, *aliases: str) -> dict[str, Any]:
    return {"type": label, "name": name, "aliases": list(aliases), "uncertain": False}


def _gold_relation(rel_type: str, source: str, target: str, **extra: Any) -> dict[str, Any]:
    return {"type": rel_type, "source": source, "target": target, "uncertain": False, **extra}


def _predicted_entity(label: str, name: str, *aliases: str) -> dict[str, Any]:
    return {"type": label, "name": name, "key": make_key(label, name), "aliases": list(aliases)}


def _predicted_relation(
    rel_type: str, source: dict[str, Any], target: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "type": rel_type,
        "source": source["key"],
        "target": target["key"],
        "source_name": source["name"],
        "target_name": target["name"],
        "source_type": source["type"],
        "target_type": target["type"],
        **extra,
    }


RELATION_GOLD = {
    "id": "g",
    "title": "t",
    "abstract": "a",
    "entities": [
        _entity("Model", "Mistral 7B v0.1", "Mistral 7B"),
        _entity("Model", "Llama 2 13B", "LLaMA-2-13B"),
        _entity("Model", "Llama 2"),
        _entity("Dataset", "MMLU"),
        _entity("Dataset", "GSM8K"),
        _entity("Organization", "Mistral AI"),
    ],
    "relations": [
        _gold_relation("OUTPERFORMS", "Mistral 7B v0.1", "Llama 2 13B"),
        _gold_relation("EVALUATED_ON", "Mistral 7B v0.1", "MMLU"),
        _gold_relation("EVALUATED_ON", "Llama 2 13B", "MMLU"),
        _gold_relation("VARIANT_OF", "Llama 2 13B", "Llama 2"),
        _gold_relation(
            "EVALUATED_ON", "Llama 2 13B", "GSM8K", uncertain=True, note="only a baseline"
        ),
    ],
}


def test_relations_match_through_names_and_aliases() -> None:
    mistral = _predicted_entity("Model", "Mistral 7B")  # a gold alias
    llama = _predicted_entity("Model", "Llama-2 13B", "LLaMA-2-13B")  # alias = gold alias
    mmlu = _predicted_entity("Dataset", "mmlu")  # case-insensitive
    predicted = {
        "entities": [mistral, llama, mmlu],
        "relations": [
            _predicted_relation("OUTPERFORMS", mistral, llama, provenance="text"),
            _predicted_relation("EVALUATED_ON", mistral, mmlu),  # no provenance yet: scored
            _predicted_relation("OUTPERFORMS", llama, mistral, provenance="text"),  # wrong way
        ],
    }
    counts, errors = score_relations(RELATION_GOLD, predicted)
    assert {t: (c.tp, c.fp, c.fn) for t, c in counts.items()} == {
        "OUTPERFORMS": (1, 1, 0),
        "EVALUATED_ON": (1, 0, 1),
        "VARIANT_OF": (0, 0, 1),
    }
    assert [(e["kind"], e["relation"], e["source"], e["target"]) for e in errors] == [
        ("fp", "OUTPERFORMS", "Llama-2 13B", "Mistral 7B"),
        ("fn", "EVALUATED_ON", "Llama 2 13B", "MMLU"),
        ("fn", "VARIANT_OF", "Llama 2 13B", "Llama 2"),
    ]


def test_relations_knowledge_and_uncertain_are_not_scored() -> None:
    mistral = _predicted_entity("Model", "Mistral 7B v0.1")
    llama = _predicted_entity("Model", "Llama 2 13B")
    gsm8k = _predicted_entity("Dataset", "GSM8K")
    family = {"type": "Model", "name": "Llama 2", "key": make_key("Model", "Llama 2")}
    developer = {"type": "Organization", "name": "Mistral AI", "key": "org:mistral-ai"}
    predicted = {
        "entities": [mistral, llama, gsm8k],
        "relations": [
            # uncertain gold: neither a true nor a false positive
            _predicted_relation("EVALUATED_ON", llama, gsm8k, provenance="text"),
            # a lexicon fact: not scored, although it names gold entities
            _predicted_relation("DEVELOPED_BY", mistral, developer, provenance="knowledge"),
            # a family not among the predicted entities matches through target_name
            _predicted_relation("VARIANT_OF", llama, family, provenance="name"),
        ],
    }
    counts, errors = score_relations(RELATION_GOLD, predicted)
    assert {t: (c.tp, c.fp, c.fn) for t, c in counts.items()} == {
        "EVALUATED_ON": (0, 0, 2),
        "VARIANT_OF": (1, 0, 0),
        "OUTPERFORMS": (0, 0, 1),
    }
    assert all(e["kind"] == "fn" for e in errors)


def test_each_gold_relation_matches_one_prediction() -> None:
    # Two predicted entities that are both forms of one gold model: one match, one fp.
    short = _predicted_entity("Model", "Mistral 7B")
    full = _predicted_entity("Model", "Mistral 7B v0.1")
    mmlu = _predicted_entity("Dataset", "MMLU")
    predicted = {
        "entities": [short, full, mmlu],
        "relations": [
            _predicted_relation("EVALUATED_ON", short, mmlu),
            _predicted_relation("EVALUATED_ON", full, mmlu),
        ],
    }
    gold = {**RELATION_GOLD, "relations": RELATION_GOLD["relations"][1:2]}
    counts, _ = score_relations(gold, predicted)
    assert (counts["EVALUATED_ON"].tp, counts["EVALUATED_ON"].fp) == (1, 1)


def _write_gold(path: Path, documents: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in documents), encoding="utf-8")
    return path


def test_relations_table_counts_gold_documents(tmp_path: Path) -> None:
    gold = _write_gold(
        tmp_path / "gold.jsonl",
        [
            {  # relation gold that nothing in the text can reach: one false negative
                "title": "Plain words",
                "abstract": "Plain words only, without any names.",
                "entities": [_entity("Model", "Foo"), _entity("Dataset", "Bar")],
                "relations": [_gold_relation("TRAINED_ON", "Foo", "Bar")],
            },
            {  # no relations key yet: skipped from relation scoring
                "title": "Mistral 7B",
                "abstract": "Mistral 7B outperforms Llama 2 13B on MMLU.",
                "entities": [],
            },
        ],
    )
    result = CliRunner().invoke(main, ["eval", str(gold), "--relations"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "documents: 2"
    start = lines.index("relations: 1 of 2 documents carry relation gold")
    assert lines[start + 1].split() == ["type", "precision", "recall", "f1", "tp", "fp", "fn"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[start + 2 :]}
    assert list(rows) == [*EXTRACTED_REL_TYPES, "micro"]
    assert rows["TRAINED_ON"] == ["0.000", "0.000", "0.000", "0", "0", "1"]
    assert rows["micro"] == ["0.000", "0.000", "0.000", "0", "0", "1"]


def test_relations_json(tmp_path: Path) -> None:
    gold = _write_gold(
        tmp_path / "gold.jsonl",
        [{"title": "Plain", "abstract": "Plain words.", "entities": [], "relations": []}],
    )
    result = CliRunner().invoke(main, ["eval", str(gold), "--relations", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["relation_documents"] == 1
    assert set(data["relations"]) == {*EXTRACTED_REL_TYPES, "micro"}
    assert data["relations"]["micro"] == {
        "precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "fp": 0, "fn": 0,
    }  # fmt: skip
    plain = CliRunner().invoke(main, ["eval", str(gold), "--format", "json"])
    assert "relations" not in json.loads(plain.stdout)


def test_bad_relation_gold(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        '{"title": "t", "abstract": "a", "entities": [],'
        ' "relations": [{"type": "TRAINED_ON", "source": "A"}]}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["eval", str(gold), "--relations"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {gold}:1: not a gold record ('target'); see docs/annotation.md for the format\n"
    )
