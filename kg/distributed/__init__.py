"""Run ingest and extraction on a Dask cluster (``kg build --dask``, ``kg extract --dask``).

Inputs are cut into partitions (whole files, and byte ranges of large plain
JSON Lines files) that workers read; the records come back to the client in
input order and are deduplicated there by the same code as a local run
(:func:`kg.ingest.merge_duplicates`); batches of papers are extracted on the
workers and their lines come back in the same order. So the spools, and the
graph built from them, are identical to a local build's, however the work was
split and whichever worker did it (or redid it after another died).

Dask is an optional dependency (``pip install 'kg[dask]'``): importing this
package does not import it; :meth:`DaskCluster.open` does.
"""

from __future__ import annotations

from kg.distributed.cluster import DaskCluster, DaskOptions, parse_address
from kg.distributed.run import extract_on_cluster

__all__ = ["DaskCluster", "DaskOptions", "extract_on_cluster", "parse_address"]
