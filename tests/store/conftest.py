"""A clean store per test; the session's store (``store_config``, ``driver``,
``database``) comes from ``tests/conftest.py``, shared with tests/test_queries.py.
"""

from __future__ import annotations

import neo4j
import pytest

from kg.store.loader import wipe


@pytest.fixture()
def clean(driver: neo4j.Driver, database: str | None) -> neo4j.Driver:
    """The session driver, over a store with no kg nodes at the start of the test."""
    wipe(driver, database)
    return driver
