"""Property tests: the parsers that read text written elsewhere never crash, on any input, and
say what they could not read rather than dropping it silently."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storybrief.briefparse import _take_markers, parse_brief_text, parse_event_date
from storybrief.dates import resolve_dates
from storybrief.verify.facts import numbers_in

# Text that looks like briefs and articles: markers, dates, digits, separators, odd characters.
FRAGMENTS = st.sampled_from([
    "[1]", "[2][3]", "[12]", "[", "]", "[0]", "[99999999999999999999]", "[P1]", "Timeline", "Sources",
    "Dec 20, 2025 – ", "Jan 2026 (early) – ", "mardi", "last week", "on Tuesday", "en décembre", "le 3 février",
    "1,200", "3.5 million", "12%", "½", "٣", "2026-02-31", "\n", "\n\n", " – ", "**Lead**", "# ", "\u200b",
    "\ufeff", "\x00", "‹", "›", "—", "(", ")", "Updated (4 articles)", "All related articles (3 articles)",
])
TEXT = st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=40).map("".join)
RELAXED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(TEXT)
def test_citation_markers_never_crash_and_are_positive_numbers_in_the_text(text):
    clean, markers = _take_markers(text)
    assert isinstance(clean, str)
    assert len(markers) == len(set(markers))
    assert all(f"[{n}]" in text.replace(" ", "") or str(n) in text for n in markers)


@RELAXED
@given(TEXT)
def test_the_brief_parser_never_crashes_and_accounts_for_what_it_skipped(text):
    brief = parse_brief_text(text)
    for line, content, reason in brief.unparsed:
        assert isinstance(line, int) and line >= 1 and reason, (line, content, reason)
    parsed = sum(len(s.sentences) for s in brief.sections) + len(brief.timeline)
    if parsed == 0 and not brief.unparsed:
        # Nothing read and nothing reported: only when there was nothing but layout chrome.
        assert len([ln for ln in text.splitlines() if ln.strip()]) <= 3 or brief.headline


@RELAXED
@given(TEXT)
def test_timeline_dates_never_crash(text):
    result = parse_event_date(text)
    assert result is None or len(result) == 4


@RELAXED
@given(TEXT, st.one_of(st.none(), st.dates(min_value=dt.date(1, 1, 8), max_value=dt.date(9999, 12, 20))),
       st.sampled_from(["en", "fr", "de", "und", ""]))
def test_the_date_resolver_never_crashes_and_points_at_what_it_read(text, base, language):
    for found in resolve_dates(text, base, language):
        assert 0 <= found.start < found.end <= len(text)
        assert text[found.start:found.end] == found.expression
        assert found.iso[:4].isdigit()


@RELAXED
@given(TEXT)
def test_the_number_parser_never_crashes(text):
    for number in numbers_in(text):
        assert isinstance(number, str) and number
