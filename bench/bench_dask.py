"""Distributed build: a 20k-paper slice of the corpora, local and on a Dask LocalCluster.

Run: ``flock /tmp/kg-bench.lock .venv/bin/python bench/bench_dask.py [--papers 20000]
[--corpora DIR] [--no-write]`` (not part of ``make bench``; it needs the corpora and
takes a while on 2 CPUs; it exits with a message, writing nothing, when they are absent).

1. Writes a slice: the first ``--papers`` records of the corpora's ``*.jsonl.gz``
   files taken in turn (one from each file, then the next one from each...), as
   one plain JSON Lines file, so that ``--dask`` cuts it into byte ranges
   (``--partition-mib``, default 8: several partitions per worker).
2. Builds it four times, each in a fresh process, like ``kg build SLICE --no-view
   --no-load``: ``--dask local:1``, ``--dask local:2``, ``--workers 1`` and
   ``--workers 2``; each run's stages are timed through ``on_step``. ``--budget S``
   starts no further run after S seconds (the report names the runs left out).
3. Checks that the four graph files are byte for byte the same, and reports the
   speedups of 2 workers over 1 on each path (target for Dask: 1.7x), with the CPU
   seconds of each run (its process and children) and of the rest of the machine
   meanwhile (the machine is shared with other jobs: a busy machine lowers the
   speedup, since a second worker then finds no free CPU).

The report goes to stdout and to bench/RESULTS.md under "## Distributed build".
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

from _common import machine_busy, write_section

HEADING = "## Distributed build"
DEFAULT_CORPORA = os.environ.get("KG_CORPORA", "/work/shared/corpora")
SPEEDUP_TARGET = 1.7
RUNS: dict[str, list[str]] = {
    "--dask local:1": ["--dask", "local:1"],
    "--dask local:2": ["--dask", "local:2"],
    "--workers 1": ["--workers", "1"],
    "--workers 2": ["--workers", "2"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=20_000)
    parser.add_argument("--corpora", default=DEFAULT_CORPORA)
    parser.add_argument("--partition-mib", type=float, default=8.0)
    parser.add_argument("--no-write", action="store_true", help="Do not update RESULTS.md.")
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="Start no further run after this many seconds (the report says which were not run).",
    )
    parser.add_argument(
        "--one", nargs=3, metavar=("SLICE", "OUT", "OPTION"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        slice_path, out, option = args.one
        print(json.dumps(_one_build(slice_path, out, option, args.partition_mib)))
        return
    files = sorted(glob.glob(os.path.join(args.corpora, "*", "*.jsonl.gz")))
    if not files:
        sys.exit(f"no *.jsonl.gz under {args.corpora}: nothing to measure")
    with tempfile.TemporaryDirectory(prefix="kg-bench-dask-") as tmp:
        slice_path = Path(tmp, "slice.jsonl")
        count = _write_slice(files, slice_path, args.papers)
        results: dict[str, dict[str, Any]] = {}
        started = time.perf_counter()
        for label, option in RUNS.items():
            if results and args.budget is not None and time.perf_counter() - started > args.budget:
                break
            out = Path(tmp, f"graph{len(results)}.json")
            results[label] = _timed_run(slice_path, out, option, args.partition_mib)
            print(f"{label}: {json.dumps(results[label])}", file=sys.stderr, flush=True)
        graphs = [Path(tmp, f"graph{index}.json").read_bytes() for index in range(len(results))]
        identical = all(graph == graphs[0] for graph in graphs)
        report = _report(results, count, slice_path.stat().st_size, identical, args)
    print(report)
    if not args.no_write:
        write_section(HEADING, report)


def _write_slice(files: list[str], path: Path, papers: int) -> int:
    """The first ``papers`` records of ``files``, one file after the other in turn."""
    written = 0
    with contextlib.ExitStack() as stack, path.open("w", encoding="utf-8") as out:
        handles = [stack.enter_context(gzip.open(name, "rt", encoding="utf-8")) for name in files]
        while written < papers and handles:
            for handle in list(handles):
                line = handle.readline()
                if not line:
                    handles.remove(handle)
                    continue
                out.write(line if line.endswith("\n") else line + "\n")
                written += 1
                if written == papers:
                    break
    return written


def _timed_run(slice_path: Path, out: Path, option: list[str], partition_mib: float) -> Any:
    """One build in a fresh process; its stage times, wall time and CPU (with children)."""
    before_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    before_busy = machine_busy()
    started = time.perf_counter()
    command = [sys.executable, __file__, "--partition-mib", str(partition_mib), "--one"]
    done = subprocess.run(
        [*command, str(slice_path), str(out), " ".join(option)],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    after_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after_cpu.ru_utime - before_cpu.ru_utime) + (after_cpu.ru_stime - before_cpu.ru_stime)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(seconds=seconds, cpu=cpu, other=max(machine_busy() - before_busy - cpu, 0.0))
    return result


def _one_build(slice_path: str, out: str, option: str, partition_mib: float) -> dict[str, Any]:
    """Run in the child: build the slice with one option, timing each stage."""
    from kg.build import build
    from kg.distributed import DaskOptions

    name, _, value = option.partition(" ")
    stages: list[tuple[str, float]] = []
    started = time.perf_counter()

    def step(stage: str) -> None:
        stages.append((stage, time.perf_counter() - started))

    dask = DaskOptions(value, partition_bytes=int(partition_mib * 1024**2))
    report = build(
        [slice_path],
        graph_path=out,
        workers=int(value) if name == "--workers" else 1,
        dask=dask if name == "--dask" else None,
        on_step=step,
    )
    total = time.perf_counter() - started
    ends = [at for _, at in stages[1:]] + [total]
    return {
        "stages": {stage: end - at for (stage, at), end in zip(stages, ends, strict=True)},
        "papers": report.ingest.papers,
        "records": report.ingest.records,
        "merged": report.ingest.merged,
        "nodes": sum(report.nodes.values()),
        "edges": sum(report.edges.values()),
    }


def _report(
    results: dict[str, dict[str, Any]],
    count: int,
    size: int,
    identical: bool,
    args: argparse.Namespace,
) -> str:
    first = next(iter(results.values()))
    local = _speedup(results, "--workers 1", "--workers 2")
    dask = _speedup(results, "--dask local:1", "--dask local:2")
    verdict = "not measured" if dask is None else "met" if dask >= SPEEDUP_TARGET else "missed"
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        HEADING,
        "",
        f"`bench/bench_dask.py` ({when}): a slice of {count:,} records of the corpora "
        f"({size / 1024**2:.0f} MiB of plain JSON Lines, cut into "
        f"{args.partition_mib:g} MiB partitions for Dask), built with `--no-view --no-load`, "
        f"each run in a fresh process. Python {platform.python_version()}, dask "
        f"{version('dask')}, {os.cpu_count()} CPUs.",
        "",
        f"- Graph files identical across the {len(results)} runs: "
        f"**{'yes' if identical else 'NO'}** "
        f"({first['papers']:,} papers after {first['merged']:,} merges, "
        f"{first['nodes']:,} nodes, {first['edges']:,} edges).",
        f"- Speedup of `--dask local:2` over `--dask local:1`: **{_times(dask)}** "
        f"(target {SPEEDUP_TARGET}x: {verdict}); `--workers 2` over `--workers 1`: "
        f"**{_times(local)}**.",
        "",
        "| run | wall s | CPU s (kg and children) | other jobs' CPU s meanwhile | stages (s) |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    missing = [label for label in RUNS if label not in results]
    for label, result in results.items():
        stages = ", ".join(f"{name} {sec:.1f}" for name, sec in result["stages"].items())
        lines.append(
            f"| `{label}` | {result['seconds']:.1f} | {result['cpu']:.1f} | "
            f"{result['other']:.1f} | {stages} |"
        )
    if missing:
        lines += ["", f"Not run (out of time): {', '.join(f'`{label}`' for label in missing)}."]
    lines += [
        "",
        "The machine is shared with other helpers' jobs (the column \"other jobs' CPU\"): with "
        "two CPUs, every CPU second they take while a 2-worker run is going is a second one "
        "of its workers waits, so the speedups above are lower bounds of what an idle "
        "machine gives. Each Dask worker builds its own pipeline on its first batch (the "
        "`--workers` pool forks after building it once), and the Dask runs include "
        "starting the LocalCluster.",
    ]
    return "\n".join(lines)


def _speedup(results: dict[str, dict[str, Any]], one: str, two: str) -> float | None:
    if one not in results or two not in results:
        return None
    return float(results[one]["seconds"] / results[two]["seconds"])


def _times(ratio: float | None) -> str:
    return "not measured" if ratio is None else f"{ratio:.2f}x"


if __name__ == "__main__":
    main()
