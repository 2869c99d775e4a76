"""Throughput of the model-free support scorer.

    .venv/bin/python benchmarks/score.py [--data /work/shared/data]

Prints claims/s on 500 WiCE dev rows and 200 FRANK valid rows (each row scored from its raw
source text, evidence preparation included, as `storybrief score` does), and the time to score
one brief-sized input: 20 claims against 4 articles.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from storybrief import scoring  # noqa: E402
from storybrief.scoring import SupportScorer, prepare_evidence  # noqa: E402


def rows(path: Path, n: int) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            out.append(json.loads(line))
            if len(out) == n:
                break
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    args = ap.parse_args()
    scorer = SupportScorer()

    wice = rows(args.data / "wice_dev.jsonl", 500)
    frank = rows(args.data / "frank_valid.jsonl", 200)
    for name, items in (
        ("WiCE dev", [("\n".join(r["evidence"]), r["claim"]) for r in wice]),
        ("FRANK valid", [(r["article"], r["summary"]) for r in frank]),
    ):
        scoring._prepared_cached.cache_clear()
        t0 = time.perf_counter()
        for source, claim in items:
            scorer.score(claim, source)
        dt = time.perf_counter() - t0
        distinct = len({source for source, _ in items})
        print(f"{name:12s} {len(items):4d} claims ({distinct} distinct sources, each prepared once) "
              f"in {dt:6.2f} s = {len(items) / dt:7.1f} claims/s")

    # One brief: 4 articles (passages joined), 20 claims scored against all of them.
    articles = []
    seen = set()
    for r in frank:
        if r["hash"] not in seen:
            seen.add(r["hash"])
            articles.append(r["article"])
        if len(articles) == 4:
            break
    claims = [s for r in frank[:40] for s in r["summary_sentences"]][:20]
    best = float("inf")
    for _ in range(3):
        scoring._prepared_cached.cache_clear()
        t0 = time.perf_counter()
        ev = prepare_evidence("\n\n".join(articles))
        for c in claims:
            scorer.score_evidence(c, ev)
        best = min(best, time.perf_counter() - t0)
    n_sent = len(ev.sentences)
    print(f"brief-sized input: 20 claims vs 4 articles ({n_sent} evidence sentences): {best:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
