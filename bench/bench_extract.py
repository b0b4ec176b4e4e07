"""Extraction speed: kg's pipeline against spaCy's tokenizer alone, and worker scaling.

Run: ``make bench`` (which runs ``.venv/bin/python bench/bench_extract.py``), or
``.venv/bin/python bench/bench_extract.py [--corpus-size 20000] [--seeds-only]
[--corpora DIR] [--repeats 3] [--no-write] [--profile]``. With the defaults it
takes about 10 minutes on 2 CPUs; ``--seeds-only`` takes well under a minute.

Two paper sets are measured: the seed papers (``read_papers`` over
``examples/*.txt``) and the first ``--corpus-size`` records of the corpora
(``*.jsonl.gz`` under ``--corpora``, default ``$KG_CORPORA`` or
``/work/shared/corpora``, read in sorted path order with ``read_records``; the
corpus set is skipped with a message when the directory is absent). On each set,
interleaved within every round and repeated (the median is reported):

* tokenizer only - ``spacy.blank("en").tokenizer`` and kg's own tokenizer
  (``load_pipeline().tokenizer``) over the title and the abstract of each paper;
* ``extract_paper`` - the whole extraction, one process, pipeline loaded once;
* corpus set only: ``extract_papers(papers, workers=1)`` and ``workers=2``, each
  including its pipeline load(s) and pool start-up, as a caller sees it.

The numbers that matter are ratios measured in the same run, so a busy
neighbour on a shared machine moves them less than the absolute rates:
``extract_paper`` speed as a share of tokenizer-only speed (target >= 25%) and
``workers=2`` over ``workers=1`` (target >= 1.8x). CPU seconds (this process
plus its reaped children) are reported too. The table goes to stdout and to
bench/RESULTS.md under "## Extraction speed" (other sections are left alone).
``--profile`` instead runs cProfile over ``extract_paper`` on the corpus set and
prints the top functions by own time; it writes nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import glob
import io
import itertools
import os
import platform
import pstats
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from importlib.metadata import version
from pathlib import Path

import spacy
from _common import machine_busy, write_section
from spacy.language import Language

from kg.extract import extract_paper, extract_papers, load_pipeline
from kg.ingest import read_papers, read_records
from kg.model import Paper

HEADING = "## Extraction speed"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = os.environ.get("KG_CORPORA", "/work/shared/corpora")

TOKENIZER_BLANK = 'tokenizer only: spacy.blank("en")'
TOKENIZER_KG = "tokenizer only: kg (load_pipeline().tokenizer)"
EXTRACT = "extract_paper, 1 process"
WORKERS = "extract_papers(workers={})"

TOKENIZER_TARGET = 0.25
SCALING_TARGET = 1.8


@dataclass
class Timing:
    """Wall seconds, CPU seconds and other jobs' CPU load of every round of one method."""

    method: str
    papers: int
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    others: list[float] = field(default_factory=list)  # cores busy with other processes

    @property
    def best(self) -> float:
        return min(self.walls)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(self.cpus)

    @property
    def rate(self) -> float:
        """Abstracts per second of the best round: the one least slowed by other jobs."""
        return self.papers / self.best

    @property
    def median_rate(self) -> float:
        return self.papers / self.median

    @property
    def cpu_rate(self) -> float:
        return self.papers / self.cpu_seconds

    @property
    def others_at_best(self) -> float:
        return self.others[self.walls.index(self.best)]


@dataclass
class SetResult:
    """All timings of one paper set, by method name."""

    name: str
    papers: int
    detail: str
    timings: dict[str, Timing] = field(default_factory=dict)


# --- inputs --------------------------------------------------------------------------


def load_seeds() -> list[Paper]:
    files = sorted(glob.glob(str(ROOT / "examples" / "*.txt")))
    return list(read_papers(files))


def corpus_files(path: str) -> list[str]:
    """The ``.jsonl.gz`` files under ``path`` (or ``path`` itself), sorted; [] if absent."""
    if os.path.isfile(path):
        return [path]
    if not os.path.isdir(path):
        return []
    return sorted(glob.glob(os.path.join(path, "**", "*.jsonl.gz"), recursive=True))


def load_corpus(files: Sequence[str], size: int) -> tuple[list[Paper], dict[str, int]]:
    """The first ``size`` records of ``files`` (not deduplicated), and how many came from each."""
    records = read_records(files, fmt="jsonl", on_error="skip")
    try:
        papers = list(itertools.islice(records, size))
    finally:
        close = getattr(records, "close", None)  # a generator: close the file it holds open
        if close is not None:
            close()
    per_file: dict[str, int] = {}
    for paper in papers:
        name = Path(paper.sources[0].file).name if paper.sources else "?"
        per_file[name] = per_file.get(name, 0) + 1
    return papers, per_file


# --- the measured work ---------------------------------------------------------------


