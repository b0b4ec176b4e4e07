"""Every file kg writes: regular files atomically, devices, FIFOs and ``-`` straight through.

The device tests make their own character device (``mknod``, the same
major/minor as ``/dev/null``) in ``tmp_path`` when allowed, so a regression
replaces that node, never the machine's ``/dev/null``; without the privilege
they use ``/dev/null`` itself, which an unprivileged process cannot replace.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import main
from kg.errors import OutputError
from kg.outputs import is_stream_target, open_output

PAPERS = [
    {
        "id": "2301.00001",
        "title": "LLaMA 2 fine-tuned on MMLU",
        "abstract": "We fine-tune LLaMA 2 on MMLU and compare it with GPT-4 from OpenAI.",
        "authors": ["Ann Lee", "Bo Chen"],
    },
    {
        "id": "2301.00002",
        "title": "BLOOM in Finnish",
        "abstract": "BLOOM from BigScience is evaluated on FLORES in Finnish.",
        "authors": ["Bo Chen"],
    },
]


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in PAPERS), encoding="utf-8")
    return path


@pytest.fixture
def device(tmp_path: Path) -> Path:
    """A character device that discards what is written (a private /dev/null if possible)."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        return Path(os.devnull)
    return node


class FifoReader:
    """A FIFO in tmp_path and a thread reading everything written to it."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.path = path
        self.data = b""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with open(self.path, "rb") as handle:
            self.data = handle.read()

    def received(self) -> bytes:
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the FIFO was never closed by its writer"
        return self.data


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[FifoReader]:
    reader = FifoReader(tmp_path / "pipe")
    yield reader
    if reader.thread.is_alive():  # the writer never opened it: unblock the reader
        with open(reader.path, "wb"):
            pass


def _kg(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _is_char_device(path: Path) -> bool:
    return stat.S_ISCHR(os.stat(path).st_mode)


# --- the helper itself -------------------------------------------------------------


def test_a_regular_file_is_replaced_whole_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    with open_output(target) as handle:
        handle.write("new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_an_interrupted_write_leaves_the_old_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), open_output(target) as handle:
        handle.write("half of the new" * 10_000)
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]  # no temporary left


def test_a_new_file_gets_the_default_mode_and_missing_directories(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    umask = os.umask(0o022)
    try:
        with open_output(target) as handle:
            handle.write("x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_symlink_keeps_pointing_at_the_new_file(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with open_output(link) as handle:
        handle.write("new")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"


def test_gzip_output(tmp_path: Path) -> None:
    target = tmp_path / "out.json.gz"
    with open_output(target, compress=True) as handle:
        handle.write("é\n")
    assert gzip.decompress(target.read_bytes()).decode("utf-8") == "é\n"


def test_a_fifo_reader_gets_every_byte(fifo: FifoReader) -> None:
    text = "".join(f"line {n} é\n" for n in range(50_000))  # far beyond a pipe's buffer
    with open_output(fifo.path) as handle:
        handle.write(text)
    assert fifo.received() == text.encode("utf-8")
    assert stat.S_ISFIFO(os.stat(fifo.path).st_mode)
    assert is_stream_target(fifo.path)


def test_a_character_device_stays_a_device(device: Path) -> None:
    with open_output(device) as handle:
        handle.write("discarded\n")
    assert _is_char_device(device)
    assert is_stream_target(device)


def test_paths_that_cannot_take_a_file_are_refused(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(OutputError) as error, open_output(tmp_path / "dir", what="the graph"):
        pass
    assert str(error.value) == (
        f"{tmp_path / 'dir'}: is a directory; give a file name for the graph "
        f"(e.g. {tmp_path / 'dir' / 'out'})"
    )
    sock_path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        with pytest.raises(OutputError) as error, open_output(sock_path):
            pass
        assert str(error.value) == (
            f"{sock_path}: is not a regular file (a socket); write the output elsewhere"
        )
        assert stat.S_ISSOCK(os.stat(sock_path).st_mode)
    finally:
        server.close()


# --- every command that writes ---------------------------------------------------------


def test_ingest_and_extract_write_through_a_device(papers: Path, device: Path) -> None:
    for command in ("ingest", "extract"):
        result = _kg(command, str(papers), "-o", str(device))
        assert result.exit_code == 0, result.output
        assert _is_char_device(device), f"kg {command} -o replaced the device"


def test_ingest_to_a_fifo_sends_what_a_file_gets(
    papers: Path, fifo: FifoReader, tmp_path: Path
) -> None:
    regular = tmp_path / "papers.out.jsonl"
    assert _kg("ingest", str(papers), "-o", str(regular)).exit_code == 0
    result = _kg("ingest", str(papers), "-o", str(fifo.path))
    assert result.exit_code == 0, result.output
    assert fifo.received() == regular.read_bytes()
    assert len(regular.read_bytes().splitlines()) == 2


def test_ingest_to_stdout(papers: Path) -> None:
    result = _kg("ingest", str(papers), "-o", "-")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [
        "2301.00001",
        "2301.00002",
    ]


def test_a_failed_ingest_keeps_the_old_output(papers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(PAPERS[0]) + "\n{not json\n", encoding="utf-8")
    result = _kg("ingest", str(bad), "-o", str(out))
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "out.jsonl", "papers.jsonl"]


def test_build_and_view_write_through_a_device(papers: Path, device: Path, tmp_path: Path) -> None:
    graph = tmp_path / "graph.json"
    result = _kg("build", str(papers), "--no-load", "-o", str(graph), "--view", str(device))
    assert result.exit_code == 0, result.output
    assert _is_char_device(device), "kg build --view replaced the device"
    result = _kg("build", str(papers), "--no-load", "--no-view", "-o", str(device))
    assert result.exit_code == 0, result.output
    assert _is_char_device(device), "kg build -o replaced the device"
    result = _kg("view", "--graph", str(graph), "-o", str(device))
    assert result.exit_code == 0, result.output
    assert _is_char_device(device), "kg view -o replaced the device"


def test_build_graph_to_a_fifo(papers: Path, fifo: FifoReader, tmp_path: Path) -> None:
    result = _kg("build", str(papers), "--no-load", "--no-view", "-o", str(fifo.path))
    assert result.exit_code == 0, result.output
    graph = json.loads(fifo.received())
    assert {node["id"] for node in graph["nodes"]} >= {"paper:2301.00001", "paper:2301.00002"}


def test_view_to_stdout_keeps_the_summary_off_the_page(papers: Path, tmp_path: Path) -> None:
    graph = tmp_path / "graph.json"
    assert _kg("build", str(papers), "--no-load", "--no-view", "-o", str(graph)).exit_code == 0
    result = _kg("view", "--graph", str(graph), "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert " nodes and " in result.stderr


def test_export_writes_through_a_device_and_replaces_files(
    papers: Path, device: Path, tmp_path: Path
) -> None:
    graph = tmp_path / "graph.json"
    assert _kg("build", str(papers), "--no-load", "--no-view", "-o", str(graph)).exit_code == 0
    result = _kg("export", str(graph), "--graphml", str(device))
    assert result.exit_code == 0, result.output
    assert _is_char_device(device)
    csv_dir = tmp_path / "csv"
    result = _kg("export", str(graph), "--neo4j-csv", str(csv_dir))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((csv_dir / "import.sh").stat().st_mode) == 0o755
    assert not [p.name for p in csv_dir.iterdir() if p.name.startswith(".")]


def test_build_output_below_a_file_is_a_one_line_error(papers: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "FILE"
    blocker.write_text("not a directory", encoding="utf-8")
    target = blocker / "g.json"
    result = _kg("build", str(papers), "--no-load", "--no-view", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"Error: {target}: {blocker} is a file, not a directory; choose an output path "
        "outside it or move that file away\n"
    )
    assert "Traceback" not in result.output
    assert blocker.read_text(encoding="utf-8") == "not a directory"
