"""Summarise a story into a cited brief: the model chooses, the sources speak.

A 1.5B model is good at choosing among labelled options and at rewording one short text;
it is bad at dates, at roles and titles, and at keeping facts apart over a long window. So
it is given only the first kind of work:

1. ``brief.j2`` (one call): the model reads the articles and the numbered candidate events
   and only chooses: the passage with the main news, two to four sections (an aspect from a
   fixed list, and the passages that state it), and the events of the timeline.
2. ``word.j2`` (one call): each chosen passage becomes one line in the brief's language by a
   translate-style request (the headline from the main passage; a timeline entry from what
   its passage says happened on the event's date). Dates are the resolver's, never the
   model's; section titles come from a fixed table in the brief's language.
3. :func:`repair_brief`: every line goes through the gate (:mod:`storybrief.gate`) and, given
   a checker, the verifier. What fails is re-asked once (``repair.j2``, one call a line);
   what still fails is replaced by its passage quoted verbatim; what the verifier still does
   not support is dropped or visibly marked. A line copied word for word is shown as a quote
   of the passage it copies. "Verification passed" only when every line is supported.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from types import GenericAlias
from collections import Counter
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

import pydantic_core
from pydantic import Field, ValidationError, create_model

from .dates import explicitness
from .errors import ConfigError, ContextOverflowError, ModelOutputError
from .events import event_candidates as grouped_event_candidates, event_words, reports_same_event
from .gate import (Problem, attributed, check_line, drop_unsupported_titles, find_copy, finished, reports_words,
                   name_the_days, restore_elided_articles, without_echoed_question, without_wire_tail)
from .llm import LLM, StructuredFailure
from .models import (
    Brief,
    ClaimVerdict,
    Passage,
    Position,
    Precision,
    Record,
    Section,
    Sentence,
    SourceRef,
    Story,
    TimelineEvent,
    Verdict,
    VerificationReport,
)
from .passages import SubjectWords, refit_budget, select_passages, subject_share
from .prompts import PromptLibrary, RenderedPrompt, fence_text
from .sources import opening
from .text import (content_words, glossed, leans_on_context, mend_look_alikes, mend_name_spellings,
                   mend_split_numbers, name_spellings)

# What the verifier is to the summariser: a brief and its story in, a report out.
Checker = Callable[[Brief, Story], VerificationReport]

LANGUAGE_NAMES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian"}

# The aspects a section may cover, as the model chooses them, and their titles in each
# language the brief may be written in: titles never come from the model, so they are
# always in the brief's language.
ASPECTS = ("what happened", "what was said", "background", "what comes next")
SECTION_TITLES = {
    "en": {"what happened": "What happened", "what was said": "What was said",
           "background": "Background", "what comes next": "What comes next"},
    "fr": {"what happened": "Les faits", "what was said": "Les déclarations",
           "background": "Le contexte", "what comes next": "La suite"},
}
# Marks a reader sees beside a line the verifier does not fully support.
FLAGS = {
    "en": {"partial": "only partly supported by its source", "headline": "not confirmed by the sources"},
    "fr": {"partial": "confirmé en partie seulement par sa source", "headline": "non confirmé par les sources"},
}
MONTH_NAMES = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
}

# Candidate events shown to the model, the most reported first. From 14, it picked Libya's
# 8 March and 16 May (2 articles each of 133) over 19 March (8) and 29 August (6).
MAX_SHOWN_EVENTS = 8
LATEST_ARTICLES = 3  # the headline's passage is chosen among the newest articles shown
EVENT_TOKENS = 700  # their share of the choosing call's window: 8 clipped passages, measured 40-80 tokens each
EVENT_CHARS = 240
LONG_EVENT_PASSAGE = 320
MAX_TIMELINE = 6
# The model may choose fewer events: the timeline is topped up to this many from the top of
# the shortlist (the most reported first), so that it spans the story once lines the checks
# drop are gone (a translation that changes a fact is dropped, not shipped).
TIMELINE_FLOOR = MAX_TIMELINE
# The first of the shortlist (the latest development, then the best-reported days) make the
# timeline whatever the model chooses: given MJ's list, it once chose the hearings, the opening
# arguments and a police interview, and left out the verdict, third on the list.
SPINE_EVENTS = 3
# The latest development is the most reported event of the story's last tenth, up to a month
# (a one-source aside dated later is not it), the latest of those reported alike.
RECENT_DAYS = 31
RECENT_SHARE = 0.1
# A timeline starts at most this long before the story's first article: older dates its
# sources give are background (a birth date in a fact box, the war a peace talk follows).
LEAD_IN_DAYS = 365
MIN_TIMELINE = 3
# An article's lead tells an event undated ("has been found guilty") when written this many days after it at most.
LEAD_REPORT_DAYS = 1
LEAD_SHARED_WORDS = 3
# A passage this short, in the brief's language, needs no rewording: it is quoted as it
# stands (the model copies it anyway, and each worded line costs generation time).
QUOTE_AS_IS = {"section": 160, "timeline": 220}


def _titles(language: str) -> dict[str, str]:
    return SECTION_TITLES.get(language, SECTION_TITLES["en"])


def _flag(language: str, kind: str) -> str:
    return FLAGS.get(language, FLAGS["en"])[kind]


def spoken_date(iso: str, precision: str, language: str) -> str:
    """A resolved date as words in the brief's language: "3 February 2026", "February 2026"."""
    parts = [int(x) for x in iso.split("-")]
    months = MONTH_NAMES.get(language, MONTH_NAMES["en"])
    if precision == "day" and len(parts) == 3:
        return f"{parts[2]} {months[parts[1] - 1]} {parts[0]}"
    if precision in ("day", "month") and len(parts) >= 2:
        return f"{months[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


# ---------------------------------------------------------------------------
# Candidate events (events.py: passages dated by an event, grouped across sources by date and
# content), with their passages at hand.


@dataclass(frozen=True, eq=False)  # one candidate is one event: compared by identity
class EventCandidate:
    date: str
    precision: Precision
    passages: tuple[Passage, ...]
    sources: int


def event_candidates(story: Story) -> list[EventCandidate]:
    """The story's events that happened (not those only announced), chronological; a month is
    an event of its own only when no day inside it is ("in June" beside "on 25 June" is the
    same story told less precisely)."""
    by_id = {p.id: p for p in story.passages}
    grouped = [c for c in grouped_event_candidates(story) if not c.planned]
    days = {c.date[:7] for c in grouped if c.precision == "day"}
    candidates = []
    for c in grouped:
        # "The photographer took this one on 15 October": a passage about what its article shows.
        told = tuple(by_id[pid] for pid in c.passage_ids if not leans_on_context(by_id[pid].text))
        if told and (c.precision == "day" or c.date not in days):
            candidates.append(EventCandidate(c.date, c.precision, told, c.source_count))
    return candidates


def _subject_words(story: Story) -> SubjectWords | None:
    """What tells that a passage is about the story; None when the story has no subject terms."""
    return SubjectWords.of(story.subject, story) if story.subject is not None and story.subject.terms else None


def _story_span(story: Story) -> tuple[dt.date, dt.date] | None:
    """The days a timeline of the story covers: from LEAD_IN_DAYS before its first article
    to its latest; None when no article is dated."""
    published = [s.published for s in story.sources if s.published]
    if not published:
        return None
    return min(published) - dt.timedelta(days=LEAD_IN_DAYS), max(published)


def _within(candidate: EventCandidate, span: tuple[dt.date, dt.date] | None) -> bool:
    if span is None:
        return True
    first = _parse_partial_date(candidate.date)
    last = first if candidate.precision == "day" else _month_end(first)
    return last >= span[0] and first <= span[1]


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _explicitness(candidate: EventCandidate) -> int:
    """How plainly its best passage states the event's date (dates.explicitness)."""
    return max((explicitness(d) for p in candidate.passages for d in p.dates if d.iso == candidate.date), default=0)


