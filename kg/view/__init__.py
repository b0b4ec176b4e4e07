"""Interactive HTML views of the knowledge graph.

``write_view`` takes any ``networkx.MultiDiGraph`` that follows the graph
contract (``docs/architecture.md``), whether built from extractions or read
back from a store, selects a bounded part of it (:mod:`kg.view.select`),
styles it (:mod:`kg.view.style`) and writes one self-contained page
(:mod:`kg.view.render`) that opens from ``file://`` with no network.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from kg.outputs import open_output
from kg.view.render import PageText, build_network, render_page
from kg.view.select import Selection, find_entity, node_name, select

__all__ = ["ViewReport", "find_entity", "write_view"]


#: Nodes the overview shows by default: few enough that its labels can be read.
OVERVIEW_TOP = 150
#: Nodes an ego or type view shows by default.
VIEW_TOP = 300


@dataclass(frozen=True)
class ViewReport:
    """What a written view shows and which caps cut it, for the CLI to tell the user."""

    path: Path
    nodes_shown: int
    edges_shown: int
    nodes_in_graph: int
    edges_in_graph: int
    #: Nodes left by the entity and type filters, before the ``top`` cap.
    nodes_selected: int
    #: CO_MENTIONED edges among the selected nodes dropped by ``min_weight``.
    weak_edges_dropped: int
    #: The key of the ego view's centre, if ``entity`` was given.
    center: str | None
    #: Human-readable sentences: the ego centre, type filter and caps applied.
    notes: tuple[str, ...]

    @property
    def capped(self) -> bool:
        """True when ``top`` left out nodes that the filters had kept."""
        return self.nodes_shown < self.nodes_selected

    def summary(self) -> str:
        """One line: what is shown, then each note."""
        head = f"{self.nodes_shown:,} nodes and {self.edges_shown:,} edges in {self.path}"
        return "; ".join([head, *self.notes])


def write_view(
    graph: nx.MultiDiGraph[str],
    path: str | os.PathLike[str],
    *,
    entity: str | None = None,
    depth: int = 1,
    types: Sequence[str] | None = None,
    min_weight: int = 2,
    top: int | None = None,
) -> ViewReport:
    """Write an interactive, offline HTML view of ``graph`` to ``path``.

    ``entity`` (a node key, name or alias, any case) keeps the nodes within
    ``depth`` hops of that node, ignoring edge direction; an unknown entity
    raises :class:`kg.errors.UsageError` naming close matches. ``types`` keeps
    only nodes of those labels (the centre always stays). CO_MENTIONED edges
    with a weight below ``min_weight`` are dropped, then at most ``top`` nodes
    are kept, the best connected first (``top`` defaults to ``OVERVIEW_TOP``
    for the overview, ``VIEW_TOP`` otherwise). Without ``entity`` or ``types``
    the view is the overview: entities only, the most mentioned first. The
    page is written atomically, so a failed run never leaves half a file where
    an old view was.
    """
    if top is None:
        top = OVERVIEW_TOP if entity is None and types is None else VIEW_TOP
    selection = select(
        graph, entity=entity, depth=depth, types=types, min_weight=min_weight, top=top
    )
    notes = _notes(graph, selection, depth=depth, min_weight=min_weight, top=top)
    net = build_network(graph, selection)
    heading = _heading(graph, selection)
    html = render_page(graph, selection, net, PageText(heading=heading, notes=notes))
    target = Path(path)
    _write_atomically(target, html)
    return ViewReport(
        path=target,
        nodes_shown=len(selection.nodes),
        edges_shown=len(selection.edges),
        nodes_in_graph=graph.number_of_nodes(),
        edges_in_graph=_edge_count(graph),
        nodes_selected=selection.nodes_selected,
        weak_edges_dropped=selection.weak_edges_dropped,
        center=selection.center,
        notes=notes,
    )


def _edge_count(graph: nx.MultiDiGraph[str]) -> int:
    """``number_of_edges()`` without networkx's degree pass (seconds on a corpus graph)."""
    return sum(len(keyed) for _, neighbours in graph.adjacency() for keyed in neighbours.values())


def _heading(graph: nx.MultiDiGraph[str], selection: Selection) -> str:
    """The page title: the whole graph, or the neighbourhood of one entity."""
    if selection.center is None:
        return "Knowledge graph"
    name = node_name(selection.center, graph.nodes[selection.center])
    return f"Around {name}"


def _notes(
    graph: nx.MultiDiGraph[str],
    selection: Selection,
    *,
    depth: int,
    min_weight: int,
    top: int,
) -> tuple[str, ...]:
    """Say which filters and caps shaped the view, in the order they applied."""
    notes = []
    if selection.center is not None:
        name = node_name(selection.center, graph.nodes[selection.center])
        hops = "hop" if depth == 1 else "hops"
        notes.append(f"ego view of {name} ({selection.center}), {depth} {hops}")
    overview = selection.overview
    if overview:
        notes.append("overview of the entities (papers are in their tooltips and ego views)")
    elif selection.types is not None:
        notes.append(f"node types: {', '.join(sorted(selection.types))}")
    if len(selection.nodes) < selection.nodes_selected:
        ranking = "papers" if overview else "degree"
        notes.append(f"showing the top {top:,} of {selection.nodes_selected:,} nodes by {ranking}")
    if selection.weak_edges_dropped:
        notes.append(
            f"CO_MENTIONED edges with weight < {min_weight} dropped: "
            f"{selection.weak_edges_dropped:,}"
        )
    if not selection.nodes:
        notes.append("no node matches these filters")
    return tuple(notes)


def _write_atomically(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through :func:`kg.outputs.open_output`.

    A regular file is replaced atomically; a device or FIFO is written in place.
    """
    with open_output(target, what="the view") as handle:
        handle.write(text)
