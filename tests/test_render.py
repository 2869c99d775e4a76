"""The render stage, offline: Markdown, HTML and JSON from a hand-made Brief of the seed story."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import StrictUndefined

from storybrief import render
from storybrief.errors import ConfigError, OutputError
from storybrief.models import Brief, CitationIssue, OffTopicSource, Position, Sentence
from storybrief.render import (
    FORMATS,
    citation_markers,
    format_event_date,
    render_html,
    render_json,
    render_markdown,
    write_brief,
)

FIXTURE = Path(__file__).parent / "fixtures" / "brief_sample.json"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
EVIL = "<script>alert(1)</script>"


@pytest.fixture
def brief() -> Brief:
    return Brief.model_validate_json(FIXTURE.read_text(encoding="utf-8"))


def _lines(text: str) -> list[str]:
    return text.splitlines()


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.cites: list[dict[str, str | None]] = []
        self.tags: list[str] = []
        self.html_lang: str | None = None
        self.metas: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
            if "cite" in (a.get("class") or "").split():
                self.cites.append(a)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "meta":
            self.metas.append(a)


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


# --------------------------------------------------------------------------- the fixture


def test_fixture_passages_are_consistent(brief):
    numbers = {ref.source_id: ref.number for ref in brief.sources}
    assert sorted(numbers.values()) == list(range(1, len(brief.sources) + 1))
    for pid, passage in brief.passages.items():
        assert pid == passage.id
        assert passage.source_id in numbers
        assert passage.end - passage.start == len(passage.text)
    for section in brief.sections:
        for sentence in section.sentences:
            assert all(c in brief.passages for c in sentence.citations)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed texts not present")
def test_fixture_passages_quote_the_seed_articles(brief):
    def squash(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip()

    seeds = [squash(p.read_text(encoding="utf-8")) for p in SEEDS.glob("00[0234]_*.txt")]
    for passage in brief.passages.values():
        assert any(squash(passage.text) in seed for seed in seeds), passage.text


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders(brief, fmt):
    text = render.render(brief, fmt)
    assert brief.headline in text
    assert text.endswith("\n")


def test_json_round_trips(brief):
    assert Brief.model_validate_json(render_json(brief)) == brief


def test_unknown_format_is_a_config_error(brief):
    with pytest.raises(ConfigError):
        render.render(brief, "pdf")


# --------------------------------------------------------------------------- markdown layout


def test_markdown_follows_the_seed_layout(brief):
    md = render_markdown(brief)
    lines = _lines(md)
    order = [
        lines.index(f"# {brief.headline}"),
        lines.index("Updated (3 articles)"),
        *(next(i for i, line in enumerate(lines) if line.startswith(f"**{s.lead}** ")) for s in brief.sections),
        lines.index("## Sources"),
        lines.index("## Timeline"),
        lines.index("## All related articles (3 articles)"),
    ]
    assert order == sorted(order)
    assert lines[0].startswith("# ")


def test_article_counts_follow_the_sources(brief):
    two = brief.model_copy(update={"sources": brief.sources[:2]})
    md = render_markdown(two)
    assert "Updated (2 articles)" in _lines(md)
    assert "## All related articles (2 articles)" in _lines(md)
    one = brief.model_copy(update={"sources": brief.sources[:1]})
    assert "Updated (1 article)" in _lines(render_markdown(one))


def test_an_article_set_aside_as_off_topic_is_no_related_article(brief):
    """Yemen's brief counted the Sudan post it set aside among its 11 related articles."""
    aside = brief.sources[1]
    brief = brief.model_copy(update={"off_topic": [OffTopicSource(source_id=aside.source_id, number=aside.number,
                                                                  title=aside.title, relevance=0.1)]})
    n = len(brief.sources) - 1
    md = render_markdown(brief)
    assert f"Updated ({n} articles)" in _lines(md)
    related = md.split(f"## All related articles ({n} articles)", 1)[1]
    assert aside.title not in related and brief.sources[0].title in related
    assert f"[{aside.number}]" in md.split("## Sources", 1)[1], "still listed under its number"
    html = render_html(brief)
    assert aside.title not in html.split('<section id="related">', 1)[1].split("</section>", 1)[0]