def _shortlist(candidates: list[EventCandidate], limit: int, relevant: Set[str] = frozenset(),
               subject: SubjectWords | None = None, span: tuple[dt.date, dt.date] | None = None,
               leads: Sequence[tuple[Passage, dt.date]] = (),
               ) -> list[EventCandidate]:
    """The events to show the model, most important first (a small model picks from the top
    of a list): only those inside the story's `span` when there are MIN_TIMELINE of them;
    first the latest development (the most reported event of the story's last tenth, up to
    RECENT_DAYS, that names the story's `subject`), then, one at a time, the event on a date
    not yet shown that most sources report (any event of that day, counting the articles whose
    `leads`, each with its article's date, tell it undated; then this event), that names the
    subject (the topic's own words first), states its date plainly, is told by a passage
    chosen for the prompt (`relevant` passage ids), and lies farthest from the dates already
    shown (so that the timeline spans the story)."""
    inside = [_within(c, span) for c in candidates]
    if sum(inside) >= MIN_TIMELINE:
        # The background stays out of a timeline that can do without it.
        candidates = [c for c, within in zip(candidates, inside, strict=True) if within]
        inside = [True] * len(candidates)
    if not candidates:
        return []
    # "Ali" of Ali Abdullah Saleh is also Ben Ali's: the user's words weigh more (see SubjectWords).
    aboutness = [subject.grade(c.passages) if subject is not None and subject.terms else 2 for c in candidates]
    if sum(grade > 0 for grade in aboutness) >= MIN_TIMELINE:
        # Tunisia's and Egypt's days, told in a review of the Arab Spring, are not shown for
        # Yemen's timeline when enough events name the story: the small model picks what it is shown.
        kept = [i for i, grade in enumerate(aboutness) if grade > 0]
        candidates = [candidates[i] for i in kept]
        inside = [inside[i] for i in kept]
        aboutness = [aboutness[i] for i in kept]
    about = [grade > 0 for grade in aboutness]
    # How many articles report each day: its events' sources, with the articles whose lead,
    # written within LEAD_REPORT_DAYS, tells one of them undated. MJ's verdict was told dated by
    # three articles in words too different to make one event ("found guilty", "a jury ruled"),
    # and undated by the leads of the articles of 7 and 8 November ("has been found guilty").
    reporting: dict[str, set[str]] = {}
    most: Counter[str] = Counter()
    for c in candidates:
        most[c.date] = max(most[c.date], c.sources)
        day = reporting.setdefault(c.date, set())
        day.update(p.source_id for p in c.passages)
        day.update(lead.source_id for lead in _undated_reports(c, leads))
    days = [_parse_partial_date(c.date) for c in candidates]
    explicit = [_explicitness(c) for c in candidates]
    told = [any(p.id in relevant for p in c.passages) for c in candidates]
    last = max((i for i in range(len(candidates)) if about[i] and inside[i]), default=len(candidates) - 1)
    covered = (span[1] - span[0]).days - LEAD_IN_DAYS if span else 0  # first to last article
    recent_days = min(RECENT_DAYS, RECENT_SHARE * covered)
    recent = [i for i in range(len(candidates))
              if about[i] and inside[i] and (days[last] - days[i]).days <= recent_days]
    keep = [max(recent, key=lambda i: (candidates[i].sources, i), default=last)]
    while len(keep) < min(limit, len(candidates)):
        shown = {candidates[i].date for i in keep}

        def rank(i: int, shown: set[str] = shown) -> tuple:
            gap = min(abs((days[i] - days[k]).days) for k in keep)
            date = candidates[i].date
            return (not inside[i], date in shown, -max(len(reporting[date]), most[date]),
                    -candidates[i].sources, -aboutness[i],
                    -explicit[i], not told[i], -gap, i)

        keep.append(min((i for i in range(len(candidates)) if i not in keep), key=rank))
    return [candidates[i] for i in keep]


def _leads(story: Story) -> list[tuple[Passage, dt.date]]:
    """Each dated on-topic article's first two passages (a title often stands alone), with the
    article's date."""
    set_aside = {o.source_id for o in story.off_topic}
    written = {s.id: s.published for s in story.sources if s.published is not None and s.id not in set_aside}
    return [(p, written[p.source_id]) for p in story.passages if p.index < 2 and p.source_id in written]


def _key_reports(events: Sequence[EventCandidate], leads: Sequence[tuple[Passage, dt.date]]) -> set[str]:
    """The leads, written that day or the next, that tell one of `events` (the shortlisted
    ones) undated: the articles of the story's main days, which the window must not leave out."""
    return {lead.id for event in events for lead in _undated_reports(event, leads)}


def _shared_words(passage: Passage, event: EventCandidate) -> int:
    """The most content words `passage` shares with one of the event's passages, dates aside."""
    words = event_words(passage)
    return max(len(words & event_words(p)) for p in event.passages)


def _undated_reports(event: EventCandidate, leads: Sequence[tuple[Passage, dt.date]]) -> list[Passage]:
    """The `leads` written on the day of `event` (a day's) or within LEAD_REPORT_DAYS after, that
    tell it undated."""
    if event.precision != "day":
        return []
    day = _parse_partial_date(event.date)
    return [lead for lead, written in leads
            if 0 <= (written - day).days <= LEAD_REPORT_DAYS and _tells_undated(lead, event)]


def _tells_undated(lead: Passage, event: EventCandidate) -> bool:
    """Whether an article's lead tells `event` without its date: as its reports say it, in
    LEAD_SHARED_WORDS words at least ("Muammar Kadhafi est mort" is not "Mouatassim Kadhafi est
    mort jeudi à Syrte")."""
    return reports_same_event([lead], event.passages, LEAD_SHARED_WORDS)


def _clip(text: str) -> str:
    """An event's passage as the model is shown it to choose: enough to tell what happened."""
    return text if len(text) <= EVENT_CHARS else text[:EVENT_CHARS].rsplit(" ", 1)[0] + " …"


def _event_passage(candidate: EventCandidate, language_of: dict[str, str], language: str,
                   used: Set[str] = frozenset(), published: Mapping[str, dt.date | None] | None = None,
                   ) -> Passage | None:
    """The passage a timeline entry is worded from: one that reports the event after it
    happened, in the brief's language when one is (less to translate, less to get wrong),
    stating the date outright, of a readable length; None when every passage of the event
    already tells another entry."""
    day = _parse_partial_date(candidate.date)
    agreement = _agreement(candidate.passages)

    def key(p: Passage) -> tuple:
        # An article older than the event only announced it: its line tells the plans.
        when = (published or {}).get(p.source_id)
        announced = when is not None and when < day
        # A passage that dates another event as well is worded last: its line may tell that one.
        others = any(d.iso != candidate.date and d.precision != "year" for d in p.dates)
        relative = all(d.relative for d in p.dates if d.iso == candidate.date)
        # A long passage is worded last: the small model stops halfway through a 400-character
        # period (Libya's 20 October, told in an editorial) and keeps a short one whole.
        long = len(p.text) > LONG_EVENT_PASSAGE
        return (announced, others, language_of.get(p.source_id) != language, long, relative, -agreement[p.id],
                abs(len(p.text) - 180))
    free = [p for p in candidate.passages if p.id not in used]
    return min(free, key=key) if free else None


def _agreement(passages: Sequence[Passage]) -> dict[str, float]:
    """How much each passage says what the event's other passages say: the mean share of
    words it has in common with each (Jaccard), in steps of a tenth. The wording many articles
    share is the plain statement of the event, where one article's may carry a caption glued
    on ("... turned up for Dr Murray's sentencing Michael Jackson died on 25 June 2009").
    (events.py's order of representativeness counts overlap against the smaller passage, so a
    short passage that others contain leads it; here a passage must also not say more.)"""
    vocab = {p.id: set(content_words(p.text)) for p in passages}
    agreement = {}
    for p in passages:
        shares = [len(vocab[p.id] & vocab[q.id]) / (len(vocab[p.id] | vocab[q.id]) or 1)
                  for q in passages if q.id != p.id]
        agreement[p.id] = round(statistics.fmean(shares), 1) if shares else 0.0
    return agreement


# ---------------------------------------------------------------------------
# What the model fills in. Labels (P1, E1, ...) stand for passages and events in the prompt;
# the grammar-enforcing server can answer only with labels it was shown.


class SectionPick(Record):
    aspect: str
    passages: list[str] = Field(min_length=1, max_length=2)


class BriefPick(Record):
    main: str
    sections: list[SectionPick] = Field(min_length=2, max_length=3)
    events: list[str] = Field(default_factory=list, max_length=6)


def _list_of(item: Any) -> Any:
    """list[item] for an item type built at run time (a type checker cannot see those)."""
    return GenericAlias(list, (item,))


def _tuple_of(items: tuple) -> Any:
    """tuple[items...] of item types built at run time: one type for each place."""
    return GenericAlias(tuple, items)


def _one_of(values: tuple) -> Any:
    """Literal[values] built at run time: the grammar then admits only these values."""
    return Literal[values]  # type: ignore[valid-type]


def _pick_model(labels: list[str], events: list[str], main_labels: list[str] | None = None) -> type[BriefPick]:
    """The choice the grammar admits: labels shown, the headline's passage among `main_labels`."""
    label = _one_of(tuple(labels))
    main = _one_of(tuple(main_labels or labels))
    section = create_model("SectionPick", __base__=SectionPick, aspect=(_one_of(ASPECTS), ...),
                           passages=(_list_of(label), Field(min_length=1, max_length=2)))
    event_field: Any = ((_list_of(_one_of(tuple(events))), Field(min_length=1, max_length=6)) if events
                        else (list[str], Field(max_length=0)))
    return create_model("BriefPick", __base__=BriefPick, main=(main, ...),
                        sections=(_list_of(section), Field(min_length=2, max_length=3)), events=event_field)


class WordedLine(Record):
    item: int
    text: str = Field(max_length=320)


class Wording(Record):
    lines: list[WordedLine]


