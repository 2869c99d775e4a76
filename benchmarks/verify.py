"""Time the model-free verifier on seed 001 (target: the checks under 0.5 s on one brief).

Prints the time to ingest the sources (build_story: read, clean, dedupe, passages, dates),
the time of the checks alone (verify(): scorer, dates, names, numbers, timeline, precision;
median of repeated runs), and of each report format.

    .venv/bin/python benchmarks/verify.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from storybrief.scoring import default_scorer
from storybrief.verify import load_text_brief, parse_source_options, render_html, render_json, render_text, verify

REPO = Path(__file__).resolve().parent.parent
BRIEF = REPO / "examples" / "seed-001-verify" / "001_0ad91265f6a5c902.txt"
ARTICLES = REPO / "examples" / "bonne-moscow" / "articles"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    sources = [next(ARTICLES.glob(f"{n}_*.txt")) for n in ("000", "002", "003", "004")]
    default_scorer()  # weights loaded once per process, as in the CLI

    started = time.perf_counter()
    inp = load_text_brief(BRIEF, parse_source_options(sources, []))
    ingest = time.perf_counter() - started

    first = time.perf_counter()
    report = verify(inp)
    cold = time.perf_counter() - first
    runs = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        verify(inp)
        runs.append(time.perf_counter() - t0)
    checks = statistics.median(runs)
    claims = sum(1 for c in report.claims if c.verdict != "exempt")

    timings = {}
    for name, fn in (("text", render_text), ("json", render_json), ("html", render_html)):
        t0 = time.perf_counter()
        fn(report)
        timings[name] = time.perf_counter() - t0

    print(f"seed 001: {claims} claims, {len(report.findings)} findings, {len(inp.story.passages)} passages")
    print(f"ingest + parse (build_story, parse_brief_text): {ingest:.3f} s")
    print(f"no-model checks, first run:                     {cold:.3f} s")
    print(f"no-model checks, median of {args.repeat}:                 {checks:.3f} s  "
          f"({'OK' if checks < 0.5 else 'OVER'} target 0.5 s; {claims / checks:.0f} claims/s)")
    print("reports: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in timings.items()))


if __name__ == "__main__":
    main()