def test_timeline_lines(brief):
    lines = _lines(render_markdown(brief))
    assert "Feb 3, 2026 – Bonne meets Yuri Ushakov in Moscow; Macron tells reporters technical-level discussions are under way [3][1][2]." in lines
    assert any(re.fullmatch(r"Dec 2025 – .+ \[2\]\.", line) for line in lines)
    assert any(re.fullmatch(r"2019 – .+ \[2\]\.", line) for line in lines)
    timeline = lines[lines.index("## Timeline") + 1 : lines.index("## All related articles (3 articles)")]
    entries = [line for line in timeline if line]
    assert len(entries) == len(brief.timeline)
    for line in entries:
        assert re.fullmatch(r"(\w{3} \d{1,2}, \d{4}|\w{3} \d{4}|\d{4}) – .+(\[\d+\])+\.?", line), line


@pytest.mark.parametrize(
    ("iso", "precision", "expected"),
    [
        ("2026-02-03", "day", "Feb 3, 2026"),
        ("2025-12", "month", "Dec 2025"),
        ("2025", "year", "2025"),
        ("2026-02-03", "month", "Feb 2026"),  # longer than its precision
        ("2026-02-03", "year", "2026"),
        ("2026-02-03T10:15:00Z", "day", "Feb 3, 2026"),
        ("2026-02", "day", "Feb 2026"),  # shorter than its precision: what it has
        ("2026-02-30", "day", "Feb 2026"),  # not a real day
        ("2026-13", "month", "2026"),
        ("early 2026", "month", "early 2026"),  # not ISO: as it is
    ],
)
def test_event_dates(iso, precision, expected):
    assert format_event_date(iso, precision) == expected


def test_sources_list(brief):
    md = render_markdown(brief)
    lines = _lines(md)
    first = next(line for line in lines if line.startswith("- [1] "))
    assert first.startswith("- [1] The Moscow Times — Macron Sent Top Diplomatic Adviser")
    assert "Feb 5, 2026" in first
    # The merge is told by its count; the input files are the JSON's, not the reader's.
    assert first.endswith("(merged from 2 near-duplicate copies)") and ".txt" not in first
    second = next(line for line in lines if line.startswith("- [2] "))
    assert "Reuters" in second and "Feb 4, 2026" in second and "in French" in second
    third = next(line for line in lines if line.startswith("- [3] "))
    assert "Untitled" in third and "in English" not in third  # same language as the brief: not said


def test_markdown_is_clean_commonmark(brief):
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").render(render_markdown(brief))
    assert html.count("<h1>") == 1
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings[-3:] == ["Sources", "Timeline", "All related articles (3 articles)"]
    assert html.count("<strong>") == len(brief.sections)
    assert "[1][2][3]" in html  # markers stay literal text, not links
    assert "<a " not in html.split("<h2>Sources</h2>")[0]


# --------------------------------------------------------------------------- citation markers


def test_markers_are_source_numbers_collapsed_in_first_appearance_order(brief):
    first = brief.sections[0].sentences[0]
    markers = citation_markers(brief, first.citations)
    assert [m.label for m in markers] == ["[1]", "[2]", "[3]"]
    assert len(markers[1].passage_ids) == 2  # two Reuters passages, one marker
    kremlin = brief.sections[1].sentences[1]
    assert [m.label for m in citation_markers(brief, kremlin.citations)] == ["[3]", "[1]"]
    doubled = citation_markers(brief, kremlin.citations + kremlin.citations[::-1])
    assert [m.label for m in doubled] == ["[3]", "[1]"]
    md = render_markdown(brief)
    assert "Yuri Ushakov [1][2][3]. According" in md
    assert "took place [3][1]." in md


def test_unresolvable_citation_is_shown_not_dropped(brief):
    sentence = brief.sections[0].sentences[2]
    broken = sentence.model_copy(update={"citations": [*sentence.citations, "nope-123"]})
    sections = [s.model_copy(deep=True) for s in brief.sections]
    sections[0].sentences[2] = broken
    odd = brief.model_copy(update={"sections": sections, "citation_issues": []})
    md = render_markdown(odd)
    assert "the trip [2][?]." in md
    assert "## Citation check" in md and "nope-123" in md
    assert "nope-123" in render_html(odd)