def _wording_model(items: int) -> type[Wording]:
    """One line for each item, in order: the grammar admits item n only in the n-th place. With
    any item number allowed in any place, the model split Libya's first passage at its quotation
    marks ("ne pas croire") into nine lines, each "item 1", and the other items went unworded."""
    lines = tuple(create_model(f"WordedLine{n}", __base__=WordedLine, item=(_one_of((n,)), ...))
                  for n in range(1, items + 1))
    return create_model("Wording", __base__=Wording, lines=(_tuple_of(lines), ...))




# ---------------------------------------------------------------------------


# Below this many tokens for the articles a brief cannot draw on several of them.
MIN_PASSAGE_TOKENS = 1000
# Below this many tokens of passages a re-fit gives up: the instructions alone overflow.
MIN_PASSAGE_BUDGET = 256


@dataclass(frozen=True)
class BriefOptions:
    language: str = "en"
    context_tokens: int = 8192
    pick_max_tokens: int = 400
    line_tokens: int = 90  # a worded line in JSON: measured 35-60 tokens, up to 85 for a long French passage
    # Set by a re-fit after the server said a request did not fit: the passages' share.
    passage_tokens: int | None = None

    def __post_init__(self) -> None:
        if self.passage_budget < MIN_PASSAGE_TOKENS:
            least = self.context_tokens - self.passage_budget + MIN_PASSAGE_TOKENS
            raise ConfigError(f"a context of {self.context_tokens} tokens leaves no room for the articles; "
                              f"give at least {least}")

    @property
    def passage_budget(self) -> int:
        """Tokens left for passages and candidate events in the choosing call."""
        if self.passage_tokens is not None:
            return self.passage_tokens
        instructions = 700
        # A re-ask sends the first answer back with the validation errors.
        reask = 2 * self.pick_max_tokens
        return self.context_tokens - instructions - reask - self.pick_max_tokens


@dataclass
class _PromptView:
    """The articles as the prompt shows them, and the label of every shown passage."""

    articles: list[dict[str, Any]]
    label_to_passage: dict[str, Passage]


def _prompt_view(story: Story, selected: list[Passage]) -> _PromptView:
    by_source: dict[str, list[Passage]] = {}
    for passage in selected:
        by_source.setdefault(passage.source_id, []).append(passage)
    articles: list[dict[str, Any]] = []
    label_to_passage: dict[str, Passage] = {}
    for source in story.sources:
        shown = by_source.get(source.id)
        if not shown:
            continue
        items = []
        for passage in shown:
            label = f"P{len(label_to_passage) + 1}"
            label_to_passage[label] = passage
            notes = "; ".join(f"{d.expression} = {d.iso}" for d in passage.dates)
            # Angle brackets in article text could fake the <article> fence (the template
            # fences every field again).
            items.append({"label": label, "text": fence_text(passage.text), "dates": notes})
        articles.append({
            "number": source.number,
            "outlet": fence_text(source.outlet or "unknown"),
            "published": source.published.isoformat() if source.published else "not stated",
            "language": source.language,
            "title": fence_text(source.title or "untitled"),
            "passages": items,
        })
    return _PromptView(articles, label_to_passage)


def _latest_articles(story: Story, view: _PromptView, count: int = LATEST_ARTICLES) -> tuple[list[int], list[str]]:
    """The numbers of the `count` newest articles shown (undated ones last) among those at
    least as much about the story's subject as the median article, and the labels of their
    passages: the headline states the story's latest development, so it is chosen there (the
    newest article of a year of Yemen's protests is about a photo prize)."""
    shown_ids = {p.source_id for p in view.label_to_passage.values()}
    shown = [s for s in story.sources if s.id in shown_ids]
    if story.subject is not None and story.subject.terms and len(shown) > count:
        share = {s.id: subject_share(s, story.subject) for s in shown}
        median = statistics.median(share.values())
        shown = [s for s in shown if share[s.id] >= median]
    newest = sorted(shown, key=lambda s: (s.published is not None, s.published or dt.date.min, s.number),
                    reverse=True)
    latest = {s.id: s.number for s in newest[:count]}
    labels = [label for label, p in view.label_to_passage.items() if p.source_id in latest]
    return sorted(latest.values()), labels


@dataclass
class _Plan:
    main: Passage
    sections: list[tuple[str, list[Passage]]]
    events: list[EventCandidate]


def _plan(answer: BriefPick | StructuredFailure, view: _PromptView, events: dict[str, EventCandidate],
          warnings: list[str], published: Mapping[str, dt.date | None] | None = None,
          subject: SubjectWords | None = None) -> _Plan:
    """The model's choices, cleaned: each passage used once, sections of one aspect merged, and
    the timeline spanning the story up to its latest development (the first of `events`).
    `published`: the articles' dates, which tell the news of the latest development from older
    news (see `_old_news`, `_overtaken`); `subject`: what every section's passage names."""
    labels = view.label_to_passage
    published = published or {}
    newest = max((d for d in published.values() if d), default=None)
    if isinstance(answer, StructuredFailure):
        data = _partial_json(answer.raw)
        warnings.append(f"the model's choice of passages was incomplete ({answer.error.splitlines()[0]}); "
                        "what it chose is kept, the rest is chosen in order")
    else:
        data = answer.model_dump()
    main = labels.get(str(data.get("main", "")))
    merged: dict[str, list[Passage]] = {}
    used: set[str] = {main.id} if main is not None else set()  # the headline is not said again
    for section in data.get("sections") or []:
        aspect = section.get("aspect") if isinstance(section, dict) else None
        if aspect not in ASPECTS:
            continue
        for label in section.get("passages") or []:
            passage = labels.get(str(label))
            if passage is not None and passage.id not in used:
                used.add(passage.id)
                if _overtaken(passage, newest):
                    # "Prosecutors will file a case on Monday", from February 2010, in a brief of
                    # November 2011: an announcement the story has long since overtaken.
                    warnings.append(f"a passage chosen for “{aspect}” was left out: it announces what was "
                                    f"to happen before {newest}, the date of the newest article")
                    continue
                if subject is not None and not subject.named_in(passage):
                    # "Samuel Aranda won the World Press Photo 2011 award", as what happened in Yemen.
                    warnings.append(f"a passage chosen for “{aspect}” was left out: it does not name "
                                    f"{subject.label}")
                    continue
                # "What was said" over a passage in which nobody says anything is a wrong title.
                said = aspect != "what was said" or reports_words(passage.text)
                told = aspect if said else "what happened"
                if told == "what happened" and _old_news(passage, published, events):
                    # The February 2010 plea, in a brief of the November 2011 sentencing.
                    told = "background"
                merged.setdefault(told, []).append(passage)
    if not merged and main is None and isinstance(answer, StructuredFailure):
        # Nothing usable, even after the re-ask: a brief the model did not choose is not its brief.
        raise ModelOutputError(f"the model's choice of passages never matched the schema: "
                               f"{answer.error.splitlines()[0] if answer.error else 'no usable answer'}")
    if not merged and (main is None or not used - {main.id}):
        # Nothing usable chosen: the lead of each of the newest articles that name the story,
        # as old news is told (the three earliest leads told Libya's February under a headline
        # of Kadhafi's death in October). (Passages chosen and left out for a reason above are
        # not made up for with others nobody chose.)
        for passage in _newest_leads(view, used, subject, published)[:3]:
            merged.setdefault("background" if _old_news(passage, published, events) else ASPECTS[0], []).append(passage)
    main = main or next(iter(merged.values()))[0]
    sections = [(aspect, merged[aspect]) for aspect in ASPECTS if aspect in merged]
    shown = list(events.values())
    picked = [events[str(e)] for e in data.get("events") or [] if str(e) in events]
    # One entry a date: the latest development and the best-reported days (the top of the list)
    # always, then the model's choices, topped up from the top of the list when it chose too few
    # to span the story.
    chosen: list[EventCandidate] = []
    for event, room in [(e, SPINE_EVENTS) for e in shown[:SPINE_EVENTS]] + [(e, MAX_TIMELINE) for e in picked] + \
            [(e, TIMELINE_FLOOR) for e in shown]:
        if len(chosen) < room and all(e.date != event.date and not _retold(e, event) for e in chosen):
            chosen.append(event)
    chosen = sorted(chosen, key=lambda e: (_parse_partial_date(e.date), len(e.date)))
    return _Plan(main, sections, chosen)


def _newest_leads(view: _PromptView, used: Set[str], subject: SubjectWords | None,
                  published: Mapping[str, dt.date | None]) -> list[Passage]:
    """The first shown passage of each article that names the story (of every article, when
    none does), newest article first, leaving out `used` passages."""
    leads: dict[str, Passage] = {}
    for passage in view.label_to_passage.values():
        leads.setdefault(passage.source_id, passage)
    named = [p for p in leads.values() if p.id not in used and (subject is None or subject.named_in(p))]
    return sorted(named or list(leads.values()), key=lambda p: published.get(p.source_id) or dt.date.min,
                  reverse=True)


