"""Fuzz: every command on every hostile input, in both --on-error modes.

The corpus comes from a fixed generator (tests/fuzz_inputs.py), so a failure
reproduces from its test id. For every input, ``kg ingest``, ``kg extract``
and ``kg build --no-load --no-view`` (which needs no store) run in process
with CliRunner, with ``--on-error fail`` and ``--on-error skip``, and must:

* raise nothing but a clean exit (no traceback on any stream);
* exit 0 or 1 with ``fail``, 0 or 3 with ``skip`` (README, "Input formats");
* print ``records read = papers + duplicates merged + skipped`` and list every
  skipped record under the input's name (with ``:line`` unless the whole file
  is refused), one listed line per skipped record;
* when the input says how many records it holds, read exactly that many;
* inputs read with the wrong ``--format`` on purpose obey all of the above;
* write as many papers (ingest), extractions (extract) or Paper nodes
  (build) as the summary reports.

``make fuzz`` runs more rounds (``KG_FUZZ_ROUNDS``, one seed each).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from spacy.language import Language

import kg.extract
from kg.cli import EXIT_SKIPPED, main
from tests.fuzz_inputs import FuzzInput, corpus

ROUNDS = int(os.environ.get("KG_FUZZ_ROUNDS", "1"))
INPUTS = [item for round_ in range(ROUNDS) for item in corpus(10 + round_, round_ == 0)]
COMMANDS = ("ingest", "extract", "build")
MODES = ("fail", "skip")
SUMMARY = re.compile(
    r"^records read: ([\d,]+)  papers: ([\d,]+)  duplicates merged: ([\d,]+)  skipped: ([\d,]+)$",
    re.MULTILINE,
)


_LOAD_PIPELINE = kg.extract.load_pipeline


@cache
def _pipeline() -> Language:
    return _LOAD_PIPELINE()


@pytest.fixture(autouse=True)
def _one_pipeline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Load the spaCy pipeline once for the whole suite, not once per run."""
    monkeypatch.setattr(kg.extract, "load_pipeline", lambda spacy_model=None: _pipeline())
    yield


def _invoke(command: str, item: FuzzInput, path: Path, mode: str, out: Path) -> Result:
    args = [command, str(path), "--on-error", mode, "-o", str(out)]
    if item.fmt is not None:
        args += ["--format", item.fmt]
    if command == "build":
        args += ["--no-load", "--no-view"]
    return CliRunner().invoke(main, args)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("item", INPUTS, ids=[item.id for item in INPUTS])
def test_hostile_input(tmp_path: Path, item: FuzzInput, command: str) -> None:
    path = tmp_path / item.name
    path.write_bytes(item.data)
    counts = {}
    for mode in MODES:
        out = tmp_path / mode / "out.json"
        out.parent.mkdir()
        result = _invoke(command, item, path, mode, out)
        counts[mode] = _check_run(result, command, item, path, mode, out)
    if counts["fail"] is not None:  # fail mode finished: skip mode must agree
        assert counts["skip"] == counts["fail"]


def _check_run(
    result: Result, command: str, item: FuzzInput, path: Path, mode: str, out: Path
) -> tuple[int, int, int, int] | None:
    """Check one run; return its summary counts, or None when it stopped at an error."""
    streams = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    assert "Traceback" not in streams
    allowed = {0, 1} if mode == "fail" else {0, EXIT_SKIPPED}
    assert result.exit_code in allowed, streams
    if result.exit_code == 1:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {path}"), streams
        return None
    match = SUMMARY.search(result.stderr)
    assert match is not None, streams
    read, papers, merged, skipped = (int(group.replace(",", "")) for group in match.groups())
    assert read == papers + merged + skipped
    listed = [line for line in result.stderr.splitlines() if line.startswith("  skipped ")]
    assert len(listed) == skipped
    where = re.compile(rf"^  skipped {re.escape(str(path))}(:\d+)?: \S")
    assert all(where.match(line) for line in listed), listed
    assert (result.exit_code == EXIT_SKIPPED) == (skipped > 0)
    if item.records is not None:
        assert read == item.records, streams
    _check_output(result, command, out, papers)
    return read, papers, merged, skipped


def _check_output(result: Result, command: str, out: Path, papers: int) -> None:
    if command == "build":
        assert re.search(rf"^papers: {papers:,}  ", result.stdout, re.MULTILINE), result.stdout
        assert out.is_file()
        return
    lines = out.read_text(encoding="utf-8").splitlines()  # written even when empty
    assert len(lines) == papers
    for line in lines:
        record = json.loads(line)
        if command == "ingest":
            assert isinstance(record["title"], str) and isinstance(record["abstract"], str)
    if command == "extract":
        assert f"extractions written: {papers:,}" in result.stderr