def test_html_markers_link_to_shown_passages(brief):
    html = render_html(brief)
    doc = _parse(html)
    for pid in brief.passages:
        assert f"p-{pid}" in doc.ids
    assert doc.cites
    for a in doc.cites:
        assert a["href"].startswith("#p-") and a["href"][1:] in doc.ids
        assert a["title"]
    first = doc.cites[0]
    passage = brief.passages[brief.sections[0].sentences[0].citations[0]]
    assert first["href"] == f"#p-{passage.id}"
    assert passage.text[:40] in first["title"]
    timeline_part = html.split('id="timeline"')[1]
    assert timeline_part.count('class="cite"') >= len(brief.timeline)
    assert re.search(r"<time datetime=\"2026-02-03\">Feb 3, 2026</time> – ", timeline_part)
    # The seed order holds; the quoted passages come after it, as an appendix.
    heads = [html.index(h) for h in ("<h2>Sources</h2>", "<h2>Timeline</h2>", "<h2>All related articles", "<h2>Cited passages")]
    assert heads == sorted(heads)
    assert "Ushakov&nbsp;<span" in html  # a marker never wraps onto a line of its own


# --------------------------------------------------------------------------- notes: issues, omissions, verification


def test_citation_issues_are_visible(brief):
    md = render_markdown(brief)
    assert "## Citation check" in md
    assert "Abu Dhabi [citation removed]." in md
    assert "P47" in md and "Section 3" in md
    html = render_html(brief)
    assert 'id="citation-check"' in html
    assert "[citation removed]" in html
    clean = brief.model_copy(update={"citation_issues": []})
    clean_md = render_markdown(clean)
    assert "Citation check" not in clean_md
    assert "Abu Dhabi [uncited]." in clean_md  # no citation at all is never silent either


def test_marked_and_unplaceable_issues(brief):
    issues = [
        CitationIssue(where=Position.of_sentence(0, 1), citation="P3", problem="does not support it", action="marked"),
        CitationIssue(where=Position.of_sentence(9, 0), citation="P9", problem="mystery", action="removed"),
    ]
    md = render_markdown(brief.model_copy(update={"citation_issues": issues}))
    assert "the initiative [2] [citation flagged]." in md
    assert "Section 10 sentence 1" in md and "mystery" in md  # past the end: listed, not pinned


def test_omitted_sources_are_named(brief):
    left_out = brief.sources[2]
    md = render_markdown(brief.model_copy(update={"omitted_sources": [left_out.source_id, "gone-id"]}))
    assert "## Sources left out" in md
    assert "context window" in md
    note = md.split("## Sources left out")[1].split("## Sources")[0]
    assert "[3] Untitled" in note and "gone-id" in note
    assert "Sources left out" not in render_markdown(brief)


def test_verification_line(brief):
    """'Verification passed' only when every line is supported: this brief's summary says passed,
    but two of its twelve lines are not supported, so the stamp says so."""
    md = render_markdown(brief)
    assert "Verification passed" not in md
    assert "Not fully verified: 10 of 12 lines are supported by their cited passages; 2 marked where they stand" in md
    assert 'class="verification failed"' in render_html(brief)
    clean = brief.verification.model_copy(update={"supported": 12, "partially_supported": 0, "unsupported": 0})
    assert "Verification passed: all 12 lines are supported" in render_markdown(brief.model_copy(update={"verification": clean}))
    translated = clean.model_copy(update={"supported": 9, "translated": 3})
    line = render_markdown(brief.model_copy(update={"verification": translated}))
    assert ("9 of 12 lines are supported by their cited passages; the other 3 are translated from another "
            "language, checked for") in line
    assert "marked where they stand" not in line
    # A brief all translated is not told "0 of 12 lines are supported", as if every line had failed.
    every = clean.model_copy(update={"supported": 0, "translated": 12})
    line = render_markdown(brief.model_copy(update={"verification": every}))
    assert ("Not fully verified: 12 of 12 translated from another language, checked for names, numbers, dates, "
            "roles, negation and mood, not for meaning") in line
    assert "0 of 12" not in line
    assert "Verification" not in render_markdown(brief.model_copy(update={"verification": None}))


