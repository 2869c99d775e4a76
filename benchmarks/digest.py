"""Digest throughput, memory, cached reruns and updates against a loopback mock server.

    python benchmarks/digest.py [--latency 2.0] [--stories 200]

The mock server (tests/replay_server.py) answers every request with a valid answer recorded
from the embedded model (tests/fixtures/digest/traffic.jsonl) after a fixed latency, as a
remote endpoint would. The stories are generated from the two recorded stories
(tests/digest_fixtures.py). Each digest runs as a `storybrief digest` subprocess, so its wall
time includes the interpreter's start and its peak RSS is its own.

Prints: throughput at concurrency 1, 4 and 16 and the speedup over sequential; peak RSS at
50 and at all stories; a fully cached rerun; an update after 5 stories gained an article.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from digest_fixtures import PROMPTS, TRAFFIC, generated_stories  # noqa: E402
from replay_server import ReplayServer  # noqa: E402


def digest(source: Path, out: Path, base_url: str, concurrency: int) -> dict:
    """One `storybrief digest` run: its run.json, wall seconds and peak RSS (MiB)."""
    command = [sys.executable, "-m", "storybrief.cli", "digest", str(source), str(out), "--base-url", base_url,
               "--prompts", str(PROMPTS), "--concurrency", str(concurrency)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    stderr = child.stderr.read().decode() if child.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"digest failed ({os.waitstatus_to_exitcode(status)}): {stderr[-2000:]}")
    run = json.loads((out / "run.json").read_text())
    return {"run": run, "wall": wall, "rss_mib": usage.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=2.0, help="seconds the mock server takes per request")
    parser.add_argument("--stories", type=int, default=200)
    args = parser.parse_args()
    n = args.stories
    with tempfile.TemporaryDirectory(prefix="storybrief-digest-bench-") as tmp, \
            ReplayServer(TRAFFIC, latency=args.latency) as server:
        work = Path(tmp)
        print(f"mock server: {args.latency:.1f} s a request, recorded answers; {n} generated stories; "
              f"{os.cpu_count()} CPUs")
        # Sequential runs take minutes per ten stories, so the lower concurrencies brief a prefix
        # of the stories: throughput is per story, the same however many there are.
        sizes = {1: max(4, n // 20), 4: max(8, n // 5), 16: n}
        throughput = {}
        results = {}
        for concurrency, count in sizes.items():
            source = work / f"stories-{count}.jsonl"
            generated_stories(count, source)
            result = digest(source, work / f"out-c{concurrency}", server.base_url, concurrency)
            run = result["run"]
            assert len(run["done"]) == count and not run["failed"], run["failed"]
            throughput[concurrency] = count / result["wall"]
            results[concurrency] = result
            print(f"concurrency {concurrency:>2}: {count:>3} stories in {result['wall']:6.1f} s = "
                  f"{throughput[concurrency]:.3f} stories/s, speedup {throughput[concurrency] / throughput[1]:4.1f}x "
                  f"over sequential; peak RSS {result['rss_mib']:.0f} MiB")
        source50 = work / "stories-50.jsonl"
        generated_stories(min(50, n), source50)
        small = digest(source50, work / "out-50", server.base_url, 16)
        print(f"peak RSS: {small['rss_mib']:.0f} MiB at {min(50, n)} stories, "
              f"{results[16]['rss_mib']:.0f} MiB at {n} stories (concurrency 16)")

        full = work / f"stories-{n}.jsonl"
        asked = len(server.requests)
        cached = digest(full, work / "out-c16", server.base_url, 16)
        run = cached["run"]
        print(f"fully cached rerun of {n} stories: {cached['wall']:.2f} s wall (digest itself {run['seconds']:.2f} s), "
              f"{len(run['skipped'])} skipped, {len(server.requests) - asked} requests to the server")

        grown = [i for i in range(0, n, 2)][:5]  # even stories are copies of the story that can grow
        generated_stories(n, full, grown=grown)
        asked = len(server.requests)
        update = digest(full, work / "out-c16", server.base_url, 16)
        run = update["run"]
        expected = {f"story-{i:04d}" for i in grown}
        print(f"update after {len(grown)} stories gained an article: {update['wall']:.1f} s, "
              f"{len(run['done'])} regenerated ({'exactly those' if set(run['done']) == expected else 'NOT those'}), "
              f"{len(run['skipped'])} skipped, {len(server.requests) - asked} requests to the server "
              "(chat and /tokenize)")


if __name__ == "__main__":
    main()
