"""Date expressions found in text and resolved against a publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from storybrief.dates import resolve_dates

WED = dt.date(2026, 2, 4)  # seed 004's publication date, a Wednesday
THU = dt.date(2026, 2, 5)  # seed 000's publication date, a Thursday


def _by_expression(text, base, language):
    found = resolve_dates(text, base, language)
    for item in found:
        assert text[item.start:item.end] == item.expression
    return {item.expression: item for item in found}


@pytest.fixture(scope="module")
def seed_004(seed_dir):
    return (seed_dir / "004_b6086113cabfcc05.txt").read_text(encoding="utf-8")


def test_french_weekdays_relative_to_a_wednesday(seed_004):
    found = resolve_dates(seed_004, WED, "fr")
    mardi = [d for d in found if d.expression == "mardi"]
    mercredi = [d for d in found if d.expression == "mercredi"]
    assert mardi and all(d.iso == "2026-02-03" and d.precision == "day" and d.relative for d in mardi)
    # The base's own weekday is the publication day, not a week earlier.
    assert mercredi and all(d.iso == "2026-02-04" for d in mercredi)


def test_month_without_year_is_month_precision(seed_004):
    dates = _by_expression(seed_004, WED, "fr")
    assert dates["décembre"].iso == "2025-12"
    assert dates["décembre"].precision == "month"
    assert dates["février 2022"].iso == "2022-02"
    assert not dates["février 2022"].relative


def test_bare_year_after_cue_is_year_precision(seed_004):
    dates = _by_expression(seed_004, WED, "fr")
    assert dates["2019"].iso == "2019"
    assert dates["2019"].precision == "year"


def test_english_weekdays_and_months_in_seed_000(seed_dir):
    text = (seed_dir / "000_fccfc3972268bd59.txt").read_text(encoding="utf-8")
    found = resolve_dates(text, THU, "en")
    by_word = {}
    for item in found:
        by_word.setdefault(item.expression, set()).add(item.iso)
    assert by_word["Tuesday"] == {"2026-02-03"}
    assert by_word["Thursday"] == {"2026-02-05"}
    assert by_word["Wednesday"] == {"2026-02-04"}
    assert by_word["July"] == {"2025-07"}
    assert by_word["February 2022"] == {"2022-02"}
    assert by_word["February 05, 2026"] == {"2026-02-05"}


@pytest.mark.parametrize(
    ("text", "language", "iso", "precision"),
    [
        ("He arrived on February 3, 2026.", "en", "2026-02-03", "day"),
        ("Il est arrivé le 3 février 2026.", "fr", "2026-02-03", "day"),
        ("Published 2026-02-04 in Paris.", "en", "2026-02-04", "day"),
        ("The talks ended Feb. 3 in Abu Dhabi.", "en", "2026-02-03", "day"),
        ("Il est venu hier.", "fr", "2026-02-03", "day"),
        ("Il est venu avant-hier.", "fr", "2026-02-02", "day"),
        ("Elle parle aujourd'hui.", "fr", "2026-02-04", "day"),
        ("He spoke yesterday.", "en", "2026-02-03", "day"),
        ("It happened in December.", "en", "2025-12", "month"),
        ("Sales fell in December 2025.", "en", "2025-12", "month"),
        ("Elle dirige le service depuis 2019.", "fr", "2019", "year"),
        ("He resigned last Wednesday.", "en", "2026-01-28", "day"),
    ],
)
def test_expressions(text, language, iso, precision):
    found = resolve_dates(text, WED, language)
    assert [(d.iso, d.precision) for d in found] == [(iso, precision)]


def test_without_base_only_absolute_dates():
    text = "On Tuesday, in December, he recalled February 3, 2026 and the events of 2019-05-01."
    found = resolve_dates(text, None, "en")
    assert [d.iso for d in found] == ["2026-02-03", "2019-05-01"]
    assert not any(d.relative for d in found)


def test_vague_week_spanning_two_months_is_skipped():
    # The week before Wednesday 2026-02-04 runs 26 Jan - 1 Feb: no single month to give.
    assert resolve_dates("Il a parlé la semaine dernière.", WED, "fr") == []
    # The week before 2026-02-11 is 2-8 Feb: honestly "some time in February 2026".
    found = resolve_dates("Il a parlé la semaine dernière.", dt.date(2026, 2, 11), "fr")
    assert [(d.iso, d.precision) for d in found] == [("2026-02", "month")]
    assert resolve_dates("He spoke last week.", dt.date(2026, 2, 2), "en") == []


def test_numbers_that_are_not_dates_are_ignored():
    text = "The 2019 people in 12 groups paid 2020 euros; May he rest."
    assert resolve_dates(text, WED, "en") == []
