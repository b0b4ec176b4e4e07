"""Shared fixtures: paths to the bundled sample and the optional shared corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEEDS = sorted(EXAMPLES.glob("*.txt"))
CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.fixture
def seed_paths() -> list[str]:
    """The five bundled seed listings, as the user would pass them."""
    assert len(SEEDS) == 5
    return [str(path) for path in SEEDS]
