"""Scale on one machine: the corpora, then the corpora replicated 4x, each built whole.

Run: ``flock /tmp/kg-bench.lock .venv/bin/python bench/bench_scale.py [--corpora DIR]
[--out /work/corpus4x] [--copies 4] [--workers 2] [--slice N] [--no-write]``.

1. Writes the replicated corpus to ``--out`` (never inside the repository): the
   original files, plus ``copies - 1`` copies of each whose records get new ids
   (``copy<c>-<hash of the id>``: no arXiv id, so nothing merges by id), titles
   marked ``[copy <c>]`` (nothing merges by title) and no url, pdf_url or doi.
   Abstracts are unchanged, so the copies name the same entities: entity nodes
   stay as many, papers, authorships and mentions grow ``copies`` times.
   ``--slice N`` takes the first N records of each file first (a quick run;
   the report says so).
2. Builds the 1x corpus, then the replicated one, each in a fresh Python
   process through ``bench_corpus.run`` (``build(..., workers)`` with the graph
   file, the HTML view and a fresh embedded store, as ``kg build`` does by
   default), sampling the total RSS of kg, its workers and the server every
   0.5 s.
3. Reports both runs stage by stage, the ratios of peak total RSS (target
   <= 1.5x) and of time (target <= 4.5x), and the per-stage rates that the
   10M / 100M plan in docs/scaling.md starts from, under "## Scale on one
   machine" in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import write_section

HEADING = "## Scale on one machine (the corpora replicated 4x)"
DEFAULT_CORPORA = os.environ.get("KG_CORPORA", "/work/shared/corpora")
MEMORY_TARGET = 1.5
TIME_TARGET = 4.5
MIB = 1024**2
#: Fields that could make a copy merge with its original (ids kg can read from them).
ID_FIELDS = ("url", "pdf_url", "doi")


def copy_record(record: dict[str, Any], copy: int) -> dict[str, Any]:
    """Record ``record`` as copy ``copy``: new id, marked title, no linking fields."""
    digest = hashlib.sha1(str(record.get("id")).encode("utf-8")).hexdigest()[:16]
    out = {**record, "id": f"copy{copy}-{digest}"}
    out["title"] = f"{record.get('title') or ''} [copy {copy}]".strip()
    for name in ID_FIELDS:
        out.pop(name, None)
    return out


def replicate(sources: list[str], out: Path, copies: int, slice_: int | None) -> list[str]:
    """The files of the replicated corpus (originals first), written once into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = out / "stamp.json"
    wanted = {"sources": sources, "copies": copies, "slice": slice_}
    base = [str(out / f"{Path(name).name.removesuffix('.jsonl.gz')}.jsonl.gz") for name in sources]
    names = [
        *base,
        *(
            str(out / f"{Path(name).name.removesuffix('.jsonl.gz')}.copy{copy}.jsonl.gz")
            for copy in range(1, copies)
            for name in sources
        ),
    ]
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return names
    for source, original in zip(sources, base, strict=True):
        stem = Path(source).name.removesuffix(".jsonl.gz")
        targets = [Path(original)] + [
            out / f"{stem}.copy{copy}.jsonl.gz" for copy in range(1, copies)
        ]
        with contextlib.ExitStack() as stack:
            handles = [
                stack.enter_context(gzip.open(path, "wt", encoding="utf-8", compresslevel=1))
                for path in targets
            ]
            lines = stack.enter_context(gzip.open(source, "rt", encoding="utf-8"))
            for index, line in enumerate(lines):
                if slice_ is not None and index >= slice_:
                    break
                if not line.strip():
                    continue
                record = json.loads(line)
                handles[0].write(line if line.endswith("\n") else line + "\n")
                for copy, handle in enumerate(handles[1:], start=1):
                    handle.write(json.dumps(copy_record(record, copy), ensure_ascii=False) + "\n")
    stamp.write_text(json.dumps(wanted))
    return names


