"""A Dask cluster for kg: start a LocalCluster or connect to a scheduler, and run kg's tasks.

``--dask local`` (one worker process per CPU), ``local:N`` (N processes, one
thread each: kg's work is Python code, which threads would serialize on the
GIL) or ``tcp://HOST:PORT`` (a running ``dask scheduler``, with ``dask worker``
processes on any machines that can read the inputs).

Results come back in input order through a window of tasks under way, a few
per worker thread: the client holds a few batches, not the corpus, and the
workers stay busy. A task lost with a killed worker is run again by the
scheduler on another one (Dask retries it up to
``distributed.scheduler.allowed-failures`` times); since tasks are pure, the
answer does not change.
"""

from __future__ import annotations

import logging
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from types import TracebackType
from typing import Any

from kg.distributed.partitions import (
    PARTITION_BYTES,
    Partition,
    PartitionResult,
    PlannedInput,
    count_newlines,
    plan_input,
    raise_skipped,
    read_partition,
)
from kg.errors import ClusterError, UsageError
from kg.extract import PaperItem, paper_item
from kg.ingest import IngestReport, OnError, Progress, check_options, merge_duplicates
from kg.model import Paper

INSTALL = "pip install 'kg[dask]'"
ADDRESS_FORMS = "local, local:N (N worker processes) or tcp://HOST:PORT (a Dask scheduler)"
#: Seconds to wait for a scheduler, unless the options say otherwise.
CONNECT_TIMEOUT = 20.0
_LOCAL = re.compile(r"local(?::(\d+))?")
_REMOTE = re.compile(r"(tcp|tls)://(\[[0-9a-fA-F:.]+\]|[\w.-]+):\d{1,5}")


@dataclass(frozen=True)
class DaskOptions:
    """Where to run (``address``) and how to cut the work."""

    address: str
    #: Bytes per partition of a large plain JSON Lines file.
    partition_bytes: int = PARTITION_BYTES
    #: Papers per extraction task: ~1 s of work, small enough to balance the workers.
    papers_per_task: int = 50
    #: Seconds to wait for a scheduler to answer, and for its first worker
    #: (None: ``CONNECT_TIMEOUT``).
    connect_timeout: float | None = None


def parse_address(address: str) -> tuple[str, int | None]:
    """``("local", N)`` or ``(address, None)`` for a scheduler; UsageError for anything else."""
    local = _LOCAL.fullmatch(address)
    if local:
        workers = int(local.group(1)) if local.group(1) else os.cpu_count() or 1
        if not 1 <= workers <= 256:
            raise UsageError(f"--dask {address}: the number of workers must be 1 to 256")
        return "local", workers
    if _REMOTE.fullmatch(address):
        return address, None
    raise UsageError(f"--dask {address!r} is not a cluster address; use {ADDRESS_FORMS}")


