"""Passages: citable pieces of the sources, the story's subject, and what fits the window.

- `split_passages`: a source's cleaned text as passages with stable, content-based ids.
- `find_subject` / `set_aside_off_topic`: what the story is about, and the articles that
  are not about it (never shown to the model).
- `select_passages`: the passages to show the model, counted in the serving model's own
  tokens, ranked by relevance to the subject and spread over sources and time.

Sentences come from :func:`storybrief.text.sentence_spans`, the splitter every stage
shares (fast, no model). Very short fragments merge into a neighbour; very
long sentences are cut at a clause boundary. Offsets always satisfy
`source.text[p.start:p.end] == p.text`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import math
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field

from storybrief.dates import resolve_dates
from storybrief.errors import ContextOverflowError
from storybrief.models import OffTopicSource, Passage, Source, Story, Subject
from storybrief.text import ALL_STOP_WORDS, content_words, fold, is_subhead, name_forms, sentence_spans, words

__all__ = [
    "split_passages", "key_words", "MIN_PASSAGE_CHARS", "MAX_PASSAGE_CHARS",
    "find_subject", "own_terms", "given_names", "subheads", "SubjectWords", "names_subject", "set_aside_off_topic", "select_passages", "estimate_tokens", "refit_budget", "TokenCounter",
]

MIN_PASSAGE_CHARS = 30
MAX_PASSAGE_CHARS = 600
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")


def key_words(text: str) -> frozenset[str]:
    """The folded words of `text` that say what it is about: content words of four letters or
    more, and numbers."""
    return frozenset(w for w in content_words(text) if w[:1].isdigit() or len(w) >= 4)


def _merge_short(spans: list[tuple[int, int]], minimum: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and (e - s < minimum or merged[-1][1] - merged[-1][0] < minimum):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _split_long(text: str, span: tuple[int, int], maximum: int) -> list[tuple[int, int]]:
    s, e = span
    pieces: list[tuple[int, int]] = []
    while e - s > maximum:
        window = text[s:s + maximum]
        cut = -1
        for separator in ("; ", ": ", ", ", " "):
            cut = window.rfind(separator, maximum // 2)
            if cut > 0:
                cut += len(separator.rstrip())
                break
        if cut <= 0:
            cut = maximum
        pieces.append((s, s + cut))
        s += cut
        while s < e and text[s].isspace():
            s += 1
    if e > s:
        pieces.append((s, e))
    return pieces


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def split_passages(source: Source, base: dt.date | None) -> list[Passage]:
    """The source's passages in text order, each with its dates resolved against `base`."""
    text = source.text
    spans: list[tuple[int, int]] = []
    for paragraph in _PARAGRAPH.finditer(text):
        sentences = _merge_short(sentence_spans(text, paragraph.start(), paragraph.end()), MIN_PASSAGE_CHARS)
        for span in sentences:
            spans.extend(_split_long(text, span, MAX_PASSAGE_CHARS))
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    prefix = source.id[:6]
    for index, (s, e) in enumerate(spans):
        body = text[s:e]
        digest = hashlib.sha1(_normalise(body).encode("utf-8")).hexdigest()[:8]
        pid = f"{prefix}-{digest}"
        seen[pid] = seen.get(pid, 0) + 1
        if seen[pid] > 1:
            pid = f"{pid}-{seen[pid]}"  # a repeated sentence: numbered by order of appearance
        passages.append(
            Passage(
                id=pid,
                source_id=source.id,
                index=index,
                start=s,
                end=e,
                text=body,
                dates=resolve_dates(body, base, source.language),
            )
        )
    return passages


# --------------------------------------------------------------------------- the story's subject
#
# The cluster's centre is not its subject: a cluster about the Arab Spring at large puts
# the most Yemen-focused article furthest from its centroid. The subject is what the user
# names (a topic, a story's name), else the names most of its articles share; an article
# is about it when a fair share of the names it mentions are the subject's.

_NAME = re.compile(r"\b[A-ZÀ-Ý][\w-]{2,}")
_ELISION = re.compile(r"\b[A-Za-z]['’]")
# Capitalised function words that open sentences; they are not names.
_NOT_NAMES = ALL_STOP_WORDS | frozenset(
    "les des une aux the but this dans pour avec sans selon sur par elle ils mais que qui est son ses nous vous "
    "cet une lors pas non yes its his her their she him there here what how why when where".split()
)
MAX_SUBJECT_TERMS = 6
# A cluster term joins the subject when it scores at least this share of the top term.
SUBJECT_TERM_SHARE = 0.5
# An article is off-topic when its share of subject names is under this part of the
# cluster's median share (or it names the subject not at all).
OFF_TOPIC_SHARE_OF_MEDIAN = 0.3


