"""Cold start of `secbot ask` beside the bare imports it cannot avoid, in one run.

Fresh processes, run round-robin (one of each, then again), so that other work on the machine
slows every command alike; median and p99 wall time and CPU time (user + system, which
other work on the machine disturbs less) of each, and the ratio of the medians to the baseline `python -c "import aiohttp, yaml, rapidfuzz"`:

- `secbot ask QUESTION` with the cache (bot/cache.py) filled: the usual start;
- the same with SECBOT_CACHE_DIR=off: what the first start after an edit or an upgrade costs.

Bytecode is written and used as after a normal install (PYTHONDONTWRITEBYTECODE is removed
from the environment), and each command runs once untimed first (bytecode and cache written).

    .venv/bin/python benchmarks/cold_start.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "ランサムウェアに感染したらどうすればいい？"


def secbot() -> list[str]:
    exe = shutil.which("secbot", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "adapters.cli"]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run, in ms."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, timeout=120)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall * 1000, cpu * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description="secbot ask cold start beside the bare imports")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each command (default 30)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as cache:
        commands = {
            'python -c "import aiohttp, yaml, rapidfuzz" (baseline)':
                ([sys.executable, "-c", "import aiohttp, yaml, rapidfuzz"], env),
            "secbot ask QUESTION (cache filled)": ([*secbot(), "ask", QUESTION], {**env, "SECBOT_CACHE_DIR": cache}),
            "secbot ask QUESTION (SECBOT_CACHE_DIR=off)": ([*secbot(), "ask", QUESTION], {**env, "SECBOT_CACHE_DIR": "off"}),
        }
        for command, cmd_env in commands.values():
            timed(command, cmd_env)  # bytecode and cache written
        wall: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (command, cmd_env) in commands.items():
                took, used = timed(command, cmd_env)
                wall[name].append(took)
                cpu[name].append(used)
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} at the end; "
          f"{args.runs} runs each, round-robin\n")
    print("| command | wall median ms | wall p99 ms | CPU median ms | CPU p99 ms | wall / baseline | CPU / baseline |")
    print("|---|---|---|---|---|---|---|")
    base_name = next(iter(commands))
    base_wall, base_cpu = statistics.median(wall[base_name]), statistics.median(cpu[base_name])
    for name in commands:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        print(f"| {name} | {w:.0f} | {np.percentile(wall[name], 99):.0f} | {c:.0f} | {np.percentile(cpu[name], 99):.0f} "
              f"| {w / base_wall:.2f}x | {c / base_cpu:.2f}x |")
    name = "secbot ask QUESTION (cache filled)"
    ok = statistics.median(wall[name]) <= 2 * base_wall
    print(f"\ntarget: secbot ask (cache filled) <= 2x the bare imports (wall, medians): {'met' if ok else 'NOT MET'}"
          f"; CPU {statistics.median(cpu[name]) / base_cpu:.2f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