class DaskCluster:
    """A connected Dask client (and the LocalCluster it started, if any); a context manager."""

    def __init__(self, client: Any, options: DaskOptions, local: Any = None) -> None:
        """``client``: a ``distributed.Client``; ``local``: the LocalCluster to stop on close."""
        self.client = client
        self.options = options
        self._local = local
        threads = sum(client.nthreads().values())
        #: Tasks kept under way: enough that no worker waits for the client.
        self.window = max(4, 3 * threads)

    @classmethod
    def open(cls, options: DaskOptions | str) -> DaskCluster:
        """Start or reach the cluster ``options.address`` names; ClusterError if it cannot."""
        if isinstance(options, str):
            options = DaskOptions(options)
        kind, workers = parse_address(options.address)
        try:
            import distributed
        except ImportError:
            raise ClusterError(f"--dask needs Dask, which is not installed: {INSTALL}") from None
        if kind == "local":
            return cls._start_local(distributed, options, workers or 1)
        return cls._connect(distributed, options)

    @classmethod
    def _start_local(cls, distributed: Any, options: DaskOptions, workers: int) -> DaskCluster:
        try:
            local = distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        except (OSError, RuntimeError) as exc:
            raise ClusterError(f"cannot start a local Dask cluster ({exc})") from None
        return cls(distributed.Client(local), options, local)

    @classmethod
    def _connect(cls, distributed: Any, options: DaskOptions) -> DaskCluster:
        address, timeout = options.address, options.connect_timeout or CONNECT_TIMEOUT
        try:
            client = distributed.Client(address, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ClusterError(
                f"cannot reach a Dask scheduler at {address} ({reason}); start one there with "
                f"`dask scheduler` and workers with `dask worker {address}`, or use --dask local:N"
            ) from None
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            client.close()
            raise ClusterError(
                f"the Dask scheduler at {address} has no workers after {timeout:g} s; "
                f"start some with `dask worker {address} --nthreads 1`"
            ) from None
        return cls(client, options)

    @property
    def workers(self) -> int:
        """Worker processes connected now."""
        return len(self.client.nthreads())

    def read_papers(
        self,
        inputs: Sequence[str],
        *,
        fmt: str | None = None,
        on_error: OnError = "fail",
        report: IngestReport | None = None,
        progress: Progress | None = None,
    ) -> Iterator[Paper]:
        """:func:`kg.ingest.read_papers` with the inputs read on the workers, by partitions.

        Same papers, same order, same report: the records are merged on the
        client in input order by the same code as a local run.
        """
        check_options(fmt, on_error)
        if "-" in inputs:
            raise UsageError(
                "--dask reads the inputs on the workers, which cannot read this process's "
                "standard input (-); save it to a file and pass that"
            )
        report = report if report is not None else IngestReport()
        plans = [plan_input(path, fmt, self.options.partition_bytes) for path in inputs]
        records = self._records(plans, on_error, report, progress)
        yield from merge_duplicates(records, report)

    def _records(
        self,
        plans: list[PlannedInput],
        on_error: OnError,
        report: IngestReport,
        progress: Progress | None,
    ) -> Iterator[Paper]:
        total = sum(part.size for plan in plans for part in plan.partitions)
        done = 0
        for plan, result in self._in_order(self._read_jobs(plans, on_error)):
            if plan.error is not None:
                if on_error == "fail":
                    raise_skipped(plan.error)
                report.skipped.append(plan.error)
                continue
            assert isinstance(result, PartitionResult)
            for part in plan.partitions:
                report.formats[part.name] = part.fmt
            yield from result.papers
            report.skipped.extend(result.skipped)
            if result.failed:
                raise_skipped(result.skipped[-1])
            done += sum(part.size for part in plan.partitions)
            if progress is not None:
                progress(done, total)

    def _read_jobs(
        self, plans: list[PlannedInput], on_error: OnError
    ) -> Iterator[tuple[PlannedInput, Callable[[], Any]]]:
        """One job per partition (and per unreadable input), in input order."""
        submit = self.client.submit
        for plan in plans:
            if plan.error is not None:
                yield plan, lambda: None
                continue
            counts = [submit(count_newlines, part, pure=False) for part in plan.partitions[:-1]]
            for index, part in enumerate(plan.partitions):
                sized = PlannedInput(plan.name, (part,))
                yield sized, _reader(submit, part, on_error, counts[:index])

    def extract_json_lines(
        self,
        papers: Iterable[Paper],
        *,
        spacy_model: str | None = None,
        progress: Progress | None = None,
        total: Callable[[], int] = lambda: 0,
        on_start: Callable[[], None] | None = None,
    ) -> Iterator[str]:
        """:func:`kg.extract.extract_json_lines` on the workers: the same lines, in input order.

        ``on_start()`` is called when the first paper arrives (ingest is done
        then), and ``progress(papers_done, total())`` as batches come back.
        """
        from kg.distributed.tasks import extract_batch

        size = self.options.papers_per_task
        expected = [0]  # total(), read once the first paper is in

        def jobs() -> Iterator[tuple[int, Callable[[], Any]]]:
            items = (paper_item(paper) for paper in papers)
            while batch := list(islice(items, size)):
                if not expected[0]:
                    if on_start is not None:
                        on_start()
                    expected[0] = max(total(), 1)
                    if progress is not None:  # the bar shows while workers build pipelines
                        progress(0, expected[0])
                yield len(batch), _extractor(self.client.submit, extract_batch, batch, spacy_model)

        done = 0
        for _, lines in self._in_order(jobs()):
            yield from lines
            done += len(lines)
            if progress is not None:
                progress(done, max(expected[0], done))

    def _in_order(self, jobs: Iterator[tuple[Any, Callable[[], Any]]]) -> Iterator[tuple[Any, Any]]:
        """Run jobs (each submits a task or returns None) ``window`` at a time; results in order."""
        pending: deque[tuple[Any, Any]] = deque()
        try:
            for tag, job in jobs:
                pending.append((tag, job()))
                if len(pending) >= self.window:
                    tag0, first = pending.popleft()
                    yield tag0, self._result(first)
            while pending:
                tag0, first = pending.popleft()
                yield tag0, self._result(first)
        finally:
            futures = [future for _, future in pending if future is not None]
            if futures:
                self.client.cancel(futures)

    def _result(self, future: Any) -> Any:
        if future is None:
            return None
        import distributed

        try:
            return future.result()
        except distributed.KilledWorker as exc:
            raise ClusterError(
                f"a task failed on every worker that tried it, each of which died ({exc}); "
                "is a worker running out of memory? Give workers more memory or use smaller "
                "partitions"
            ) from None

    def close(self) -> None:
        """Disconnect, and stop the LocalCluster if this started one."""
        self.client.close()
        if self._local is not None:
            self._local.close()

    def __enter__(self) -> DaskCluster:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _reader(
    submit: Callable[..., Any], part: Partition, on_error: OnError, counts: list[Any]
) -> Callable[[], Any]:
    return lambda: submit(read_partition, part, on_error, *counts, pure=False)


def _extractor(
    submit: Callable[..., Any],
    task: Callable[..., list[str]],
    batch: list[PaperItem],
    spacy_model: str | None,
) -> Callable[[], Any]:
    return lambda: submit(task, batch, spacy_model, pure=False)