def _names(text: str) -> Counter:
    counts: Counter = Counter()
    for word in _NAME.findall(_ELISION.sub("", text)):
        folded = fold(re.sub(r"['’]s$", "", word))
        if folded not in _NOT_NAMES:
            counts[folded] += 1
    return counts


def _topic_terms(topic: str) -> list[str]:
    # A parenthesis annotates the name ("Yemen 2011 (French)", "Bonne in Moscow (seed)"):
    # it says nothing of the story.
    topic = re.sub(r"\([^()]*\)", " ", topic)
    return [w for w in (fold(w) for w in re.findall(r"[^\W\d_]+", topic)) if len(w) >= 3 and w not in _NOT_NAMES]


def find_subject(sources: Sequence[Source], topic: str | None = None) -> Subject:
    """The subject's terms: the topic's words, then the names most shared across the
    articles (among those that name the topic, when there is one), weighted by how many
    articles name them and how often."""
    names = [_names(s.text) for s in sources]
    topic_terms = _topic_terms(topic or "")
    about_topic = [c for c in names if any(c[t] for t in topic_terms)] if topic_terms else names
    counted = about_topic or names
    document_frequency: Counter = Counter()
    mentions: Counter = Counter()
    for counts in counted:
        document_frequency.update(set(counts))
        mentions.update(counts)
    n = max(1, len(counted))
    score = {t: document_frequency[t] / n * math.log(1 + mentions[t] / document_frequency[t])
             for t in document_frequency}
    ranked = sorted(score, key=lambda t: (-score[t], t))
    top = score[ranked[0]] if ranked else 0.0
    shared = [t for t in ranked if score[t] >= SUBJECT_TERM_SHARE * top]
    terms = list(dict.fromkeys(topic_terms + shared))[:max(MAX_SUBJECT_TERMS, len(topic_terms))]
    if topic:
        return Subject(terms=terms, origin="topic", label=topic.strip())
    return Subject(terms=terms, origin="cluster", label=", ".join(terms[:3]))


def _term_weights(subject: Subject) -> dict[str, float]:
    """Earlier terms weigh more: the topic's own words, then the most shared names."""
    return {t: 1.0 / (1 + 0.25 * i) for i, t in enumerate(subject.terms)}


def subject_share(source: Source, subject: Subject) -> float:
    """How much `source` is about `subject`: the share of the names it mentions that are the
    subject's, weighted by how telling each term is."""
    weights = _term_weights(subject)
    counts = _names(source.text)
    total = sum(counts.values())
    return sum(w * counts[t] for t, w in weights.items()) / total if total else 0.0


def own_terms(subject: Subject) -> list[str]:
    """The subject's terms the user's topic gives (none when the subject comes from the cluster):
    a name the cluster shares can be someone else's, the user's words are meant."""
    if subject.origin != "topic":
        return []
    # In any language the name table knows: "Libya" is the French articles' "Libye".
    given = {form for word in _topic_terms(subject.label) for form in name_forms(word) | {word}}
    return [t for t in subject.terms if t in given]


_NAME_RUN = re.compile(r"[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)+")


def given_names(subject: Subject, texts: Iterable[str]) -> frozenset[str]:
    """The subject's terms that are mostly a first name before a surname the subject also has
    ("Ali" of "Ali Abdullah Saleh", "Michael" of "Michael Jackson"): others bear them too ("Ben
    Ali", "Judge Michael Pastor"), and the surname alone tells the story's person."""
    terms = set(subject.terms)
    before_surname: Counter = Counter()
    mentions: Counter = Counter()
    for text in texts:
        for run in _NAME_RUN.finditer(text):
            names = [fold(re.sub(r"['’]s$", "", w)) for w in run.group().split()]
            for i, name in enumerate(names):
                if name in terms:
                    mentions[name] += 1
                    before_surname[name] += any(n in terms and n != name for n in names[i + 1:i + 3])
    return frozenset(t for t in terms if before_surname[t] > mentions[t] / 2)


def subheads(story: Story) -> dict[str, str]:
    """Each passage's subhead, where its article has one above it: the part of a year's review
    under "Yemen, aux armes citoyens" is about Yemen though its sentences say "Sanaa"."""
    heads: dict[str, str] = {}
    current: dict[str, str] = {}
    for passage in story.passages:
        if passage.index > 0 and is_subhead(passage.text):
            current[passage.source_id] = passage.text
        elif passage.source_id in current:
            heads[passage.id] = current[passage.source_id]
    return heads


