"""Candidate timeline events: event-dated passages grouped across sources by date and content."""

from __future__ import annotations

import datetime as dt

from storybrief.events import event_candidates
from storybrief.models import OffTopicSource, Source, Story
from storybrief.passages import split_passages


def _story(*articles: tuple[str, dt.date, str], off_topic: tuple[int, ...] = ()) -> Story:
    sources, passages = [], []
    for number, (text, published, language) in enumerate(articles, start=1):
        source = Source(id=f"src{number:03d}", number=number, origins=[f"a{number}.txt"], published=published,
                        language=language, text=text)
        sources.append(source)
        passages.extend(split_passages(source, published))
    set_aside = [OffTopicSource(source_id=s.id, number=s.number, relevance=0.0) for s in sources
                 if s.number in off_topic]
    return Story(name="t", sources=sources, passages=passages, off_topic=set_aside)


FRI = dt.date(2011, 3, 18)
SAT = dt.date(2011, 3, 19)


def test_one_event_reported_by_several_sources_is_one_candidate():
    story = _story(
        ("Security forces opened fire on protesters in Sanaa on Friday, killing 45 people.", FRI, "en"),
        ("Les forces de sécurité ont tiré sur les manifestants à Sanaa vendredi. "
         "On compte 45 morts parmi les manifestants.", SAT, "fr"),
        ("On 18 March 2011, security forces fired on protesters in Sanaa; 45 people were killed.", SAT, "en"),
        ("On Friday, President Saleh declared a state of emergency across the country.", SAT, "en"),
    )
    friday = [c for c in event_candidates(story) if c.date == "2011-03-18"]
    shooting = [c for c in friday if "src001" in c.source_ids]
    assert len(shooting) == 1
    assert set(shooting[0].source_ids) == {"src001", "src002", "src003"}
    assert shooting[0].source_count == 3
    assert shooting[0].precision == "day"
    # A different event of the same day is a different candidate.
    emergency = [c for c in friday if "src004" in c.source_ids]
    assert len(emergency) == 1 and emergency[0].source_ids == ["src004"]


def test_publication_dates_are_never_events_and_off_topic_sources_give_none():
    story = _story(
        ("SANAA, 18 March 2011 (Reuters) - Protesters marched in Sanaa on Thursday.", FRI, "en"),
        ("Police beat students in Khartoum on Thursday, 17 March.", FRI, "en"),
        off_topic=(2,),
    )
    candidates = event_candidates(story)
    assert [c.date for c in candidates] == ["2011-03-17"]
    assert candidates[0].source_ids == ["src001"]


def test_a_planned_event_is_marked_as_such():
    story = _story(("Dr Murray will be sentenced on 29 November, the judge said.", dt.date(2011, 11, 7), "en"))
    [candidate] = event_candidates(story)
    assert (candidate.date, candidate.planned, candidate.expressions) == ("2011-11-29", True, ["29 November"])


def test_candidates_are_in_date_order_coarser_first():
    story = _story(
        ("Protests began in January. On 27 January, 16,000 people marched in Sanaa.", FRI, "en"),
        ("Saleh said on 2 February that he would not run again.", FRI, "en"),
    )
    assert [(c.date, c.precision) for c in event_candidates(story)] == [
        ("2011-01", "month"), ("2011-01-27", "day"), ("2011-02-02", "day")]


def test_an_event_dated_after_every_article_that_tells_it_is_planned():
    # The MJ cluster: "have backed plans for the concert on 8 October", said in August; only a
    # report published on or after the day tells that it happened.
    backed = ("Jackson's mother has backed plans for the tribute concert in Cardiff on 8 October 2011.",
              dt.date(2011, 8, 30), "en")
    (announced,) = event_candidates(_story(backed))
    assert announced.date == "2011-10-08" and announced.planned
    held = ("The tribute concert took place in Cardiff on 8 October.", dt.date(2011, 10, 9), "en")
    told = [c for c in event_candidates(_story(backed, held)) if c.date == "2011-10-08"]
    assert told and not any(c.planned for c in told)


def test_an_event_is_told_by_a_report_of_it_done_not_by_its_announcement():
    # MJ: "The panel will resume considering the manslaughter charge on Monday" (4 November)
    # and "7 November 2011 Dr Murray is found guilty of the manslaughter charge" are one event,
    # and the timeline must word it from the verdict, not from the announcement.
    story = _story(
        ("The jury will resume considering the manslaughter charge against Dr Murray on Monday.",
         dt.date(2011, 11, 4), "en"),
        ("7 November 2011 The jury finds Dr Murray guilty of the manslaughter charge.", dt.date(2011, 11, 30), "en"),
    )
    (verdict,) = [c for c in event_candidates(story) if c.date == "2011-11-07"]
    assert verdict.source_ids == ["src002", "src001"] and not verdict.planned
    assert verdict.passage_ids[0].startswith("src002")
