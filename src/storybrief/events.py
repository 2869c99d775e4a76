"""Candidate timeline events: passages whose resolved dates date an event, grouped across sources.

A small model is bad at dates and at keeping facts apart, so the timeline is not written
from scratch: it is chosen from these candidates. A candidate is one event as the sources
report it: every passage that gives the same resolved date (same precision) and says the
same thing, whichever source it comes from. Publication dates and datelines are never
events; sources set aside as off-topic give none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache

from storybrief.models import EventCandidate, Passage, Precision, ResolvedDate, Story
from storybrief.passages import key_words, names_subject

__all__ = ["event_candidates", "event_words", "reports_same_event", "SAME_EVENT_OVERLAP"]

# Share of the smaller passage's content words two passages of the same date must share
# to report the same event; with at least MIN_SHARED_WORDS words in common.
SAME_EVENT_OVERLAP = 0.3
MIN_SHARED_WORDS = 2


def _event_dates(passage: Passage, precisions: Iterable[Precision]) -> list[ResolvedDate]:
    wanted = set(precisions)
    return [d for d in passage.dates if d.role == "event" and d.precision in wanted]


def event_words(passage: Passage) -> frozenset[str]:
    """Content words, leaving out the date words: every passage of a group shares those."""
    return _key_words_outside(passage.text, tuple((d.start, d.end) for d in passage.dates))


@lru_cache(maxsize=1 << 16)
def _key_words_outside(text: str, spans: tuple[tuple[int, int], ...]) -> frozenset[str]:
    # Cached: ranking a 1,000-article cluster's events compares each lead with each event's passages.
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return key_words(text)


def _overlap(a: frozenset[str], b: frozenset[str], min_shared: int = MIN_SHARED_WORDS) -> float:
    shared = len(a & b)
    if shared < min_shared:
        return 0.0
    return shared / min(len(a), len(b))


def reports_same_event(a: Iterable[Passage], b: Iterable[Passage], min_shared: int = MIN_SHARED_WORDS) -> bool:
    """Whether a passage of `a` and one of `b` say the same thing, dates aside: the rule that
    groups the passages of one date, applied across two; with `min_shared` words in common."""
    words_b = [event_words(p) for p in b]
    return any(_overlap(event_words(p), w, min_shared) >= SAME_EVENT_OVERLAP for p in a for w in words_b)


def _groups(members: list[int], words: list[frozenset[str]]) -> list[list[int]]:
    """Single-link groups of `members` whose words overlap enough (union-find)."""
    parent = {m: m for m in members}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for x, i in enumerate(members):
        for j in members[x + 1:]:
            if find(i) != find(j) and _overlap(words[i], words[j]) >= SAME_EVENT_OVERLAP:
                parent[find(j)] = find(i)
    grouped: dict[int, list[int]] = {}
    for m in members:
        grouped.setdefault(find(m), []).append(m)
    return list(grouped.values())


def event_candidates(story: Story, precisions: Iterable[Precision] = ("day", "month")) -> list[EventCandidate]:
    """Every candidate event of `story`, in date order (coarser first), the most reported
    first within a date. Each passage dated by several events appears in each of them."""
    precisions = tuple(precisions)
    set_aside = {s.source_id for s in story.off_topic}
    published = {s.id: (s.published.isoformat() if s.published else "9999", s.number) for s in story.sources}
    # An article set aside as off-topic still tells the story's events where its passage names
    # the subject outright (a year's review has the day Saleh signed the Gulf deal).
    passages = [p for p in story.passages
                if p.source_id not in set_aside or (story.subject is not None and names_subject(p.text, story.subject))]
    words = [event_words(p) for p in passages]
    by_date: dict[tuple[str, Precision], list[int]] = {}
    planned: dict[tuple[str, str, int], bool] = {}
    expressions: dict[tuple[str, str, int], str] = {}
    for i, passage in enumerate(passages):
        for date in _event_dates(passage, precisions):
            key = (date.iso, date.precision)
            if i not in by_date.setdefault(key, []):
                by_date[key].append(i)
            # Announced, not yet happened: said in the future tense, or dated after the article
            # that says it ("the concert on 8 October" in an August article).
            ahead = published[passage.source_id][0] < date.iso[:10]  # an undated article ("9999") never is
            planned[key + (i,)] = planned.get(key + (i,), True) and (date.tense == "future" or ahead)
            expressions.setdefault(key + (i,), date.expression)
    candidates: list[EventCandidate] = []
    for (iso, precision), members in by_date.items():
        for group in _groups(members, words):
            # Most representative first: a report of it as done (MJ's "will resume considering the
            # charge on Monday" stood for Monday's verdict), sharing most with the rest of its
            # group, then the earliest report.
            def rank(i: int, group: list[int] = group) -> tuple:
                shared = sum(_overlap(words[i], words[j]) for j in group if j != i)
                return (planned[(iso, precision, i)], -shared, published[passages[i].source_id], passages[i].index)

            ordered = sorted(group, key=rank)
            passage_ids = [passages[i].id for i in ordered]
            source_ids = list(dict.fromkeys(passages[i].source_id for i in ordered))
            digest = hashlib.sha1(" ".join([iso, *sorted(passage_ids)]).encode()).hexdigest()[:8]
            candidates.append(EventCandidate(
                id=f"E-{digest}",
                date=iso,
                precision=precision,
                planned=all(planned[(iso, precision, i)] for i in group),
                passage_ids=passage_ids,
                source_ids=source_ids,
                expressions=list(dict.fromkeys(expressions[(iso, precision, i)] for i in ordered)),
            ))
    candidates.sort(key=lambda c: (c.date, len(c.date), -c.source_count, c.id))
    return candidates
