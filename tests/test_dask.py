"""``--dask``: on a real dask.distributed cluster, the same graph and extractions as a local run.

The bundled sample is built locally, with ``--dask local:1`` and with
``--dask local:2``: the graph files must be byte for byte the same (every
node, edge and property, in the same order). ``kg extract`` the same, on a
cluster reached by its tcp:// address, with file:// URLs as inputs. A worker
SIGKILLed in the middle of a build loses its tasks to the scheduler, which
runs them again elsewhere: the graph does not change.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")

import distributed

from kg.build import build
from kg.cli import main
from kg.distributed import DaskCluster, DaskOptions
from kg.distributed import cluster as cluster_module
from kg.ingest import IngestReport, read_papers

EXAMPLES = sorted(str(path) for path in (Path(__file__).parent.parent / "examples").glob("*.txt"))


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _summary(stdout: str) -> list[str]:
    """The build summary without the lines that differ between runs (time, paths)."""
    return [
        line
        for line in stdout.splitlines()
        if not line.startswith(("seconds:", "graph:", "next:", "  kg "))
    ]


def test_without_dask_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    code, _, err = _run("build", *EXAMPLES, "--no-load", "--no-view", "--dask", "local:2")
    assert code == 1
    assert err == "Error: --dask needs Dask, which is not installed: pip install 'kg[dask]'\n"


def test_a_bad_address_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_module, "CONNECT_TIMEOUT", 1.0)
    code, _, err = _run("extract", *EXAMPLES, "-o", "-", "--dask", "tcp://127.0.0.1:9")
    assert code == 1
    assert err.startswith("Error: cannot reach a Dask scheduler at tcp://127.0.0.1:9 (")
    assert err.endswith(
        "); start one there with `dask scheduler` and workers with "
        "`dask worker tcp://127.0.0.1:9`, or use --dask local:N\n"
    )
    assert err.count("\n") == 1
    code, _, err = _run("build", *EXAMPLES, "--no-load", "--dask", "cluster-1")
    assert (code, err) == (
        1,
        "Error: --dask 'cluster-1' is not a cluster address; use local, local:N "
        "(N worker processes) or tcp://HOST:PORT (a Dask scheduler)\n",
    )
    code, _, err = _run("extract", *EXAMPLES, "--workers", "2", "--dask", "local:2")
    assert (code, err) == (
        1,
        "Error: --workers and --dask do not go together; --dask local:N runs N workers\n",
    )


@pytest.fixture(scope="module")
def local_graph(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[str]]:
    """The sample's graph file and summary from a local build (no Dask)."""
    out = tmp_path_factory.mktemp("local") / "graph.json"
    code, stdout, stderr = _run("build", *EXAMPLES, "-o", str(out), "--no-view", "--no-load")
    assert code == 0, stderr
    return out.read_bytes(), _summary(stdout)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A LocalCluster of two worker processes that tests reach by its tcp:// address."""
    start: Any = distributed.LocalCluster  # untyped in distributed
    with start(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=50,
    ) as local:
        yield local.scheduler_address


@pytest.mark.parametrize("workers", ["local:1", "local:2"])
def test_sample_graph_is_identical_on_a_local_cluster(
    tmp_path: Path, local_graph: tuple[bytes, list[str]], workers: str
) -> None:
    out = tmp_path / "graph.json"
    code, stdout, stderr = _run(
        "build", *EXAMPLES, "-o", str(out), "--no-view", "--no-load", "--dask", workers
    )
    assert code == 0, stderr
    graph, summary = local_graph
    assert out.read_bytes() == graph
    assert _summary(stdout) == summary
    assert "papers: 458" in summary[0]


def test_extract_is_identical_on_a_scheduler_with_url_inputs(
    tmp_path: Path, scheduler: str
) -> None:
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    code, _, local_err = _run("extract", *EXAMPLES, "-o", str(local))
    assert code == 0, local_err
    urls = [Path(path).resolve().as_uri() for path in EXAMPLES]
    code, _, dask_err = _run("extract", *urls, "-o", str(remote), "--dask", scheduler)
    assert code == 0, dask_err
    assert remote.read_bytes() == local.read_bytes()
    assert dask_err == local_err  # the same summary: records, merged, written
    assert "extractions written: 458" in dask_err


def test_stdin_cannot_go_to_workers(scheduler: str) -> None:
    result = CliRunner().invoke(main, ["extract", "-", "--dask", scheduler], input="{}\n")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --dask reads the inputs on the workers, which cannot read this process's "
        "standard input (-); save it to a file and pass that\n"
    )


def test_jsonl_byte_ranges_give_the_same_papers_and_report(tmp_path: Path, scheduler: str) -> None:
    """A JSON Lines file cut into many ranges: same papers, merges, skipped lines and counts."""
    papers_file = tmp_path / "papers.jsonl"
    code, _, err = _run("ingest", *EXAMPLES, "-o", str(papers_file))
    assert code == 0, err
    lines = papers_file.read_text(encoding="utf-8").splitlines()
    lines[40:40] = ["{broken", ""]
    lines += lines[:30]  # duplicates, merged across partitions
    papers_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    inputs = [str(papers_file), EXAMPLES[0]]
    expected_report = IngestReport()
    expected = [p.to_json() for p in read_papers(inputs, on_error="skip", report=expected_report)]
    options = DaskOptions(scheduler, partition_bytes=16 * 1024)
    with DaskCluster.open(options) as cluster:
        report = IngestReport()
        papers = [p.to_json() for p in cluster.read_papers(inputs, on_error="skip", report=report)]
        with pytest.raises(Exception) as failed:
            list(cluster.read_papers(inputs, on_error="fail"))
    assert papers_file.stat().st_size > 10 * options.partition_bytes
    assert papers == expected
    assert report == expected_report
    assert report.merged >= 30
    assert [str(s) for s in report.skipped] == [
        f"{papers_file}:41: invalid JSON (Expecting "
        "property name enclosed in double quotes at "
        "column 2); each line must be one JSON object"
    ]
    assert str(failed.value) == str(report.skipped[0])


def test_a_killed_worker_does_not_change_the_graph(
    tmp_path: Path, scheduler: str, local_graph: tuple[bytes, list[str]]
) -> None:
    connect: Any = distributed.Client
    with connect(scheduler) as client:
        pids: dict[str, int] = client.run(os.getpid)
    victim = next(iter(pids.values()))
    killed: list[int] = []
    stages: list[str] = []

    extracted: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        if stages[-1] != "extract on the cluster":
            return
        extracted.append((done, total))
        if done and not killed:
            os.kill(victim, signal.SIGKILL)  # mid-build: the other batches are under way
            killed.append(done)

    out = tmp_path / "graph.json"
    build(
        EXAMPLES,
        graph_path=out,
        dask=DaskOptions(scheduler, papers_per_task=10),
        progress=progress,
        on_step=stages.append,
    )
    assert killed and killed[0] < 458
    assert stages[:4] == [
        "start the cluster",
        "read on the cluster",
        "extract on the cluster",
        "graph",
    ]
    assert extracted == [(done, 458) for done in range(0, 451, 10)] + [(458, 458)]
    with pytest.raises(ProcessLookupError):
        os.kill(victim, 0)
    assert out.read_bytes() == local_graph[0]