@dataclass(frozen=True)
class SubjectWords:
    """What tells that a passage is about the story: the subject's terms less the first names
    others bear too (`given_names`), the topic's own words among them (`own_terms`), and the
    subhead each passage stands under (`subheads`)."""

    terms: frozenset[str]
    own: frozenset[str]
    heads: Mapping[str, str] = field(default_factory=dict)
    label: str = ""

    @classmethod
    def of(cls, subject: Subject, story: Story | None = None) -> SubjectWords:
        """`story`: the articles whose names and subheads are read; without it, every term counts."""
        given = given_names(subject, (p.text for p in story.passages)) if story is not None else frozenset()
        return cls(frozenset(subject.terms) - given, frozenset(own_terms(subject)) - given,
                   subheads(story) if story is not None else {}, subject.label)

    def grade(self, passages: Iterable[Passage]) -> int:
        """2 when a passage (or its subhead) names the topic's own words, 1 when it names another
        of the subject's terms (or any, for a subject found in the cluster), 0 when neither."""
        grade = 0
        for passage in passages:
            named = set(words(fold(f"{passage.text} {self.heads.get(passage.id, '')}")))
            if named & self.own:
                return 2
            if named & self.terms:
                grade = 1
        return grade

    def named_in(self, passage: Passage) -> bool:
        """Whether the passage (or its subhead) names the story by any of its terms: with the
        first names others bear left out, "Kadhafi a été tué" is Libya's news though it does not
        say "Libye"."""
        return self.grade([passage]) >= 1


def names_subject(text: str, subject: Subject, minimum: int = 2) -> bool:
    """Whether text names at least `minimum` of the subject's terms, one of them the topic's own
    when the user gave one: a passage about the story in an article about much else (a year's
    review, "23 Nov: YEMEN - President Ali Abdallah Saleh signs ...")."""
    named = set(subject.terms) & {fold(w) for w in re.findall(r"[^\W\d_]+", text)}
    if subject.origin == "topic" and not named & set(own_terms(subject)):
        return False
    return len(named) >= minimum


def set_aside_off_topic(sources: Sequence[Source], subject: Subject) -> list[OffTopicSource]:
    """The sources that are not about `subject`: the share of the names they mention that
    are the subject's is far below the cluster's median, or nil."""
    if len(sources) < 3 or not subject.terms:
        return []  # too few articles to tell the story's subject from one article's
    shares = [subject_share(source, subject) for source in sources]
    median = statistics.median(shares)
    return [
        OffTopicSource(source_id=s.id, number=s.number, title=s.title, outlet=s.outlet,
                       relevance=round(share / median, 3) if median else 0.0)
        for s, share in zip(sources, shares, strict=True)
        if share == 0.0 or share < OFF_TOPIC_SHARE_OF_MEDIAN * median
    ]


# --------------------------------------------------------------------------- fitting the window

TokenCounter = Callable[[str], "int | None"]
# Without the model's tokenizer: French news runs at about 3.4 characters a token and
# English at 4-6; 3 overestimates both, so an estimated fit does not overflow.
CHARS_PER_TOKEN = 3.0
# A lower bound, to skip passages that cannot fit without asking the tokenizer.
MAX_CHARS_PER_TOKEN = 8.0
# The label, the date notes' frame and line breaks around each passage in the prompt.
PASSAGE_OVERHEAD_TOKENS = 8
# An article's header in the prompt: number, outlet, date, language, title frame.
SOURCE_OVERHEAD_TOKENS = 24
# Passages are spread over the story's time span in this many periods.
TIME_PERIODS = 12
# The newest articles tell the latest development: their leads are shown first, this much weightier.
NEWEST_ARTICLES = 3
NEWEST_LEAD_WEIGHT = 4.0


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def _counter(count_tokens: TokenCounter | None) -> Callable[[str], int]:
    def count(text: str) -> int:
        counted = count_tokens(text) if count_tokens is not None and text else None
        return counted if counted is not None else estimate_tokens(text)
    return count


def passage_cost(passage: Passage, count: Callable[[str], int]) -> int:
    notes = "; ".join(f"{d.expression} = {d.iso}" for d in passage.dates)
    return count(passage.text) + PASSAGE_OVERHEAD_TOKENS + (estimate_tokens(notes) if notes else 0)


def source_cost(source: Source, count: Callable[[str], int]) -> int:
    header = " ".join(x for x in (source.title, source.outlet) if x)
    return count(header) + SOURCE_OVERHEAD_TOKENS


def _period_of(story: Story) -> dict[str, int]:
    """Each source's period of the story's time span (by publication date)."""
    dated = [s.published for s in story.sources if s.published]
    if not dated:
        return {s.id: 0 for s in story.sources}
    first, last = min(dated), max(dated)
    width = max(1, ((last - first).days + 1) / TIME_PERIODS)
    return {s.id: int(((s.published or last) - first).days / width) for s in story.sources}


