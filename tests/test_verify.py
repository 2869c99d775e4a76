"""The verifier: parsing the aggregator layout, every check on seed 001, JSON briefs, CLI, HTML.

Offline and model-free; the judge path is tested with a stub at the llm boundary.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

from storybrief.briefparse import parse_brief_text, parse_event_date
from storybrief.models import Brief, Section, Sentence, SourceRef, TimelineEvent, VerificationSummary
from storybrief.verify import (
    Judge,
    JudgeCombiner,
    Thresholds,
    input_from_brief,
    load_text_brief,
    parse_source_options,
    render_html,
    render_text,
    verification_summary,
    verify,
)

REPO = Path(__file__).resolve().parent.parent
SEED_BRIEF = REPO / "examples" / "seed-001-verify" / "001_0ad91265f6a5c902.txt"
ARTICLES = REPO / "examples" / "bonne-moscow" / "articles"
ORDER = ["000", "002", "003", "004"]


def _sources() -> list[Path]:
    return [next(ARTICLES.glob(f"{n}_*.txt")) for n in ORDER]


@pytest.fixture(scope="module")
def seed_input():
    return load_text_brief(SEED_BRIEF, parse_source_options(_sources(), []))


@pytest.fixture(scope="module")
def seed_report(seed_input):
    return verify(seed_input)


def _of(report, type_, location=None):
    return [f for f in report.findings if f.type == type_ and (location is None or f.location == location)]


# --------------------------------------------------------------------------- parsing


def test_parse_seed_layout():
    parsed = parse_brief_text(SEED_BRIEF.read_text(encoding="utf-8"))
    assert parsed.headline.startswith("Macron’s Envoy Emmanuel Bonne Meets Kremlin Adviser")
    assert parsed.declared_articles == 5
    assert [s.lead for s in parsed.sections] == [
        "Bonne’s Moscow Visit Scheduled and Low‑Profile",
        "Purpose Focused on Technical Coordination with Ukraine and Europe",
        "Link to Macron’s December 2025 Announcement",
        "Timing and Publication Details",
    ]
    assert [len(s.sentences) for s in parsed.sections] == [3, 3, 3, 3]
    first = parsed.sections[0].sentences[0]
    assert first.text.startswith("Emmanuel Bonne, head of the Élysée’s diplomatic cell")
    assert first.markers == [1] and "[1]" not in first.text and first.text.endswith("adviser.")
    assert parsed.sections[2].sentences[2].markers == []  # the uncited sentence
    assert len(parsed.timeline) == 10
    t = parsed.timeline
    assert (t[0].iso, t[0].precision, t[0].markers) == ("2025-12-20", "day", [4])
    assert (t[1].iso, t[1].precision) == ("2025-12", "month")
    assert (t[2].iso, t[2].precision, t[2].qualifier, t[2].markers) == ("2026-01", "month", "early", [1, 2, 3])
    assert t[6].markers == [3, 2]
    assert t[9].iso == "2026-02-05"
    assert parsed.unparsed == []
    assert any("Image: Le Monde" in c for _, c in parsed.chrome)


def test_parse_markdown_bold_leads_and_bad_timeline_lines():
    text = (
        "# A headline\n\nUpdated (2 articles)\n\n**The lead.** First fact here about Paris [1]. Second one [2][1].\n\n"
        "Sources\n\n[1] Outlet\n\nTimeline\n\n**Feb 3, 2026** – Something happens[1].\nnot a date – oops\n"
    )
    parsed = parse_brief_text(text)
    assert parsed.headline == "A headline"
    assert parsed.sections[0].lead == "The lead"
    assert [s.markers for s in parsed.sections[0].sentences] == [[1], [2, 1]]
    assert parsed.timeline[0].iso == "2026-02-03"
    assert parsed.unparsed and parsed.unparsed[0][2].startswith("timeline")


def test_parse_event_date_forms():
    assert parse_event_date("Dec 20, 2025 – x")[:2] == ("2025-12-20", "day")
    assert parse_event_date("3 February 2026 – x")[:2] == ("2026-02-03", "day")
    assert parse_event_date("2026-02 – x")[:2] == ("2026-02", "month")
    assert parse_event_date("2025 – x")[:2] == ("2025", "year")
    assert parse_event_date("Something – x") is None


# --------------------------------------------------------------------------- seed 001 findings


def test_sources_mapped_in_citation_order_and_duplicates_reported(seed_input, seed_report):
    numbered = seed_input.numbered
    assert numbered[1].source.id == numbered[2].source.id  # 000 and 002: one article
    assert numbered[3].source.id != numbered[4].source.id
    dup = _of(seed_report, "duplicate-source")
    assert len(dup) == 1 and "[1] and [2] are the same article" in dup[0].message


def test_meeting_date_contradicted(seed_report):
    found = _of(seed_report, "contradicted-date", "section 1 sentence 1")
    assert found and "5 February 2026" in found[0].message and "Feb 3, 2026" in found[0].message
    claim = next(c for c in seed_report.claims if c.location == "section 1 sentence 1")
    assert claim.verdict == "contradicted"
    tl = _of(seed_report, "timeline-date", "timeline entry 10")
    assert tl and tl[0].severity == "error" and "Feb 3, 2026" in tl[0].message
    # a date the source gives as a weekday is not a contradiction
    assert not _of(seed_report, "contradicted-date", "section 1 sentence 2")


def test_blanket_citation_and_precision(seed_report):
    blanket = _of(seed_report, "blanket-citation")
    assert len(blanket) == 1 and blanket[0].citations == ["[1]"]
    flagged = {f.location for f in _of(seed_report, "citation-precision") if f.citations == ["[1]"]}
    assert {"section 1 sentence 1", "section 4 sentence 1"} <= flagged


def test_uncited_sentence(seed_report):
    uncited = _of(seed_report, "uncited")
    assert [f.location for f in uncited] == ["section 3 sentence 3"]


def test_details_no_source_contains(seed_report):
    names = " ".join(f.message for f in _of(seed_report, "unknown-name"))
    assert "Haute‑Saône" in names and "Monde" in names and "UTC" in names
    numbers = _of(seed_report, "missing-number", "section 4 sentence 1")
    assert numbers and "09:58" in numbers[0].message and "14:16" in numbers[0].message


def test_off_topic_timeline_and_unresolvable_markers(seed_report):
    off = {f.location: f.message for f in _of(seed_report, "off-topic")}
    assert set(off) == {f"timeline entry {k}" for k in range(3, 9)}
    joined = " ".join(off.values())
    for name in ("Rutte", "Greenland", "Truth", "Nobel"):
        assert name in joined
    unresolved = _of(seed_report, "unresolved-citation")
    assert {f.location for f in unresolved} == {"timeline entry 2", "timeline entry 9", "timeline entry 10"}
    assert all(f.citations == ["[5]"] for f in unresolved)
    assert not seed_report.summary.passed


def test_evidence_spans_point_into_source_text(seed_input, seed_report):
    texts = {s.id: s.text for s in seed_input.story.sources}
    for claim in seed_report.claims:
        for ev in (claim.evidence, claim.cluster_evidence):
            if ev is not None:
                assert texts[ev.source_id][ev.start:ev.end] == ev.quote


def test_correct_sentence_with_correct_citation_passes(tmp_path):
    brief = tmp_path / "brief.txt"
    brief.write_text(
        "A headline\n\nUpdated (2 articles)\n\n"
        "The Kremlin said it would neither confirm nor deny that Bonne met with Ushakov [1].\n\n"
        "Timeline\n\nFeb 3, 2026 – Macron sends his top diplomatic adviser to meet Kremlin officials[1].\n",
        encoding="utf-8",
    )
    report = verify(load_text_brief(brief, parse_source_options(_sources()[:1], [])))
    assert [c.verdict for c in report.claims if c.kind != "headline"] == ["supported", "supported"]
    assert report.findings == [] and report.summary.passed


# --------------------------------------------------------------------------- JSON briefs


def _english_brief(story) -> Brief:
    by_text = {p.text: p for p in story.passages}

    def pid(start: str) -> str:
        return next(p.id for t, p in by_text.items() if t.startswith(start))

    mt = next(s for s in story.sources if s.outlet == "The Moscow Times")
    refs = [SourceRef(number=s.number, source_id=s.id, outlet=s.outlet, title=s.title) for s in story.sources]
    cited = [pid("On Thursday, the Kremlin said"), pid("Bloomberg, citing anonymous"), pid("According to sources cited")]
    return Brief(
        headline="Macron adviser met Kremlin aide in Moscow",
        language="en",
        story=story.name,
        generated_at=dt.datetime(2026, 2, 5, 18, 0, tzinfo=dt.timezone.utc),
        sections=[Section(lead="A discreet trip", sentences=[
            Sentence(text="The Kremlin said it would neither confirm nor deny that Bonne met with Ushakov.",
                     citations=[cited[0]]),
            Sentence(text="Bloomberg reported that Bonne was sent to Russia to convey that Europe would not "
                          "rubber-stamp any peace agreement.", citations=[cited[1]]),
        ])],
        timeline=[TimelineEvent(date="2026-02-03", precision="day",
                                text="Emmanuel Bonne travels to the Russian capital and meets Yuri Ushakov.",
                                citations=[cited[2]])],
        sources=refs,
        passages={p: next(x for x in story.passages if x.id == p) for p in cited},
    ), mt


def test_json_brief_verifies_with_no_unsupported_claim(seed_story):
    brief, _ = _english_brief(seed_story)
    report = verify(input_from_brief(brief, seed_story))
    assert report.summary.unsupported == 0 and report.summary.contradicted == 0
    assert report.summary.passed, [f.message for f in report.findings]
    summary = verification_summary(brief, seed_story)
    assert isinstance(summary, VerificationSummary) and summary.passed and summary.sentences == 3
    brief.verification = summary  # the pipeline attaches it; the schema accepts it


def test_each_story_is_read_afresh_when_its_texts_change(seed_story):
    """The verifier keeps what it read of a story between the checks of one brief; a story
    whose texts differ is read again, and the first one's findings come back with it."""
    brief, _ = _english_brief(seed_story)
    renamed = seed_story.model_copy(update={
        "sources": [s.model_copy(update={"text": s.text.replace("Ushakov", "Zhukova")}) for s in seed_story.sources],
        "passages": [p.model_copy(update={"text": p.text.replace("Ushakov", "Zhukova")}) for p in seed_story.passages],
    })
    brief_renamed = brief.model_copy(update={"passages": {pid: renamed_passage for pid, renamed_passage in
                                                          ((p.id, p) for p in renamed.passages) if pid in brief.passages}})
    first = verify(input_from_brief(brief, seed_story))
    assert not _of(first, "unknown-name")
    unknown = _of(verify(input_from_brief(brief_renamed, renamed)), "unknown-name")
    assert unknown and all("Ushakov" in f.message for f in unknown)
    again = verify(input_from_brief(brief, seed_story))
    assert [(c.position, c.verdict) for c in again.claims] == [(c.position, c.verdict) for c in first.claims]
    assert not _of(again, "unknown-name")