def tokenize_all(tokenizer: Callable[[str], object], papers: Sequence[Paper]) -> None:
    for paper in papers:
        tokenizer(paper.title)
        tokenizer(paper.abstract)


def extract_all(nlp: Language, papers: Sequence[Paper]) -> None:
    for paper in papers:
        extract_paper(nlp, paper.id, paper.title, paper.abstract)


def extract_with_workers(papers: Sequence[Paper], workers: int) -> None:
    count = sum(1 for _ in extract_papers(papers, workers=workers))
    assert count == len(papers), (count, len(papers))


def cpu_now() -> float:
    """CPU seconds of this process and of its children that have been waited for."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(work: Callable[[], None]) -> tuple[float, float, float]:
    """Wall seconds, own CPU seconds, and the cores other processes kept busy meanwhile."""
    gc.collect()
    cpu, busy = cpu_now(), machine_busy()
    started = time.perf_counter()
    work()
    wall = time.perf_counter() - started
    cpu, busy = cpu_now() - cpu, machine_busy() - busy
    return wall, cpu, max(0.0, busy - cpu) / wall if busy else float("nan")


def measure(
    name: str,
    detail: str,
    papers: list[Paper],
    repeats: int,
    worker_counts: Sequence[int],
    log: Callable[[str], None],
) -> SetResult:
    """Run every method once per round, interleaved, each on freshly built objects.

    spaCy's tokenizer caches how it split every chunk of text it has seen, and
    the vocab keeps every word: a second pass over the same papers runs several
    times faster than the first. So each method gets a new ``spacy.blank`` or a
    new ``load_pipeline()`` in every round (built before the clock starts), and
    every timed pass sees the papers for the first time, as one real run does.
    """

    def blank_tokenizer() -> Callable[[], None]:
        return partial(tokenize_all, spacy.blank("en").tokenizer, papers)

    def kg_tokenizer() -> Callable[[], None]:
        return partial(tokenize_all, load_pipeline().tokenizer, papers)

    def extraction() -> Callable[[], None]:
        return partial(extract_all, load_pipeline(), papers)

    def with_workers(workers: int) -> Callable[[], None]:
        return partial(extract_with_workers, papers, workers)  # loads its own pipelines

    methods: list[tuple[str, Callable[[], Callable[[], None]]]] = [
        (TOKENIZER_BLANK, blank_tokenizer),
        (TOKENIZER_KG, kg_tokenizer),
        (EXTRACT, extraction),
    ]
    for workers in worker_counts:
        methods.append((WORKERS.format(workers), partial(with_workers, workers)))
    # Warm-up: import and load everything lazy (lexicons, word lists, regexes) once.
    extract_all(load_pipeline(), papers[:200])
    result = SetResult(name, len(papers), detail)
    for method, _ in methods:
        result.timings[method] = Timing(method, len(papers))
    for round_ in range(repeats):
        for method, setup in methods:
            wall, cpu, others = timed(setup())
            timing = result.timings[method]
            timing.walls.append(wall)
            timing.cpus.append(cpu)
            timing.others.append(others)
            log(
                f"  {name} round {round_ + 1}: {method}: {len(papers) / wall:,.0f} abstracts/s "
                f"({wall:.1f} s, CPU {cpu:.1f} s, other jobs {others:.2f} cores)"
            )
    return result


# --- the report ----------------------------------------------------------------------


def verdicts(results: Sequence[SetResult], workers: int) -> list[str]:
    """The target lines: extraction as a share of tokenizer speed, and worker scaling."""
    lines = []
    for result in results:
        timings = result.timings
        extract = timings[EXTRACT]
        blank, kg_tok = timings[TOKENIZER_BLANK], timings[TOKENIZER_KG]
        share_blank, share_kg = extract.rate / blank.rate, extract.rate / kg_tok.rate
        lines.append(
            f"- {result.name}: `extract_paper` runs at **{share_blank:.1%}** of the speed of "
            f"spaCy's blank tokenizer and **{share_kg:.1%}** of kg's tokenizer (target >= "
            f"{TOKENIZER_TARGET:.0%}: {_share_verdict(share_blank, share_kg)}); by CPU time "
            f"{extract.cpu_rate / blank.cpu_rate:.1%} and "
            f"{extract.cpu_rate / kg_tok.cpu_rate:.1%}"
        )
        one, many = timings.get(WORKERS.format(1)), timings.get(WORKERS.format(workers))
        if one is not None and many is not None:
            scaling = many.rate / one.rate
            lines.append(
                f"- {result.name}: `workers={workers}` runs **{scaling:.2f}x** as fast as "
                f"`workers=1` (target >= {SCALING_TARGET}x: {_met(scaling >= SCALING_TARGET)}; "
                f"median rounds: {many.median_rate / one.median_rate:.2f}x). Other jobs kept "
                f"{many.others_at_best:.2f} cores busy during the best workers={workers} round. "
                f"CPU seconds, workers={workers} / workers=1: "
                f"{many.cpu_seconds / one.cpu_seconds:.2f} (1.00 = the pool costs nothing extra)"
            )
    return lines


def _met(ok: bool) -> str:
    return "met" if ok else "missed"


def _share_verdict(share_blank: float, share_kg: float) -> str:
    """Which tokenizer baselines the extraction speed reaches the target against."""
    blank_met, kg_met = share_blank >= TOKENIZER_TARGET, share_kg >= TOKENIZER_TARGET
    if blank_met and kg_met:
        return "met against both"
    if blank_met:
        return "met against spaCy's blank tokenizer only"
    return "met against kg's tokenizer only" if kg_met else "missed"


def machine_info() -> str:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cpu = _cpu_model()
    return (
        f"{platform.system()} {platform.machine()}, nproc {affinity or os.cpu_count()}"
        f"{f' ({cpu})' if cpu else ''}, Python {platform.python_version()}, "
        f"spaCy {version('spacy')}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def report(results: Sequence[SetResult], args: argparse.Namespace, command: str) -> str:
    lines = [
        HEADING,
        "",
        f"`{command}` on {machine_info()}. {args.repeats} interleaved rounds "
        f"({3 * args.repeats} for the seeds); every timed "
        "pass uses a freshly built tokenizer or pipeline, so no tokenizer cache is warm from "
        "an earlier pass (a second pass over the same texts tokenizes several times faster). "
        "abstracts/s counts papers (title + abstract) per second of wall time in the best "
        "round, the one least slowed by other jobs on this shared machine; the median round "
        "is shown too. CPU s (median) is this process plus its worker processes; other jobs "
        "is how many cores the rest of the machine kept busy meanwhile (median).",
        "",
    ]
    for result in results:
        lines.append(f"- {result.name}: {result.papers:,} papers, {result.detail}")
    lines += [
        "",
        "| papers | method | best s | abstracts/s | median s | median abstracts/s | CPU s "
        "| abstracts per CPU s | other jobs (cores) | / blank tokenizer | / kg tokenizer |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        blank = result.timings[TOKENIZER_BLANK].rate
        kg_tok = result.timings[TOKENIZER_KG].rate
        for t in result.timings.values():
            lines.append(
                f"| {result.name} | {t.method} | {t.best:.2f} | {t.rate:,.0f} | {t.median:.2f} | "
                f"{t.median_rate:,.0f} | {t.cpu_seconds:.2f} | {t.cpu_rate:,.0f} | "
                f"{statistics.median(t.others):.2f} | {t.rate / blank:.0%} | "
                f"{t.rate / kg_tok:.0%} |"
            )
    lines += ["", *verdicts(results, args.workers), ""]
    return "\n".join(lines)


NOTES = ""


def profile(papers: list[Paper], top: int) -> str:
    """cProfile of ``extract_paper`` over ``papers``: the top functions by own time."""
    nlp = load_pipeline()
    extract_all(nlp, papers[:500])
    profiler = cProfile.Profile()
    profiler.enable()
    extract_all(nlp, papers)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus-size", type=int, default=20_000)
    parser.add_argument("--corpora", default=DEFAULT_CORPORA, help="directory or .jsonl.gz file")
    parser.add_argument("--seeds-only", action="store_true", help="skip the corpus set")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="compared with workers=1")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--profile", action="store_true", help="cProfile the corpus set instead")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    command = "python bench/bench_extract.py" + "".join(
        f" {arg}" for arg in (argv if argv is not None else sys.argv[1:])
    )
    corpus: list[Paper] = []
    detail = ""
    if not args.seeds_only:
        files = corpus_files(args.corpora)
        if not files:
            log(
                f"no corpora (*.jsonl.gz) at {args.corpora}: measuring the seed papers only "
                "(pass --corpora DIR or set KG_CORPORA)"
            )
        else:
            corpus, per_file = load_corpus(files, args.corpus_size)
            detail = "the first records of " + ", ".join(
                f"{name} ({count:,})" for name, count in per_file.items()
            )
            log(f"corpus set: {len(corpus):,} papers ({detail})")
    if args.profile:
        if not corpus:
            log("--profile needs the corpus set")
            return 2
        print(profile(corpus, 30))
        return 0
    seeds = load_seeds()
    log(f"seed set: {len(seeds)} papers")
    results: list[SetResult] = []
    if corpus:
        results.append(
            measure(
                f"corpus {len(corpus) // 1000}k" if len(corpus) >= 1000 else "corpus",
                detail,
                corpus,
                args.repeats,
                (1, args.workers),
                log,
            )
        )
    results.append(
        # A pass over the seeds takes well under a second: more rounds for a stable best.
        measure("seeds", "examples/*.txt through read_papers", seeds, 3 * args.repeats, (), log)
    )
    text = report(results, args, command)
    print(text)
    if not args.no_write:
        write_section(HEADING, text, notes=NOTES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