def test_a_quote_of_part_of_a_sentence_still_ends_as_one(brief):
    """The seed's 4 February entry quoted the part of its passage a line copied, which stops
    before the passage's full stop: it read "... on Wednesday and Thursday” [2]", with no end
    and no sign that its sentence goes on."""
    entry = brief.timeline[0].model_copy(update={"quote": "en", "text": "The talks ran on Wednesday and Thursday"})
    md = render_markdown(brief.model_copy(update={"timeline": [entry, *brief.timeline[1:]]}))
    assert re.search(r"“The talks ran on Wednesday and Thursday…” \[\d+\]\.", md)


def test_quotes_translations_and_marks_are_shown_where_they_stand(brief):
    first = brief.sections[0].sentences[0]
    quoted = first.model_copy(update={"quote": "fr", "text": "Emmanuel Bonne s'est rendu à Moscou."})
    translated = brief.sections[0].sentences[1].model_copy(update={"translated_from": "fr"})
    flagged = brief.timeline[0].model_copy(update={"flag": "only partly supported by its source"})
    section = brief.sections[0].model_copy(update={"sentences": [quoted, translated]})
    marked = brief.model_copy(update={"sections": [section, *brief.sections[1:]],
                                      "timeline": [flagged, *brief.timeline[1:]],
                                      "headline_flag": "not confirmed by the sources",
                                      "warnings": ["an internal note"]})
    md = render_markdown(marked)
    assert "“Emmanuel Bonne s'est rendu à Moscou” (in French) [" in md
    assert "(translated from French; meaning not checked) [" in md
    assert "[only partly supported by its source]" in md
    assert "*Headline not confirmed by the sources.*" in md
    assert "an internal note" not in md, "internal notes are not the reader's"
    html = render_html(marked)
    assert '<details class="notes" id="notes">' in html and "an internal note" in html
    assert "<details open" not in html


def test_a_french_brief_is_labelled_in_french(brief):
    md = render_markdown(brief.model_copy(update={"language": "fr"}))
    assert "Mis à jour (3 articles)" in md and "## Chronologie" in md and "## Tous les articles liés" in md
    assert "Timeline" not in md and "Updated" not in md


# --------------------------------------------------------------------------- html safety and shape


def _evil(brief: Brief) -> Brief:
    bad = brief.model_copy(deep=True)
    bad.headline = f"Headline {EVIL}"
    bad.sources[0].title = EVIL
    bad.sources[0].outlet = f"Outlet {EVIL}"
    bad.sources[1].url = "javascript:alert(1)"
    bad.sources[2].url = 'https://example.org/a"><script>alert(1)</script>'
    bad.sections[0].lead = f"Lead {EVIL}"
    first = bad.sections[0].sentences[0]
    bad.sections[0].sentences[0] = Sentence(text=f"Said {EVIL} today.", citations=first.citations)
    pid = first.citations[0]
    bad.passages[pid] = bad.passages[pid].model_copy(update={"text": f"Quote {EVIL} end"})
    bad.timeline[0] = bad.timeline[0].model_copy(update={"text": f"Event {EVIL}"})
    bad.warnings.append(EVIL)
    return bad


def test_html_escapes_content(brief):
    html = render_html(_evil(brief))
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html
    assert "script" not in _parse(html).tags


def test_markdown_escapes_content(brief):
    md = render_markdown(_evil(brief))
    assert "<script>" not in md
    assert "\\<script\\>" in md
    assert "javascript:" not in md
    markdown_it = pytest.importorskip("markdown_it")
    assert "<script" not in markdown_it.MarkdownIt("commonmark").render(md)


def test_html_is_self_contained_and_phone_ready(brief):
    html = render_html(brief)
    doc = _parse(html)
    assert doc.html_lang == brief.language
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in doc.metas
    assert {"name": "generator", "content": "storybrief"} in doc.metas
    assert "style" in doc.tags
    for tag in ("script", "link", "img", "iframe", "object"):
        assert tag not in doc.tags
    assert "@import" not in html and "url(" not in html
    assert "max-width" in html and ":target" in html
    assert not re.search(r"\bsrc=", html)


def test_html_environment_is_strict_and_autoescaping():
    env = render._environment()
    assert env.autoescape is True
    assert env.undefined is StrictUndefined


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("fmt", FORMATS)
def test_write_brief_writes_atomically(brief, tmp_path, fmt):
    target = tmp_path / f"brief.{fmt}"
    assert write_brief(brief, target, fmt) == target
    assert target.read_text(encoding="utf-8") == render.render(brief, fmt)
    assert os.listdir(tmp_path) == [target.name]