def test_json_brief_unknown_passage_is_an_error(seed_story):
    brief, _ = _english_brief(seed_story)
    brief.sections[0].sentences[0].citations = ["ffffff-00000000"]
    report = verify(input_from_brief(brief, seed_story))
    assert _of(report, "unresolved-citation", "section 1 sentence 1")[0].severity == "error"
    assert not report.summary.passed


def test_sample_fixture_matches_by_text(seed_story):
    brief = Brief.model_validate_json((REPO / "tests" / "fixtures" / "brief_sample.json").read_text(encoding="utf-8"))
    report = verify(input_from_brief(brief, seed_story))
    assert report.summary.unsupported == 0 and report.summary.contradicted == 0
    assert [f.location for f in _of(report, "uncited")] == ["section 3 sentence 4"]


# --------------------------------------------------------------------------- judge (stub at the llm boundary)


class _StubModel:
    def __init__(self, answer: float):
        self.answer = answer
        self.prompts = []

    def yes_probability(self, prompt) -> float:
        self.prompts.append(prompt)
        return self.answer


def test_judge_path_combines_and_keeps_article_prefix(seed_input):
    stub = _StubModel(0.9)
    report = verify(seed_input, judge=Judge(stub, combiner=JudgeCombiner()), thresholds=Thresholds())
    judged = [c for c in report.claims if c.judge_score is not None]
    assert judged and all(c.judge_score == 0.9 for c in judged)
    for c in judged:
        assert c.score > c.scorer_score  # a confident yes raises the combined score
    users = [p.messages[1]["content"] for p in stub.prompts]
    prefix = users[0].split("STATEMENT:")[0]
    same = [u for u in users if u.startswith(prefix)]
    assert len(same) >= 11  # every claim citing only [1] shares the article block
    assert "Answer with one word: Yes or No" in users[0]
    low = verify(seed_input, judge=Judge(_StubModel(0.02), combiner=JudgeCombiner()))
    assert low.summary.supported <= report.summary.supported


