"""The schema of record: every stage passes these types, never bare dicts."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Precision = Literal["day", "month", "year"]
Tense = Literal["past", "future"]
DateRole = Literal["event", "publication", "anchor"]


class Record(BaseModel):
    """Base for every record: unknown fields are an error, not silently kept."""

    model_config = ConfigDict(extra="forbid")


class ResolvedDate(Record):
    """A date expression found in text, resolved against the article's publication date.

    `iso` carries only what the text gives: "2026-02-03" (day), "2025-12" (month), "2011" (year).
    """

    expression: str
    start: int = Field(description="offset of the expression in the passage text")
    end: int
    iso: str
    precision: Precision
    relative: bool = Field(description="true when the text gave no absolute date (mardi, last week)")
    tense: Tense | None = Field(
        default=None, description="tense of the clause around the expression; None when it gives no clear cue"
    )
    role: DateRole = Field(
        default="event",
        description="event: something happened or will happen on that date; publication: a dateline or "
        "publication stamp, which dates the article, not an event; anchor: a date the clause tells what "
        "followed or preceded (after, before), which dates no event the passage tells",
    )


PositionKind = Literal["headline", "sentence", "timeline", "sources", "sections", "brief", "line"]


class Position(Record):
    """Where in a brief something is: the headline, a section's sentence, a timeline entry,
    the brief's sources, its sections or the brief as a whole, or a line of a text brief.
    Indices are 0-based; a line is numbered as editors show it, from 1. Hashable, so stages
    can key edits by it; :meth:`label` is the words a reader sees."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: PositionKind
    section: int | None = Field(default=None, ge=0, description="a sentence's section, 0-based")
    sentence: int | None = Field(default=None, ge=0, description="a sentence's index in its section, 0-based")
    entry: int | None = Field(default=None, ge=0, description="a timeline entry's index, 0-based")
    line: int | None = Field(default=None, ge=1, description="a line of a text brief, 1-based")

    @classmethod
    def of_sentence(cls, section: int, sentence: int) -> Position:
        return cls(kind="sentence", section=section, sentence=sentence)

    @classmethod
    def of_entry(cls, entry: int) -> Position:
        return cls(kind="timeline", entry=entry)

    @classmethod
    def of_line(cls, line: int) -> Position:
        return cls(kind="line", line=line)

    def label(self) -> str:
        """'section 1 sentence 2', 'timeline entry 3', 'line 4', 'headline', 'sources', ..."""
        if self.kind == "sentence":
            return f"section {(self.section or 0) + 1} sentence {(self.sentence or 0) + 1}"
        if self.kind == "timeline":
            return f"timeline entry {(self.entry or 0) + 1}"
        if self.kind == "line":
            return f"line {self.line}"
        return self.kind

    def __str__(self) -> str:
        return self.label()


class Article(Record):
    """One input file or JSONL row after cleaning, before near-duplicates are merged."""

    id: str
    origin: str = Field(description="file path, or path#line for a JSONL row")
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: dt.date | None = None
    published_from: Literal["metadata", "text", "cluster"] | None = Field(
        default=None, description="where the publication date came from; cluster = inferred, not stated"
    )
    dateline: str | None = None
    language: str = "und"
    text: str


class Source(Record):
    """A distinct article of the story; near-duplicate inputs collapse into one source."""

    id: str = Field(description="stable content-based id")
    number: int = Field(ge=1, description="the [n] the brief cites it by")
    origins: list[str] = Field(description="every input this source was read from")
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: dt.date | None = None
    published_from: Literal["metadata", "text", "cluster"] | None = None
    dateline: str | None = None
    language: str = "und"
    text: str


class Passage(Record):
    """A sentence or short paragraph of a source, addressed by a stable content-based id."""

    id: str
    source_id: str
    index: int = Field(ge=0, description="position within its source")
    start: int = Field(ge=0, description="character offset into the source's cleaned text")
    end: int
    text: str
    dates: list[ResolvedDate] = Field(default_factory=list)


class Subject(Record):
    """What the story is about: the user's topic, or the names and terms its articles share."""

    terms: list[str] = Field(description="folded lowercase words, most telling first")
    origin: Literal["topic", "cluster"]
    label: str = Field(description="the topic as given, or the leading terms joined")


