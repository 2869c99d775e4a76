"""Repairing a brief: the gate and the verifier find what a line says that its passage does
not; one re-ask, replayed from traffic recorded on the embedded model, then quotes.

The input brief is built here from the seed sources, with planted errors of the kinds the
1.5B model makes: a wrong role (Macron's diplomatic adviser called an ambassador), a flipped
negation ("n'a ni confirmé ni démenti" as "confirmed") and a publication date given as the
day of the meeting. Only the model's answer to the re-ask is recorded.

Re-record (needs the embedded model):
    pytest tests/test_repair.py --record-mode=rewrite
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import REPLAY_URL
from storybrief.gate import check_line
from storybrief.llm import LLM, Endpoint
from storybrief.models import Brief, Section, Sentence, SourceRef, TimelineEvent
from storybrief.prompts import PromptLibrary
from storybrief.summarise import repair_brief
from storybrief.verify import verify_brief

ROLE = "Emmanuel Bonne, the French ambassador to Russia, travelled to Moscow on Tuesday, sources told Reuters."
NEGATION = "The Elysée confirmed the information."
PLANTED = "Emmanuel Bonne met Yury Ushakov in Moscow on 5 February 2026, the French presidency confirmed."


def _passage(story, source_number: int, starts: str):
    source = next(s for s in story.sources if s.number == source_number)
    return next(p for p in story.passages if p.source_id == source.id and p.text.startswith(starts))


def _brief_with_planted_errors(story) -> Brief:
    reuters = _passage(story, 1, "Emmanuel Bonne, conseiller diplomatique")
    elysee = _passage(story, 1, "L'Elysée n'a ni confirmé ni démenti")
    sent = _passage(story, 2, "French President Emmanuel Macron reportedly sent")
    media = _passage(story, 2, "French media reported")
    kremlin = _passage(story, 2, "On Thursday, the Kremlin said")
    presidency = _passage(story, 2, "The French presidency also refused")
    bloomberg = _passage(story, 2, "Bloomberg, citing anonymous sources")
    contacts = _passage(story, 2, "Those contacts could be repeated")
    sections = [
        Section(lead="What happened", sentences=[
            Sentence(text=ROLE, citations=[reuters.id]),
            Sentence(text=PLANTED, citations=[media.id]),
        ]),
        Section(lead="What was said", sentences=[
            Sentence(text=NEGATION, citations=[elysee.id]),
            Sentence(text=kremlin.text, citations=[kremlin.id]),
            Sentence(text=presidency.text, citations=[presidency.id]),
        ]),
        Section(lead="What comes next", sentences=[
            Sentence(text=bloomberg.text, citations=[bloomberg.id]),
            Sentence(text=contacts.text, citations=[contacts.id]),
        ]),
    ]
    cited = [reuters, elysee, sent, media, kremlin, presidency, bloomberg, contacts]
    return Brief(
        headline="Macron reportedly sent his top diplomatic adviser to meet Kremlin officials",
        headline_citations=[sent.id],
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
def test_planted_errors_are_re_asked_once_and_never_published(seed_story, llm_session):
    brief = _brief_with_planted_errors(seed_story)
    story_passages = {p.id: p for p in seed_story.passages}

    repaired = repair_brief(brief, seed_story, llm_session, PromptLibrary(), verify_brief)

    # One re-ask for each failing line (three planted errors at least), recorded with its
    # prompt's name and hash.
    names = [c.prompt_name for c in repaired.calls]
    assert set(names) == {"repair"} and len(names) >= 3
    assert "repair" in repaired.prompts
    lines = [s for section in repaired.sections for s in section.sentences]
    texts = [s.text for s in lines]
    for planted in (ROLE, NEGATION, PLANTED):
        assert planted not in texts
    assert not [t for t in texts if "ambassador" in t]
    # The Elysée line is re-worded with its negation, or dropped with its reason: it never
    # ships as "confirmed", nor as a French quote in an English brief.
    elysee = [s for s in lines if story_passages[s.citations[0]].text.startswith("L'Elysée")]
    assert all("neither" in s.text or "not" in s.text for s in elysee)
    assert not [s for s in lines if s.quote not in (None, "en")], "no line in another language than the brief's"
    if not elysee:
        assert any(re.match(r"the “[^”]+” sentence \d dropped", w) for w in repaired.warnings)
    # Every line is either a verbatim quote of its passage or passes the gate; copies are quotes.
    published = {s.id: s.published for s in seed_story.sources}
    for line in lines:
        passage = story_passages[line.citations[0]]
        if line.quote is not None:
            assert line.text in passage.text
        else:
            assert check_line(line.text, [passage], "en", published[passage.source_id]) == []
    assert all(s.quote == "en" for s in repaired.sections[-1].sentences), "copied word for word: quoted"
    assert any("re-worded" in w or "quoted" in w for w in repaired.warnings)
    # What is published passes: nothing unsupported or contradicted, the honest stamp with it.
    v = repaired.verification
    assert v is not None and v.unsupported - v.translated <= 0 and v.contradicted == 0
    assert v.passed == (v.supported == v.sentences)
    assert set(repaired.passages) <= set(story_passages)


def test_a_brief_that_passes_costs_no_call(seed_story):
    """No failing claim, no re-ask: the model is never asked (an unreachable endpoint proves it)."""
    brief = _brief_with_planted_errors(seed_story)
    honest = brief.model_copy(update={"sections": [brief.sections[2]]})
    unreachable = LLM(Endpoint(base_url=REPLAY_URL), REPLAY_URL)
    checked = repair_brief(honest, seed_story, unreachable, PromptLibrary(), verify_brief)
    assert unreachable.calls == []
    assert checked.verification is not None and checked.verification.unsupported == 0
