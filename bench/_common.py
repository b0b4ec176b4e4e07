"""What the benchmark scripts share: /proc readers and the RESULTS.md section writer.

Each script runs as ``python bench/<script>.py``, so this directory is on
``sys.path`` and they import this module as ``_common``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def process_cpu(pid: int | None) -> float:
    """CPU seconds ``pid`` has used (Linux /proc); 0.0 when it is gone, unknown or unreadable.

    Needed for the embedded server: it is detached, so ``getrusage`` never sees it.
    """
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU seconds all processes have used since boot (/proc/stat); 0.0 elsewhere.

    The difference over a stage, minus this job's own CPU, is what other jobs
    took meanwhile: the machines are shared, so every report says how busy they were.
    """
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def write_section(heading: str, text: str, notes: str = "", path: Path = RESULTS) -> None:
    """Replace the section under ``heading`` in RESULTS.md (or add it), keeping the others."""
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    section = text.rstrip() + "\n" + ("\n" + notes.strip() + "\n" if notes.strip() else "")
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(existing):
        updated = pattern.sub(lambda _m: section + "\n", existing, count=1)
    else:
        updated = existing.rstrip() + "\n\n" + section
    path.write_text(updated.rstrip() + "\n", encoding="utf-8")