def select_passages(story: Story, budget_tokens: int, count_tokens: TokenCounter | None = None,
                    key_reports: Set[str] = frozenset()) -> list[Passage]:
    """The passages to show the model, in story order, within `budget_tokens`.

    Tokens are counted with `count_tokens` (the serving model's tokenizer) where given,
    else estimated on the safe side; article headers are counted too. Off-topic sources
    are never shown. When the story fits, every on-topic passage; otherwise the passages
    most about the story's subject, central, dated and leading (the newest articles' leads
    and the `key_reports`, passage ids of the reports of its main events, first), spread
    across sources and over the story's time span.
    """
    count = _counter(count_tokens)
    set_aside = {s.source_id for s in story.off_topic}
    sources = {s.id: s for s in story.sources if s.id not in set_aside}
    passages = [p for p in story.passages if p.source_id in sources]
    if not passages:
        return []
    # Everything may fit: check a lower bound first, so a large story is not counted in full.
    if sum(len(p.text) for p in passages) / MAX_CHARS_PER_TOKEN <= budget_tokens:
        shown = {p.source_id for p in passages}
        total = sum(passage_cost(p, count) for p in passages) + sum(source_cost(sources[s], count) for s in shown)
        if total <= budget_tokens:
            return passages
    subject = story.subject or find_subject(list(sources.values()))
    weights = _term_weights(subject)
    counts = [Counter(w for w in words(p.text) if len(w) > 3) for p in passages]
    document_frequency = Counter(w for bag in counts for w in bag)
    n = len(passages)
    centroid = {w: c * math.log(n / c) for w, c in document_frequency.items() if c > 1}
    centroid_norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0

    def centrality(bag: Counter) -> float:
        weighted = {w: c * math.log(n / document_frequency[w]) for w, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
        return sum(v * centroid.get(w, 0.0) for w, v in weighted.items()) / (norm * centroid_norm)

    # The newest articles that name the subject: the headline is chosen among them, so the model
    # must see them (MJ's sentencing articles of 29 November were left out of its window).
    dated = [s for s in sources.values() if s.published is not None and subject_share(s, subject) > 0]
    newest = {s.id for s in sorted(dated, key=lambda s: (s.published, s.number), reverse=True)[:NEWEST_ARTICLES]}
    base = []
    for passage, bag in zip(passages, counts, strict=True):
        about = sum(w * min(bag[t], 2) for t, w in weights.items())
        score = (0.1 + centrality(bag)) * (1.0 + about)
        score *= 1.3 if any(d.role == "event" for d in passage.dates) else 1.0
        score *= 1.5 if passage.index < 2 else 1.0
        score *= NEWEST_LEAD_WEIGHT if passage.index < 2 and passage.source_id in newest else 1.0
        # MJ's verdict reports ("has been found guilty") were left out for the Cardiff concert's.
        score *= NEWEST_LEAD_WEIGHT if passage.id in key_reports else 1.0
        base.append(score)
    period = _period_of(story)
    # Greedy by score shared with the passages already picked from the same source and the
    # same period. Scores only fall as picks accumulate, so a lazy heap gives the same picks
    # as rescanning every passage each time, without the quadratic cost on large clusters.
    picks_per_source: Counter = Counter()
    picks_per_period: Counter = Counter()

    def current(i: int) -> float:
        source_id = passages[i].source_id
        return base[i] / ((1 + picks_per_source[source_id]) * (1 + 0.5 * picks_per_period[period[source_id]]))

    chosen: list[int] = []
    used = 0
    heap = [(-score, i) for i, score in enumerate(base)]
    heapq.heapify(heap)
    while heap and used < budget_tokens - PASSAGE_OVERHEAD_TOKENS:
        negative, best = heapq.heappop(heap)
        now = current(best)
        if now < -negative:
            heapq.heappush(heap, (-now, best))
            continue
        passage = passages[best]
        header = 0 if picks_per_source[passage.source_id] else SOURCE_OVERHEAD_TOKENS
        if used + header + len(passage.text) / MAX_CHARS_PER_TOKEN > budget_tokens:
            continue  # cannot fit, whatever the tokenizer says
        if header:
            header = source_cost(sources[passage.source_id], count)
        cost = header + passage_cost(passage, count)
        if used + cost > budget_tokens:
            continue
        chosen.append(best)
        used += cost
        picks_per_source[passage.source_id] += 1
        picks_per_period[period[passage.source_id]] += 1
    return [passages[i] for i in sorted(chosen)]


def refit_budget(budget_tokens: int, overflow: ContextOverflowError) -> int:
    """A smaller passage budget after the server said the request did not fit: less by the
    excess it reported and a margin, or by a quarter when it gave no counts."""
    if overflow.requested and overflow.available and overflow.requested > overflow.available:
        excess = overflow.requested - overflow.available
        return budget_tokens - excess - max(64, budget_tokens // 20)
    return budget_tokens * 3 // 4
