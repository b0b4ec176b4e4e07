"""Shared fixtures: paths to the bundled sample, the optional shared corpora, and one real
Bolt store for the whole session (the embedded ArcadeDB, or NEO4J_URI).

Without NEO4J_URI the session starts the embedded server in a temporary
KG_HOME (on first use) and stops it (through ``embedded.stop``) at the end.
With NEO4J_URI the tests run against that server; since they wipe kg's labels,
they refuse to start on a database that already holds kg data unless
KG_TEST_WIPE_OK=1. The store fixtures live here, not in ``tests/store``, so
that every test module that needs a database shares one server and one check.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from kg.store import embedded
from kg.store.connection import ConnectionConfig, open_driver
from kg.store.loader import ensure_schema, read_counts

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEEDS = sorted(EXAMPLES.glob("*.txt"))
CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.fixture
def seed_paths() -> list[str]:
    """The five bundled seed listings, as the user would pass them."""
    assert len(SEEDS) == 5
    return [str(path) for path in SEEDS]


@pytest.fixture(scope="session")
def store_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectionConfig]:
    if os.environ.get("NEO4J_URI", "").strip():
        yield ConnectionConfig.from_env()
        return
    home = tmp_path_factory.mktemp("kg-home")
    config = embedded.start(home)
    try:
        yield config
    finally:
        assert embedded.stop(home), "the session's embedded store was not running at the end"


@pytest.fixture(scope="session")
def driver(store_config: ConnectionConfig) -> Iterator[neo4j.Driver]:
    drv = open_driver(store_config)
    try:
        counts = read_counts(drv, store_config.database)
        existing = sum(counts["nodes"].values())
        if existing and os.environ.get("KG_TEST_WIPE_OK") != "1":
            pytest.exit(
                f"{store_config.uri} already holds {existing} kg nodes and the store tests "
                "wipe them; point NEO4J_URI at a scratch database or set KG_TEST_WIPE_OK=1",
                returncode=2,
            )
        ensure_schema(drv, store_config.database)
        yield drv
    finally:
        drv.close()


@pytest.fixture()
def database(store_config: ConnectionConfig) -> str | None:
    return store_config.database
