"""Load a graph file into NEO4J_URI and say ``KILLME`` part-way (``python -m store.load_worker``).

test_loader.py runs this in a subprocess and kill -9s it once it printed
``KILLME``: the load then continues with more batches, so the kill lands in the
middle of the load (between or inside transactions).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kg.store.connection import ConnectionConfig, open_driver
from kg.store.loader import load_graph

from .graphs import load


def main() -> int:
    graph = load(Path(sys.argv[1]))
    kill_at = int(os.environ["KG_TEST_KILL_AT"])
    config = ConnectionConfig.from_env()
    announced = False

    def progress(done: int, total: int) -> None:
        nonlocal announced
        if done >= kill_at and not announced:
            announced = True
            print(f"KILLME {done}/{total}", flush=True)

    with open_driver(config) as driver:
        load_graph(driver, graph, database=config.database, batch_size=5, progress=progress)
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
