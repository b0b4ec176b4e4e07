"""The graph stage: aggregate -> graph -> export.

* :mod:`kg.graph.aggregate` folds papers and extraction records into
  per-entity and per-relation accumulators (shared by both builders);
* :mod:`kg.graph.build` builds the ``networkx.MultiDiGraph`` in memory, for
  views, subgraphs, small graphs and the library API;
* :mod:`kg.graph.spill` builds the same graph out of core (SQLite on disk),
  for ``kg build`` and corpora whose graph does not fit in memory;
* :mod:`kg.graph.io` writes and reads the lossless JSON graph file;
* :mod:`kg.graph.export_graphml` and :mod:`kg.graph.export_neo4j_csv` write
  GraphML for Gephi and the CSV files of ``neo4j-admin database import``.

The public names are re-exported here, so ``from kg.graph import build_graph,
save_graph`` keeps working.
"""

from __future__ import annotations

from kg.graph.aggregate import (
    CO_MENTION_CAP,
    EVIDENCE_LISTS,
    SEMANTIC_REL_TYPES,
    node_key,
    paper_key,
)
from kg.graph.build import build_graph, graph_summary
from kg.graph.export_graphml import write_graphml
from kg.graph.export_neo4j_csv import (
    ARRAY_DELIMITERS,
    shard_of,
    write_neo4j_csv,
    write_neo4j_csv_items,
    write_neo4j_csv_shard,
    write_neo4j_import_script,
)
from kg.graph.io import (
    FORMAT_VERSION,
    check_graph_document,
    load_graph_file,
    not_a_graph,
    open_graph_file,
    open_graph_text,
    read_graph_document,
    save_graph,
    write_graph_items,
)

__all__ = [
    "ARRAY_DELIMITERS",
    "CO_MENTION_CAP",
    "EVIDENCE_LISTS",
    "FORMAT_VERSION",
    "SEMANTIC_REL_TYPES",
    "build_graph",
    "check_graph_document",
    "graph_summary",
    "load_graph_file",
    "node_key",
    "not_a_graph",
    "open_graph_file",
    "open_graph_text",
    "paper_key",
    "read_graph_document",
    "save_graph",
    "shard_of",
    "write_graph_items",
    "write_graphml",
    "write_neo4j_csv",
    "write_neo4j_csv_items",
    "write_neo4j_csv_shard",
    "write_neo4j_import_script",
]
