"""CPU time to read a large JSONL story (read, clean, merge near-duplicates, split passages).

    python benchmarks/large_jsonl.py [--mb 50] [--kind distinct|copies]

Builds the file in a temporary folder from ../shared/data/stories: `distinct` shuffles each
article's words (every row a different article), `copies` repeats the articles with their
paragraphs rotated (rows that are near-duplicates of each other, as a scraper's repeats are).
Prints the CPU seconds of build_story and what it built.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from storybrief.errors import StorybriefError
from storybrief.sources import build_story

STORIES = Path(__file__).resolve().parents[2] / "shared" / "data" / "stories"


def make(path: Path, megabytes: float, kind: str) -> int:
    rows = [json.loads(line) for f in sorted(STORIES.glob("*.jsonl")) for line in f.read_text().splitlines() if line.strip()]
    rng = random.Random(1)
    size = count = 0
    with path.open("w", encoding="utf-8") as out:
        while size < megabytes * 1e6:
            row = dict(rows[count % len(rows)], id=f"row{count}")
            if kind == "distinct":
                words = row["text"].split(" ")
                rng.shuffle(words)
                row["text"] = " ".join(words)
            else:
                paragraphs = row["text"].split("\n\n")
                turn = (count // len(rows)) % max(1, len(paragraphs))
                row["text"] = "\n\n".join(paragraphs[turn:] + paragraphs[:turn])
            line = json.dumps(row, ensure_ascii=False) + "\n"
            out.write(line)
            size += len(line.encode("utf-8"))
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--kind", choices=("distinct", "copies"), default="distinct")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "story.jsonl"
        rows = make(path, args.mb, args.kind)
        started = time.process_time()
        try:
            story = build_story([path])
        except StorybriefError as exc:
            print(f"{args.mb:.0f} MB JSONL ({args.kind}, {rows} rows): refused after "
                  f"{time.process_time() - started:.1f} s CPU: {exc}")
            return
        cpu = time.process_time() - started
    print(f"{args.mb:.0f} MB JSONL ({args.kind}, {rows} rows): {cpu:.1f} s CPU; "
          f"{len(story.sources)} sources, {len(story.passages)} passages")


if __name__ == "__main__":
    main()
