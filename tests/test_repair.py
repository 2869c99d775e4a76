"""The verify-and-repair loop, its one re-ask replayed from traffic recorded on the embedded model.

The input brief is built here from verbatim sentences of the seed sources, with one planted
contradiction (the meeting on the publication date, 5 February, where the sources say
Tuesday, 3 February). Only the model's answer to the re-ask is recorded.

Re-record (needs the embedded model):
    pytest tests/test_repair.py --record-mode=rewrite
"""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import REPLAY_URL
from storybrief.llm import LLM, Endpoint
from storybrief.models import Brief, Section, Sentence, SourceRef, TimelineEvent
from storybrief.prompts import PromptLibrary
from storybrief.summarise import repair_brief
from storybrief.verify import verify_brief

PLANTED = "Emmanuel Bonne met Yury Ushakov in Moscow on 5 February 2026, the French presidency confirmed."


def _passage(story, source_number: int, starts: str):
    source = next(s for s in story.sources if s.number == source_number)
    return next(p for p in story.passages if p.source_id == source.id and p.text.startswith(starts))


def _brief_with_a_planted_error(story) -> Brief:
    sent = _passage(story, 2, "French President Emmanuel Macron reportedly sent")
    media = _passage(story, 2, "French media reported")
    kremlin = _passage(story, 2, "On Thursday, the Kremlin said")
    presidency = _passage(story, 2, "The French presidency also refused")
    bloomberg = _passage(story, 2, "Bloomberg, citing anonymous sources")
    contacts = _passage(story, 2, "Those contacts could be repeated")
    sections = [
        Section(lead="The visit", sentences=[
            Sentence(text=sent.text, citations=[sent.id]),
            Sentence(text=PLANTED, citations=[media.id]),
        ]),
        Section(lead="No confirmation", sentences=[
            Sentence(text=kremlin.text, citations=[kremlin.id]),
            Sentence(text=presidency.text, citations=[presidency.id]),
        ]),
        Section(lead="The message", sentences=[
            Sentence(text=bloomberg.text, citations=[bloomberg.id]),
            Sentence(text=contacts.text, citations=[contacts.id]),
        ]),
    ]
    cited = [sent, media, kremlin, presidency, bloomberg, contacts]
    return Brief(
        headline="Macron's diplomatic adviser held talks in Moscow",
        language="en",
        story=story.name,
        generated_at=dt.datetime(2026, 2, 6, tzinfo=dt.timezone.utc),
        sections=sections,
        timeline=[TimelineEvent(date="2026-02-03", precision="day", text=sent.text, citations=[sent.id])],
        sources=[SourceRef(number=s.number, source_id=s.id, outlet=s.outlet, title=s.title, url=s.url,
                           published=s.published, language=s.language, origins=s.origins) for s in story.sources],
        passages={p.id: p for p in cited},
    )


@pytest.mark.vcr
def test_a_contradicted_claim_is_re_asked_and_never_published(seed_story, llm_session):
    brief = _brief_with_a_planted_error(seed_story)
    before = verify_brief(brief, seed_story)
    planted = next(c for c in before.claims if c.text == PLANTED)
    assert planted.verdict in ("unsupported", "contradicted")

    repaired = repair_brief(brief, seed_story, llm_session, PromptLibrary(), verify_brief)

    # One re-ask, recorded with its prompt's name and hash.
    assert [c.prompt_name for c in repaired.calls] == ["repair"]
    assert "repair" in repaired.prompts
    # The planted claim is gone: rewritten from the sources or dropped, and the brief says which.
    texts = [s.text for section in repaired.sections for s in section.sentences]
    assert PLANTED not in texts
    assert any("section 1 sentence 2" in w for w in repaired.warnings)
    # What is published passes: nothing unsupported or contradicted, and the summary travels with it.
    assert repaired.verification is not None
    assert repaired.verification.unsupported == 0 and repaired.verification.contradicted == 0
    after = verify_brief(repaired, seed_story)
    assert not [c for c in after.claims if c.verdict in ("unsupported", "contradicted")]
    # Every citation still resolves to a passage of the story.
    story_ids = {p.id for p in seed_story.passages}
    assert all(pid in story_ids for s in repaired.sections for x in s.sentences for pid in x.citations)
    assert set(repaired.passages) <= story_ids


def test_a_brief_that_passes_costs_no_call(seed_story):
    """No failing claim, no re-ask: the model is never asked (an unreachable endpoint proves it)."""
    brief = _brief_with_a_planted_error(seed_story)
    honest = brief.model_copy(update={"sections": [brief.sections[1], brief.sections[2]]})
    unreachable = LLM(Endpoint(base_url=REPLAY_URL), REPLAY_URL)
    checked = repair_brief(honest, seed_story, unreachable, PromptLibrary(), verify_brief)
    assert unreachable.calls == []
    assert checked.verification is not None and checked.verification.unsupported == 0


def test_citations_are_pointed_at_their_support_without_a_model_call(seed_story):
    """A sentence copied from one passage but citing its neighbour is re-cited to the passage it
    copies; a second source cited beside the right one, supporting nothing, is taken off."""
    brief = _brief_with_a_planted_error(seed_story)
    kremlin = _passage(seed_story, 2, "On Thursday, the Kremlin said")
    contacts = _passage(seed_story, 2, "Those contacts could be repeated")
    presidency = _passage(seed_story, 2, "The French presidency also refused")
    english = {s.id for s in seed_story.sources if s.language == "en"}
    unrelated = next(p for p in seed_story.passages
                     if p.source_id != presidency.source_id and p.source_id in english and len(p.text) > 60
                     and not {"Bonne", "Kremlin", "presidency"} & set(p.text.replace(",", " ").split()))
    honest = brief.sections[1:]
    miscited = [
        Section(lead=honest[0].lead, sentences=[
            Sentence(text=kremlin.text, citations=[contacts.id]),  # the neighbour, not the passage it copies
            Sentence(text=presidency.text, citations=[presidency.id, unrelated.id]),
        ]),
        honest[1],
    ]
    brief = brief.model_copy(update={"sections": miscited, "timeline": []})
    unreachable = LLM(Endpoint(base_url=REPLAY_URL), REPLAY_URL)
    checked = repair_brief(brief, seed_story, unreachable, PromptLibrary(), verify_brief)

    assert unreachable.calls == []
    recited, trimmed = checked.sections[0].sentences
    assert recited.text == kremlin.text and recited.citations[0] == kremlin.id
    assert trimmed.citations == [presidency.id]
    assert any("re-cited" in w for w in checked.warnings) and any("removed" in w for w in checked.warnings)
    assert checked.verification.passed
    assert kremlin.id in checked.passages and unrelated.id not in checked.passages
