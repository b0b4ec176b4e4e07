"""The bundled Cypher queries on the sample graph in a real Bolt store, and kg/queries.py itself.

The sample graph (the five example listings, extracted and built) is loaded
once into the session's store (the embedded ArcadeDB, or NEO4J_URI; see
tests/conftest.py). Each query's rows are checked two ways: against facts of
the sample written out by hand (BLOOM was trained on ROOTS, BLOOMZ was
fine-tuned from BLOOM, ...), and against the same answer computed in Python
from the networkx graph, so a query that drops or duplicates rows is caught
even where the hand-written facts do not look.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias

import neo4j
import neo4j.time
import networkx as nx
import pytest

from kg.errors import StoreError, UsageError
from kg.extract import extract_papers
from kg.extract.lexicon import org_tag_names
from kg.graph import build_graph
from kg.ingest import read_papers
from kg.queries import (
    QueryInfo,
    QueryParam,
    format_rows,
    json_value,
    list_queries,
    load_query,
    parse_params,
    parse_query_text,
    run_query,
)
from kg.schema import edge_key
from kg.store.connection import ConnectionConfig
from kg.store.loader import load_graph, wipe

from .conftest import ROOT, SEEDS

Graph: TypeAlias = "nx.MultiDiGraph[str]"
Row = dict[str, Any]
Ask = Callable[..., list[Row]]

ENTITY_LABELS = ("Model", "Dataset", "Organization", "Language")


# --- the sample in the store ------------------------------------------------------


@pytest.fixture(scope="session")
def sample_graph() -> Graph:
    """The graph ``kg build`` makes of the five example listings."""
    papers = list(read_papers([str(path) for path in SEEDS]))
    extractions = list(extract_papers(papers))
    return build_graph(papers, extractions, org_tag_map=org_tag_names())


@pytest.fixture(scope="module")
def sample_store(
    driver: neo4j.Driver, store_config: ConnectionConfig, sample_graph: Graph
) -> neo4j.Driver:
    """The session's store holding exactly the sample graph, for this module."""
    wipe(driver, store_config.database)
    load_graph(driver, sample_graph, database=store_config.database)
    return driver


@pytest.fixture(scope="module")
def ask(sample_store: neo4j.Driver, store_config: ConnectionConfig) -> Ask:
    """``ask("query_name", param=value)``: the rows of a bundled query on the sample."""

    def run(name: str, **params: Any) -> list[Row]:
        return run_query(sample_store, load_query(name), params, store_config.database)

    return run


@pytest.fixture(scope="module")
def oracle(sample_graph: Graph) -> Oracle:
    return Oracle(sample_graph)


