"""The whole brief of the seed story, replayed from traffic recorded against the embedded model.

Re-record (needs the embedded model; a few minutes on 2 cores), after any prompt change:
    pytest tests/test_brief_e2e.py::test_seed_story_brief --record-mode=rewrite
"""

from __future__ import annotations

import json

import pytest

from conftest import CASSETTES, REPLAY_URL, recording
from storybrief import cli
from storybrief.embedded import DEFAULT_MODEL
from storybrief.llm import LLM, Endpoint
from storybrief.models import Brief
from storybrief.prompts import PromptLibrary
from storybrief.render import render_html, render_json, render_markdown
from storybrief.gate import check_line
from storybrief.summarise import SECTION_TITLES, event_candidates, make_brief
from storybrief.verify import verify_brief

CASSETTE = "seed_story_brief.yaml"
RECORDED = str(CASSETTES / "test_brief_e2e" / CASSETTE)


@pytest.fixture(scope="module")
def seed_brief_holder():
    return {}


@pytest.mark.vcr
@pytest.mark.default_cassette(CASSETTE)
def test_seed_story_brief(seed_story, llm_session, seed_brief_holder):
    brief = make_brief(seed_story, llm_session, PromptLibrary(), check=verify_brief)
    seed_brief_holder["brief"] = brief

    # The model chooses, then words the chosen passages; further calls only re-ask failing
    # lines, one a line.
    names = [c.prompt_name for c in brief.calls]
    assert names[:2] == ["brief", "word"] and set(names[2:]) <= {"repair"}
    assert all(c.attempts <= 2 for c in brief.calls)
    assert all(c.model == DEFAULT_MODEL.name for c in brief.calls)

    story_passages = {p.id: p for p in seed_story.passages}
    cited = [pid for s in brief.sections for sentence in s.sentences for pid in sentence.citations]
    cited += [pid for e in brief.timeline for pid in e.citations]
    assert cited, "the brief cites nothing"
    assert all(pid in story_passages for pid in cited + brief.headline_citations)
    assert set(brief.passages) == set(cited) | set(brief.headline_citations)
    assert not brief.citation_issues

    # Section titles are the brief's language's, never the model's.
    assert brief.sections and {s.lead for s in brief.sections} <= set(SECTION_TITLES["en"].values())
    published = {s.id: s.published for s in seed_story.sources}
    for section in brief.sections:
        for sentence in section.sentences:
            passages = [story_passages[pid] for pid in sentence.citations]
            if sentence.quote is not None:  # the passage's own words, cited to it
                assert any(sentence.text in p.text for p in passages)
            else:  # every worded line passed the gate: names, numbers, dates, roles, negation
                assert check_line(sentence.text, passages, "en", published[passages[0].source_id]) == []

    # 000 and 002 are one source that remembers both files.
    assert len(brief.sources) == 3
    merged = [s for s in brief.sources if len(s.origins) == 2]
    assert len(merged) == 1 and {o.rsplit("/", 1)[-1][:3] for o in merged[0].origins} == {"000", "002"}

    # The French article is cited.
    french = {s.source_id for s in brief.sources if s.language == "fr"}
    assert any(story_passages[pid].source_id in french for pid in cited)

    # Timeline dates are the resolver's, each one a date its cited passage gives, never the
    # model's; the latest dated development is always in.
    dates = [e.date for e in brief.timeline]
    assert dates == sorted(dates)
    for event in brief.timeline:
        assert any(d.iso == event.date for pid in event.citations for d in story_passages[pid].dates)
    assert dates[-1] == event_candidates(seed_story)[-1].date

    # The stamp is honest: passed only if every line is supported.
    v = brief.verification
    assert v is not None and v.passed == (v.supported == v.sentences and brief.headline_flag is None)


def test_seed_brief_renders_and_json_round_trips(seed_brief_holder):
    brief = seed_brief_holder.get("brief")
    if brief is None:
        pytest.skip("needs test_seed_story_brief")
    again = Brief.model_validate_json(render_json(brief))
    assert again == brief
    schema = Brief.model_json_schema()
    assert set(json.loads(render_json(brief))) <= set(schema["properties"])
    markdown = render_markdown(brief)
    assert markdown.startswith("# " + brief.headline.removesuffix("."))  # a headline ends without a full stop
    assert "Updated (3 articles)" in markdown and "All related articles (3 articles)" in markdown
    timeline = markdown.split("## Timeline")[1].split("## ")[0].strip().split("\n\n")
    assert len(timeline) == len(brief.timeline) and all(" – " in entry for entry in timeline)
    assert "<html" in render_html(brief)


# The recording is loaded as an extra, read-only cassette: were it this test's default
# cassette, a --record-mode=rewrite run would reset it while this test skips.
@pytest.mark.vcr(RECORDED)
def test_cli_writes_all_three_formats(request, seed_dir, tmp_path):
    """The CLI end to end on the same recorded traffic: three files, written whole."""
    if recording(request.config):
        pytest.skip("replays the cassette recorded by test_seed_story_brief")
    code = cli.main(["brief", str(seed_dir), "--out-dir", str(tmp_path), "--base-url", REPLAY_URL,
                     "--model", DEFAULT_MODEL.name])
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.html", "brief.json", "brief.md"]
    brief = Brief.model_validate_json((tmp_path / "brief.json").read_text())
    # The same calls as the recorded brief: the choice, the wording, then the re-asks (one a
    # line); the verification summary travels with the brief.
    names = [c.prompt_name for c in brief.calls]
    assert names[:2] == ["brief", "word"] and set(names[2:]) <= {"repair"}
    assert brief.verification is not None and brief.verification.contradicted == 0


@pytest.mark.vcr(RECORDED, allow_playback_repeats=True)
def test_one_client_serving_two_briefs_records_each_briefs_own_calls(request, seed_story):
    """Digest jobs share one client across stories: a brief must not inherit earlier calls."""
    if recording(request.config):
        pytest.skip("replays the cassette recorded by test_seed_story_brief")
    llm = LLM(Endpoint(base_url=REPLAY_URL), REPLAY_URL)
    first = make_brief(seed_story, llm, PromptLibrary(), check=verify_brief)
    second = make_brief(seed_story, llm, PromptLibrary(), check=verify_brief)
    assert [c.prompt_name for c in first.calls] == [c.prompt_name for c in second.calls]
    assert len(llm.calls) == len(first.calls) + len(second.calls)