def test_combiner_is_monotone():
    c = JudgeCombiner.load()
    assert c.w_scorer > 0 and c.w_judge > 0  # fitted weights: more support on either signal never lowers it
    assert c.combine(0.5, 0.5) == pytest.approx(1 / (1 + math.exp(-c.intercept)))
    assert c.combine(0.8, 0.9) > c.combine(0.8, 0.2)
    assert c.combine(0.9, 0.5) > c.combine(0.2, 0.5)


# --------------------------------------------------------------------------- CLI and output


def test_cli_exit_codes(tmp_path):
    from storybrief.cli import main

    sources = [str(p) for p in _sources()]
    out = tmp_path / "r.json"
    assert main(["verify", str(SEED_BRIEF), *sources, "--out", str(out)]) == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["summary"]["passed"] is False and data["findings"]
    good = tmp_path / "good.txt"
    good.write_text("The Kremlin said it would neither confirm nor deny that Bonne met with Ushakov [1].\n",
                    encoding="utf-8")
    assert main(["verify", str(good), "--source", f"1={sources[0]}", "-o", str(tmp_path / "g.txt")]) == 0
    assert main(["verify", str(SEED_BRIEF)]) == 2  # no sources
    assert main(["verify", str(SEED_BRIEF), "--source", "x=nothing"]) == 2
    assert main(["verify", str(tmp_path / "missing.txt"), *sources]) == 2
    assert main(["verify", str(SEED_BRIEF), *sources, "--max-unsupported", "99", "--max-errors", "99",
                 "-o", str(tmp_path / "r.html")]) == 0
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!doctype html>")