def _what_happened(plan: _Plan, lines: list[_Line], events: dict[str, EventCandidate],
                   subject: SubjectWords | None, language_of: Mapping[str, str], language: str,
                   published: Mapping[str, dt.date | None], leads: Sequence[tuple[Passage, dt.date]] = (),
                   ) -> list[Passage]:
    """Passages to tell what happened when the model chose none: other articles' reports of the
    story's latest development (the first event shown), written once it had happened, those in
    the brief's language first, then the `leads` that tell it undated (MJ's "has been sentenced
    to four years", written that day); none that the headline or a timeline entry is worded
    from, none that does not name the story, and none of an article already told. MJ's and Yemen's briefs
    had only a background line under a headline of the latest news. (Tried and left: the newest
    articles' first passages gave MJ a caption glued to a lead; reports of any date gave it
    "Dr Murray is due to be sentenced on 29 November" under a headline of the sentence.)"""
    latest = events.get("E1")
    if latest is None or any(aspect == ASPECTS[0] for aspect, _ in plan.sections):
        return []
    day = _parse_partial_date(latest.date)
    told = {line.passage.source_id for line in lines} | {p.source_id for _, ps in plan.sections for p in ps}
    # Of the leads that tell it undated, the one that tells most of it: MJ's "has been sentenced
    # to four years in prison", not a title ("gets four years") or a reaction that mentions it.
    fullest = sorted(_undated_reports(latest, leads), key=lambda p: (
        language_of.get(p.source_id) != language, -_shared_words(p, latest), p.source_id, p.index))[:1]
    reports: dict[str, Passage] = {}
    for passage in sorted(latest.passages, key=lambda p: language_of.get(p.source_id) != language) + fullest:
        written = published.get(passage.source_id)
        if (passage.source_id not in told and written is not None and written >= day
                and (subject is None or subject.named_in(passage))):
            reports.setdefault(passage.source_id, passage)
    return list(reports.values())[:WHAT_HAPPENED_REPORTS]


# An announcement this many days older than the newest article has been overtaken by events.
OVERTAKEN_DAYS = 7
# Reports of the latest development that tell what happened when the model chose no passage for it.
WHAT_HAPPENED_REPORTS = 2


def _overtaken(passage: Passage, newest: dt.date | None) -> bool:
    """Whether the passage announces, in the future tense, what was to happen well before the
    story's newest article: its news is old, and its "will" reads as still to come."""
    if newest is None:
        return False
    return any(d.tense == "future" and d.role == "event" and d.precision == "day"
               and (newest - _parse_partial_date(d.iso)).days > OVERTAKEN_DAYS for d in passage.dates)


def _old_news(passage: Passage, published: Mapping[str, dt.date | None], events: dict[str, EventCandidate]) -> bool:
    """Whether the passage's article was written more than OVERTAKEN_DAYS before the story's
    latest development (the first event shown): what it reports happened is background now."""
    latest = events.get("E1")
    when = published.get(passage.source_id)
    return latest is not None and when is not None and \
        (_parse_partial_date(latest.date) - when).days > OVERTAKEN_DAYS


def _retold(a: EventCandidate, b: EventCandidate) -> bool:
    """The same event dated a day apart: a retrospective's "28 June 2009: police interview Dr
    Murray for three hours" is the interview the week's reports put "on Saturday", 27 June."""
    if a.precision != "day" or b.precision != "day":
        return False
    apart = abs((_parse_partial_date(a.date) - _parse_partial_date(b.date)).days)
    return apart <= 1 and reports_same_event(a.passages, b.passages)


def _is_title(passage: Passage, title: str | None) -> bool:
    """Whether the passage is its article's `title`, standing alone."""
    return title is not None and " ".join(passage.text.split()) == " ".join(title.split())


def _headline_passage(plan: _Plan, latest: tuple[EventCandidate, Passage] | None, story: Story,
                      latest_numbers: Sequence[int]) -> Passage:
    """The passage the headline states: the model's choice among the newest articles, unless the
    story's `latest` development (its event and the passage it is told by) happened after all of
    them were published (Yemen: Saleh signed the Gulf deal on 23 November; the newest article
    about Yemen alone is of 3 October), or more than OVERTAKEN_DAYS after the chosen passage's
    own article (MJ: the model chose Murray's TV interview, of 11 November, in a brief of his
    sentencing on 29 November)."""
    if latest is None:
        return plan.main
    event, passage = latest
    happened = _parse_partial_date(event.date)
    newest = max((s.published for s in story.sources if s.number in latest_numbers and s.published), default=None)
    chosen = next((s.published for s in story.sources if s.id == plan.main.source_id), None)
    if newest is not None and happened > newest:
        return passage
    if chosen is not None and (happened - chosen).days > OVERTAKEN_DAYS:
        return passage
    return plan.main


def _partial_json(raw: str | None) -> dict:
    try:
        data = pydantic_core.from_json(raw or "", allow_partial=True)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# ---------------------------------------------------------------------------
# Lines: every headline, sentence and timeline entry is one line worded from one passage.

Where = tuple[str, int, int]  # ("headline", 0, 0), ("section", i, j) or ("timeline", k, 0)


@dataclass
class _Line:
    where: Where
    passage: Passage  # what the line is worded from, and what a quote of it shows
    text: str
    citations: list[str]
    lead: str = ""
    date: str = ""
    precision: Precision = "day"
    quote: str | None = None
    translated_from: str | None = None
    flag: str | None = None
    problems: list[Problem] = field(default_factory=list)
    # What the gate changed in the current wording: warned of only for the wording that ships
    # (the seed's re-asked 4 February entry kept the warning of a mend to its first wording).
    mends: list[str] = field(default_factory=list)

    @property
    def dates(self) -> tuple[str, ...]:
        return (self.date,) if self.date else ()


def _focus(line: _Line, language: str) -> str:
    if line.where[0] == "headline":
        return "as a headline of at most 12 words"
    if line.where[0] == "timeline":
        return f"what happened on {spoken_date(line.date, line.precision, language)}"
    return ""


def _item(number: int, line: _Line, language: str, language_of: dict[str, str]) -> dict[str, Any]:
    source_language = language_of.get(line.passage.source_id, "")
    # The senses the small model gets wrong ("militants" are activists, "des centaines" hundreds),
    # in brackets after their words: a list apart from the text, it did not heed.
    text = glossed(fence_text(line.passage.text), source_language, language)
    return {"number": number, "focus": _focus(line, language), "text": text,
            "language": LANGUAGE_NAMES.get(source_language, "")}


# A sense the prompt gave in brackets ("élaboré par [drawn up by]") that the model copied along.
_GLOSS_LEFT = re.compile(r"\s*\[[^\[\]]{1,40}\]")
# A post's hashtags, kept at the end of its line ("... this form of evil. #Yemen #SanaaMassacre").
_TRAILING_TAGS = re.compile(r"(?:\s*#[^\W\d_]\w*)+(?=[\s.!?]*$)")


def _worded(answer: Wording | StructuredFailure, count: int) -> dict[int, str]:
    if isinstance(answer, StructuredFailure):
        lines = _partial_json(answer.raw).get("lines") or []
    else:
        lines = [line.model_dump() for line in answer.lines]
    texts: dict[int, str] = {}
    for line in lines:
        # A failed answer is kept only as far as the schema would have taken it.
        try:
            valid = WordedLine.model_validate(line)
        except ValidationError:
            continue
        if 1 <= valid.item <= count:
            texts.setdefault(valid.item, _TRAILING_TAGS.sub("", _GLOSS_LEFT.sub("", valid.text)).strip())
    return texts


def _after_own_date(line: _Line) -> tuple[int, int] | None:
    """The span of a timeline entry's passage after the date it opens with, when that is the
    entry's date: a chronology's "28 June 2009 Los Angeles police interview Dr Murray" is
    quoted from "Los Angeles", its date shown once, beside it."""
    if line.where[0] != "timeline":
        return None
    text = line.passage.text
    for date in line.passage.dates:
        if date.iso == line.date and not text[:date.start].strip(" -–—:"):
            start = len(text) - len(text[date.end:].lstrip(" -–—:,"))
            return (start, len(text)) if start < len(text) else None
    return None


def _word(lines: list[_Line], language: str, language_of: dict[str, str], llm: LLM, prompts: PromptLibrary,
          options: BriefOptions) -> RenderedPrompt | None:
    """Give each line its text: a short passage already in the brief's language is quoted as
    it stands; the rest are worded in one call (word.j2), whose prompt is returned (None when
    every line was quoted)."""
    for line in lines:
        limit = QUOTE_AS_IS.get(line.where[0], 0)
        if language_of.get(line.passage.source_id) == language and len(line.passage.text) <= limit:
            _quote(line, _after_own_date(line), language_of)
    to_word = [line for line in lines if line.quote is None]
    if not to_word:
        return None
    items = [_item(n, line, language, language_of) for n, line in enumerate(to_word, 1)]
    word_prompt = prompts.render("word.j2", items=items, language_name=LANGUAGE_NAMES.get(language, language))
    worded = _worded(llm.structured(word_prompt, _wording_model(len(to_word)),
                                    max_tokens=options.line_tokens * len(to_word) + 40), len(to_word))
    for n, line in enumerate(to_word, 1):
        line.text = worded.get(n, "")
    return word_prompt


