"""Date expressions found in text and resolved against a publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from storybrief.dates import reconcile_years, resolve_dates
from storybrief.models import Passage

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


# --------------------------------------------------------------------------- tense and role

MON_NOV_7 = dt.date(2011, 11, 7)
WED_NOV_9 = dt.date(2011, 11, 9)
MID_JULY = dt.date(2011, 7, 15)


@pytest.mark.parametrize(
    ("text", "base", "language", "iso", "tense"),
    [
        # A future-tense clause points forward; a past-tense one keeps the past reading.
        ("His lawyers will file on Monday.", WED_NOV_9, "en", "2011-11-14", "future"),
        ("His lawyers filed on Monday.", WED_NOV_9, "en", "2011-11-07", "past"),
        ("Il déposera plainte lundi.", WED_NOV_9, "fr", "2011-11-14", "future"),
        ("Il a déposé plainte lundi.", WED_NOV_9, "fr", "2011-11-07", "past"),
        ("The trial will open on 8 October.", MID_JULY, "en", "2011-10-08", "future"),
        ("The trial opened on 8 October.", MID_JULY, "en", "2010-10-08", "past"),
        ("Le procès s'ouvrira le 8 octobre.", MID_JULY, "fr", "2011-10-08", "future"),
        ("Le procès s'est ouvert le 8 octobre.", MID_JULY, "fr", "2010-10-08", "past"),
        ("Sentencing is expected on 29 November.", MON_NOV_7, "en", "2011-11-29", "future"),
        ("Les élections sont prévues en octobre.", MID_JULY, "fr", "2011-10", "future"),
        ("Les élections ont eu lieu en octobre.", MID_JULY, "fr", "2010-10", "past"),
        # No tense cue: the nearer reading, an upcoming date counting double its distance.
        ("Les élections du 8 octobre.", MID_JULY, "fr", "2011-10-08", None),
        ("Les élections du 20 décembre.", MID_JULY, "fr", "2010-12-20", None),
    ],
)
def test_tense_decides_the_direction_of_a_relative_date(text, base, language, iso, tense):
    [found] = resolve_dates(text, base, language)
    assert (found.iso, found.tense) == (iso, tense)


def test_tense_keeps_the_precision_the_text_gives():
    [month] = resolve_dates("The verdict will come in October.", MID_JULY, "en")
    assert (month.iso, month.precision) == ("2011-10", "month")
    [day] = resolve_dates("The verdict will come on 8 October.", MID_JULY, "en")
    assert (day.iso, day.precision) == ("2011-10-08", "day")


@pytest.mark.parametrize(
    ("text", "language", "roles"),
    [
        ("MOSCOW, Feb 4 (Reuters) - The Kremlin said on Tuesday it had no comment.", "en",
         [("Feb 4", "publication"), ("Tuesday", "event")]),
        ("SANAA, 4 février 2026 - Des manifestants ont défilé mardi.", "fr",
         [("4 février 2026", "publication"), ("mardi", "event")]),
        ("February 04, 2026", "en", [("February 04, 2026", "publication")]),
        ("Publié le 4 février 2026 à 12h00", "fr", [("4 février 2026", "publication")]),
        ("Last updated on 4 February 2026", "en", [("4 February 2026", "publication")]),
        ("The talks ended on 4 February 2026 in Abu Dhabi.", "en", [("4 February 2026", "event")]),
    ],
)
def test_datelines_and_stamps_date_the_article_not_an_event(text, language, roles):
    found = resolve_dates(text, WED, language)
    assert [(d.expression, d.role) for d in found] == roles


def test_seed_datelines_are_publication_dates(seed_dir):
    text = (seed_dir / "000_fccfc3972268bd59.txt").read_text(encoding="utf-8")
    roles = {d.expression: d.role for d in resolve_dates(text, THU, "en")}
    assert roles["February 05, 2026"] == "publication"
    assert roles["July"] == "event"


def test_since_points_to_the_past_whatever_the_verb():
    [found] = resolve_dates("Eman al-Obeydi se trouve aux USA depuis le 24 juillet.", dt.date(2011, 6, 9), "fr")
    assert (found.iso, found.tense) == ("2010-07-24", "past")


def test_a_chronologys_short_months_and_since_the_end_of_a_month():
    """Le Point's review of 2011 lists "- 23 nov: YEMEN - Confronté à une contestation populaire
    depuis fin janvier, ...": the day needs no dot after its short month, and "depuis fin
    janvier" in a December article is the January before."""
    text = "- 23 nov: YEMEN - Confronté à une contestation depuis fin janvier, le président signe un accord."
    found = {d.expression: d for d in resolve_dates(text, dt.date(2011, 12, 22), "fr")}
    assert found["23 nov"].iso == "2011-11-23" and found["23 nov"].precision == "day"
    assert (found["janvier"].iso, found["janvier"].tense) == ("2011-01", "past")
    assert resolve_dates("Le 3 mar était calme.", dt.date(2011, 12, 22), "fr") == [], "no short form of mars"


