"""Run `storybrief brief` on large French clusters and print whether each fits and how long it takes.

    flock /work/coord/model.lock .venv/bin/python benchmarks/large_clusters.py [--articles 1000] [--keep DIR]
        [--only generated|libya]

Two clusters: the shared Libya 2011 cluster (133 articles, about 837,000 characters) and
a generated one of `--articles` articles, each stitched from sentences of the Libya
articles and dated across the same nine months (see `generate_cluster`). Both are far past
an 8,192-token window, so the brief only runs if the window fit counts tokens right and
re-fits on a context-length error. Target (issue 15): no context error, each under 5 minutes.
Prints, per cluster: articles, exit status, wall seconds, the CLI's call summary, and each
model call (prompt tokens, of them reused from the server's cache, generated tokens, seconds)
with the wall seconds outside the model calls (reading, fitting, gate, verifier, start-up).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from storybrief.sources import clean_text

REPO = Path(__file__).resolve().parent.parent
LIBYA = REPO.parent / "shared" / "data" / "stories" / "libya-2011-fr.jsonl"
FIRST_DAY = dt.date(2011, 2, 15)
SPAN_DAYS = 258  # 15 February to 30 October 2011, as the Libya cluster runs


def generate_cluster(articles: int, seed: int = 2011, source: Path = LIBYA) -> list[dict]:
    """`articles` French articles, each 6-14 sentences drawn from the source cluster's
    articles in paragraphs of four, with its own date spread evenly over the span, outlet
    and title."""
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    # Sentences that are article text, not site chrome: cleaning keeps them whole.
    sentences = [s for row in rows for line in row["text"].splitlines()
                 for s in re.split(r"(?<=[.!?])\s+", line) if 60 <= len(s) <= 400 and clean_text(s) == s]
    rng = random.Random(seed)
    generated = []
    for number in range(articles):
        body = rng.sample(sentences, rng.randint(6, 14))
        published = FIRST_DAY + dt.timedelta(days=number * SPAN_DAYS // max(1, articles - 1))
        generated.append({
            "id": f"generated-{number:04d}",
            "outlet": f"Generated outlet {number % 37}",
            "title": body[0][:90].rsplit(" ", 1)[0],
            "published": published.isoformat(),
            "language": "fr",
            # Paragraphs of several sentences: a sentence drawn into three articles must not
            # read as a site's boilerplate line, as a line repeated verbatim would.
            "text": "\n\n".join(" ".join(body[i:i + 4]) for i in range(0, len(body), 4)),
        })
    return generated


def run_brief(path: Path, out: Path) -> tuple[int, float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "storybrief.cli", "brief", str(path), "--out", str(out)],
                          capture_output=True, text=True, cwd=REPO)
    return done.returncode, time.perf_counter() - started, done.stderr


def call_lines(brief_json: Path, wall: float) -> list[str]:
    """One line per model call the brief records, and the wall time spent outside them."""
    if not brief_json.is_file():
        return []
    calls = json.loads(brief_json.read_text(encoding="utf-8")).get("calls") or []
    lines = [f"  {c['prompt_name']}: {c['prompt_tokens']} prompt ({c.get('cached_tokens') or 0} cached) + "
             f"{c['completion_tokens']} generated tokens, {c['seconds']:.1f} s, {c['attempts']} attempt(s)"
             for c in calls]
    lines.append(f"  outside the model calls: {wall - sum(c['seconds'] for c in calls):.1f} s")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="write the generated cluster and the briefs here")
    parser.add_argument("--only", choices=("generated", "libya"), help="run one of the two clusters")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="storybrief-large-"))
    work.mkdir(parents=True, exist_ok=True)
    generated = work / f"generated-{args.articles}.jsonl"
    generated.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n"
                                 for row in generate_cluster(args.articles)), encoding="utf-8")
    clusters = [("libya", "libya-2011-fr", LIBYA, 133), ("generated", generated.stem, generated, args.articles)]
    for which, name, path, count in clusters:
        if args.only not in (None, which):
            continue
        code, seconds, stderr = run_brief(path, work / f"{name}.json")
        overflow = "context" in stderr and ("exceeds" in stderr or "did not fit" in stderr)
        summary = [line for line in stderr.splitlines() if "model calls" in line or "re-fitted" in line
                   or line.startswith("error")]
        print(f"{name}: {count} articles, exit {code}, {seconds:.1f} s, context error: {'yes' if overflow else 'no'}")
        for line in summary:
            print(f"  {line}")
        for line in call_lines(work / f"{name}.json", seconds):
            print(line)
    print(f"briefs in {work}")


if __name__ == "__main__":
    main()
