"""The model judge on seed 001, replayed from traffic recorded on the embedded model.

Re-record after a change to prompts/judge.j2 (needs the embedded model; about 2 minutes on
2 cores):
    pytest tests/test_judge.py --record-mode=rewrite
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storybrief.verify import Judge, load_text_brief, parse_source_options, verify

REPO = Path(__file__).resolve().parent.parent
SEED_BRIEF = REPO / "examples" / "seed-001-verify" / "001_0ad91265f6a5c902.txt"
ARTICLES = REPO / "examples" / "bonne-moscow" / "articles"


@pytest.mark.vcr
def test_judge_on_seed_001(llm_session):
    sources = [next(ARTICLES.glob(f"{n}_*.txt")) for n in ("000", "002", "003", "004")]
    inp = load_text_brief(SEED_BRIEF, parse_source_options(sources, []))
    first_call = len(llm_session.calls)
    report = verify(inp, judge=Judge(llm_session, name="embedded"))
    calls = llm_session.calls[first_call:]

    judged = [c for c in report.claims if c.judge_score is not None]
    assert judged and len(calls) == len(judged) and all(c.prompt_name == "judge" for c in calls)
    assert all(0.0 <= c.judge_score <= 1.0 and c.score is not None for c in judged)
    assert report.judge == "embedded" and "embedded" in report.scorer
    # Claims are judged grouped by their cited articles, and everything but the statement is a
    # prefix: after the first call on a set of articles the server re-reads only the statement.
    warm = [c for c in calls if (c.cached_tokens or 0) >= c.prompt_tokens - 100]
    assert len(warm) >= len(calls) - 5
    # The deterministic date check still decides: the 5 February meeting is contradicted.
    contradicted = [c for c in report.claims if c.verdict == "contradicted"]
    assert any("5" in c.text and "February" in c.text for c in contradicted)


@pytest.mark.vcr
def test_score_with_the_judge(llm_session, tmp_path):
    """`storybrief score --judge` exposes the judge signal on the measured path."""
    import json

    from storybrief.scoring import score_jsonl

    article = next(ARTICLES.glob("002_*.txt")).read_text(encoding="utf-8")
    rows = [{"id": "faithful", "claim": "Emmanuel Bonne travelled to Moscow.", "source": article},
            {"id": "invented", "claim": "Emmanuel Bonne was arrested in Moscow.", "source": article}]
    src, out = tmp_path / "rows.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    judge = Judge(llm_session, name="embedded")
    assert score_jsonl(src, out, judge=judge) == 2
    scored = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    for row in scored.values():
        assert 0.0 <= row["judge_score"] <= 1.0
        assert row["score"] == pytest.approx(judge.combine(row["scorer_score"], row["judge_score"]), abs=1e-5)
        assert row["label"] == ("supported" if row["score"] >= judge.threshold else "unsupported")