def run_one(files: list[str], workers: int) -> dict[str, Any]:
    """One build in a fresh process (so one run's heap never inflates the next)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = Path(handle.name)
    command = [sys.executable, __file__, "--one", str(result), "--workers", str(workers), *files]
    subprocess.run(command, check=True)
    data: dict[str, Any] = json.loads(result.read_text())
    result.unlink()
    return data


def one(result: str, files: list[str], workers: int) -> None:
    """The child: build ``files`` with bench_corpus.run and write what the report needs."""
    from bench_corpus import run

    outcome = run(files, workers, False, lambda line: print(line, file=sys.stderr, flush=True))
    report = outcome.report
    peaks = outcome.peaks
    data = {
        "files": len(files),
        "records": report.ingest.records,
        "papers": report.ingest.papers,
        "nodes": report.nodes,
        "edges": report.edges,
        "graph_bytes": outcome.graph_bytes,
        "ingest_seconds": outcome.ingest_seconds,
        "stages": [
            {
                "name": s.name,
                "seconds": s.seconds,
                "cpu": s.cpu,
                "server_cpu": s.server_cpu,
                "others": s.others,
            }
            for s in outcome.stages
        ],
        "by_stage": peaks.by_stage,
        "total_rss": peaks.total_rss,
        "total_pss": peaks.total_pss,
        "total_rss_stage": peaks.total_rss_stage,
        "client_rss": peaks.client_rss,
        "children_rss": peaks.children_rss,
        "server_rss": peaks.server_rss,
        "server_hwm": outcome.server_hwm,
        "samples": peaks.samples,
    }
    Path(result).write_text(json.dumps(data))


def _total(run: dict[str, Any]) -> float:
    return float(sum(s["seconds"] for s in run["stages"] if s["name"] != "queries"))


def report(small: dict[str, Any], big: dict[str, Any], copies: int, note: str) -> str:
    memory = big["total_rss"] / small["total_rss"]
    seconds = _total(big) / _total(small)
    lines = [
        HEADING,
        "",
        f"`flock /tmp/kg-bench.lock python bench/bench_scale.py` {note}: `build(..., "
        f"workers=2)` with the graph file, the HTML view and a fresh embedded store, each "
        f"run in its own process; {copies}x = the original files plus {copies - 1} copies "
        "(new ids, titles marked `[copy c]`, so nothing merges; the same abstracts, so "
        "the entities are the same).",
        "",
        "| | 1x | " + f"{copies}x | ratio |",
        "| --- | ---: | ---: | ---: |",
        f"| records read | {small['records']:,} | {big['records']:,} | "
        f"{big['records'] / small['records']:.2f} |",
        f"| papers | {small['papers']:,} | {big['papers']:,} | "
        f"{big['papers'] / small['papers']:.2f} |",
        f"| nodes | {sum(small['nodes'].values()):,} | {sum(big['nodes'].values()):,} | "
        f"{sum(big['nodes'].values()) / sum(small['nodes'].values()):.2f} |",
        f"| edges | {sum(small['edges'].values()):,} | {sum(big['edges'].values()):,} | "
        f"{sum(big['edges'].values()) / sum(small['edges'].values()):.2f} |",
        f"| graph file MiB | {small['graph_bytes'] / MIB:,.0f} | {big['graph_bytes'] / MIB:,.0f} "
        f"| {big['graph_bytes'] / max(1, small['graph_bytes']):.2f} |",
        f"| **peak total RSS** (kg + workers + server, sampled at one time) MiB | "
        f"{small['total_rss'] / MIB:,.0f} (during {small['total_rss_stage']}) | "
        f"{big['total_rss'] / MIB:,.0f} (during {big['total_rss_stage']}) | **{memory:.2f}** |",
        f"| peak total PSS MiB | {small['total_pss'] / MIB:,.0f} | {big['total_pss'] / MIB:,.0f} "
        f"| {big['total_pss'] / small['total_pss']:.2f} |",
        f"| **time** s (without queries) | {_total(small):,.1f} | {_total(big):,.1f} | "
        f"**{seconds:.2f}** |",
        "",
        "| stage | 1x s | " + f"{copies}x s | ratio | 1x / {copies}x peak RSS MiB: kg, workers, "
        "server | 1x / " + f"{copies}x other jobs (cores) |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    big_stages = {s["name"]: s for s in big["stages"]}
    for stage in small["stages"]:
        other = big_stages.get(stage["name"])
        if other is None:
            continue
        rss = [small["by_stage"].get(stage["name"]), big["by_stage"].get(stage["name"])]
        shown = " / ".join(
            ", ".join(f"{value / MIB:,.0f}" for value in peaks) if peaks else "-" for peaks in rss
        )
        ratio = other["seconds"] / stage["seconds"] if stage["seconds"] else float("nan")
        lines.append(
            f"| {stage['name']} | {stage['seconds']:,.1f} | {other['seconds']:,.1f} | "
            f"{ratio:.2f} | {shown} | {stage['others']:.2f} / {other['others']:.2f} |"
        )
    rates = ", ".join(
        f"{s['name']} {big['papers'] / s['seconds']:,.0f} papers/s"
        for s in big["stages"]
        if s["name"] not in ("queries", "store start") and s["seconds"] > 0
    )
    lines += [
        "",
        f"- memory: **{memory:.2f}x** the 1x peak (target <= {MEMORY_TARGET}x: "
        f"{'met' if memory <= MEMORY_TARGET else 'missed'})",
        f"- time: **{seconds:.2f}x** the 1x time (target <= {TIME_TARGET}x: "
        f"{'met' if seconds <= TIME_TARGET else 'missed'})",
        f"- {copies}x rates on this machine (2 cores, shared): {rates}",
        "- other jobs: the cores the rest of the machine used meanwhile (other sessions "
        "share it); a busy machine slows every stage, so the time ratio is noisy",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpora", default=DEFAULT_CORPORA)
    parser.add_argument("--out", default="/work/corpus4x")
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--slice", type=int, default=None, help="first N records of each file")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        one(args.one, args.files, args.workers)
        return 0
    from bench_corpus import corpus_files

    sources = corpus_files(args.corpora)
    if not sources:
        print(f"no corpora under {args.corpora}: nothing measured", file=sys.stderr)
        return 1
    names = replicate(sources, Path(args.out), args.copies, args.slice)
    small = run_one(names[: len(sources)], args.workers)
    big = run_one(names, args.workers)
    note = (
        f"on the first {args.slice:,} records of each corpus file"
        if args.slice
        else "on the whole corpora"
    )
    text = report(small, big, args.copies, note)
    print(text)
    if not args.no_write:
        write_section(HEADING, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