def test_cli_score(tmp_path, capsys):
    from storybrief.cli import main

    rows = tmp_path / "in.jsonl"
    rows.write_text(json.dumps({"id": 1, "source": "The cat sat on the mat in Paris.", "claim": "The cat sat in Paris."})
                    + "\n", encoding="utf-8")
    assert main(["score", str(rows)]) == 0
    line = json.loads(capsys.readouterr().out.strip())
    assert line["id"] == 1 and 0 <= line["score"] <= 1 and line["label"] in ("supported", "unsupported")
    assert main(["score", str(rows), "-o", str(tmp_path / "out.jsonl")]) == 0


def test_html_escapes_content(tmp_path, seed_report):
    brief = tmp_path / "evil.txt"
    brief.write_text('Head\n\n<script>alert("x")</script> Macron met Putin in <b>Moscow</b> [1].\n', encoding="utf-8")
    report = verify(load_text_brief(brief, parse_source_options(_sources()[:1], [])))
    html = render_html(report)
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "<b>Moscow" not in html
    page = render_html(seed_report)
    assert page.count('class="claim v-') == 22 and "v-contradicted" in page
    text = render_text(seed_report)
    assert "contradicted-date" in text and "FAILED" in text


def test_roles_are_read_from_the_cluster_each_claim_is_checked_against():
    """A person's role is checked against every passage of the cluster; what one cluster says
    of a person is not carried over to the next."""
    from storybrief.models import Passage
    from storybrief.verify.contradictions import find_contradictions

    def cluster(text: str) -> list[Passage]:
        other = "Talks continued in Moscow on Thursday, the Kremlin said."
        return [Passage(id=f"aaaaaa-{i}", source_id="aaaaaa", index=i, start=0, end=len(t), text=t)
                for i, t in enumerate((other, text))]

    claim = "Emmanuel Bonne, the French ambassador, met Yuri Ushakov."
    adviser = cluster("Emmanuel Bonne, conseiller diplomatique du président, a rencontré Iouri Ouchakov.")
    envoy = cluster("Emmanuel Bonne, the French ambassador to Russia, met Yuri Ushakov.")
    for passages, contradicted in ((adviser, True), (envoy, False), (adviser, True)):
        found = find_contradictions(claim, [], passages, cluster_names=frozenset(), minimum_anchors=2)
        roles = [f for f in found if f.kind == "role"]
        assert bool(roles) == contradicted
        assert all(f.passage is passages[1] for f in roles)


def test_a_place_the_sources_name_with_an_apostrophe_is_no_contradiction():
    """The sources' vocabulary splits "Ta'izz" at its apostrophe (as it does "l'armée"): the
    claim's "in Ta'izz" is still a place they name, not one that contradicts their "au Yémen"."""
    from storybrief.models import Passage
    from storybrief.verify.contradictions import find_contradictions
    from storybrief.verify.facts import vocabulary

    text = "Des centaines de manifestants ont défilé mardi à Ta'izz, au Yémen, pour réclamer le départ de Saleh."
    passages = [Passage(id="aaaaaa-0", source_id="aaaaaa", index=0, start=0, end=len(text), text=text)]
    names = vocabulary([text])
    claim = "Hundreds of protesters marched in Ta'izz on Tuesday, calling for Saleh to leave."
    assert not [f for f in find_contradictions(claim, passages, passages, cluster_names=names, minimum_anchors=2)
                if f.kind == "place"]
    elsewhere = "Hundreds of protesters marched in Hodeidah on Tuesday, calling for Saleh to leave."
    assert [f.kind for f in find_contradictions(elsewhere, passages, passages, cluster_names=names,
                                                 minimum_anchors=2)] == ["place"]
