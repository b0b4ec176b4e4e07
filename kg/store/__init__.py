"""The store layer: load a graph into Neo4j or the embedded ArcadeDB over Bolt.

``resolve_config`` decides where to connect (NEO4J_URI, else the embedded
store), ``open_driver`` connects, and ``kg.store.loader`` writes and reads.
"""

from __future__ import annotations

import os

from kg.store.connection import ConnectionConfig, open_driver
from kg.store.loader import LoadSummary, ensure_schema, load_graph, read_counts, wipe


def resolve_config(
    uri: str | None = None,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
    home: str | os.PathLike[str] | None = None,
) -> ConnectionConfig:
    """The store to use: an explicit ``uri`` or NEO4J_URI, else the embedded one.

    The embedded server is started on demand (see :mod:`kg.store.embedded`).
    """
    if uri or os.environ.get("NEO4J_URI", "").strip():
        return ConnectionConfig.from_env(uri=uri, user=user, password=password, database=database)
    from kg.store import embedded  # deferred: only needed without NEO4J_URI

    return embedded.ensure_running(home)


__all__ = [
    "ConnectionConfig",
    "LoadSummary",
    "ensure_schema",
    "load_graph",
    "open_driver",
    "read_counts",
    "resolve_config",
    "wipe",
]