def draft_brief(story: Story, llm: LLM, prompts: PromptLibrary, options: BriefOptions = BriefOptions()) -> Brief:
    """The model's draft: its choices, each worded into one line, before any check (two calls)."""
    first_call = len(llm.calls)
    warnings = list(story.warnings)
    language = options.language
    language_name = LANGUAGE_NAMES.get(language, language)
    language_of = {s.id: s.language for s in story.sources}
    published = {s.id: s.published for s in story.sources}

    candidates = event_candidates(story)
    subject = _subject_words(story)
    leads = _leads(story)
    span = _story_span(story)
    key_reports = _key_reports(_shortlist(candidates, MAX_SHOWN_EVENTS, frozenset(), subject, span, leads), leads)
    while True:
        # A request the model's window cannot hold is re-fitted with fewer passages and asked
        # again, never a failure (the server's count is the one that counts).
        # A passage that needs its article ("this source", "this video") is no line of a brief.
        selected = [p for p in select_passages(story, options.passage_budget - EVENT_TOKENS, llm.count_tokens,
                                               key_reports)
                    if not leans_on_context(p.text)]
        shortlist = _shortlist(candidates, MAX_SHOWN_EVENTS, {p.id for p in selected}, subject, span, leads)
        events = {f"E{n}": c for n, c in enumerate(shortlist, 1)}
        event_passages = {label: _event_passage(c, language_of, language, published=published) or c.passages[0]
                          for label, c in events.items()}
        shown_events = [{"label": label, "date": spoken_date(c.date, c.precision, "en"), "sources": c.sources,
                         "text": fence_text(_clip(event_passages[label].text))}
                        for label, c in events.items()]
        view = _prompt_view(story, selected)
        latest_numbers, latest_labels = _latest_articles(story, view)
        pick_prompt = prompts.render("brief.j2", articles=view.articles, events=shown_events,
                                     language_name=language_name, aspects=ASPECTS, latest_articles=latest_numbers)
        try:
            answer = llm.structured(pick_prompt, _pick_model(list(view.label_to_passage), list(events), latest_labels),
                                    max_tokens=options.pick_max_tokens)
        except ContextOverflowError as overflow:
            budget = refit_budget(options.passage_budget, overflow)
            if budget < MIN_PASSAGE_BUDGET:
                raise
            warnings.append(f"{overflow}; passages re-fitted to {budget} tokens")
            options = replace(options, passage_tokens=budget)
            continue
        break
    plan = _plan(answer, view, events, warnings, published, subject)
    latest = (events["E1"], event_passages["E1"]) if events else None  # the latest development is shown first
    main = _headline_passage(plan, latest, story, latest_numbers)

    titles = _titles(language)
    head = _Line(("headline", 0, 0), main, "", [main.id])
    if language_of.get(main.source_id) == language and \
            _is_title(main, next((s.title for s in story.sources if s.id == main.source_id), None)):
        # A title in the brief's language is the headline as its newsroom wrote it: worded again
        # from its few words, "Michael Jackson doctor gets four years in prison" came back as
        # "Michael Jackson, a renowned doctor, was sentenced ... for his alleged involvement in a
        # drug deal", which the lexical verifier passed (half its words are in the title).
        _quote(head, None, language_of)
    entries: list[_Line] = []
    used: set[str] = set()
    for event in plan.events:
        # A passage that dates several events tells one of them: never two entries alike.
        passage = _event_passage(event, language_of, language, used, published)
        if passage is None:
            continue
        used.add(passage.id)
        entries.append(_Line(("timeline", len(used) - 1, 0), passage, "", [passage.id], date=event.date,
                             precision=event.precision))
    told = _what_happened(plan, [head, *entries], events, subject, language_of, language, published, leads)
    if told:
        warnings.append("the model chose no passage telling what happened: other articles' reports of the "
                        f"latest development tell it ({len(told)})")
        plan.sections.insert(0, (ASPECTS[0], told))
    lines = [head]
    for i, (aspect, passages) in enumerate(plan.sections):
        lines += [_Line(("section", i, j), p, "", [p.id], lead=titles[aspect]) for j, p in enumerate(passages)]
    lines += entries
    word_prompt = _word(lines, language, language_of, llm, prompts, options)
    set_aside = {o.source_id for o in story.off_topic}
    # Left out: the model saw nothing of it (no passage, no event) and no line comes from it.
    seen = ({p.source_id for p in selected} | {line.passage.source_id for line in lines}
            | {p.source_id for p in event_passages.values()})
    omitted = [s.id for s in story.sources if s.id not in seen and s.id not in set_aside]
    if omitted:
        warnings.append(
            f"{len(omitted)} of {len(story.sources)} articles did not fit the model's window and were left out"
        )
    brief = Brief(
        headline="", language=language, story=story.name,
        generated_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        sections=[], timeline=[],
        sources=[SourceRef(number=s.number, source_id=s.id, outlet=s.outlet, title=s.title,
                           opening=None if s.title else opening(s.text), url=s.url,
                           published=s.published, language=s.language, origins=s.origins) for s in story.sources],
        passages={}, omitted_sources=omitted, calls=llm.calls[first_call:],
        prompts={pick_prompt.name: pick_prompt.hash, **({word_prompt.name: word_prompt.hash} if word_prompt else {})},
        warnings=warnings,
    )
    brief, _ = _assemble(brief, lines, story)
    return brief


def make_brief(
    story: Story,
    llm: LLM,
    prompts: PromptLibrary,
    options: BriefOptions = BriefOptions(),
    check: Checker | None = None,
) -> Brief:
    """Brief `story`: two calls for a clean brief, and one more for each failing line it re-asks.

    Every line is gated; with a `check` (the verifier) it is also verified, and the brief
    carries the verification summary. See :func:`repair_brief`.
    """
    return repair_brief(draft_brief(story, llm, prompts, options), story, llm, prompts, check, options)


# ---------------------------------------------------------------------------
# From the draft to the brief that ships.


def _lines_of(brief: Brief, story: Story) -> list[_Line]:
    """A brief as lines, each with the passage it is worded from (its first citation)."""
    passages = {p.id: p for p in story.passages}
    by_text = {" ".join(p.text.split()): p for p in story.passages}

    def source_passage(citations: list[str]) -> Passage | None:
        for pid in citations:
            if pid in passages:
                return passages[pid]
            if pid in brief.passages:  # the same text, ingested from other copies of the files
                found = by_text.get(" ".join(brief.passages[pid].text.split()))
                if found is not None:
                    return found
        return None

    lines = []
    head = source_passage(brief.headline_citations)
    if head is not None:
        lines.append(_Line(("headline", 0, 0), head, brief.headline, [head.id]))
    for i, section in enumerate(brief.sections):
        for j, sentence in enumerate(section.sentences):
            passage = source_passage(sentence.citations)
            if passage is not None:
                lines.append(_Line(("section", i, j), passage, sentence.text, list(sentence.citations),
                                   lead=section.lead, quote=sentence.quote))
    for k, event in enumerate(brief.timeline):
        passage = source_passage(event.citations)
        if passage is not None:
            lines.append(_Line(("timeline", k, 0), passage, event.text, list(event.citations), date=event.date,
                               precision=event.precision, quote=event.quote))
    return lines


def _assemble(brief: Brief, lines: list[_Line], story: Story) -> tuple[Brief, dict[Position, _Line]]:
    """The brief the lines make, and each line by the location the verifier gives it."""
    located: dict[Position, _Line] = {}
    sections: list[Section] = []
    leads: list[str] = []
    by_section: dict[int, list[_Line]] = {}
    for line in lines:
        if line.where[0] == "section":
            by_section.setdefault(line.where[1], []).append(line)
    for i in sorted(by_section):
        members = sorted(by_section[i], key=lambda line: line.where[2])
        for j, line in enumerate(members, 1):
            located[Position.of_sentence(len(sections), j - 1)] = line
        sections.append(Section(lead=members[0].lead, sentences=[
            Sentence(text=line.text, citations=line.citations, quote=line.quote, translated_from=line.translated_from,
                     flag=line.flag) for line in members]))
        leads.append(members[0].lead)
    events = sorted((line for line in lines if line.where[0] == "timeline"),
                    key=lambda line: (_parse_partial_date(line.date), len(line.date), line.where[1]))
    for k, line in enumerate(events, 1):
        located[Position.of_entry(k - 1)] = line
    head = next((line for line in lines if line.where[0] == "headline"), None)
    cited = {pid for line in lines for pid in line.citations}
    told = {p.source_id for p in story.passages if p.id in cited}
    update: dict[str, Any] = {
        # An article about much else is listed as set aside unless a line tells what it says of the story.
        "off_topic": [o for o in story.off_topic if o.source_id not in told],
        "sections": sections,
        "timeline": [TimelineEvent(date=line.date, precision=line.precision, text=line.text,
                                   citations=line.citations, quote=line.quote, translated_from=line.translated_from,
                                   flag=line.flag) for line in events],
        "passages": {p.id: p for p in story.passages if p.id in cited},
    }
    if head is not None:
        update.update(headline=head.text, headline_citations=head.citations, headline_flag=head.flag,
                      headline_translated_from=head.translated_from)
    return brief.model_copy(update=update), located


