"""Shared fixtures: paths to the bundled sample, the optional shared corpora, and the real
Bolt stores: every test that asks for ``store_config`` (or ``driver``, ``clean``,
``database``) runs twice, on the embedded ArcadeDB and on a real Neo4j Community.

- ``embedded``: started in a temporary KG_HOME on first use, stopped at the end.
- ``neo4j``: the server of ``make neo4j-up`` (``build/neo4j.env``), or NEO4J_URI
  when the environment sets it. Without one the Neo4j half skips with a message
  that names ``make neo4j-up``; in CI (``CI=true``) it fails instead, so a Neo4j
  that did not start never passes unnoticed. The suite wipes kg's labels, so an
  external NEO4J_URI that already holds kg data is refused unless
  KG_TEST_WIPE_OK=1 (the neo4j-up server is a scratch store of its own).

The NEO4J_* variables are taken out of the environment at start-up, so that no
command a test runs reaches a store the test did not pick.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import neo4j
import pytest

from kg.errors import StoreError
from kg.store import embedded
from kg.store.connection import ConnectionConfig, open_driver
from kg.store.loader import ensure_schema, read_counts

ROOT = Path(__file__).resolve().parent.parent
NEO4J_ENV_FILE = Path(os.environ.get("KG_TEST_NEO4J_ENV", str(ROOT / "build" / "neo4j.env")))
STORE_VARIABLES = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")
#: NEO4J_* as the session started (removed from os.environ, see the module docstring).
OUTER_ENV = {name: os.environ.pop(name) for name in STORE_VARIABLES if name in os.environ}
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
EXAMPLES = ROOT / "examples"
SEEDS = sorted(EXAMPLES.glob("*.txt"))
CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.fixture
def seed_paths() -> list[str]:
    """The five bundled seed listings, as the user would pass them."""
    assert len(SEEDS) == 5
    return [str(path) for path in SEEDS]


def read_env_file(path: Path) -> dict[str, str]:
    """``export NAME=value`` (or ``NAME=value``) lines, as ``make neo4j-up`` writes them."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip().removeprefix("export ").strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip().strip("'\"")
    return values


@dataclass(frozen=True)
class Neo4jServer:
    """The Neo4j of this session, and whether the suite may wipe it freely."""

    config: ConnectionConfig
    scratch: bool


def find_neo4j() -> Neo4jServer | str:
    """The Neo4j to test against, or why there is none."""
    if OUTER_ENV.get("NEO4J_URI", "").strip():
        return Neo4jServer(
            ConnectionConfig.from_env(
                uri=OUTER_ENV["NEO4J_URI"],
                user=OUTER_ENV.get("NEO4J_USER"),
                password=OUTER_ENV.get("NEO4J_PASSWORD"),
                database=OUTER_ENV.get("NEO4J_DATABASE"),
            ),
            scratch=False,
        )
    if not NEO4J_ENV_FILE.exists():
        return f"no Neo4j: {NEO4J_ENV_FILE} is missing; run `make neo4j-up` to test on Neo4j too"
    values = read_env_file(NEO4J_ENV_FILE)
    if not values.get("NEO4J_URI"):
        return f"no NEO4J_URI in {NEO4J_ENV_FILE}; run `make neo4j-up` again"
    return Neo4jServer(
        ConnectionConfig.from_env(
            uri=values["NEO4J_URI"],
            user=values.get("NEO4J_USER"),
            password=values.get("NEO4J_PASSWORD"),
            database=values.get("NEO4J_DATABASE"),
        ),
        scratch=True,
    )


def no_neo4j(why: str) -> NoReturn:
    """Skip (a developer's machine) or fail (CI) the Neo4j half of the suite."""
    if IN_CI:
        pytest.fail(f"CI needs Neo4j: {why}", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="session")
def neo4j_server() -> Neo4jServer:
    """The reachable Neo4j of this session (skips or fails without one, see no_neo4j)."""
    found = find_neo4j()
    if isinstance(found, str):
        no_neo4j(found)
    try:
        open_driver(found.config).close()
    except StoreError as error:
        no_neo4j(f"{error} (run `make neo4j-up` to start the test server)")
    return found


@pytest.fixture(scope="session", params=["embedded", "neo4j"])
def store_backend(request: pytest.FixtureRequest) -> str:
    """Which store a store test runs on; every store test runs on both."""
    backend: str = request.param
    return backend


@pytest.fixture(scope="session")
def store_config(store_backend: str, request: pytest.FixtureRequest) -> Iterator[ConnectionConfig]:
    if store_backend == "neo4j":
        server: Neo4jServer = request.getfixturevalue("neo4j_server")
        yield server.config
        return
    yield request.getfixturevalue("embedded_config")


@pytest.fixture(scope="session")
def embedded_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectionConfig]:
    """The session's embedded store (the differential test uses it beside Neo4j)."""
    home = tmp_path_factory.mktemp("kg-home")
    config = embedded.start(home)
    try:
        yield config
    finally:
        assert embedded.stop(home), "the session's embedded store was not running at the end"


@pytest.fixture(scope="session")
def driver(
    store_backend: str, store_config: ConnectionConfig, request: pytest.FixtureRequest
) -> Iterator[neo4j.Driver]:
    drv = open_driver(store_config)
    try:
        counts = read_counts(drv, store_config.database)
        existing = sum(counts["nodes"].values())
        scratch = store_backend == "embedded" or request.getfixturevalue("neo4j_server").scratch
        if existing and not scratch and os.environ.get("KG_TEST_WIPE_OK") != "1":
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