class OffTopicSource(Record):
    """An article of the cluster that is not about the story's subject, set aside unread."""

    source_id: str
    number: int
    title: str | None = None
    outlet: str | None = None
    relevance: float = Field(description="its share of the subject's terms, against the cluster's median")


class Story(Record):
    """Everything the later stages need: sources and their passages."""

    name: str
    sources: list[Source]
    passages: list[Passage]
    warnings: list[str] = Field(default_factory=list)
    subject: Subject | None = None
    off_topic: list[OffTopicSource] = Field(
        default_factory=list, description="sources set aside: their passages are never shown to the model"
    )


class EventCandidate(Record):
    """One event as the sources report it: the passages that give it the same resolved date
    and say the same thing, across sources. The timeline is chosen from these."""

    id: str = Field(description="stable, from the date and the passages")
    date: str = Field(description="ISO date cut to its precision, as the resolver gave it")
    precision: Precision
    planned: bool = Field(description="every report of it is in the future tense or dates it after its own "
                                      "publication: announced, not yet happened")
    passage_ids: list[str] = Field(min_length=1, description="most representative first")
    source_ids: list[str] = Field(min_length=1, description="distinct sources, in the order of passage_ids")
    expressions: list[str] = Field(description="the date words as the passages give them")

    @property
    def source_count(self) -> int:
        return len(self.source_ids)


class Sentence(Record):
    text: str
    citations: list[str] = Field(default_factory=list, description="passage ids")
    quote: str | None = Field(default=None, description="language code when `text` is its passage quoted verbatim")
    translated_from: str | None = Field(
        default=None, description="language code of the passages a translated line was checked against by the gate "
        "(names, numbers, dates, roles, negation): the model-free scorer cannot compare languages")
    flag: str | None = Field(default=None, description="why the line ships marked, shown beside it")


class Section(Record):
    lead: str
    sentences: list[Sentence]


class TimelineEvent(Record):
    date: str = Field(description="ISO date cut to its precision: 2026-02-03, 2025-12 or 2025")
    precision: Precision
    text: str
    citations: list[str] = Field(default_factory=list, description="passage ids")
    quote: str | None = Field(default=None, description="language code when `text` is its passage quoted verbatim")
    translated_from: str | None = Field(default=None, description="as Sentence.translated_from")
    flag: str | None = Field(default=None, description="why the entry ships marked, shown beside it")


class SourceRef(Record):
    number: int
    source_id: str
    outlet: str | None = None
    title: str | None = None
    opening: str | None = Field(None, description="an untitled article's first words, shown in place of a title")
    url: str | None = None
    published: dt.date | None = None
    language: str = "und"
    origins: list[str] = Field(default_factory=list)


class CallRecord(Record):
    """One model call, as a run records it."""

    prompt_name: str
    prompt_hash: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int | None = None
    seconds: float
    attempts: int = 1
    cost: float | None = Field(default=None, description="as the endpoint reported it (usage.cost), if it does")


class CitationIssue(Record):
    """A citation that failed the resolution check and what was done about it."""

    where: Position
    citation: str
    problem: str
    action: Literal["removed", "marked"]


class VerificationSummary(Record):
    checked_at: dt.datetime
    scorer: str
    sentences: int
    supported: int
    supported_elsewhere: int = Field(default=0, description="true, but supported by a passage it does not cite")
    partially_supported: int
    unsupported: int
    contradicted: int
    findings: int
    passed: bool
    translated: int = Field(default=0, description="lines translated from another language, which the verifier's "
                            "model-free scorer cannot compare: checked by the gate only, and counted under no verdict")


class Brief(Record):
    headline: str
    headline_citations: list[str] = Field(default_factory=list, description="passage ids the headline words")
    headline_flag: str | None = Field(default=None, description="why the headline ships marked")
    headline_translated_from: str | None = Field(
        default=None, description="language code of the passage a translated headline was worded from")
    language: str
    story: str
    generated_at: dt.datetime
    sections: list[Section]
    timeline: list[TimelineEvent]
    sources: list[SourceRef]
    passages: dict[str, Passage] = Field(description="every passage the brief cites, by id")
    omitted_sources: list[str] = Field(
        default_factory=list, description="source ids left out of the model's input to fit its window"
    )
    off_topic: list[OffTopicSource] = Field(
        default_factory=list, description="articles of the cluster set aside as not about the story"
    )
    citation_issues: list[CitationIssue] = Field(default_factory=list)
    calls: list[CallRecord] = Field(default_factory=list)
    prompts: dict[str, str] = Field(default_factory=dict, description="prompt name -> content hash")
    warnings: list[str] = Field(default_factory=list)
    verification: VerificationSummary | None = None