def _quote(line: _Line, span: tuple[int, int] | None, language_of: dict[str, str]) -> None:
    """Make `line` its passage (or the span of it the line copies), quoted verbatim."""
    start, end = span or (0, len(line.passage.text))
    line.text = line.passage.text[start:end].strip()
    line.citations = [line.passage.id]
    line.quote = language_of.get(line.passage.source_id, "und")
    line.problems = []


def _quote_or_drop(line: _Line, lines: list[_Line], language: str, language_of: dict[str, str],
                   warnings: list[str], reason: str) -> None:
    """A line no rewording made true: its passage quoted when it is in the brief's language;
    dropped when it is not (a quote in another language is no line of this brief)."""
    source_language = language_of.get(line.passage.source_id, "und")
    if source_language == language:
        _quote(line, None, language_of)
        line.mends = []  # of a wording that no longer ships
        warnings.append(f"{_where_words(line)} quoted from its passage: {reason}")
    else:
        lines.remove(line)
        warnings.append(f"{_where_words(line)} dropped: {reason}, and its passage is in "
                        f"{LANGUAGE_NAMES.get(source_language, source_language)}")


@dataclass
class _Context:
    """What the gate needs to know of the story."""

    language: str
    language_of: dict[str, str]
    published: dict[str, dt.date | None]
    number_of: dict[str, int]
    passages: dict[str, Passage]
    same_language: list[Passage]  # where a line copied word for word may come from

    @classmethod
    def of(cls, story: Story, language: str) -> _Context:
        language_of = {s.id: s.language for s in story.sources}
        return cls(language, language_of, {s.id: s.published for s in story.sources},
                   {s.id: s.number for s in story.sources}, {p.id: p for p in story.passages},
                   [p for p in story.passages if language_of.get(p.source_id) == language])

    def cites_own_language(self, line: _Line) -> bool:
        return any(self.language_of.get(self.passages[pid].source_id) == self.language
                   for pid in line.citations if pid in self.passages)

    @cached_property
    def spellings(self) -> dict[str, str]:
        """The names as the sources in the brief's language write them: read only when a line
        is translated, and then once (a 1,000-article English cluster never needs them)."""
        return name_spellings(p.text for p in self.same_language)


def _gate(line: _Line, context: _Context) -> None:
    """Quote a copy, cited to the passage it copies; otherwise record what the line says that
    its cited passages do not. What it mends is noted in `line.mends`."""
    line.mends = []
    if line.quote is not None:
        line.problems = []
        return
    cited = [context.passages[pid] for pid in line.citations if pid in context.passages] or [line.passage]
    if line.text and line.where[0] != "headline":
        # A timeline entry must keep a passage that gives its date; a sentence may be re-cited.
        elsewhere = [p for p in context.same_language if p not in cited] if line.where[0] == "section" else []
        # Only a copy of a passage in the brief's language is a quote of it; a copied French
        # passage is no line of an English brief (the gate then finds it in the wrong language).
        same = [p for p in cited if context.language_of.get(p.source_id) == context.language]
        found = find_copy(line.text, same + elsewhere)
        if found is not None:
            passage, span = found
            before = line.citations
            line.passage = passage
            _quote(line, span, context.language_of)
            if before != line.citations:
                line.mends.append(f"{_where_words(line)} copies [{context.number_of[passage.source_id]}] word for word: "
                                "quoted and re-cited to the passage it copies"
                                + (f"; citation {', '.join(pid for pid in before if pid != passage.id)} removed"
                                   if any(pid != passage.id for pid in before) else ""))
            return
    if line.text:
        line.text, echoed = without_echoed_question(line.text)
        if echoed:
            line.mends.append(f"{_where_words(line)}: “{echoed}” left out, the question it was asked")
        line.text, tail = without_wire_tail(line.text, context.language, cited, line.where[0] == "headline")
        if tail:
            line.mends.append(f"{_where_words(line)}: “{tail}” said as a sentence says it")
        line.text, joined = mend_split_numbers(line.text, [p.text for p in cited])
        for written, number in joined:
            # The re-asked model wrote "16, 000" again, and the line was dropped for it.
            line.mends.append(f"{_where_words(line)}: “{written}” written “{number}”, as its passage gives it")
        line.text, titles = drop_unsupported_titles(line.text, cited)
        for title in titles:
            # "Colonel Kadhafi", re-asked, stayed "Colonel Kadhafi": Libya's 20 October entry was dropped.
            line.mends.append(f"{_where_words(line)}: the title “{title}” left out, which its passage gives no one")
        line.text, names = restore_elided_articles(line.text, cited)
        for name in names:
            # "reported by Express", re-asked, stayed "Express": the seed's L'Express line was dropped.
            line.mends.append(f"{_where_words(line)}: “{name}” written with its article, as its passage writes it")
    for passage in cited:
        source_language = context.language_of.get(passage.source_id, context.language)
        if line.text and source_language != context.language:
            line.text, mended = mend_look_alikes(line.text, passage.text, source_language, context.language)
            for used, meant in mended:
                # "agreement with" for "élaboré par": the re-asked model writes it again.
                line.mends.append(f"{_where_words(line)}: “{used}” written “{meant}”, the sense of its passage's words")
            line.text, respelled = mend_name_spellings(line.text, source_language, context.spellings)
            for written, spelled in respelled:
                # The seed named Putin's aide "Iouri Ouchakov" in one line and "Yuri Ushakov" in the next.
                line.mends.append(f"{_where_words(line)}: “{written}” spelled “{spelled}”, as the story's "
                                f"sources in the brief's language spell it")
    base = context.published.get(line.passage.source_id)
    if line.text:
        line.text, named = name_the_days(line.text, context.language, cited, base)
        for weekday, date in named:
            # Libya's headline "Muammar Kadhafi was killed on Thursday" gave no date at all.
            line.mends.append(f"{_where_words(line)}: “{weekday}” written “{date}”, the day its passage means")
    headline = line.where[0] == "headline"
    line.problems = check_line(line.text, cited, context.language, base, line.dates, line.date or None, headline)
    if line.text and not headline and not any(p.kind == "cut" for p in line.problems):
        line.text = finished(line.text)
    if line.problems and all(p.kind == "hedge" for p in line.problems):
        said_as_reported = attributed(line.text, context.language, cited)
        if not check_line(said_as_reported, cited, context.language, base, line.dates, line.date or None, headline):
            line.text, line.problems = said_as_reported, []
            line.mends.append(f"{_where_words(line)} said as reported: its passage only reports it")


def _dates_another_event(line: _Line) -> bool:
    return any(d.iso != line.date and d.precision != "year" for d in line.passage.dates)


def _where_words(line: _Line) -> str:
    """Where a line is, in words that hold after other lines are dropped: "the “What happened”
    sentence 2", "the 21 February 2011 timeline entry"."""
    kind, _, j = line.where
    if kind == "section":
        return f"the “{line.lead}” sentence {j + 1}"
    if kind == "timeline":
        return f"the {spoken_date(line.date, line.precision, 'en')} timeline entry"
    return "the headline"


