"""Fitting the model's window by its own token counts, and re-fitting on a context error.

The token counts are the embedded model's, replayed from recorded /tokenize traffic.
Re-record after a change to the passages or the fit (needs the embedded model, under
the shared model lock; under a minute on 2 cores):
    flock /work/coord/model.lock .venv/bin/pytest tests/test_window_fit.py --record-mode=rewrite
"""

from __future__ import annotations

import pytest

from conftest import SHARED_STORIES
from storybrief.errors import ContextOverflowError
from storybrief.llm import LLM, Endpoint, StructuredFailure
from storybrief.passages import estimate_tokens, passage_cost, refit_budget, select_passages, source_cost
from storybrief.prompts import PromptLibrary, RenderedPrompt
from storybrief import summarise
from storybrief.sources import build_story

BUDGET = 1500


@pytest.fixture(scope="module")
def yemen():
    return build_story([SHARED_STORIES / "yemen-2011-fr.jsonl"])


@pytest.mark.vcr
def test_the_fit_counts_with_the_model_tokenizer(llm_session, yemen):
    french = next(p.text for p in yemen.passages if len(p.text) > 300)
    counted = llm_session.count_tokens(french)
    # French news runs at about 3.4 characters a token in this tokenizer: a 4-characters
    # estimate would under-count it, which is how the Libya brief overflowed its window.
    assert counted is not None and len(french) / 4 < counted <= estimate_tokens(french)

    chosen = select_passages(yemen, BUDGET, llm_session.count_tokens)
    assert chosen, "a 1,500-token budget holds some of the Yemen cluster"
    by_id = {s.id: s for s in yemen.sources}
    shown = {p.source_id for p in chosen}

    def model_count(text: str) -> int:
        tokens = llm_session.count_tokens(text)
        assert tokens is not None, "every count is the model tokenizer's"
        return tokens

    real = (sum(passage_cost(p, model_count) for p in chosen)
            + sum(source_cost(by_id[s], model_count) for s in shown))
    assert real <= BUDGET
    # Counted, not estimated: the fit uses the budget closely.
    assert real >= 0.9 * BUDGET
    assert not shown & {o.source_id for o in yemen.off_topic}


@pytest.mark.vcr
def test_a_request_past_the_window_is_a_context_overflow(llm_session):
    libya = (SHARED_STORIES / "libya-2011-fr.jsonl").read_text(encoding="utf-8")[:40000]
    prompt = RenderedPrompt(name="overflow", hash="0", messages=[{"role": "user", "content": libya}])
    with pytest.raises(ContextOverflowError) as raised:
        llm_session.yes_probability(prompt)
    assert raised.value.available == 8192
    assert raised.value.requested > 8192


def test_an_endpoint_without_a_tokenizer_falls_back_to_a_safe_estimate(yemen):
    # Nothing listens on port 9: the endpoint has no tokenizer to ask.
    llm = LLM(Endpoint(base_url="http://127.0.0.1:9/v1"), "http://127.0.0.1:9/v1", max_attempts=1)
    assert llm.count_tokens("Le président Saleh a quitté Sanaa.") is None
    chosen = select_passages(yemen, BUDGET, llm.count_tokens)
    by_id = {s.id: s for s in yemen.sources}
    estimated = (sum(passage_cost(p, estimate_tokens) for p in chosen)
                 + sum(source_cost(by_id[s], estimate_tokens) for s in {p.source_id for p in chosen}))
    assert 0 < estimated <= BUDGET


def test_refit_budget_takes_off_the_reported_excess_and_a_margin():
    smaller = refit_budget(4792, ContextOverflowError("too long", requested=9509, available=8192))
    assert smaller <= 4792 - (9509 - 8192) - 64
    assert refit_budget(4000, ContextOverflowError("too long")) == 3000


class _OverflowingLLM:
    """Says the request did not fit `overflows` times, then answers the choosing call with a
    main passage only and the wording call with nothing (the draft then quotes or re-asks)."""

    def __init__(self, overflows: int, requested: int = 9509):
        self.overflows, self.requested, self.calls = overflows, requested, []

    count_tokens = None

    def structured(self, prompt, model, **kwargs):
        if self.overflows > 0:
            self.overflows -= 1
            raise ContextOverflowError("too long", requested=self.requested, available=8192)
        return StructuredFailure(raw='{"main": "P1"}' if prompt.name == "brief" else "", error="cut short")


def _recording_budgets(monkeypatch) -> list[int]:
    budgets: list[int] = []
    choose = summarise.select_passages

    def recording(story, budget, count_tokens=None, key_reports=frozenset()):
        budgets.append(budget)
        return choose(story, budget, count_tokens, key_reports)

    monkeypatch.setattr(summarise, "select_passages", recording)
    return budgets


def test_a_brief_refits_after_a_context_error_instead_of_failing(monkeypatch, seed_story):
    budgets = _recording_budgets(monkeypatch)
    brief = summarise.draft_brief(seed_story, _OverflowingLLM(overflows=2), PromptLibrary())
    assert budgets[0] > budgets[1] > budgets[2] and len(budgets) == 3
    assert sum("re-fitted" in w for w in brief.warnings) == 2


def test_a_brief_gives_up_only_when_nothing_would_fit(monkeypatch, seed_story):
    budgets = _recording_budgets(monkeypatch)
    with pytest.raises(ContextOverflowError):
        summarise.draft_brief(seed_story, _OverflowingLLM(overflows=1000, requested=90000), PromptLibrary())
    assert len(budgets) == 1, "an excess past the whole passage budget leaves nothing to re-fit"


def test_a_large_cluster_is_fitted_by_relevance_and_spread_over_its_time_span():
    libya = build_story([SHARED_STORIES / "libya-2011-fr.jsonl"])
    chosen = select_passages(libya, 5000)
    published = {s.id: s.published for s in libya.sources}
    months = {published[p.source_id].month for p in chosen}
    assert len(months) >= 8, "the cluster runs from February to October 2011"
    assert len({p.source_id for p in chosen}) >= 20

    def names_subject(passage) -> bool:
        text = passage.text.lower()
        return any(term in text for term in ("kadhafi", "libye", "tripoli"))

    share_chosen = sum(map(names_subject, chosen)) / len(chosen)
    share_all = sum(map(names_subject, libya.passages)) / len(libya.passages)
    assert share_chosen > 1.5 * share_all
