"""Memory of building the matcher and of hot reloads, each in a fresh process, beside a baseline.

For each size (examples), a child process:

1. generates the knowledge (benchmarks/latency.py's generator: intents x 10 examples, half
   English-like, half Japanese-like pseudo-words) and writes it as a knowledge folder (YAML);
2. records its RSS: the **baseline** (Python, numpy, rapidfuzz, the generated examples);
3. loads the folder and builds the snapshot as `secbot serve` does (`KnowledgeHolder.load`,
   cache off), then records the **peak** RSS of that (VmHWM, reset before it through
   /proc/self/clear_refs) and the RSS **retained** once it is done;
4. measures the **live index**: the bytes of every object reachable from the matcher (numpy
   arrays by their buffers, Python containers and strings by sys.getsizeof), each counted
   once; and the whole snapshot (the knowledge with its YAML line maps, the matcher, triage);
5. edits one knowledge file and hot-reloads (`KnowledgeHolder.reload`, as the file watcher
   does) three times, recording RSS after each.

A second child builds the matcher alone from the same examples (`Matcher(examples)`), with
its own baseline, peak and retained RSS.

Targets (issue #16): peak and retained RSS above the baseline at most 2x the live index, and
the reloads growing RSS by at most one index.

    .venv/bin/python benchmarks/memory.py                 # 50,000 examples
    .venv/bin/python benchmarks/memory.py --sizes 50000 200000
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PER_INTENT = 10
RELOADS = 3


def status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux >= 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


def deep_size(root: object) -> int:
    """Bytes of everything reachable from `root` (numpy buffers by nbytes), each object once;
    classes, modules and functions are code, not index."""
    import types

    seen: set[int] = set()
    stack = [root]
    total = 0
    skip = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, skip):
            continue
        seen.add(id(obj))
        if isinstance(obj, np.ndarray):
            base = obj if obj.base is None else obj.base
            if id(base) not in seen or base is obj:
                seen.add(id(base))
                total += obj.nbytes if base is obj else getattr(base, "nbytes", obj.nbytes)
            continue
        total += sys.getsizeof(obj)
        stack.extend(gc.get_referents(obj))
    return total


def write_knowledge(folder: Path, examples: list[tuple[str, str]]) -> None:
    """A schema-valid knowledge folder holding `examples` (English-like ones as `en`)."""
    import yaml

    by_intent: dict[str, dict[str, list[str]]] = {}
    for intent, text in examples:
        by_intent.setdefault(intent, {"ja": [], "en": []})["en" if text.isascii() else "ja"].append(text)
    chunk = 500
    ids = sorted(by_intent)
    for n, start in enumerate(range(0, len(ids), chunk)):
        intents = []
        for intent in ids[start : start + chunk]:
            langs = by_intent[intent]
            texts = langs["ja"] + langs["en"]  # the schema wants both languages: split, not doubled
            ja, en = texts[: len(texts) // 2], texts[len(texts) // 2 :]
            intents.append({"id": intent, "title": {"ja": ja[0], "en": en[0]}, "examples": {"ja": ja, "en": en},
                            "answer": {"ja": f"{ja[0]}の答え", "en": f"The answer about {en[0]}."},
                            "source": {"title": "generated", "url": "https://example.org/"}})
        (folder / f"generated_{n:03d}.yaml").write_text(
            yaml.safe_dump({"version": 1, "intents": intents}, allow_unicode=True), encoding="utf-8")


def child(size: int, mode: str) -> dict:
    from latency import generate

    try:
        from bot.memory import bound_heap, release_free_memory
    except ImportError:  # an older secbot (run from its own tree, for a before/after)
        bound_heap = release_free_memory = lambda: None
    from bot.snapshot import KnowledgeHolder
    from intents.assemble import BUILDERS
    from intents.matcher import Matcher

    examples = generate(size // PER_INTENT, PER_INTENT)
    if mode == "matcher":
        gc.collect()
        baseline = status_kib("VmRSS")
        reset_peak()
        bound_heap()  # what build_snapshot does first
        matcher = Matcher(examples)
        release_free_memory()  # and last
        peak = status_kib("VmHWM")
        gc.collect()
        return {"examples": matcher.example_count, "baseline": baseline, "peak": peak,
                "retained": status_kib("VmRSS"), "index": deep_size(matcher) / 1024}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_knowledge(folder, examples)
        del examples
        gc.collect()
        baseline = status_kib("VmRSS")
        reset_peak()
        holder = KnowledgeHolder.load(folder, BUILDERS)
        peak = status_kib("VmHWM")
        gc.collect()
        retained = status_kib("VmRSS")
        index = deep_size(holder.current.matcher) / 1024
        snapshot = deep_size(holder.current) / 1024
        after_reloads = []
        edited = sorted(folder.glob("*.yaml"))[0]
        for n in range(RELOADS):
            text = edited.read_text(encoding="utf-8")
            edited.write_text(text.replace("generated", f"generated {n}", 1), encoding="utf-8")
            holder.reload()
            gc.collect()
            after_reloads.append(status_kib("VmRSS"))
        return {"examples": holder.current.matcher.example_count, "baseline": baseline, "peak": peak,
                "retained": retained, "index": index, "snapshot": snapshot, "reloads": after_reloads}


def run_child(size: int, mode: str) -> dict:
    env = {**os.environ, "SECBOT_CACHE_DIR": "off"}  # measure the build, not a cache hit
    out = subprocess.run([sys.executable, __file__, "--child", str(size), mode], env=env, check=True,
                         capture_output=True, text=True, timeout=3600).stdout
    return json.loads(out.strip().splitlines()[-1])


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description="matcher build and hot-reload memory")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000], help="examples (default 50000)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(int(args.child[0]), args.child[1])))
        return 0
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, numpy {np.__version__}; "
          "one fresh process per row; MiB; (x index) = growth over the baseline / live index\n")
    print("| examples | what | baseline RSS | live index | peak RSS | retained RSS | after 3 hot reloads |")
    print("|---|---|---|---|---|---|---|")
    failed = False
    for size in args.sizes:
        for mode in ("matcher", "snapshot"):
            r = run_child(size, mode)
            base, index = r["baseline"], r["index"]
            peak_x, kept_x = (r["peak"] - base) / index, (r["retained"] - base) / index
            what = "Matcher(examples)" if mode == "matcher" else (
                f"KnowledgeHolder.load (snapshot {mib(r['snapshot'])})")
            reloads = "-"
            if mode == "snapshot":
                growth = r["reloads"][-1] - r["retained"]
                reloads = f"{' / '.join(mib(v) for v in r['reloads'])} ({growth / 1024:+.0f}, {growth / index:+.1f}x)"
                failed |= growth > index
            print(f"| {r['examples']:,} | {what} | {mib(base)} | {mib(index)} | {mib(r['peak'])} "
                  f"(+{mib(r['peak'] - base)}, {peak_x:.1f}x) | {mib(r['retained'])} (+{mib(r['retained'] - base)}, "
                  f"{kept_x:.1f}x) | {reloads} |")
            if mode == "matcher":
                failed |= peak_x > 2 or kept_x > 2
    print("\ntargets: the matcher's build peak and retained RSS <= 2x the live index over the baseline; "
          f"3 hot reloads grow RSS by at most one index: {'NOT MET' if failed else 'met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
