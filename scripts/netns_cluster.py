"""A Dask cluster over a real network on one machine: scheduler and workers as separate hosts.

Run as root on Linux: ``.venv/bin/python scripts/netns_cluster.py demo [--workers 2]``.

Each host is a network namespace (``ip netns``) with its own veth interface and
address on a private bridge, so the client, the scheduler and every worker talk
over TCP between distinct addresses, as on a cluster of machines; the inputs are
read through the shared file system (the same paths in every namespace).

- ``up``: the bridge ``kgdask0`` (10.231.15.1/24, the client's address), the
  namespace ``kgdask-sched`` (10.231.15.2) running ``dask scheduler``, and one
  namespace per worker (10.231.15.3, .4, ...) running ``dask worker --nthreads 1``;
  prints the scheduler's address.
- ``demo``: ``up``, then ``kg build`` of the bundled sample locally and with
  ``--dask tcp://10.231.15.2:8786``, compares the graph files byte for byte, and
  ``down`` (always).
- ``down``: stops the processes it started (by their saved pids) and removes the
  namespaces and the bridge.

Only addresses of these namespaces are used; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BRIDGE = "kgdask0"
PREFIX = "10.231.15"
PORT = 8786
STATE = Path(tempfile.gettempdir(), "kg-netns-cluster.json")
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["up", "down", "demo"])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if os.geteuid() != 0 or shutil.which("ip") is None:
        sys.exit("needs root and iproute2 (ip netns)")
    if args.action == "up":
        print(up(args.workers))
    elif args.action == "down":
        down()
    else:
        demo(args.workers)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True)


def up(workers: int) -> str:
    """Create the bridge and namespaces, start scheduler and workers; return the address."""
    _ip("link", "add", BRIDGE, "type", "bridge")
    _ip("addr", "add", f"{PREFIX}.1/24", "dev", BRIDGE)
    _ip("link", "set", BRIDGE, "up")
    hosts = ["kgdask-sched"] + [f"kgdask-w{index}" for index in range(1, workers + 1)]
    for number, host in enumerate(hosts, start=2):
        _ip("netns", "add", host)
        _ip("link", "add", f"{host[-5:]}-v", "type", "veth", "peer", "name", "eth0", "netns", host)
        _ip("link", "set", f"{host[-5:]}-v", "master", BRIDGE, "up")
        _ip("-n", host, "addr", "add", f"{PREFIX}.{number}/24", "dev", "eth0")
        _ip("-n", host, "link", "set", "eth0", "up")
        _ip("-n", host, "link", "set", "lo", "up")
    address = f"tcp://{PREFIX}.2:{PORT}"
    logs = Path(tempfile.gettempdir(), "kg-netns-logs")
    logs.mkdir(exist_ok=True)
    pids = [
        _start(
            hosts[0],
            [
                str(BIN / "dask"),
                "scheduler",
                "--host",
                f"{PREFIX}.2",
                "--port",
                str(PORT),
                "--no-dashboard",
            ],
            logs,
        )
    ]
    for number, host in enumerate(hosts[1:], start=3):
        command = [
            str(BIN / "dask"),
            "worker",
            address,
            "--nthreads",
            "1",
            "--host",
            f"{PREFIX}.{number}",
            "--no-dashboard",
            "--nworkers",
            "1",
        ]
        pids.append(_start(host, command, logs))
    STATE.write_text(json.dumps({"pids": pids, "hosts": hosts}), encoding="utf-8")
    return address


def _start(host: str, command: list[str], logs: Path) -> int:
    log = (logs / f"{host}.log").open("wb")
    process = subprocess.Popen(
        ["ip", "netns", "exec", host, *command],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )
    return process.pid


def down() -> None:
    """Stop what ``up`` started and remove the namespaces and the bridge."""
    state = json.loads(STATE.read_text(encoding="utf-8")) if STATE.exists() else {}
    for pid in state.get("pids", []):
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    time.sleep(2)
    for pid in state.get("pids", []):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
    for host in state.get("hosts", []):
        subprocess.run(["ip", "netns", "del", host], check=False)
    subprocess.run(["ip", "link", "del", BRIDGE], check=False, stderr=subprocess.DEVNULL)
    STATE.unlink(missing_ok=True)


def demo(workers: int) -> None:
    """The sample built locally and on the namespaced cluster: the same graph file."""
    examples = sorted(str(path) for path in (ROOT / "examples").glob("*.txt"))
    try:
        address = up(workers)
        with tempfile.TemporaryDirectory(prefix="kg-netns-") as tmp:
            local, remote = Path(tmp, "local.json"), Path(tmp, "remote.json")
            common = ["build", *examples, "--no-view", "--no-load", "-o"]
            subprocess.run([str(BIN / "kg"), *common, str(local)], check=True)
            started = time.perf_counter()
            subprocess.run([str(BIN / "kg"), *common, str(remote), "--dask", address], check=True)
            seconds = time.perf_counter() - started
            same = local.read_bytes() == remote.read_bytes()
            print(
                f"scheduler {address}, {workers} workers in their own namespaces: "
                f"graph identical to the local build: {'yes' if same else 'NO'} "
                f"({seconds:.1f} s)"
            )
            if not same:
                sys.exit(1)
    finally:
        down()


if __name__ == "__main__":
    main()
