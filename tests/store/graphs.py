"""Small graphs built by hand after the "Graph contract" of docs/architecture.md.

``corpus_a`` and ``corpus_b`` share a paper, an author, a model, a dataset and
some edges, so loading both exercises the incremental merge. The expected
results of loading both are written out by hand in ``test_loader.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeAlias

import networkx as nx

Graph: TypeAlias = "nx.MultiDiGraph[str]"


def new_graph() -> Graph:
    return nx.MultiDiGraph()


def add_node(graph: Graph, key: str, label: str, name: str, **props: Any) -> None:
    """A node whose id is its key, with the attributes every node has."""
    graph.add_node(key, label=label, key=key, name=name, **props)


def add_edge(graph: Graph, source: str, target: str, rel_type: str, **props: Any) -> None:
    """An edge keyed by its type, as graph.py builds them."""
    graph.add_edge(source, target, key=rel_type, type=rel_type, **props)


def corpus_a() -> Graph:
    graph = new_graph()
    add_node(
        graph,
        "paper:2307.09288",
        "Paper",
        "Llama 2: Open Foundation and Fine-Tuned Chat Models",
        title="Llama 2: Open Foundation and Fine-Tuned Chat Models",
        abstract="We develop and release Llama 2.",
        date="2023-07-18",
        year=2023,
        categories=["cs.CL", "cs.AI"],
        has_code=True,
        sources=["a.jsonl:1"],
        authors=["Hugo Touvron", "Louis Martin"],
    )
    add_node(
        graph,
        "paper:shared",
        "Paper",
        "A shared paper",
        title="A shared paper",
        date="2023-09",
        year=2023,
        categories=["cs.CL"],
        has_code=False,
        sources=["a.jsonl:2"],
        authors=["Louis Martin"],
    )
    add_node(graph, "author:hugo-touvron", "Author", "Hugo Touvron")
    add_node(graph, "author:louis-martin", "Author", "Louis Martin")
    add_node(
        graph,
        "model:llama-2",
        "Model",
        "Llama 2",
        aliases=["Llama 2", "LLaMA-2"],
        alias_counts=[3, 1],
        mention_count=99,  # derived: must be recomputed, not copied
        paper_count=99,
        first_seen="2023-07",
        last_seen="2023-09",
        family="llama",
    )
    add_node(
        graph,
        "dataset:mmlu",
        "Dataset",
        "MMLU",
        aliases=["MMLU"],
        alias_counts=[2],
        first_seen="2023-07",
        last_seen="2023-07",
    )
    add_node(graph, "org:meta", "Organization", "Meta", aliases=["Meta"], alias_counts=[1])
    add_node(
        graph,
        "lang:english",
        "Language",
        "English",
        aliases=["English"],
        alias_counts=[1],
        kind="natural",
    )
    add_edge(graph, "paper:2307.09288", "author:hugo-touvron", "AUTHORED_BY", position=0)
    add_edge(graph, "paper:2307.09288", "author:louis-martin", "AUTHORED_BY", position=1)
    add_edge(graph, "paper:shared", "author:louis-martin", "AUTHORED_BY", position=0)
    add_edge(graph, "paper:2307.09288", "model:llama-2", "MENTIONS", count=3)
    add_edge(graph, "paper:2307.09288", "dataset:mmlu", "MENTIONS", count=2)
    add_edge(graph, "paper:shared", "model:llama-2", "MENTIONS", count=1)
    add_edge(graph, "paper:2307.09288", "model:llama-2", "INTRODUCES")
    add_edge(graph, "paper:2307.09288", "org:meta", "TAGGED_WITH", tag="Meta AI")
    add_edge(
        graph,
        "model:llama-2",
        "dataset:mmlu",
        "EVALUATED_ON",
        papers=["paper:2307.09288"],
        support=1,
        rules=["evaluated_on"],
        score=0.8,
        evidence=["We evaluate Llama 2 on MMLU."],
        evidence_papers=["paper:2307.09288"],
        evidence_titles=["Llama 2: Open Foundation and Fine-Tuned Chat Models"],
    )
    add_edge(graph, "model:llama-2", "org:meta", "DEVELOPED_BY", papers=["paper:2307.09288"])
    add_edge(graph, "model:llama-2", "lang:english", "COVERS_LANGUAGE", papers=["paper:2307.09288"])
    add_edge(
        graph,
        "dataset:mmlu",
        "model:llama-2",
        "CO_MENTIONED",
        papers=["paper:2307.09288"],
        weight=1,
    )
    return graph


def corpus_b() -> Graph:
    graph = new_graph()
    add_node(
        graph,
        "paper:2310.06825",
        "Paper",
        "Mistral 7B",
        title="Mistral 7B",
        abstract="We introduce Mistral 7B.",
        date="2023-10-10",
        year=2023,
        categories=["cs.CL"],
        has_code=True,
        sources=["b.jsonl:1"],
        authors=["Albert Q. Jiang"],
    )
    add_node(
        graph,
        "paper:shared",
        "Paper",
        "A shared paper",
        title="A shared paper",
        date="2023-09",
        year=2023,
        categories=["cs.CL"],
        has_code=False,
        sources=["b.jsonl:7"],
        authors=["Louis Martin"],
    )
    add_node(graph, "author:louis-martin", "Author", "Louis Martin")
    add_node(graph, "author:albert-q-jiang", "Author", "Albert Q. Jiang")
    add_node(
        graph,
        "model:llama-2",
        "Model",
        "Llama 2",
        aliases=["LLaMA-2", "Llama2"],
        alias_counts=[4, 2],
        first_seen="2023-06",
        last_seen="2024-01",
    )
    add_node(
        graph,
        "model:mistral-7b",
        "Model",
        "Mistral 7B",
        aliases=["Mistral 7B"],
        alias_counts=[4],
        first_seen="2023-10",
        last_seen="2023-10",
        family="mistral",
    )
    add_node(
        graph,
        "dataset:mmlu",
        "Dataset",
        "MMLU",
        aliases=["MMLU"],
        alias_counts=[5],
        first_seen="2023-09",
        last_seen="2024-01",
    )
    add_edge(graph, "paper:2310.06825", "author:albert-q-jiang", "AUTHORED_BY", position=0)
    add_edge(graph, "paper:shared", "author:louis-martin", "AUTHORED_BY", position=0)
    add_edge(graph, "paper:2310.06825", "model:llama-2", "MENTIONS", count=2)
    add_edge(graph, "paper:2310.06825", "dataset:mmlu", "MENTIONS", count=1)
    add_edge(graph, "paper:2310.06825", "model:mistral-7b", "MENTIONS", count=4)
    add_edge(graph, "paper:shared", "model:llama-2", "MENTIONS", count=1)
    add_edge(graph, "paper:2310.06825", "model:mistral-7b", "INTRODUCES")
    add_edge(
        graph,
        "model:llama-2",
        "dataset:mmlu",
        "EVALUATED_ON",
        papers=["paper:2310.06825", "paper:shared"],
        support=2,
        rules=["evaluated_on", "table"],
        score=0.6,
        evidence=["Llama 2 scores 45 on MMLU."],
        evidence_papers=["paper:2310.06825"],
        evidence_titles=["Mistral 7B"],
    )
    add_edge(graph, "model:mistral-7b", "model:llama-2", "OUTPERFORMS", papers=["paper:2310.06825"])
    add_edge(
        graph,
        "dataset:mmlu",
        "model:llama-2",
        "CO_MENTIONED",
        papers=["paper:2310.06825", "paper:shared"],
        weight=2,
    )
    add_edge(
        graph,
        "dataset:mmlu",
        "model:mistral-7b",
        "CO_MENTIONED",
        papers=["paper:2310.06825"],
        weight=1,
    )
    return graph


def synthetic(papers: int, models: int, mentions_per_paper: int = 3) -> Graph:
    """A larger regular graph: every paper mentions a few models, models co-occur."""
    graph = new_graph()
    for m in range(models):
        add_node(graph, f"model:m{m}", "Model", f"M{m}", aliases=[f"M{m}"], alias_counts=[1])
    for p in range(papers):
        key = f"paper:p{p}"
        add_node(graph, key, "Paper", f"Paper {p}", title=f"Paper {p}", sources=[f"s.jsonl:{p}"])
        mentioned = sorted({(p * 7 + i * 13) % models for i in range(mentions_per_paper)})
        for m in mentioned:
            add_edge(graph, key, f"model:m{m}", "MENTIONS", count=1 + (p + m) % 3)
        for i, first in enumerate(mentioned):
            for second in mentioned[i + 1 :]:
                source, target = sorted((f"model:m{first}", f"model:m{second}"))
                if graph.has_edge(source, target, key="CO_MENTIONED"):
                    graph.edges[source, target, "CO_MENTIONED"]["papers"].append(key)
                else:
                    add_edge(graph, source, target, "CO_MENTIONED", papers=[key])
    return graph


def expected_counts(graph: Graph) -> dict[str, dict[str, int]]:
    """What read_counts must report after loading ``graph`` into an empty store."""
    from kg.schema import LABELS, REL_TYPES

    nodes = dict.fromkeys(LABELS, 0)
    for _node, label in graph.nodes(data="label"):
        nodes[str(label)] += 1
    relationships = dict.fromkeys(REL_TYPES, 0)
    for _s, _t, rel_type in graph.edges(keys=True):
        relationships[rel_type] += 1
    return {"nodes": nodes, "relationships": relationships}


def save(graph: Graph, path: Path) -> None:
    """A JSON form of ``graph`` the loader worker process can read back."""
    data = {
        "nodes": [[node, attrs] for node, attrs in graph.nodes(data=True)],
        "edges": [[s, t, k, attrs] for s, t, k, attrs in graph.edges(keys=True, data=True)],
    }
    path.write_text(json.dumps(data), encoding="utf-8")


def load(path: Path) -> Graph:
    data = json.loads(path.read_text(encoding="utf-8"))
    graph = new_graph()
    for node, attrs in data["nodes"]:
        graph.add_node(node, **attrs)
    for source, target, key, attrs in data["edges"]:
        graph.add_edge(source, target, key=key, **attrs)
    return graph