def repair_brief(brief: Brief, story: Story, llm: LLM, prompts: PromptLibrary, check: Checker | None = None,
                 options: BriefOptions = BriefOptions()) -> Brief:
    """The brief that ships, from a draft: gate every line and (with `check`) verify it; re-ask
    what fails once, one call a line; quote the passage of what still fails; then drop what the
    verifier finds unsupported or contradicted even as a quote, mark what it finds only partly
    supported, point citations at their support, and stamp the brief."""
    language = brief.language
    warnings = list(brief.warnings)
    prompt_hashes = dict(brief.prompts)
    first_call = len(llm.calls)
    context = _Context.of(story, language)
    language_of = context.language_of
    lines = _lines_of(brief, story)
    for line in lines:
        _gate(line, context)

    report = None
    if check is not None:
        current, located = _assemble(brief, lines, story)
        report = check(current, story)
        _note_unsupported(report, located, context)
    for line in [line for line in lines if line.problems]:
        # One call a line: asked for all at once, the small model carried Ta'izz, Saleh and
        # "Tuesday" from Yemen's 26 April item into its 18 March one, and skipped an item.
        # The first sentence is not shown: shown it, the small model hands it back unchanged.
        before = "; ".join(p.message for p in line.problems)
        item = dict(_item(1, line, language, language_of), problem=before)
        prompt = prompts.render("repair.j2", item=item, language_name=LANGUAGE_NAMES.get(language, language))
        prompt_hashes[prompt.name] = prompt.hash
        answer = llm.structured(prompt, _wording_model(1), max_tokens=options.line_tokens + 40)
        line.text = _worded(answer, 1).get(1, "")
        line.citations = [line.passage.id]
        _gate(line, context)
        if line.problems and line.where[0] == "timeline" and _dates_another_event(line):
            # Its passage, quoted, would tell that other event under this date.
            lines.remove(line)
            warnings.append(f"{_where_words(line)} dropped: the re-worded line still failed the check "
                            f"({'; '.join(p.message for p in line.problems)}) and its passage dates another "
                            "event too")
        elif line.problems and line.where[0] != "headline":
            reason = f"the re-worded line still failed the check ({'; '.join(p.message for p in line.problems) or before})"
            _quote_or_drop(line, lines, language, language_of, warnings, reason)
        elif line.problems:  # the headline: settled below
            warnings.append(f"{_where_words(line)} still failed the check after re-wording "
                            f"({'; '.join(p.message for p in line.problems)})")
        elif line.quote is None:
            warnings.append(f"{_where_words(line)} re-worded after the check: {before}")
    if check is not None:
        current, located = _assemble(brief, lines, story)
        report = check(current, story)
        unsupported = _note_unsupported(report, located, context)
        for line in unsupported:
            if line.quote is None and line.where[0] != "headline":
                reason = f"the verifier found the re-worded line {'; '.join(p.message for p in line.problems)}"
                _quote_or_drop(line, lines, language, language_of, warnings, reason)
        if unsupported:
            current, located = _assemble(brief, lines, story)
            report = check(current, story)
        for claim in report.claims:
            claimed = located.get(claim.position)
            if claimed is None or claim.verdict in ("supported", "exempt") or claimed.translated_from:
                continue
            line = claimed
            support = claim.cluster_evidence
            if (claim.verdict == Verdict.SUPPORTED_ELSEWHERE and support is not None
                    and support.passage_id in context.passages):
                # True, but its support is another passage: the fix is a re-cite, not a drop.
                line.citations = [support.passage_id]
                number = context.number_of[context.passages[support.passage_id].source_id]
                warnings.append(f"{_where_words(line)} re-cited to [{number}], the passage that supports it")
            elif claim.verdict == "partially_supported":
                line.flag = _flag(language, "partial")
                warnings.append(f"{_where_words(line)} marked: the verifier finds it only partly supported "
                                f"({_problem(claim, report)})")
            else:
                lines.remove(line)
                warnings.append(f"{_where_words(line)} dropped: {claim.verdict} even as a quote of its passage "
                                f"({_problem(claim, report)})")
    if check is not None:
        _cite_own_language(brief, lines, story, check, context, warnings)
    for line in lines:
        # Every line worded from a passage in another language says so, supported or not,
        # unless it also cites one in the brief's language that the verifier found supports it.
        source_language = language_of.get(line.passage.source_id, language)
        if (line.quote is None and line.translated_from is None and source_language != language
                and not context.cites_own_language(line)):
            line.translated_from = source_language
    warnings += [mend for line in lines for mend in line.mends]
    brief = brief.model_copy(update={"warnings": warnings, "prompts": prompt_hashes,
                                     "calls": brief.calls + llm.calls[first_call:]})
    brief = _settle_headline(brief, lines, story, check, context)
    brief, _ = _assemble(brief, lines, story)
    if brief.off_topic and story.subject is not None:
        note = (f"{len(brief.off_topic)} of {len(story.sources)} articles set aside as not about "
                f"{story.subject.label}: " + ", ".join(f"[{o.number}]" for o in brief.off_topic))
        if note not in brief.warnings:  # a digest repairs a brief twice
            brief = brief.model_copy(update={"warnings": [*brief.warnings, note]})
    if check is None:
        return brief
    return stamp(brief, check(brief, story))


# Findings the verifier makes without its scorer: they hold across languages.
DETERMINISTIC_FINDINGS = ("unknown-name", "missing-number", "contradicted-date", "unsupported-date", "timeline-date",
                          "off-topic")


def _own_language_story(story: Story, context: _Context) -> Story | None:
    """The story with only its passages in the brief's language, where the verifier looks for
    a translated line's closest passage (the French passage it was worded from shares enough
    cognates to outscore them all); None when there are none."""
    if not context.same_language or len(context.same_language) == len(story.passages):
        return None
    return story.model_copy(update={"passages": context.same_language})


def _own_language_support(claim: ClaimVerdict, line: _Line, context: _Context) -> str | None:
    """The passage in the brief's language that the verifier, shown only those, found closest
    to a line that cites passages in other languages alone."""
    support = claim.cluster_evidence
    if (line.quote is not None or context.cites_own_language(line) or support is None
            or support.passage_id not in context.passages or support.passage_id in line.citations):
        return None
    passage = context.passages[support.passage_id]
    return passage.id if context.language_of.get(passage.source_id) == context.language else None


def _cite_own_language(brief: Brief, lines: list[_Line], story: Story, check: Checker, context: _Context,
                       warnings: list[str]) -> None:
    """A translated line that a passage in the brief's language supports cites that passage too,
    and is verified like any other line instead of shipping as a translation nobody compared:
    the seed's sections translated Reuters' French where The Moscow Times said it in English.
    The citation stays only if the verifier, reading the brief as it will ship, finds the line
    supported by that passage alone: cited with its French passage, the line's names and
    numbers would be found in the French one, and the English passage need only share words
    ("The person who made this move reported that Bonne, overseeing the diplomatic cell since
    2019, ..." passed so, for "la personne au fait de ce déplacement")."""
    own = _own_language_story(story, context)
    if own is None:
        return
    current, located = _assemble(brief, lines, story)
    worded_from: dict[int, list[str]] = {}
    for claim in check(current, own).claims:
        line = located.get(claim.position)
        support = _own_language_support(claim, line, context) if line is not None else None
        if line is not None and support is not None and line.where[0] != "headline":
            worded_from[id(line)] = line.citations
            line.citations = [support]
    if not worded_from:
        return
    current, located = _assemble(brief, lines, story)
    verdicts = {c.position: c.verdict for c in check(current, story).claims}
    for position, line in located.items():
        if id(line) not in worded_from:
            continue
        (support,) = line.citations
        line.citations = worded_from[id(line)]
        if verdicts.get(position) == Verdict.SUPPORTED:
            warnings.append(_also_cite(line, support, context))


def _also_cite(line: _Line, support: str, context: _Context) -> str:
    """Cite the passage in the brief's language that supports a translated line, which is then
    no translation nobody compared; the warning that says so."""
    line.citations = [*line.citations, support]
    line.translated_from = None
    number = context.number_of[context.passages[support].source_id]
    return (f"{_where_words(line)} also cited to [{number}], which says it in "
            f"{LANGUAGE_NAMES.get(context.language, context.language)}")


def _translation(claim, report: VerificationReport, line: _Line, context: _Context) -> str | None:
    """The language a line was translated from, when the verifier could not compare it: every
    cited passage is in another language (its model-free scorer reads one language at a time),
    none of its deterministic checks failed, and the gate, which compares names, numbers, dates,
    roles, negation and attribution across languages, passed it."""
    languages = {context.language_of.get(context.passages[pid].source_id) for pid in line.citations
                 if pid in context.passages}
    if line.problems or line.quote is not None or not languages or context.language in languages:
        return None
    if claim.verdict == "contradicted" or any(
            f.position == claim.position and f.severity == "error" and f.type in DETERMINISTIC_FINDINGS
            for f in report.findings):
        return None
    known = sorted(language for language in languages if language)
    return known[0] if known else None


def _note_unsupported(report: VerificationReport, located: dict[Position, _Line], context: _Context) -> list[_Line]:
    """Lines the verifier does not find supported get its findings as their problems, except
    translations it could not compare, which are marked as such."""
    out = []
    for claim in report.claims:
        line = located.get(claim.position)
        if line is None or line.quote is not None or claim.verdict in ("supported", "exempt"):
            continue
        line.translated_from = _translation(claim, report, line, context)
        if line.translated_from:
            continue
        line.problems = line.problems or [Problem("missing", f"it is {claim.verdict.replace('_', ' ')}: "
                                                             f"{_problem(claim, report)}")]
        out.append(line)
    return out