# --------------------------------------------------------------------------- years across sources


def _passage(source: str, text: str, base: dt.date) -> Passage:
    return Passage(id=f"{source}-0", source_id=source, index=0, start=0, end=len(text), text=text,
                   dates=resolve_dates(text, base, "en"))


def test_a_yearless_date_takes_the_year_more_sources_give_it():
    # The MJ cluster: a July article's past-tense clause read "8 October" as last October,
    # while the articles that name the year or say "will" date the concert this October.
    misread = _passage("a", "The 8 October gig at the Millennium Stadium was announced on Monday.", dt.date(2011, 7, 26))
    assert misread.dates[0].iso == "2010-10-08"
    others = [_passage("b", "The concert will take place in Cardiff on 8 October.", dt.date(2011, 9, 23)),
              _passage("c", "On 8 October 2011 the tribute concert was held in Cardiff.", dt.date(2011, 10, 10))]
    reconciled = reconcile_years([misread, *others])
    assert reconciled[0].dates[0].iso == "2011-10-08"
    assert reconciled[0].dates[0].expression == "8 October", "only the year moves"
    assert reconciled[1:] == others, "dates the sources agree on are left alone"


def test_a_guessed_year_no_other_source_contradicts_is_kept():
    alone = _passage("a", "The trial opened on 8 October.", MID_JULY)
    # One other source giving the other year does not outvote it: a tie keeps the reading.
    other = _passage("b", "The concert will take place on 8 October.", MID_JULY)
    assert [p.dates[0].iso for p in reconcile_years([alone, other])] == ["2010-10-08", "2011-10-08"]
    # A date the text gives with its year, or with "last", is never moved.
    stated = _passage("c", "He died on 25 June 2009 and was buried last June.", dt.date(2010, 2, 1))
    agreed = [_passage(s, "The festival will open on 25 June.", dt.date(2010, 6, 1)) for s in "xyz"]
    assert reconcile_years([stated, *agreed])[0] == stated


def test_a_date_the_clause_follows_dates_no_event():
    seed = ("Earlier, the Kremlin welcomed Macron's proposal for Europe to once again engage with Russia after having "
            "largely cut off communications with officials in Moscow following the full-scale invasion of Ukraine in "
            "February 2022.")
    assert [(d.iso, d.role) for d in resolve_dates(seed, THU, "en")] == [("2022-02", "anchor")]
    avant = resolve_dates("Les négociations ont repris avant le scrutin du 3 mars.", MID_JULY, "fr")
    assert [d.role for d in avant] == ["anchor"]
    # "since" / "depuis" tell an event: something began that day.
    depuis = resolve_dates("La Libye est en proie depuis le 15 février à une révolte.", dt.date(2011, 3, 1), "fr")
    assert [(d.iso, d.role) for d in depuis] == [("2011-02-15", "event")]