# --------------------------------------------------------------------------- verification

class Verdict(str, Enum):
    """What the verifier concluded about one claim; each verdict says what to do about it."""

    SUPPORTED = "supported"
    SUPPORTED_ELSEWHERE = "supported_elsewhere"  # true: a passage it does not cite supports it (re-cite)
    PARTIALLY_SUPPORTED = "partially_supported"  # some of it is supported, a detail is not
    UNSUPPORTED = "unsupported"  # nothing given supports it
    CONTRADICTED = "contradicted"  # a source says otherwise (see the claim's contradictions)
    EXEMPT = "exempt"  # the headline, or too short to state a fact

    def __str__(self) -> str:
        return self.value


ContradictionKind = Literal["role", "number", "date", "place", "agent", "event", "negation"]
Severity = Literal["error", "warning", "info"]
FindingType = Literal[
    "unresolved-citation",
    "duplicate-source",
    "uncited",
    "unsupported",
    "partially-supported",
    "contradicted-date",
    "unsupported-date",
    "timeline-date",
    "missing-number",
    "unknown-name",
    "citation-precision",
    "blanket-citation",
    "off-topic",
    "unparsed-line",
    "supported-elsewhere",
    "contradicted",
]


class EvidenceRef(Record):
    """A span of a source that best supports (or contradicts) a claim."""

    source_number: int | None = Field(description="the [n] the brief cites it by; None when not cited")
    source_id: str
    passage_id: str | None = None
    quote: str
    start: int = Field(description="character offset into the source's cleaned text")
    end: int
    dates: list[str] = Field(default_factory=list, description="resolved dates of the passage, ISO")


class Contradiction(Record):
    """A fact the claim states that a source states otherwise, with the source's words."""

    kind: ContradictionKind = Field(description="role/title, number, date, place, who did what (agent), "
                                                "what happened (event), or negation")
    claim: str = Field(description="what the claim says, in its words")
    source: str = Field(description="what the source says instead, in its words")
    evidence: EvidenceRef


class ClaimVerdict(Record):
    """The verdict on one sentence, timeline entry or headline of the brief."""

    position: Position
    lead: str | None = Field(default=None, description="the lead phrase of the sentence's section")
    text: str
    citations: list[str] = Field(default_factory=list, description="markers [n] or passage ids as the brief gives them")
    verdict: Verdict
    score: float | None = Field(default=None, description="combined support score in [0, 1] against the cited sources")
    scorer_score: float | None = None
    judge_score: float | None = None
    cluster_score: float | None = Field(default=None, description="scorer score against the whole cluster")
    evidence: EvidenceRef | None = None
    cluster_evidence: EvidenceRef | None = None
    date: str | None = Field(default=None, description="timeline entries: the entry's date, ISO")
    contradictions: list[Contradiction] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)

    @property
    def location(self) -> str:
        return self.position.label()

    @property
    def kind(self) -> str:
        return self.position.kind

    @property
    def section(self) -> int | None:
        return self.position.section


class Finding(Record):
    type: FindingType
    severity: Severity
    position: Position
    text: str = Field(default="", description="the sentence or line the finding is about")
    message: str
    citations: list[str] = Field(default_factory=list)
    evidence: EvidenceRef | None = None

    @property
    def location(self) -> str:
        return self.position.label()


class VerifiedSource(Record):
    number: int
    source_id: str
    origins: list[str]
    outlet: str | None = None
    title: str | None = None
    published: dt.date | None = None
    language: str = "und"


class VerificationReport(Record):
    brief: str = Field(description="the brief's file name or story name")
    headline: str | None = None
    checked_at: dt.datetime
    scorer: str
    judge: str | None = None
    thresholds: dict[str, float] = Field(default_factory=dict)
    sources: list[VerifiedSource]
    claims: list[ClaimVerdict]
    findings: list[Finding]
    unparsed: list[str] = Field(default_factory=list)
    summary: VerificationSummary
    seconds: float = 0.0