def _settle_headline(brief: Brief, lines: list[_Line], story: Story, check: Checker | None,
                     context: _Context) -> Brief:
    """The headline is a claim like the others. If it fails the gate or the verifier, the first
    of these that the verifier supports stands in: the title of an article in the brief's
    language that the brief cites (its passages first) written within OVERTAKEN_DAYS of the
    newest article, then the brief's latest line that names the story. If none does, the
    headline is marked."""
    head = next((line for line in lines if line.where[0] == "headline"), None)
    if head is None:
        return brief
    language = context.language
    stand_ins: list[tuple[str, list[str], Passage, str]] = []  # text, citations, passage, what it is
    if not head.problems:
        stand_ins.append((head.text, head.citations, head.passage, "headline"))
    cited = Counter(context.passages[pid].source_id for line in lines if line.where[0] != "headline"
                    for pid in line.citations if pid in context.passages)
    first_cited = head.passage.source_id
    newest = max((s.published for s in story.sources if s.published), default=None)
    for source in sorted(story.sources, key=lambda s: (s.id != first_cited, -cited[s.id], s.number)):
        if not source.title or source.language != language or not cited[source.id]:
            continue
        if newest is not None and (source.published is None or (newest - source.published).days > OVERTAKEN_DAYS):
            continue  # the MJ brief of the 2011 sentencing was headed by a 2009 report's title
        own = [p for p in story.passages if p.source_id == source.id]
        titled = next((p for p in own if _is_title(p, source.title)), None)
        passage = titled or next((p for p in own if p.index > 0), own[0])
        stand_ins.append((" ".join(source.title.split()), [passage.id], passage, "title"))
    # Then a line of the brief, the latest first (a timeline entry by its event's date, a
    # sentence by its article's): the headline is the latest development.
    def when(line: _Line) -> dt.date:
        if line.where[0] == "timeline" and line.date:
            return _parse_partial_date(line.date)
        return context.published.get(line.passage.source_id) or dt.date.min

    # A headline names the story: "Samuel Aranda won the World Press Photo award" stood in for
    # Yemen's Gulf deal, the newest line of a brief of Yemen's protests.
    subject = _subject_words(story)
    newest_first = sorted((line for line in lines if line.where[0] in ("section", "timeline")
                           and line.quote in (None, language) and not line.problems and line.flag is None
                           and (subject is None or subject.named_in(line.passage))),
                          key=when, reverse=True)
    stand_ins += [(line.text, line.citations, line.passage, "sentence") for line in newest_first]
    warnings = list(brief.warnings)
    if check is not None and stand_ins:
        report, claims = _probe(brief, story, check, [(text, citations) for text, citations, _, _ in stand_ins])
        standing = []
        for claim, (text, citations, passage, kind) in zip(claims, stand_ins):
            line = _Line(("section", 0, 0), passage, text, list(citations))
            if claim is not None and (claim.verdict == "supported" or _translation(claim, report, line, context)):
                standing.append((text, citations, passage, kind))
        own_story = _own_language_story(story, context)
        if standing and standing[0][3] == "headline" and head.translated_from and own_story is not None:
            # A translated headline that a title or passage in the brief's language supports
            # cites it too, as the brief's lines do (see _cite_own_language).
            _, (closest,) = _probe(brief, own_story, check, [(head.text, head.citations)])
            support = _own_language_support(closest, head, context) if closest is not None else None
            if support is not None:
                _, (claim,) = _probe(brief, story, check, [(head.text, [support])])
                if claim is not None and claim.verdict == "supported":
                    warnings.append(_also_cite(head, support, context))
                    standing[0] = (head.text, head.citations, head.passage, "headline")
        stand_ins = standing
    if stand_ins and stand_ins[0][3] != "headline":
        text, citations, passage, kind = stand_ins[0]
        warnings.append(f"headline “{head.text}” replaced by {'title of a cited article' if kind == 'title' else 'a sentence of the brief'}: "
                        + ("it failed the check" if head.problems else "it is not supported by its sources"))
        head.text, head.citations, head.passage = text, list(citations), passage
        # A title is in the brief's language; a line of the brief keeps its passage's.
        source_language = context.language_of.get(passage.source_id, language)
        head.translated_from = source_language if kind == "sentence" and source_language != language else None
    elif not stand_ins:
        head.flag = _flag(language, "headline")
        warnings.append(f"headline marked: {'; '.join(p.message for p in head.problems) or 'not supported'}")
    head.problems = []
    return brief.model_copy(update={"warnings": warnings})


def _probe(brief: Brief, story: Story, check: Checker, items: list[tuple[str, list[str]]],
           ) -> tuple[VerificationReport, list[ClaimVerdict | None]]:
    """The verifier's verdict on each (text, citations) as a sentence of its own: how a
    headline, which the verifier exempts, is checked."""
    probe = brief.model_copy(update={
        "sections": [Section(lead="", sentences=[Sentence(text=text, citations=citations)]) for text, citations in items],
        "timeline": [], "passages": {p.id: p for p in story.passages}})
    report = check(probe, story)
    verdicts = {c.position: c for c in report.claims}
    return report, [verdicts.get(Position.of_sentence(n, 0)) for n in range(len(items))]


def stamp(brief: Brief, report: VerificationReport) -> Brief:
    """'Verification passed' only when every sentence, every timeline entry and the headline
    are supported by their citations; a translation the gate checked is not "supported"."""
    counted = [c for c in report.claims if c.kind in ("sentence", "timeline")]
    every_line = all(c.verdict == "supported" for c in counted)
    translated = {Position.of_sentence(i, j) for i, s in enumerate(brief.sections)
                  for j, x in enumerate(s.sentences) if x.translated_from}
    translated |= {Position.of_entry(k) for k, e in enumerate(brief.timeline) if e.translated_from}
    passed = report.summary.passed and every_line and not translated and brief.headline_flag is None
    # Every line is counted once: supported by a passage in its own language, translated (marked
    # so where it stands, and checked by the gate only: the scorer's "supported" across languages
    # passed the seed's "it was important to find a new dialogue framework" for "il serait
    # pertinent de dialoguer à nouveau directement"), or marked with the scorer's reason. The
    # banner's supported, translated and marked then add up to the lines shown.
    # The verdict counts are of the lines in their own language only, so that the JSON's figures
    # add up as the banner's do (Yemen's read "2 partly supported" of five translated lines).
    own = [c for c in counted if c.position not in translated]
    verdicts = {verdict: sum(1 for c in own if c.verdict == verdict)
                for verdict in ("supported", "supported_elsewhere", "partially_supported", "unsupported", "contradicted")}
    return brief.model_copy(update={"verification": report.summary.model_copy(
        update={"passed": passed, **verdicts, "translated": len(counted) - len(own)})})


def _problem(claim, report: VerificationReport) -> str:
    messages = [f.message for f in report.findings if f.position == claim.position and f.severity == "error"]
    return "; ".join(dict.fromkeys(messages)) or "the cited passages do not state this"



def _parse_partial_date(value: str) -> dt.date:
    parts = [int(x) for x in value.split("-")]
    try:
        return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise ValueError(f"{value} is not a real date") from exc


# ---------------------------------------------------------------------------
# What changed: a digest re-briefs a story that gained articles and says what they add.


class UpdatePick(Record):
    passages: list[str] = Field(min_length=1, max_length=3)


@dataclass
class StoryUpdate:
    """The new developments of a re-briefed story, each citing passages of its new articles."""

    sentences: list[Sentence]
    new_articles: list[int]
    warnings: list[str]


def describe_update(story: Story, previous: Brief, new_source_ids: set[str], llm: LLM, prompts: PromptLibrary,
                    options: BriefOptions = BriefOptions()) -> StoryUpdate:
    """What the new articles add to the `previous` brief, as a brief says it: the model chooses
    the passages of the new articles that report what the earlier brief does not (update.j2,
    the earlier brief as context), each is worded into one line (word.j2) and gated like every
    line of a brief; a line that fails the gate is its passage, quoted."""
    language = options.language
    language_name = LANGUAGE_NAMES.get(language, language)
    language_of = {s.id: s.language for s in story.sources}
    view = _prompt_view(story, select_passages(story, options.passage_budget, llm.count_tokens))
    new_labels = [label for label, p in view.label_to_passage.items() if p.source_id in new_source_ids]
    new_numbers = sorted({s.number for s in story.sources if s.id in new_source_ids})
    if not new_labels:
        return StoryUpdate([], new_numbers, ["the new articles did not fit the model's window: what they "
                                             "changed is not described"])
    pick_model = create_model("UpdatePick", __base__=UpdatePick,
                              passages=(_list_of(_one_of(tuple(new_labels))), Field(min_length=1, max_length=3)))
    prompt = prompts.render("update.j2", articles=view.articles, language_name=language_name,
                            new_articles=new_numbers, previous_headline=previous.headline,
                            previous_sentences=[s.text for section in previous.sections for s in section.sentences])
    answer = llm.structured(prompt, pick_model, max_tokens=options.pick_max_tokens)
    chosen = (_partial_json(answer.raw).get("passages") or [] if isinstance(answer, StructuredFailure)
              else answer.passages)
    picked = [view.label_to_passage[c] for c in dict.fromkeys(chosen) if c in new_labels][:3]
    warnings: list[str] = []
    if not picked:
        return StoryUpdate([], new_numbers, ["the model chose no passage of the new articles: what they "
                                             "changed is not described"])
    lines = [_Line(("section", 0, j), p, "", [p.id]) for j, p in enumerate(picked)]
    _word(lines, language, language_of, llm, prompts, options)
    context = _Context.of(story, language)
    for line in list(lines):
        _gate(line, context)
        if line.problems or not line.text:
            # No re-ask for a what-changed line: its passage speaks for itself when it is in the
            # brief's language, as any line's does.
            reason = (f"the what-changed line failed the gate ({'; '.join(p.message for p in line.problems)})"
                      if line.problems else "the what-changed line came back empty")
            _quote_or_drop(line, lines, language, language_of, warnings, reason)
    warnings += [mend for line in lines for mend in line.mends]
    sentences = [Sentence(text=line.text, citations=line.citations, quote=line.quote,
                          translated_from=line.translated_from, flag=line.flag) for line in lines]
    return StoryUpdate(sentences, new_numbers, warnings)
