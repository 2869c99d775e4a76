"""The summariser's own rules, without a model: validators, window fitting, clean-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from conftest import SHARED_STORIES
from storybrief.summarise import (
    BriefDraft,
    BriefOptions,
    EventDraft,
    SentenceDraft,
    _prompt_view,
    _strip_annotations,
    _validation_context,
    estimate_tokens,
    select_passages,
)


@pytest.fixture(scope="module")
def seed_view(seed_story):
    return _prompt_view(seed_story, list(seed_story.passages))


def _label(view, starts: str) -> str:
    return next(label for label, p in view.label_to_passage.items() if p.text.startswith(starts))


def test_event_must_take_its_date_from_its_passages(seed_view):
    context = _validation_context(seed_view)
    tuesday = _label(seed_view, "French President Emmanuel Macron reportedly sent")  # "on Tuesday" = Feb 3
    EventDraft.model_validate({"cites": [tuesday], "date": "2026-02-03", "text": "Bonne met Ushakov in Moscow."},
                              context=context)
    with pytest.raises(ValidationError, match="publication date"):
        EventDraft.model_validate({"cites": [tuesday], "date": "2026-02-05", "text": "Bonne met Ushakov in Moscow."},
                                  context=context)
    undated = _label(seed_view, "Macron has argued that communication")
    with pytest.raises(ValidationError, match="no cited passage gives the date"):
        EventDraft.model_validate({"cites": [undated], "date": "2026-02-03", "text": "Macron argued for talks."},
                                  context=context)


def test_month_precision_matches_a_day_inside_it(seed_view):
    tuesday = _label(seed_view, "French President Emmanuel Macron reportedly sent")
    EventDraft.model_validate({"cites": [tuesday], "date": "2026-02", "text": "Bonne travelled to Moscow."},
                              context=_validation_context(seed_view))


def test_unknown_labels_and_foreign_script_are_re_asked(seed_view):
    context = _validation_context(seed_view)
    with pytest.raises(ValidationError, match="unknown passage labels"):
        SentenceDraft.model_validate({"cites": ["P999"], "text": "A sentence long enough."}, context=context)
    label = next(iter(seed_view.label_to_passage))
    with pytest.raises(ValidationError, match="another script"):
        SentenceDraft.model_validate({"cites": [label], "text": "Talks with key European合作伙伴."}, context=context)


def _draft(cites_per_section: list[list[str]]) -> dict:
    return {
        "headline": "Macron's adviser in Moscow",
        "sections": [
            {"lead": f"Aspect {i}", "sentences": [{"cites": [c], "text": f"Sentence {i}-{j} reports a fact."}
                                                 for j, c in enumerate(cites)]}
            for i, cites in enumerate(cites_per_section)
        ],
    }


def test_a_brief_must_draw_on_several_articles(seed_view):
    context = _validation_context(seed_view)
    by_source: dict[int, list[str]] = {}
    for label, number in seed_view.source_of.items():
        by_source.setdefault(number, []).append(label)
    one = by_source[2]
    with pytest.raises(ValidationError, match="cite only article"):
        BriefDraft.model_validate(_draft([one[:2], one[2:4], one[4:6]]), context=context)
    BriefDraft.model_validate(_draft([[by_source[1][0], one[0]], [by_source[3][0], one[1]], one[2:4]]),
                              context=context)


def test_sentences_repeated_across_sections_are_re_asked(seed_view):
    labels = list(seed_view.label_to_passage)
    draft = _draft([labels[0:2], labels[2:4], labels[4:6]])
    draft["sections"][2]["sentences"][0]["text"] = draft["sections"][0]["sentences"][0]["text"]
    with pytest.raises(ValidationError, match="repeats a sentence"):
        BriefDraft.model_validate(draft)


def test_prompt_annotations_are_stripped():
    assert _strip_annotations("The Kremlin declined. (dates: Thursday = 2026-02-05)") == "The Kremlin declined."
    assert _strip_annotations("Bonne met Ushakov [P12].") == "Bonne met Ushakov."


def test_a_story_that_fits_is_sent_whole(seed_story):
    assert select_passages(seed_story, BriefOptions().passage_budget) == list(seed_story.passages)


@pytest.mark.skipif(not (SHARED_STORIES / "libya-2011-fr.jsonl").is_file(), reason="shared stories absent")
def test_a_story_past_the_window_is_cut_to_fit_across_sources():
    from storybrief.sources import build_story

    story = build_story([SHARED_STORIES / "libya-2011-fr.jsonl"])
    budget = BriefOptions().passage_budget
    chosen = select_passages(story, budget)
    assert sum(estimate_tokens(p.text) for p in chosen) <= budget
    assert len({p.source_id for p in chosen}) >= 20, "spread across many articles, not the first few"
    order = {p.id: i for i, p in enumerate(story.passages)}
    assert [order[p.id] for p in chosen] == sorted(order[p.id] for p in chosen), "kept in story order"