class Oracle:
    """Answers to the bundled queries computed from the networkx graph."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def name(self, node: str) -> str:
        return str(self.graph.nodes[node]["name"])

    def label(self, node: str) -> str:
        return str(self.graph.nodes[node]["label"])

    def find(self, text: str, labels: tuple[str, ...] = ENTITY_LABELS) -> list[str]:
        """Nodes of ``labels`` whose name or an alias is ``text``, any case."""
        wanted = text.lower()
        return [
            node
            for node, attrs in self.graph.nodes(data=True)
            if attrs["label"] in labels
            and (
                attrs["name"].lower() == wanted
                or any(alias.lower() == wanted for alias in attrs.get("aliases", []))
            )
        ]

    def edges(
        self, rel_type: str, knowledge: bool = False
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """Edges of a type: its stated relations, and its knowledge ones when asked."""
        keys = {rel_type, f"{rel_type}/knowledge"} if knowledge else {rel_type}
        return [
            (source, target, attrs)
            for source, target, key, attrs in self.graph.edges(keys=True, data=True)
            if key in keys
        ]

    def most_mentioned_models(self, limit: int) -> list[Row]:
        papers: dict[str, set[str]] = defaultdict(set)
        mentions: dict[str, int] = defaultdict(int)
        for paper, entity, attrs in self.edges("MENTIONS"):
            if self.label(entity) == "Model":
                papers[entity].add(paper)
                mentions[entity] += attrs.get("count", 1)
        rows: list[Row] = [
            {"model": self.name(m), "papers": len(papers[m]), "mentions": mentions[m]}
            for m in papers
        ]
        rows.sort(key=lambda r: (-r["papers"], -r["mentions"], r["model"]))
        return rows[:limit]

    def related(
        self,
        rel_types: tuple[str, ...],
        model: str,
        reverse: bool = False,
        knowledge: bool = False,
    ) -> list[Row]:
        """``model -[rel]-> dataset`` rows (or ``dataset <-[rel]- model`` when reverse)."""
        rows = []
        for rel_type in rel_types:
            for source, target, attrs in self.edges(rel_type, knowledge):
                anchor = target if reverse else source
                if anchor in self.find(model, ("Dataset",) if reverse else ("Model",)):
                    rows.append(
                        {
                            "source": self.name(source),
                            "relation": rel_type,
                            "target": self.name(target),
                            "provenance": attrs["provenance"],
                            "support": attrs["support"],
                            "evidence": (attrs.get("evidence") or [None])[0],
                            "paper": (attrs.get("evidence_papers") or [None])[0],
                        }
                    )
        return rows

    def chains(
        self, model: str, max_depth: int, upward: bool, knowledge: bool = False
    ) -> list[Row]:
        """Every FINE_TUNED_FROM / VARIANT_OF trail (no link used twice) from or to ``model``."""
        links = [
            (source, target, key)
            for rel_type in ("FINE_TUNED_FROM", "VARIANT_OF")
            for source, target, key in self.graph.edges(keys=True)
            if key == rel_type or (knowledge and key == f"{rel_type}/knowledge")
        ]
        rows: list[Row] = []
        for start in self.find(model, ("Model",)):
            stack: list[tuple[list[str], list[tuple[str, str, str]]]] = [([start], [])]
            while stack:
                nodes, used = stack.pop()
                if used:
                    other = nodes[-1]
                    chain = [self.name(n) for n in (nodes if upward else reversed(nodes))]
                    steps = [self.graph.edges[link] for link in (used if upward else used[::-1])]
                    rows.append(
                        {
                            "model": self.name(start),
                            "ancestor" if upward else "derived": self.name(other),
                            "depth": len(used),
                            "relations": [step["type"] for step in steps],
                            "provenance": [step["provenance"] for step in steps],
                            "support": [step["support"] for step in steps],
                            "chain": chain,
                        }
                    )
                if len(used) == max_depth:
                    continue
                for link in links:
                    near, far = (link[0], link[1]) if upward else (link[1], link[0])
                    if near == nodes[-1] and link not in used:
                        stack.append(([*nodes, far], [*used, link]))
        other_key = "ancestor" if upward else "derived"
        rows.sort(
            key=lambda r: (r["model"], r["depth"], r[other_key], r["relations"], r["provenance"])
        )
        return rows

    def co_mentioned(self, entity: str, min_papers: int, limit: int) -> list[Row]:
        rows = []
        for node in self.find(entity):
            for source, target, attrs in self.edges("CO_MENTIONED"):
                if node in (source, target) and attrs["weight"] >= min_papers:
                    other = target if source == node else source
                    rows.append(
                        {
                            "entity": self.name(node),
                            "neighbour": self.name(other),
                            "label": self.label(other),
                            "papers": attrs["weight"],
                        }
                    )
        rows.sort(key=lambda r: (-r["papers"], r["neighbour"], r["label"], r["entity"]))
        return rows[:limit]

    def node_of(self, name: str, label: str) -> str:
        (node,) = [
            n
            for n, attrs in self.graph.nodes(data=True)
            if (attrs["name"], attrs["label"]) == (name, label)
        ]
        return node

    def hops(self, source: str, target: str) -> int:
        undirected = nx.Graph(self.graph.to_undirected(as_view=True))
        return int(nx.shortest_path_length(undirected, source, target))

    def linked(self, a: str, b: str, key: str) -> bool:
        """Whether an edge keyed ``key`` (TYPE or TYPE/knowledge) joins ``a`` and ``b``."""
        return self.graph.has_edge(a, b, key=key) or self.graph.has_edge(b, a, key=key)

    def entities_by_year(self, since: int, until: int) -> list[Row]:
        entities: dict[tuple[int, str], set[str]] = defaultdict(set)
        papers: dict[tuple[int, str], set[str]] = defaultdict(set)
        for paper, entity, _ in self.edges("MENTIONS"):
            year = self.graph.nodes[paper].get("year")
            if year is not None and since <= year <= until:
                group = (year, self.label(entity))
                entities[group].add(entity)
                papers[group].add(paper)
        return [
            {
                "year": year,
                "label": label,
                "entities": len(entities[(year, label)]),
                "papers": len(papers[(year, label)]),
            }
            for year, label in sorted(entities)
        ]

    def organizations_together(self, min_papers: int, limit: int) -> list[Row]:
        orgs_of: dict[str, set[str]] = defaultdict(set)
        for rel_type in ("MENTIONS", "TAGGED_WITH"):
            for paper, entity, _ in self.edges(rel_type):
                if self.label(entity) == "Organization":
                    orgs_of[paper].add(entity)
        shared: dict[tuple[str, str], set[str]] = defaultdict(set)
        for paper, orgs in orgs_of.items():
            for a in orgs:
                for b in orgs:
                    if self.name(a) < self.name(b):
                        shared[(a, b)].add(paper)
        rows: list[Row] = [
            {
                "organization": self.name(a),
                "other": self.name(b),
                "papers": len(papers),
                "titles": sorted(self.graph.nodes[p]["title"] for p in papers)[:3],
            }
            for (a, b), papers in shared.items()
            if len(papers) >= min_papers
        ]
        rows.sort(key=lambda r: (-r["papers"], r["organization"], r["other"]))
        return rows[:limit]

    def entity_links(
        self, rel_type: str, entity: str, labels: tuple[str, ...], knowledge: bool = False
    ) -> list[Row]:
        """``source -[rel_type]-> target`` rows touching a named entity, either end."""
        found = set(self.find(entity, labels))
        return [
            {
                "source": self.name(source),
                "source_label": self.label(source),
                "target": self.name(target),
                "target_label": self.label(target),
                "provenance": attrs["provenance"],
                "support": attrs["support"],
                "evidence": (attrs.get("evidence") or [None])[0],
                "forward": source in found,
                "kind": self.graph.nodes[target].get("kind"),
            }
            for source, target, attrs in self.edges(rel_type, knowledge)
            if source in found or target in found
        ]

    def datasets_introduced(self, since: str, until: str) -> list[Row]:
        rows: list[Row] = []
        for paper, entity, _ in self.edges("INTRODUCES"):
            attrs = self.graph.nodes[paper]
            if self.label(entity) != "Dataset" or attrs.get("year") is None:
                continue
            date = attrs.get("date") or str(attrs["year"])
            if since <= date <= until:
                rows.append({"date": date, "dataset": self.name(entity), "paper": attrs["title"]})
        rows.sort(key=lambda r: (r["date"], r["dataset"], r["paper"]))
        return rows

    def code_model_languages(self, limit: int) -> list[Row]:
        papers: dict[str, set[str]] = defaultdict(set)
        models: dict[str, set[str]] = defaultdict(set)
        for paper, language, _ in self.edges("MENTIONS"):
            if self.graph.nodes[language].get("kind") != "programming":
                continue
            mentioned = [
                target
                for _, target, key in self.graph.out_edges(paper, keys=True)
                if key == "MENTIONS" and self.label(target) == "Model"
            ]
            if mentioned:
                papers[self.name(language)].add(paper)
                models[self.name(language)].update(self.name(m) for m in mentioned)
        rows: list[Row] = [
            {
                "language": language,
                "papers": len(papers[language]),
                "models": sorted(models[language]),
            }
            for language in papers
        ]
        rows.sort(key=lambda r: (-r["papers"], r["language"]))
        return rows[:limit]

    def paper_entities(self, title: str, limit: int) -> list[Row]:
        rows: list[Row] = []
        for rel_type in ("MENTIONS", "INTRODUCES"):
            for paper, entity, attrs in self.edges(rel_type):
                paper_title = self.graph.nodes[paper].get("title", "")
                if title.lower() in paper_title.lower():
                    rows.append(
                        {
                            "paper": paper_title,
                            "relation": rel_type,
                            "label": self.label(entity),
                            "name": self.name(entity),
                            "mentions": attrs.get("count"),
                        }
                    )
        rows.sort(key=lambda r: (r["paper"], r["relation"], r["label"], r["name"]))
        return rows[:limit]

    def find_entities(self, text: str, limit: int) -> list[Row]:
        wanted = text.lower()
        rows = [
            {
                "label": attrs["label"],
                "name": attrs["name"],
                "papers": attrs.get("paper_count", 0),
                "aliases": attrs.get("aliases", []),
            }
            for _, attrs in self.graph.nodes(data=True)
            if attrs["label"] in ENTITY_LABELS
            and (
                wanted in attrs["name"].lower()
                or any(wanted in alias.lower() for alias in attrs.get("aliases", []))
            )
        ]
        rows.sort(key=lambda r: (-r["papers"], r["name"], r["label"]))
        return rows[:limit]


# --- every bundled query: facts of the sample, and the oracle ------------------------
#
# The hand-written facts are ones the sample states outright (and the listing
# tags, which extraction does not touch); the full rows come from the oracle,
# so improving the extractor changes the expected rows without editing this file.

TESTED = {
    "most_mentioned_models",
    "model_training",
    "models_evaluated_on",
    "model_lineage",
    "model_derivatives",
    "organization_developments",
    "model_languages",
    "language_models",
    "datasets_introduced",
    "co_mentioned",
    "shortest_path",
    "entities_by_year",
    "organizations_together",
    "code_model_languages",
    "outperforms",
    "find_entities",
    "paper_entities",
}


def test_every_bundled_query_has_a_test_here() -> None:
    assert {info.name for info in list_queries()} == TESTED


def test_most_mentioned_models(ask: Ask, oracle: Oracle) -> None:
    rows = ask("most_mentioned_models")
    assert rows == oracle.most_mentioned_models(20)
    top = [r["model"] for r in rows]
    assert {"GPT-4", "Llama"} <= set(top[:3])
    assert "BLOOM" in top[:10]
    assert ask("most_mentioned_models", limit=3) == rows[:3]


def test_model_training(ask: Ask, oracle: Oracle) -> None:
    rows = ask("model_training")  # BLOOM
    assert (rows[0]["model"], rows[0]["relation"], rows[0]["dataset"]) == (
        "BLOOM",
        "TRAINED_ON",
        "ROOTS",
    )
    edge = oracle.graph.edges["model:bloom", "dataset:roots", "TRAINED_ON"]
    # the BLOOM paper, and the ROOTS paper ("a dataset ... that was used to train ... BLOOM")
    assert (rows[0]["provenance"], rows[0]["support"]) == ("text", len(edge["papers"]))
    assert rows[0]["support"] == 2
    assert rows[0]["evidence"] == edge["evidence"][0]
    assert rows[0]["paper"] == edge["evidence_papers"][0]
    assert any(e.startswith("BLOOM is a decoder-only Transformer") for e in edge["evidence"])
    assert any("that was used to train" in e for e in edge["evidence"])
    # any case, and an alias of the model
    assert ask("model_training", model="bloom") == rows
    assert ask("model_training", model="BLOOM-176B") == rows
    phi3 = {(r["relation"], r["dataset"]) for r in ask("model_training", model="phi-3")}
    assert ("EVALUATED_ON", "MMLU") in phi3
    assert ("TRAINED_ON", "MMLU") not in phi3  # a benchmark, not training data (issue 11)
    for model in ("BLOOM", "Phi-3", "Kairos", "StarCoder2-3B", "GPT-2", "CWM"):
        for knowledge in (False, True):
            expected = oracle.related(("TRAINED_ON", "EVALUATED_ON"), model, knowledge=knowledge)
            expected.sort(
                key=lambda r: (
                    r["source"], r["relation"] != "TRAINED_ON", -r["support"], r["target"],
                    r["provenance"],
                )
            )  # fmt: skip
            assert [
                (r["model"], r["relation"], r["dataset"], r["provenance"], r["support"],
                 r["evidence"], r["paper"])
                for r in ask("model_training", model=model, include_knowledge=knowledge)
            ] == [
                (e["source"], e["relation"], e["target"], e["provenance"], e["support"],
                 e["evidence"], e["paper"])
                for e in expected
            ]  # fmt: skip
    assert ask("model_training", model="no such model") == []


def test_models_evaluated_on(ask: Ask, oracle: Oracle) -> None:
    rows = ask("models_evaluated_on", benchmark="mmlu")
    assert {"Gemini Ultra", "Phi-3", "Yi", "GLM-4"} <= {r["model"] for r in rows}
    assert {r["dataset"] for r in rows} == {"MMLU"}
    assert ask("models_evaluated_on") == rows  # MMLU is the default
    supports = [r["support"] for r in rows]
    assert supports == sorted(supports, reverse=True)  # ranked by support
    assert all(r["provenance"] != "knowledge" and r["evidence"] for r in rows)
    for dataset in ("MMLU", "MT-Bench", "AlpacaEval", "AIME", "HumanEval"):
        expected = oracle.related(("EVALUATED_ON",), dataset, reverse=True)
        expected.sort(key=lambda r: (-r["support"], r["source"], r["provenance"]))
        assert [
            (r["dataset"], r["model"], r["provenance"], r["support"], r["evidence"], r["paper"])
            for r in ask("models_evaluated_on", benchmark=dataset)
        ] == [
            (e["target"], e["source"], e["provenance"], e["support"], e["evidence"], e["paper"])
            for e in expected
        ]


def test_model_lineage(ask: Ask, oracle: Oracle) -> None:
    rows = ask("model_lineage", model="bloomz")
    assert {
        "model": "BLOOMZ",
        "ancestor": "BLOOM",
        "depth": 1,
        "relations": ["FINE_TUNED_FROM"],
        "provenance": ["text"],
        "support": [1],
        "chain": ["BLOOMZ", "BLOOM"],
    } in rows
    assert rows == oracle.chains("BLOOMZ", 5, upward=True)
    krikri = ask("model_lineage", model="Llama-Krikri-8B")
    assert {
        "model": "Llama-Krikri-8B",
        "ancestor": "Llama 3.1 8B",
        "depth": 1,
        "relations": ["FINE_TUNED_FROM"],
        "provenance": ["text"],
        "support": [1],
        "chain": ["Llama-Krikri-8B", "Llama 3.1 8B"],
    } in krikri
    assert max(r["depth"] for r in krikri) >= 2  # Llama 3.1 8B -> Llama 3.1
    assert krikri == oracle.chains("Llama-Krikri-8B", 5, upward=True)
    assert all("knowledge" not in r["provenance"] for r in krikri)
    known = ask("model_lineage", model="Llama-Krikri-8B", include_knowledge=True)
    assert known == oracle.chains("Llama-Krikri-8B", 5, upward=True, knowledge=True)
    assert len(known) > len(krikri) and any("knowledge" in r["provenance"] for r in known)
    shallow = ask("model_lineage", model="Llama-Krikri-8B", max_depth=1)
    assert shallow == [r for r in krikri if r["depth"] == 1]
    for model in ("Mixtral-8x7B-Instruct-v0.1", "GPT-3.5-turbo-0301", "SkyMath", "Qwen2.5-Coder"):
        assert ask("model_lineage", model=model) == oracle.chains(model, 5, upward=True)


def test_model_derivatives(ask: Ask, oracle: Oracle) -> None:
    rows = ask("model_derivatives")  # BLOOM, two links deep
    assert {("BLOOMZ", 1, ("FINE_TUNED_FROM",)), ("BLUUMI", 1, ("FINE_TUNED_FROM",))} <= {
        (r["derived"], r["depth"], tuple(r["relations"])) for r in rows
    }
    assert rows == oracle.chains("BLOOM", 2, upward=False)
    for model, depth in (("Llama 2", 2), ("Mistral", 3), ("Qwen2.5", 2)):
        for knowledge in (False, True):
            expected = oracle.chains(model, depth, upward=False, knowledge=knowledge)
            found = ask(
                "model_derivatives", model=model, max_depth=depth, include_knowledge=knowledge
            )
            assert found == expected


def test_organization_developments(ask: Ask, oracle: Oracle) -> None:
    # The sample never says who developed BLOOM: that is kg's lexicon, asked for explicitly.
    known = ask("organization_developments", organization="bigscience", include_knowledge=True)
    assert {
        "organization": "BigScience",
        "label": "Model",
        "name": "BLOOM",
        "provenance": "knowledge",
        "support": 0,
    } in known
    assert all(r["provenance"] != "knowledge" for r in ask("organization_developments"))
    for organization in ("BigScience", "Mistral AI", "Meta AI", "openai", "Google"):
        for knowledge in (False, True):
            links = oracle.entity_links(
                "DEVELOPED_BY", organization, ("Organization",), knowledge=knowledge
            )
            expected = [
                {
                    "organization": link["target"],
                    "label": link["source_label"],
                    "name": link["source"],
                    "provenance": link["provenance"],
                    "support": link["support"],
                }
                for link in links
            ]
            expected.sort(key=lambda r: (-r["support"], r["label"], r["name"], r["provenance"]))
            found = ask(
                "organization_developments",
                organization=organization,
                include_knowledge=knowledge,
            )
            assert found == expected


def test_model_languages(ask: Ask, oracle: Oracle) -> None:
    assert ask("model_languages") == [
        {"model": "Llama-GENBA-10B", "language": language, "kind": "natural",
         "provenance": "text", "support": 1}
        for language in ("Bavarian", "English", "German")
    ]  # fmt: skip
    for model in ("Paramanu", "orion-14b", "NT-Java-1.1B", "ChatGPT"):
        for knowledge in (False, True):
            expected = [
                {
                    "model": link["source"],
                    "language": link["target"],
                    "kind": link["kind"],
                    "provenance": link["provenance"],
                    "support": link["support"],
                }
                for link in oracle.entity_links(
                    "COVERS_LANGUAGE", model, ("Model",), knowledge=knowledge
                )
            ]
            expected.sort(key=lambda r: (-r["support"], r["language"], r["provenance"]))
            found = ask("model_languages", model=model, include_knowledge=knowledge)
            assert found == expected
    (java,) = ask("model_languages", model="NT-Java-1.1B")
    assert (java["language"], java["kind"]) == ("Java", "programming")


def test_language_models(ask: Ask, oracle: Oracle) -> None:
    greek = [r["name"] for r in ask("language_models", language="greek")]
    assert {"Krikri", "Llama-Krikri-8B", "Meltemi 7B"} <= set(greek)
    models_only = ask("language_models", language="English")
    with_datasets = ask("language_models", language="English", datasets=True)
    assert {r["label"] for r in models_only} == {"Model"}
    assert with_datasets[: len(models_only)] == models_only
    assert {"xP3", "Dolma"} <= {r["name"] for r in with_datasets if r["label"] == "Dataset"}
    for language in ("Greek", "english", "Chinese", "Python"):
        for datasets in (False, True):
            expected = [
                {
                    "language": link["target"],
                    "label": link["source_label"],
                    "name": link["source"],
                    "provenance": link["provenance"],
                    "support": link["support"],
                }
                for link in oracle.entity_links("COVERS_LANGUAGE", language, ("Language",))
                if datasets or link["source_label"] == "Model"
            ]
            expected.sort(
                key=lambda r: (r["label"] != "Model", -r["support"], r["name"], r["provenance"])
            )
            assert ask("language_models", language=language, datasets=datasets) == expected


def test_datasets_introduced(ask: Ask, oracle: Oracle) -> None:
    rows = ask("datasets_introduced")
    assert {
        "date": "2022-11-03",
        "dataset": "xP3",
        "paper": "Crosslingual Generalization through Multitask Finetuning",
    } in rows
    assert ("2023-06-21", "OBELICS") in [(r["date"], r["dataset"]) for r in rows]
    assert rows == oracle.datasets_introduced("1900-01-01", "9999-12-31")
    in_2022 = ask("datasets_introduced", since="2022-01-01", until="2022-12-31")
    assert in_2022 == oracle.datasets_introduced("2022-01-01", "2022-12-31")
    assert in_2022 and all(r["date"].startswith("2022") for r in in_2022)
    # both ends are inclusive
    one_day = ask("datasets_introduced", since="2023-06-21", until="2023-06-21")
    assert [r["dataset"] for r in one_day] == ["OBELICS"]
    assert ask("datasets_introduced", since="2030-01-01") == []


def test_co_mentioned(ask: Ask, oracle: Oracle) -> None:
    rows = ask("co_mentioned", entity="bloom", min_papers=2)
    assert ("ROOTS", "Dataset") in [(r["neighbour"], r["label"]) for r in rows]
    assert all(r["papers"] >= 2 for r in rows)
    assert rows == oracle.co_mentioned("BLOOM", 2, 20)
    assert ask("co_mentioned") == oracle.co_mentioned("BLOOM", 1, 20)
    for entity in ("GPT-4", "MMLU", "OpenAI", "Python"):
        assert ask("co_mentioned", entity=entity, limit=50) == oracle.co_mentioned(entity, 1, 50)


def test_shortest_path(ask: Ask, oracle: Oracle) -> None:
    (row,) = ask("shortest_path")  # BLOOM to ROOTS
    assert (row["source"], row["target"], row["length"]) == ("BLOOM", "ROOTS", 1)
    assert (row["nodes"], row["labels"]) == (["BLOOM", "ROOTS"], ["Model", "Dataset"])
    # BLOOM was trained on ROOTS and is co-mentioned with it: either is a shortest path
    assert row["relationships"] in (["TRAINED_ON"], ["CO_MENTIONED"])
    for source, target in (("BLOOM", "Python"), ("bloom", "Luo"), ("BigScience", "Finnish")):
        (row,) = ask("shortest_path", source=source, target=target)
        ends = [
            oracle.node_of(name, label)
            for name, label in zip(row["nodes"], row["labels"], strict=True)
        ]
        assert row["length"] == oracle.hops(ends[0], ends[-1]) == len(row["relationships"])
        assert oracle.find(source) == [ends[0]] and oracle.find(target) == [ends[-1]]
        assert len(row["provenance"]) == row["length"]
        for a, b, rel_type, provenance in zip(
            ends, ends[1:], row["relationships"], row["provenance"], strict=False
        ):
            assert oracle.linked(a, b, edge_key(rel_type, provenance)), (a, rel_type, b)
    assert ask("shortest_path", target="no such entity") == []
    assert ask("shortest_path", source="BLOOM", target="bloom") == []  # the same node


def test_entities_by_year(ask: Ask, oracle: Oracle) -> None:
    rows = ask("entities_by_year")
    assert rows == oracle.entities_by_year(1900, 2100)
    assert {r["year"] for r in rows} >= {2022, 2023}
    assert ("2022", "Model") in [(str(r["year"]), r["label"]) for r in rows]
    assert ask("entities_by_year", since=2023, until=2023) == [r for r in rows if r["year"] == 2023]


def test_organizations_together(ask: Ask, oracle: Oracle) -> None:
    rows = ask("organizations_together")
    assert rows == oracle.organizations_together(1, 20)
    # both tagged on the BLOOM paper's listing entry (and one more)
    pair = next(
        r
        for r in rows
        if (r["organization"], r["other"]) == ("Allen Institute for AI", "UC Berkeley")
    )
    assert pair["papers"] >= 2
    assert "BLOOM: A 176B-Parameter Open-Access Multilingual Language Model" in pair["titles"]
    twice = ask("organizations_together", min_papers=2)
    assert twice == oracle.organizations_together(2, 20)
    assert all(r["papers"] >= 2 for r in twice)


def test_code_model_languages(ask: Ask, oracle: Oracle) -> None:
    rows = ask("code_model_languages")
    assert rows == oracle.code_model_languages(20)
    assert rows[0]["language"] == "Python"
    by_language = {r["language"]: r["models"] for r in rows}
    assert {"StarCoder", "CWM"} <= set(by_language["Python"])
    assert {"MonoCoder", "PolyCoder", "Codex"} <= set(by_language["C"])
    assert {"NT-Java-1.1B", "StarCoderBase-1.1B"} <= set(by_language["Java"])
    assert ask("code_model_languages", limit=1) == rows[:1]


def test_outperforms(ask: Ask, oracle: Oracle) -> None:
    rows = ask("outperforms")  # GPT-4
    assert {("outperforms", "ChatGPT"), ("outperforms", "GPT-3")} <= {
        (r["relation"], r["other"]) for r in rows
    }
    assert all(r["provenance"] == "text" and r["evidence"] for r in rows)
    for model in ("GPT-4", "paramanu", "Phi-4", "GPT-3.5"):
        expected = [
            {
                "model": link["source"] if link["forward"] else link["target"],
                "relation": "outperforms" if link["forward"] else "outperformed by",
                "other": link["target"] if link["forward"] else link["source"],
                "provenance": link["provenance"],
                "support": link["support"],
                "evidence": link["evidence"],
            }
            for link in oracle.entity_links("OUTPERFORMS", model, ("Model",))
        ]
        expected.sort(
            key=lambda r: (
                r["model"], r["relation"] != "outperforms", -r["support"], r["other"],
                r["provenance"],
            )
        )  # fmt: skip
        assert ask("outperforms", model=model) == expected


def test_find_entities(ask: Ask, oracle: Oracle) -> None:
    rows = ask("find_entities")  # "llama"
    assert rows[0]["name"] == "Llama"
    assert rows == oracle.find_entities("llama", 25)
    assert ask("find_entities", text="ROOTS") == oracle.find_entities("roots", 25)
    assert ask("find_entities", text="no such thing") == []


def test_paper_entities(ask: Ask, oracle: Oracle) -> None:
    rows = ask("paper_entities")
    title = "BLOOM: A 176B-Parameter Open-Access Multilingual Language Model"
    assert {(r["paper"], r["relation"], r["label"], r["name"]) for r in rows} >= {
        (title, "INTRODUCES", "Model", "BLOOM"),
        (title, "MENTIONS", "Model", "BLOOM"),
        (title, "MENTIONS", "Dataset", "ROOTS"),
    }
    assert rows == oracle.paper_entities("BLOOM: A 176B", 50)
    assert ask("paper_entities", title="crosslingual generalization") == oracle.paper_entities(
        "Crosslingual Generalization", 50
    )


@pytest.mark.parametrize("info", list_queries(), ids=lambda info: info.name)
def test_every_query_runs_with_its_defaults_and_formats(ask: Ask, info: QueryInfo) -> None:
    rows = ask(info.name)
    assert rows, f"{info.name} has no rows on the sample with its defaults"
    assert json.loads(format_rows(rows, "json")) == rows
    assert format_rows(rows, "csv").count("\n") >= len(rows) + 1
    assert len(format_rows(rows, "table").splitlines()) == len(rows) + 2


# --- running: values, nodes, relationships and paths ----------------------------------


def test_run_query_returns_nodes_relationships_and_paths_as_plain_data(
    sample_store: neo4j.Driver,
    store_config: ConnectionConfig,
    sample_graph: Graph,
    tmp_path: Path,
) -> None:
    path = tmp_path / "trained.cypher"
    path.write_text(
        "// Question: What is BLOOM trained on, as graph objects?\n"
        '// Param: key = "model:bloom"\n'
        "MATCH p = (m:Model {key: $key})-[r:TRAINED_ON]->(d:Dataset)\n"
        "RETURN m, r, p, d.name AS name, 1.5 AS ratio, true AS yes, null AS nothing;\n",
        encoding="utf-8",
    )
    (row,) = run_query(sample_store, load_query(path), database=store_config.database)
    bloom = {k: v for k, v in sample_graph.nodes["model:bloom"].items() if k != "label"}
    roots = {k: v for k, v in sample_graph.nodes["dataset:roots"].items() if k != "label"}
    edge = sample_graph.edges["model:bloom", "dataset:roots", "TRAINED_ON"]
    relationship = {
        "type": "TRAINED_ON",
        "start": "model:bloom",
        "end": "dataset:roots",
        "properties": {k: v for k, v in edge.items() if k != "type"},
    }
    assert row == {
        "m": {"labels": ["Model"], "properties": bloom},
        "r": relationship,
        "p": {
            "length": 1,
            "nodes": [
                {"labels": ["Model"], "properties": bloom},
                {"labels": ["Dataset"], "properties": roots},
            ],
            "relationships": [relationship],
        },
        "name": "ROOTS",
        "ratio": 1.5,
        "yes": True,
        "nothing": None,
    }
    assert json.loads(json.dumps(row)) == row


def test_run_query_parameters_are_checked_and_converted(ask: Ask) -> None:
    assert len(ask("most_mentioned_models", limit="2")) == 2  # text is converted
    with pytest.raises(UsageError, match=r"has no parameter 'limt'; its parameters are: limit"):
        ask("most_mentioned_models", limt=2)
    with pytest.raises(UsageError, match=r"parameter 'limit' takes an int, not bool True"):
        ask("most_mentioned_models", limit=True)
    with pytest.raises(UsageError, match=r"parameter 'limit' takes a whole number, not 'many'"):
        ask("most_mentioned_models", limit="many")


def test_a_value_is_a_parameter_never_query_text(ask: Ask) -> None:
    hostile = "x') OR 1=1 //"
    assert ask("model_training", model=hostile) == []
    assert ask("find_entities", text="' RETURN 1 //") == []


def test_a_broken_query_file_fails_with_a_store_error(
    sample_store: neo4j.Driver, store_config: ConnectionConfig, tmp_path: Path
) -> None:
    path = tmp_path / "broken.cypher"
    path.write_text("// Question: Broken?\nMATCH (m:Model RETURN m\n", encoding="utf-8")
    with pytest.raises(StoreError, match=r"^query 'broken' failed: "):
        run_query(sample_store, load_query(path), database=store_config.database)


# --- finding and parsing query files -------------------------------------------------


def test_bundled_queries_are_described_and_found_through_the_repo_symlink() -> None:
    infos = list_queries()
    assert len(infos) >= 12
    assert [info.name for info in infos] == sorted(info.name for info in infos)
    link = ROOT / "queries"
    assert link.is_symlink() and link.resolve() == (ROOT / "kg" / "data" / "queries").resolve()
    assert sorted(p.stem for p in link.glob("*.cypher")) == [info.name for info in infos]
    for info in infos:
        assert info.description.endswith("?"), info.name
        assert all(param.help for param in info.params), info.name
        assert load_query(link / f"{info.name}.cypher").params == info.params


def test_load_query_reads_the_header() -> None:
    info = load_query("model_lineage")
    assert info.name == "model_lineage"
    assert info.description == (
        "Which models was a model fine-tuned from or is a variant of, step by step?"
    )
    assert info.params == (
        QueryParam("model", "string", "BLOOMZ", "model name or alias, any case"),
        QueryParam(
            "max_depth",
            "int",
            5,
            "longest chain of FINE_TUNED_FROM / VARIANT_OF links to follow, at most 10",
        ),
        QueryParam(
            "include_knowledge",
            "bool",
            False,
            "also list relations from kg's lexicon that no paper states",
        ),
    )
    assert info.defaults == {"model": "BLOOMZ", "max_depth": 5, "include_knowledge": False}
    assert info.param("max_depth") == info.params[1]
    assert info.param("nope") is None
    assert (
        info.params[0].summary == 'model (string, default "BLOOMZ"): model name or alias, any case'
    )
    assert info.source.endswith(os.path.join("data", "queries", "model_lineage.cypher"))


def test_load_query_by_path_infers_types_from_defaults(tmp_path: Path) -> None:
    path = tmp_path / "mine.cypher"
    path.write_text(
        "// Question: Everything typed?\n"
        "//\n"
        "// Param: n = 3   (an int)\n"
        "// Param: ratio = 0.25\n"
        "// Param: big = 1e3   (a float too)\n"
        "// Param: flag = false   (a bool)\n"
        '// Param: text = "say \\"hi\\" (twice)"   (a string (with parentheses))\n'
        "// A note that is neither a question nor a parameter.\n"
        "\n"
        "RETURN $n AS n, $ratio AS ratio, $big AS big, $flag AS flag, $text AS text,\n"
        "       '$not_a_param' AS literal // $nor_this\n"
        ";\n",
        encoding="utf-8",
    )
    bom = tmp_path / "bom.cypher"
    bom.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # saved by a Windows editor
    for how in (path, str(path), bom):
        info = load_query(how)
        assert info.name == Path(how).stem
        assert info.description == "Everything typed?"
        assert [(p.name, p.type, p.default, p.help) for p in info.params] == [
            ("n", "int", 3, "an int"),
            ("ratio", "float", 0.25, ""),
            ("big", "float", 1000.0, "a float too"),
            ("flag", "bool", False, "a bool"),
            ("text", "string", 'say "hi" (twice)', "a string (with parentheses)"),
        ]
        assert not info.cypher.endswith(";")
        assert info.cypher.startswith("// Question:")


def test_unknown_query_names_list_the_available_ones() -> None:
    with pytest.raises(UsageError) as caught:
        load_query("most_mentioned_model")
    message = str(caught.value)
    assert message.startswith(
        "unknown query 'most_mentioned_model'; did you mean most_mentioned_models? "
        "the bundled queries are: co_mentioned, code_model_languages,"
    )
    assert message.endswith("(or give the path of a .cypher file)")
    with pytest.raises(UsageError, match=r"^unknown query 'zzz'; the bundled queries are: "):
        load_query("zzz")
    with pytest.raises(
        UsageError, match=r"^unknown query 'lineage'; did you mean model_lineage\? "
    ):
        load_query("lineage")


def test_missing_query_files_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"nothing\.cypher: no such query file"):
        load_query(tmp_path / "nothing.cypher")
    with pytest.raises(UsageError, match=r"no such query file"):
        load_query("nothing.cypher")
    with pytest.raises(UsageError, match=r"is a directory"):
        load_query(str(tmp_path) + os.sep)
    binary = tmp_path / "binary.cypher"
    binary.write_bytes(b"\xff\xfe RETURN 1")
    with pytest.raises(UsageError, match=r"binary\.cypher: not UTF-8 text"):
        load_query(binary)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("// Param: n = twenty\nRETURN $n", r"x\.cypher:1: the default of 'n' must be a number"),
        (
            "// Param: n = 1 trailing\nRETURN $n",
            r"x\.cypher:1: after the default of 'n' only a hint",
        ),
        ('// Param: s = "open\nRETURN $s', r"x\.cypher:1: the default of 's' opens a string"),
        ("// Param: = 1\nRETURN 1", r"x\.cypher:1: expected '// Param: name = default"),
        (
            "// Param: n = 1\n// Param: n = 2\nRETURN $n",
            r"x\.cypher:2: parameter 'n' is declared twice",
        ),
        (
            "// Question: A?\n// Question: B?\nRETURN 1",
            r"x\.cypher:2: a second '// Question:' line",
        ),
        ("// Question:\nRETURN 1", r"x\.cypher:1: '// Question:' says nothing"),
        ("// Question: Nothing?\n\n", r"x\.cypher: has no Cypher statement"),
        (
            "RETURN $limit",
            r"uses \$limit without declaring it; add a line like '// Param: limit = 10",
        ),
        ("// Param: n = 1\nRETURN 1", r"declares n but never uses \$n"),
        ("MATCH (n) DETACH DELETE n", r"x\.cypher: uses DETACH, but queries run read-only"),
        ("MATCH (n:Model) SET n.x = 1", r"uses SET, but queries run read-only"),
        ("merge (n:Model {key: 'k'})", r"uses MERGE, but queries run read-only"),
        ("LOAD  CSV FROM 'f' AS row RETURN row", r"uses LOAD CSV, but queries run read-only"),
    ],
)
def test_malformed_query_files_say_where_and_how_to_fix(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_query_text(text, name="x", source="x.cypher")


def test_read_only_check_ignores_properties_keys_strings_and_comments() -> None:
    info = parse_query_text(
        "// CREATE nothing\nMATCH (n {set: 1}) WHERE n.delete = 'MERGE' RETURN n.create AS created",
        name="x",
        source="x.cypher",
    )
    assert info.params == ()
    assert info.description == ""


# --- parameters --------------------------------------------------------------------

TYPED = QueryInfo(
    name="typed",
    description="Typed?",
    params=(
        QueryParam("limit", "int", 20, "rows"),
        QueryParam("ratio", "float", 0.5),
        QueryParam("datasets", "bool", False),
        QueryParam("model", "string", "BLOOM"),
    ),
    cypher="RETURN $limit, $ratio, $datasets, $model",
    source="typed.cypher",
)


def test_parse_params_fills_defaults_and_converts() -> None:
    assert parse_params([], TYPED) == {
        "limit": 20,
        "ratio": 0.5,
        "datasets": False,
        "model": "BLOOM",
    }
    assert parse_params(
        ["limit=5", "ratio=2", "datasets=yes", "model=Llama 2 = 13B ", "limit= 7 "], TYPED
    ) == {
        "limit": 7,
        "ratio": 2.0,
        "datasets": True,
        "model": "Llama 2 = 13B ",
    }
    assert parse_params(["ratio=-1.5e-3", "datasets=OFF", "model="], TYPED) == {
        "limit": 20,
        "ratio": -0.0015,
        "datasets": False,
        "model": "",
    }
    for text, value in (("true", True), ("1", True), ("on", True), ("False", False), ("no", False)):
        assert parse_params([f"datasets={text}"], TYPED)["datasets"] is value


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        (
            "limit",
            r"^parameter 'limit' is not NAME=VALUE; write e\.g\. limit=20 \(its parameters are: "
            r"limit \(int, default 20\): rows; ratio \(float, default 0\.5\); "
            r'datasets \(bool, default false\); model \(string, default "BLOOM"\)\)$',
        ),
        ("=5", r"^parameter '=5' is not NAME=VALUE"),
        ("top=5", r"^query 'typed' has no parameter 'top'; its parameters are: limit \(int"),
        ("limit=5.0", r"^parameter 'limit' takes a whole number, not '5\.0'$"),
        ("limit=", r"^parameter 'limit' takes a whole number, not ''$"),
        ("ratio=half", r"^parameter 'ratio' takes a number, not 'half'$"),
        ("ratio=nan", r"^parameter 'ratio' takes a number, not 'nan'$"),
        ("ratio=inf", r"^parameter 'ratio' takes a number, not 'inf'$"),
        ("datasets=maybe", r"^parameter 'datasets' takes true or false, not 'maybe'$"),
        (
            "limit=9223372036854775808",
            r"^parameter 'limit' is out of range \(64-bit integers only\)$",
        ),
    ],
)
def test_parse_params_errors_name_the_fix(pair: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_params([pair], TYPED)


def test_parse_params_of_a_query_without_parameters() -> None:
    bare = QueryInfo("bare", "", (), "RETURN 1", "bare.cypher")
    assert parse_params([], bare) == {}
    with pytest.raises(
        UsageError, match=r"^query 'bare' has no parameter 'x'; query 'bare' takes no parameters$"
    ):
        parse_params(["x=1"], bare)


# --- formatting ---------------------------------------------------------------------

ROWS: list[Row] = [
    {"model": "BLOOM", "papers": 9, "score": 0.5, "open": True, "aliases": ["BLOOM", "BLOOM-176B"]},
    {"model": "通义千问", "papers": 12, "score": None, "open": False, "aliases": []},
    {"model": "a\nb", "papers": 1, "score": 2.25, "open": None, "aliases": [{"k": 1}]},
]


def test_format_table() -> None:
    assert format_rows(ROWS, "table") == (
        "model     papers  score  open   aliases\n"
        "--------  ------  -----  -----  -----------------\n"
        "BLOOM          9    0.5  true   BLOOM, BLOOM-176B\n"
        "通义千问      12         false\n"
        'a b            1   2.25         [{"k": 1}]\n'
    )
    assert format_rows(ROWS[:1], "table", max_width=8) == (
        "model  papers  score  open  aliases\n"
        "-----  ------  -----  ----  --------\n"
        "BLOOM       9    0.5  true  BLOOM, …\n"
    )
    assert format_rows([], "table") == "(no rows)\n"


def test_format_json() -> None:
    assert format_rows(ROWS[1:2], "json") == (
        "[\n"
        "  {\n"
        '    "model": "通义千问",\n'
        '    "papers": 12,\n'
        '    "score": null,\n'
        '    "open": false,\n'
        '    "aliases": []\n'
        "  }\n"
        "]\n"
    )
    assert json.loads(format_rows(ROWS, "json")) == ROWS
    assert format_rows([], "json") == "[]\n"


def test_format_csv() -> None:
    assert format_rows(ROWS, "csv") == (
        "model,papers,score,open,aliases\n"
        'BLOOM,9,0.5,true,"[""BLOOM"", ""BLOOM-176B""]"\n'
        "通义千问,12,,false,[]\n"
        '"a\nb",1,2.25,,"[{""k"": 1}]"\n'
    )
    assert format_rows([], "csv") == ""


def test_format_rows_takes_the_union_of_columns_and_refuses_unknown_formats() -> None:
    assert format_rows([{"a": 1}, {"b": "x"}], "csv") == "a,b\n1,\n,x\n"
    with pytest.raises(
        UsageError, match=r"^unknown output format 'yaml'; choose one of table, json, csv$"
    ):
        format_rows(ROWS, "yaml")
    with pytest.raises(UsageError, match=r"max_width must be at least 2"):
        format_rows(ROWS, "table", max_width=1)


def test_json_value_of_plain_values() -> None:
    assert json_value(float("nan")) == "NaN"
    assert json_value(float("-inf")) == "-Infinity"
    assert json_value(b"\x00\x01") == "AAE="
    assert json_value((1, [2.5, None], {"k": (True,)})) == [1, [2.5, None], {"k": [True]}]
    assert json_value(neo4j.time.Date(2024, 1, 2)) == "2024-01-02"