def test_write_brief_infers_the_format(brief, tmp_path):
    write_brief(brief, tmp_path / "out.html")
    assert (tmp_path / "out.html").read_text(encoding="utf-8").startswith("<!doctype html>")
    with pytest.raises(ConfigError):
        write_brief(brief, tmp_path / "out.txt")
    assert not (tmp_path / "out.txt").exists()


def test_failed_render_leaves_the_old_file(brief, tmp_path, monkeypatch):
    target = tmp_path / "brief.html"
    target.write_text("old brief", encoding="utf-8")

    def boom(_brief):
        raise RuntimeError("render failed")

    monkeypatch.setattr(render, "render_html", boom)
    with pytest.raises(RuntimeError):
        write_brief(brief, target, "html")
    assert target.read_text(encoding="utf-8") == "old brief"
    assert os.listdir(tmp_path) == [target.name]


def test_failed_write_leaves_the_old_file(brief, tmp_path, monkeypatch):
    target = tmp_path / "brief.md"
    target.write_text("old brief", encoding="utf-8")

    def no_rename(*_args, **_kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", no_rename)
    with pytest.raises(OutputError, match="disk gone"):
        write_brief(brief, target, "md")
    assert target.read_text(encoding="utf-8") == "old brief"
    assert os.listdir(tmp_path) == [target.name]


def test_markdown_block_starts_are_escaped(brief):
    odd = brief.model_copy(deep=True)
    odd.sections[0].lead = ""
    odd.sections[0].sentences[0] = Sentence(text="1. Not a list *nor* _emphasis_ [link](x)", citations=[])
    odd.sections[1].lead = "# Not a heading"
    md = render_markdown(odd)
    assert "1\\. Not a list \\*nor\\* \\_emphasis\\_ \\[link\\](x) [uncited]" in md
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").render(md)
    assert "<ol" not in html and "<em>nor</em>" not in html and "<em>emphasis</em>" not in html
    assert html.count("<h1>") == 1 and "<a " not in html
    assert "<strong># Not a heading</strong>" in html


def test_positions_are_typed_and_round_trip(brief):
    where = Position.of_sentence(2, 3)
    assert where.label() == "section 3 sentence 4" and Position.of_entry(0).label() == "timeline entry 1"
    assert Position(kind="headline").label() == "headline" and Position.of_line(7).label() == "line 7"
    issue = CitationIssue(where=where, citation="P3", problem="x", action="marked")
    edited = brief.model_copy(update={"citation_issues": [issue]})
    again = Brief.model_validate_json(edited.model_dump_json())
    assert again == edited and again.citation_issues[0].where == where
    assert {where: 1}[Position.of_sentence(2, 3)] == 1  # hashable: stages key edits by it


def test_a_translated_headline_says_so(brief):
    """The Yemen headline, worded from Le Point in French, carried no mark at all."""
    translated = brief.model_copy(update={"headline_translated_from": "fr"})
    markdown = render_markdown(translated)
    assert f"Updated ({len(brief.sources)} articles) · headline translated from French; meaning not checked" in markdown
    assert "headline translated from" in render_html(translated)
    assert "headline translated" not in render_markdown(brief)


def test_an_untitled_source_reads_by_its_opening_words_and_the_headline_has_no_full_stop(brief):
    """'Untitled (003_6c1aee5aea172821.txt)' told an editor nothing; the aggregator's headlines
    end without a full stop, and the model's end with one."""
    brief.headline = "Dr Conrad Murray is sentenced to four years in county jail."
    third = next(ref for ref in brief.sources if ref.number == 3 and not ref.title)
    third.opening = "The Kremlin has declined to confirm or deny reports that a senior…"
    md = render_markdown(brief)
    assert md.startswith("# Dr Conrad Murray is sentenced to four years in county jail\n")
    line = next(line for line in _lines(md) if line.startswith("- [3] "))
    assert "“The Kremlin has declined to confirm or deny reports that a senior…”" in line
    assert "Untitled" not in line and ".txt" not in line
    assert "“The Kremlin has declined" in render_html(brief)
    brief.headline = "Talks in the U.S."
    assert render_markdown(brief).startswith("# Talks in the U.S.\n")
