"""Time the verifier on seed 001: the three speed targets of the verifier issue.

1. the no-model checks on one brief (target under 0.5 s): the time to ingest the sources
   (build_story: read, clean, dedupe, passages, dates), the checks alone (verify(): scorer,
   dates, names, numbers, timeline, precision; median of repeated runs), and each report;
2. the no-model scorer's throughput (target at least 50 claims/s) on WiCE dev rows, each
   scored from its raw evidence text as `storybrief score` does;
3. with --judge, the model path (target at least 1 claim/s with the article cached): verify
   again with the embedded model (or --base-url) judging every claim, and time each judge
   call, split into calls whose article prefix came from the server's prompt cache and the
   first call on each set of cited articles.

    .venv/bin/python benchmarks/verify.py [--repeat N] [--judge [--base-url URL --model NAME]]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from storybrief.llm import Endpoint, connect
from storybrief.scoring import default_scorer
from storybrief.verify import (
    Judge,
    load_text_brief,
    parse_source_options,
    render_html,
    render_json,
    render_text,
    verify,
)

REPO = Path(__file__).resolve().parent.parent
WICE = REPO.parent / "shared" / "data" / "wice_dev.jsonl"
BRIEF = REPO / "examples" / "seed-001-verify" / "001_0ad91265f6a5c902.txt"
ARTICLES = REPO / "examples" / "bonne-moscow" / "articles"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--judge", action="store_true", help="also time the model path (starts the embedded model)")
    parser.add_argument("--base-url")
    parser.add_argument("--model")
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

    if WICE.is_file():
        scorer = default_scorer()
        rows = [json.loads(line) for line in WICE.open(encoding="utf-8")][:300]
        t0 = time.perf_counter()
        for row in rows:
            scorer.score(row["claim"], "\n".join(row["evidence"]))
        rate = len(rows) / (time.perf_counter() - t0)
        print(f"no-model scorer, {len(rows)} WiCE dev rows:          {rate:.0f} claims/s  "
              f"({'OK' if rate >= 50 else 'UNDER'} target 50 claims/s)")

    if args.judge:
        with connect(Endpoint.from_options(args.base_url, args.model)) as llm:
            t0 = time.perf_counter()
            judged = verify(inp, judge=Judge(llm, name=llm.endpoint.model))
            wall = time.perf_counter() - t0
        calls = [c for c in llm.calls if c.prompt_name == "judge"]
        warm = [c for c in calls if (c.cached_tokens or 0) >= c.prompt_tokens - 100]
        cold = [c for c in calls if c not in warm]
        print(f"model path: {len(calls)} claims judged in {wall:.1f} s ({len(calls) / wall:.2f} claims/s overall)")
        if warm:
            rate = len(warm) / sum(c.seconds for c in warm)
            new_tokens = statistics.median(c.prompt_tokens - (c.cached_tokens or 0) for c in warm)
            print(f"  article cached: {len(warm)} calls, {rate:.2f} claims/s "
                  f"({'OK' if rate >= 1 else 'UNDER'} target 1 claim/s; median {new_tokens:.0f} new prompt tokens)")
        if cold:
            print(f"  article not cached: {len(cold)} calls, median {statistics.median(c.seconds for c in cold):.1f} s "
                  f"({statistics.median(c.prompt_tokens for c in cold):.0f} prompt tokens)")
        print(f"  verdicts with the judge: {judged.summary.supported} supported, "
              f"{judged.summary.partially_supported} partly, {judged.summary.unsupported} unsupported, "
              f"{judged.summary.contradicted} contradicted")


if __name__ == "__main__":
    main()
