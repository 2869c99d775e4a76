"""Story inputs for the digest tests and benchmarks/digest.py, built from the recorded fixtures.

Every generated story is a copy of one of the two recorded stories (articles-v1.jsonl) under
its own name, with its own article URLs. A URL is part of an article's content (so of the
story's key) but not of what the model is shown, so each copy is a distinct story whose model
requests the recorded traffic answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "digest"
TRAFFIC = FIXTURES / "traffic.jsonl"
PROMPTS = FIXTURES / "prompts"
V1 = FIXTURES / "articles-v1.jsonl"
V2 = FIXTURES / "articles-v2.jsonl"
GROWING = "Murray verdict"  # the recorded story that gains an article in v2


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def generated_stories(n: int, path: Path, grown: Iterable[int] = ()) -> list[str]:
    """Write `n` stories to `path` as JSONL; story i copies the recorded story i % 2 (even: the
    one that can grow). Stories in `grown` (even numbers) carry its added article. Returns names."""
    grown = set(grown)
    v1, v2 = _rows(V1), _rows(V2)
    base = {name: [r for r in v1 if r["story"] == name] for name in dict.fromkeys(r["story"] for r in v1)}
    bigger = [r for r in v2 if r["story"] == GROWING]
    recorded = [GROWING] + [name for name in base if name != GROWING]
    names, lines = [], []
    for i in range(n):
        source = recorded[i % 2]
        rows = bigger if (i in grown and source == GROWING) else base[source]
        name = f"story {i:04d}"
        names.append(name)
        for k, row in enumerate(rows):
            lines.append(json.dumps(dict(row, story=name, url=f"https://example.org/{i:04d}/{k}"), ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return names
