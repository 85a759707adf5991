"""Start-up of the command line: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_startup.py [--runs 7]

Wall time of `assistant --help` and `assistant check --text ok` in fresh processes: with an empty
derived cache (the first run on a machine, which builds it: see `assistant/derived_cache.py`) and
with the cache in place (every later run). Python's own bytecode cache matters too: where
PYTHONDONTWRITEBYTECODE is set, every run compiles the project's modules again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSISTANT = Path(sys.executable).with_name("assistant")


def seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(
        f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '(unset)')}, "
        f"load {os.getloadavg()[0]:.2f}, {args.runs} runs each"
    )
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        env = {**os.environ, "ASSISTANT_CACHE_DIR": str(cache)}
        for name, command in (
            ("assistant --help", [str(ASSISTANT), "--help"]),
            ("assistant check --text ok", [str(ASSISTANT), "check", "--text", "ok"]),
        ):
            first = []
            for _ in range(args.runs if "check" in name else 1):
                shutil.rmtree(cache, ignore_errors=True)
                first.append(seconds(command, env))
            later = [seconds(command, env) for _ in range(args.runs)]
            print(
                f"{name}: first run (empty cache) median {statistics.median(first):.2f} s; "
                f"later runs median {statistics.median(later):.2f} s, best {min(later):.2f} s"
            )


if __name__ == "__main__":
    main()
