"""``kg extract --dask`` as one library call: read and extract on a cluster, write the lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO

from kg.distributed.cluster import DaskCluster, DaskOptions
from kg.extract import write_extractions
from kg.ingest import IngestReport, OnError, Progress


def extract_on_cluster(
    options: DaskOptions,
    inputs: Sequence[str],
    out: IO[str],
    *,
    fmt: str | None = None,
    on_error: OnError = "fail",
    spacy_model: str | None = None,
    report: IngestReport | None = None,
    on_stage: Callable[[str], None] = lambda stage: None,
    progress: Progress | None = None,
) -> int:
    """Write to ``out`` the extraction lines of ``inputs``, read and extracted on the cluster.

    The lines are those of a local ``kg extract``, in the same order. ``on_stage(name)`` is
    called as the run reaches "start the cluster", "read on the cluster" and "extract on the
    cluster", so a terminal can say where a long run is; ``progress(done, total)`` as bytes
    are read and papers extracted. Returns the number of lines written.
    """
    report = report if report is not None else IngestReport()
    on_stage("start the cluster")
    with DaskCluster.open(options) as cluster:
        on_stage("read on the cluster")
        papers = cluster.read_papers(
            inputs, fmt=fmt, on_error=on_error, report=report, progress=progress
        )
        lines = cluster.extract_json_lines(
            papers,
            spacy_model=spacy_model,
            progress=progress,
            total=lambda: report.papers,
            on_start=lambda: on_stage("extract on the cluster"),
        )
        return write_extractions(lines, out)
