"""The whole corpus graph into Neo4j Community: ``kg load`` against the bulk importer.

Run: ``flock /tmp/kg-bench.lock .venv/bin/python bench/bench_neo4j_corpus.py GRAPH.json``
(GRAPH is what ``kg build ../shared/corpora/... --no-load`` wrote; tens of minutes).

1. A fresh Neo4j (``scripts/neo4j_server.py`` in ``build/bench-neo4j/load``, the
   heap and page cache of ``make neo4j-up``) gets ``kg load GRAPH``, run as its own
   process: wall time, kg's peak RSS (getrusage of the child) and the server's
   (VmHWM of the JVM, read right after the load), and what other jobs took.
2. ``kg export GRAPH --neo4j-csv`` and ``neo4j-admin database import full`` of
   those files into a second fresh home (``build/bench-neo4j/import``), each timed;
   a server started on it must give the same ``kg stats --format json`` as the load.

Writes the section "## Whole corpus into Neo4j Community 5.26.10" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import machine_busy, process_cpu, write_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import neo4j_server  # noqa: E402  (scripts/ is not a package)

HEADING = "## Whole corpus into Neo4j Community 5.26.10"
KG = str(ROOT / ".venv" / "bin" / "kg")
WORK = ROOT / "build" / "bench-neo4j"


def env_of(server: neo4j_server.Server) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(
        NEO4J_URI=server.uri,
        NEO4J_USER=neo4j_server.USER,
        NEO4J_PASSWORD=server.password,
        NEO4J_DATABASE=neo4j_server.DATABASE,
    )
    return env


def peak_rss_mib(pid: int) -> float:
    """VmHWM of a live process: its peak resident memory so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run ``cmd``: its wall seconds, CPU seconds and peak RSS in MiB (wait4's rusage)."""
    start = time.monotonic()
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    took = time.monotonic() - start
    if status != 0:
        err = process.stderr.read().decode(errors="replace") if process.stderr else ""
        raise SystemExit(f"{' '.join(cmd[:3])} failed: {err[-2000:]}")
    return took, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.monotonic()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    took = time.monotonic() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed: {done.stderr[-2000:]}{done.stdout[-2000:]}")
    return took, done.stdout


def stats(server: neo4j_server.Server) -> str:
    return timed([KG, "stats", "--format", "json"], env_of(server))[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("graph", type=Path)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--no-write", action="store_true")
    options = parser.parse_args(argv)
    graph = options.graph.resolve()
    shutil.rmtree(WORK, ignore_errors=True)
    load_home, import_home, csv = WORK / "load", WORK / "import", WORK / "csv"
    lines: list[str] = []

    # 1. kg load into a fresh server.
    server, _ = neo4j_server.up(load_home, env_file=None)
    try:
        args = [KG, "load", str(graph)]
        if options.batch_size:
            args += ["--batch-size", str(options.batch_size)]
        busy0, cpu0 = machine_busy(), process_cpu(server.pid)
        load_s, kg_cpu, kg_peak = measured(args, env_of(server))
        server_cpu = process_cpu(server.pid) - cpu0
        others = max(0.0, (machine_busy() - busy0) - server_cpu - kg_cpu) / load_s
        server_peak = peak_rss_mib(server.pid)
        loaded = stats(server)
    finally:
        neo4j_server.down(load_home, env_file=None)

    # 2. export + bulk import into a second fresh home, then the same stats.
    export_s, _ = timed([KG, "export", str(graph), "--neo4j-csv", str(csv)])
    start = time.monotonic()
    done = neo4j_server.bulk_import(csv, import_home)
    import_s = time.monotonic() - start
    if done.returncode != 0:
        raise SystemExit(f"import failed: {done.stderr[-2000:]}{done.stdout[-2000:]}")
    server, _ = neo4j_server.up(import_home, env_file=None)
    try:
        imported = stats(server)
    finally:
        neo4j_server.down(import_home, env_file=None)
    counts = json.loads(loaded)
    nodes = sum(counts["nodes"].values())
    rels = sum(counts["relationships"].values())
    csv_mib = sum(path.stat().st_size for path in csv.glob("*.csv")) / 2**20
    shutil.rmtree(csv, ignore_errors=True)

    lines.append(
        f"`flock /tmp/kg-bench.lock python bench/bench_neo4j_corpus.py {graph.name}` on "
        f"{platform.system()} {platform.machine()} (nproc {os.cpu_count()}, 24 GiB), Python "
        f"{platform.python_version()}, Neo4j Community {neo4j_server.neo4j_version()} from Maven "
        f"Central (Java 17, heap {neo4j_server.HEAP}, page cache {neo4j_server.PAGECACHE}, "
        f"each step on a fresh database), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
        f"The graph: {graph.stat().st_size / 2**20:,.0f} MiB of JSON, {nodes:,} nodes and "
        f"{rels:,} relationships (the whole ../shared/corpora build). The machine was shared "
        f"with other helpers' jobs: they kept {others:.1f} of its 2 cores busy during the load."
    )
    lines.append("")
    lines.append("| step | seconds | notes |")
    lines.append("| --- | ---: | --- |")
    lines.append(
        f"| `kg load` (batched MERGE, 2 lanes) | {load_s:,.1f} | "
        f"{(nodes + rels) / load_s:,.0f} rows/s; peak RSS kg {kg_peak:,.0f} MiB, server "
        f"{server_peak:,.0f} MiB; CPU s kg {kg_cpu:,.1f}, server {server_cpu:,.1f} |"
    )
    lines.append(f"| `kg export --neo4j-csv` | {export_s:,.1f} | {csv_mib:,.0f} MiB of CSV |")
    lines.append(
        f"| `neo4j-admin database import full` | {import_s:,.1f} | "
        "the code of neo4j-import-tool, from Maven Central |"
    )
    lines.append(f"| export + import | {export_s + import_s:,.1f} | |")
    lines.append("")
    same = "equal" if imported == loaded else "DIFFERENT"
    lines.append(
        f"- `kg stats --format json` of the imported database and of the loaded one: **{same}**"
    )
    lines.append(
        f"- bulk import (export + import) vs `kg load`: {load_s / (export_s + import_s):.1f}x "
        "faster, into an empty database only"
    )
    text = HEADING + "\n\n" + "\n".join(lines)
    print(text)
    if imported != loaded:
        print("loaded:", loaded, "\nimported:", imported, file=sys.stderr)
    if not options.no_write:
        write_section(HEADING, text)
    return 0 if imported == loaded else 1


if __name__ == "__main__":
    sys.exit(main())
