"""Summarise a story into a cited brief: select passages, ask the model, check every citation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import GenericAlias
from typing import Any, Literal

import pydantic_core
from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from .errors import ConfigError, ContextOverflowError, ModelOutputError
from .llm import LLM, StructuredFailure
from .models import (
    Brief,
    CitationIssue,
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
from .passages import estimate_tokens, refit_budget, select_passages  # noqa: F401  (the window fit)
from .prompts import PromptLibrary, fence_text

# What the verifier is to the summariser: a brief and its story in, a report out.
Checker = Callable[[Brief, Story], VerificationReport]

LANGUAGE_NAMES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian"}

ISO_DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"


# ---------------------------------------------------------------------------
# What the model fills in. Labels (P1, P2, ...) stand for passages in the prompt; the
# validators receive the prompt's labels and dates as instructor validation context.


class CitedDraft(Record):
    """Validators of every drafted item that cites passages: known labels, one script."""

    @field_validator("cites", check_fields=False)
    @classmethod
    def _labels_exist(cls, cites: list[str], info: ValidationInfo) -> list[str]:
        return _check_labels(cites, info)

    @field_validator("text", check_fields=False)
    @classmethod
    def _one_script(cls, text: str) -> str:
        return _check_script(text)


class SentenceDraft(CitedDraft):
    cites: list[str] = Field(min_length=1, max_length=3)
    text: str = Field(min_length=12, max_length=320)


class SectionDraft(Record):
    lead: str = Field(min_length=3, max_length=80)
    sentences: list[SentenceDraft] = Field(min_length=2, max_length=4)


class BriefDraft(Record):
    headline: str = Field(min_length=10, max_length=160)
    sections: list[SectionDraft] = Field(min_length=3, max_length=5)

    @model_validator(mode="after")
    def _draws_on_several_articles(self, info: ValidationInfo) -> BriefDraft:
        """The small model summarises the first article it reads and ignores the others."""
        source_of = (info.context or {}).get("source_of")
        if not source_of:
            return self
        shown = sorted(set(source_of.values()))
        cited = {source_of[c] for s in self.sections for sentence in s.sentences for c in sentence.cites
                 if c in source_of}
        wanted = min(3, len(shown))
        if len(cited) < wanted:
            unused = ", ".join(str(n) for n in shown if n not in cited)
            raise ValueError(f"the sentences cite only article(s) {', '.join(map(str, sorted(cited)))}; "
                             f"use at least {wanted} articles, including article(s) {unused}")
        return self

    @model_validator(mode="after")
    def _no_repeats(self) -> BriefDraft:
        """The small model loops: the same sentences again under a new section."""
        seen: dict[str, int] = {}
        for i, section in enumerate(self.sections, 1):
            for sentence in section.sentences:
                first = seen.setdefault(_normal(sentence.text), i)
                if first != i:
                    raise ValueError(
                        f"section {i} repeats a sentence of section {first}; "
                        "each section must report a different aspect with different sentences"
                    )
        return self


class EventDraft(CitedDraft):
    cites: list[str] = Field(min_length=1, max_length=3)
    date: str = Field(pattern=ISO_DATE)
    text: str = Field(min_length=12, max_length=320)

    @field_validator("date")
    @classmethod
    def _real_date(cls, value: str) -> str:
        _parse_partial_date(value)
        return value

    @model_validator(mode="after")
    def _dated_by_its_passages(self, info: ValidationInfo) -> EventDraft:
        """The date must be one a cited passage gives. Left to itself the small model dates
        events with the article's publication date, or with any date in sight."""
        context = info.context or {}
        dates = context.get("dates")
        if dates is None:
            return self
        given = [d for label in self.cites for d in dates.get(label, [])]
        if any(d.startswith(self.date) or self.date.startswith(d) for d in given):
            return self
        published = {context.get("published", {}).get(label) for label in self.cites}
        if self.date in published:
            raise ValueError(f"{self.date} is the publication date of the cited article, not the day of this "
                             f"event; the cited passages give {', '.join(dict.fromkeys(given)) or 'no date'}")
        raise ValueError(f"no cited passage gives the date {self.date} "
                         f"(they give {', '.join(dict.fromkeys(given)) or 'no date'}); "
                         "cite the passage that dates this event, or leave the event out")


class TimelineDraft(Record):
    events: list[EventDraft] = Field(min_length=1, max_length=6)


# Scripts the small model drifts into mid-sentence (Qwen: Chinese); never right in a Latin-script brief.
_FOREIGN_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")


def _check_script(text: str) -> str:
    if _FOREIGN_SCRIPT.search(text):
        raise ValueError("the sentence drifts into another script; write it entirely in the brief's language")
    return text


# The prompt's own annotations, which the small model sometimes copies into its sentences.
_PROMPT_ANNOTATION = re.compile(r"\s*\(dates?:[^)]*\)|\s*\[P[0-9]+\]")


def _strip_annotations(text: str) -> str:
    return _PROMPT_ANNOTATION.sub("", text).strip()


def _check_labels(cites: list[str], info: ValidationInfo) -> list[str]:
    labels = (info.context or {}).get("labels")
    if labels is not None:
        unknown = [c for c in cites if c not in labels]
        if unknown:
            raise ValueError(f"unknown passage labels {unknown}: cite only labels shown in the articles")
    return list(dict.fromkeys(cites))


class FixDraft(CitedDraft):
    item: int = Field(ge=1)
    drop: bool
    # Both required: when they were optional the model wrote a corrected sentence but no cites.
    cites: list[str] = Field(max_length=3)
    text: str = Field(max_length=320)

    @model_validator(mode="after")
    def _kept_fix_is_cited(self) -> FixDraft:
        if not self.drop and (not self.cites or len(self.text) < 12):
            raise ValueError(f"item {self.item} is kept, so it needs cites and a sentence; or set drop to true")
        return self


class RepairDraft(Record):
    fixes: list[FixDraft] = Field(min_length=1, max_length=12)


def _list_of(item: Any) -> Any:
    """list[item] for an item type built at run time (a type checker cannot see those)."""
    return GenericAlias(list, (item,))


def _constrained_fixes(labels: list[str], items: int) -> type[RepairDraft]:
    label: Any = Literal[tuple(labels)]  # type: ignore[valid-type]
    number: Any = Literal[tuple(range(1, items + 1))]  # type: ignore[valid-type]
    fix = create_model("FixDraft", __base__=FixDraft, item=(number, ...),
                       cites=(_list_of(label), Field(max_length=3)))
    return create_model("RepairDraft", __base__=RepairDraft,
                        fixes=(_list_of(fix), Field(min_length=1, max_length=items)))


def _constrained(labels: list[str]) -> tuple[type[BriefDraft], type[TimelineDraft]]:
    """Narrow `cites` to the prompt's labels, so a grammar-enforcing server cannot invent one."""
    label: Any = Literal[tuple(labels)]  # type: ignore[valid-type]
    cites = (_list_of(label), Field(min_length=1, max_length=3))
    sentence = create_model("SentenceDraft", __base__=SentenceDraft, cites=cites)
    section = create_model("SectionDraft", __base__=SectionDraft,
                           sentences=(_list_of(sentence), Field(min_length=2, max_length=4)))
    brief = create_model("BriefDraft", __base__=BriefDraft,
                         sections=(_list_of(section), Field(min_length=3, max_length=5)))
    event = create_model("EventDraft", __base__=EventDraft, cites=cites)
    timeline = create_model("TimelineDraft", __base__=TimelineDraft,
                            events=(_list_of(event), Field(min_length=1, max_length=6)))
    return brief, timeline


# ---------------------------------------------------------------------------
# Fitting the story into the model's window.

_WORD = re.compile(r"\w+", re.UNICODE)


# ---------------------------------------------------------------------------


# Below this many tokens for the articles a brief of three sections cannot cite three articles.
MIN_PASSAGE_TOKENS = 1000


@dataclass(frozen=True)
class BriefOptions:
    language: str = "en"
    context_tokens: int = 8192
    brief_max_tokens: int = 1400
    timeline_max_tokens: int = 900
    repair_max_tokens: int = 900
    # Set by a re-fit after the server said a request did not fit: the passages' share.
    passage_tokens: int | None = None

    def __post_init__(self) -> None:
        if self.passage_budget < MIN_PASSAGE_TOKENS:
            least = self.context_tokens - self.passage_budget + MIN_PASSAGE_TOKENS
            raise ConfigError(f"a context of {self.context_tokens} tokens leaves no room for the articles; "
                              f"give at least {least}")

    @property
    def passage_budget(self) -> int:
        if self.passage_tokens is not None:
            return self.passage_tokens
        instructions = 700
        # A re-ask sends the first answer back with the validation errors: room for a typical
        # answer (450-600 tokens measured) and the errors, or the re-ask overflows the window.
        reask = 900
        return self.context_tokens - instructions - reask - max(self.brief_max_tokens, self.timeline_max_tokens)


@dataclass
class _PromptView:
    """The articles as the prompt shows them, and the label of every shown passage."""

    articles: list[dict[str, Any]]
    label_to_passage: dict[str, Passage]
    published: dict[str, str]
    dates: dict[str, list[str]]
    source_of: dict[str, int]


def _prompt_view(story: Story, selected: list[Passage]) -> _PromptView:
    by_source: dict[str, list[Passage]] = {}
    for passage in selected:
        by_source.setdefault(passage.source_id, []).append(passage)
    articles: list[dict[str, Any]] = []
    label_to_passage: dict[str, Passage] = {}
    published: dict[str, str] = {}
    dates: dict[str, list[str]] = {}
    source_of: dict[str, int] = {}
    for source in story.sources:
        shown = by_source.get(source.id)
        if not shown:
            continue
        items = []
        for passage in shown:
            label = f"P{len(label_to_passage) + 1}"
            label_to_passage[label] = passage
            source_of[label] = source.number
            if source.published:
                published[label] = source.published.isoformat()
            dates[label] = [d.iso for d in passage.dates]
            notes = "; ".join(f"{d.expression} = {d.iso}" for d in passage.dates)
            # Angle brackets in article text could fake the <article> fence (the template
            # fences every field again; this keeps the validators' view the same as the model's).
            items.append({"label": label, "text": fence_text(passage.text), "dates": notes})
        articles.append({
            "number": source.number,
            "outlet": fence_text(source.outlet or "unknown"),
            "published": source.published.isoformat() if source.published else "not stated",
            "language": source.language,
            "title": fence_text(source.title or "untitled"),
            "passages": items,
        })
    return _PromptView(articles, label_to_passage, published, dates, source_of)




# Below this many tokens of passages a re-fit gives up: the instructions alone overflow.
MIN_PASSAGE_BUDGET = 256


def make_brief(
    story: Story,
    llm: LLM,
    prompts: PromptLibrary,
    options: BriefOptions = BriefOptions(),
    check: Checker | None = None,
) -> Brief:
    """Brief `story`; a request the model's window cannot hold is re-fitted with fewer
    passages and asked again, never a failure (the server's count is the one that counts)."""
    refits: list[str] = []
    while True:
        try:
            brief = _make_brief_fitted(story, llm, prompts, options, check)
        except ContextOverflowError as overflow:
            budget = refit_budget(options.passage_budget, overflow)
            if budget < MIN_PASSAGE_BUDGET:
                raise
            refits.append(f"{overflow}; passages re-fitted to {budget} tokens")
            options = replace(options, passage_tokens=budget)
            continue
        return brief.model_copy(update={"warnings": refits + brief.warnings}) if refits else brief


def _make_brief_fitted(
    story: Story,
    llm: LLM,
    prompts: PromptLibrary,
    options: BriefOptions,
    check: Checker | None,
) -> Brief:
    """Brief `story` with two model calls that share the article prefix.

    With a `check` (the verifier), claims it finds unsupported or contradicted go back to
    the model once with its findings; what still fails is dropped with a warning, and the
    brief carries the final verification summary.
    """
    first_call = len(llm.calls)  # one LLM may serve many briefs: record only this brief's calls
    selected = select_passages(story, options.passage_budget, llm.count_tokens)
    view = _prompt_view(story, selected)
    shown_sources = {p.source_id for p in selected}
    brief_model, timeline_model = _constrained(list(view.label_to_passage))
    context = _validation_context(view)
    variables = _prompt_variables(view, options)

    brief_prompt = prompts.render("brief.j2", **variables)
    timeline_prompt = prompts.render("timeline.j2", **variables)
    issues: list[CitationIssue] = []
    warnings = list(story.warnings)

    draft = _accept(llm.structured(brief_prompt, brief_model, context=context,
                                   max_tokens=options.brief_max_tokens), BriefDraft, "brief", context, warnings)
    timeline = _accept(llm.structured(timeline_prompt, timeline_model, context=context,
                                      max_tokens=options.timeline_max_tokens), TimelineDraft, "timeline",
                       context, warnings)

    sections = _sections(draft, view, issues, warnings)
    events = _timeline(timeline, view, issues, warnings)
    cited = {pid for s in sections for sentence in s.sentences for pid in sentence.citations}
    cited |= {pid for e in events for pid in e.citations}
    passages = {p.id: p for p in story.passages if p.id in cited}
    set_aside = {o.source_id for o in story.off_topic}
    omitted = [s.id for s in story.sources if s.id not in shown_sources and s.id not in set_aside]
    if omitted:
        warnings.append(
            f"{len(omitted)} of {len(story.sources)} articles did not fit the model's window and were left out"
        )
    brief = Brief(
        headline=draft.headline.strip(),
        language=options.language,
        story=story.name,
        generated_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        sections=sections,
        timeline=events,
        sources=[
            SourceRef(number=s.number, source_id=s.id, outlet=s.outlet, title=s.title, url=s.url,
                      published=s.published, language=s.language, origins=s.origins)
            for s in story.sources
        ],
        passages=passages,
        omitted_sources=omitted,
        off_topic=story.off_topic,
        citation_issues=issues,
        calls=llm.calls[first_call:],
        prompts={brief_prompt.name: brief_prompt.hash, timeline_prompt.name: timeline_prompt.hash},
        warnings=warnings,
    )
    if check is None:
        return brief
    return _verify_and_repair(brief, story, check, llm, prompts, options, view)


def _validation_context(view: _PromptView) -> dict[str, Any]:
    return {"labels": set(view.label_to_passage), "published": view.published, "dates": view.dates,
            "source_of": view.source_of}


def _prompt_variables(view: _PromptView, options: BriefOptions) -> dict[str, Any]:
    return {"articles": view.articles, "language_name": LANGUAGE_NAMES.get(options.language, options.language)}


def repair_brief(brief: Brief, story: Story, llm: LLM, prompts: PromptLibrary, check: Checker,
                 options: BriefOptions = BriefOptions()) -> Brief:
    """Verify `brief`; re-ask once for what fails; drop what still fails; attach the summary.

    The re-ask shows the model the same passages, with the same labels, as the brief's own
    calls did, so it shares their cached prefix.
    """
    view = _prompt_view(story, select_passages(story, options.passage_budget, llm.count_tokens))
    return _verify_and_repair(brief, story, check, llm, prompts, options, view)


FAILING = ("unsupported", "contradicted")
_EDITABLE = ("sentence", "timeline")  # the headline is rewritten with the brief, not item by item


def _failing(report: VerificationReport) -> list:
    return [c for c in report.claims if c.verdict in FAILING and c.position.kind in _EDITABLE]


def _problem(claim, report: VerificationReport) -> str:
    messages = [f.message for f in report.findings if f.position == claim.position and f.severity == "error"]
    return "; ".join(dict.fromkeys(messages)) or "the cited passages do not state this"


def _verify_and_repair(brief: Brief, story: Story, check: Checker, llm: LLM, prompts: PromptLibrary,
                       options: BriefOptions, view: _PromptView) -> Brief:
    report = check(brief, story)
    failing = _failing(report)
    if not failing:
        return _fix_citations(brief, story, check, report)
    warnings = list(brief.warnings)
    prompt_hashes = dict(brief.prompts)
    label_of = {p.id: label for label, p in view.label_to_passage.items()}
    items = [
        {"number": n, "text": claim.text, "problem": _problem(claim, report),
         "cites": ", ".join(label_of[pid] for pid in claim.citations if pid in label_of) or "nothing"}
        for n, claim in enumerate(failing, 1)
    ]
    first_call = len(llm.calls)
    prompt = prompts.render("repair.j2", **_prompt_variables(view, options), items=items)
    prompt_hashes[prompt.name] = prompt.hash
    answer = llm.structured(prompt, _constrained_fixes(list(view.label_to_passage), len(items)),
                            context=_validation_context(view), max_tokens=options.repair_max_tokens)
    fixes = {} if isinstance(answer, StructuredFailure) else {fix.item: fix for fix in answer.fixes}
    replaced: dict[Position, tuple[str, list[str]]] = {}
    removed: dict[Position, str] = {}
    for n, claim in enumerate(failing, 1):
        where = claim.position
        fix = fixes.get(n)
        if fix is None:
            continue
        if fix.drop:
            removed[where] = f"{claim.location} dropped by the model on re-ask: {items[n - 1]['problem']}"
        else:
            citations = [view.label_to_passage[label].id for label in fix.cites]
            replaced[where] = (_strip_annotations(fix.text), citations)
            warnings.append(f"{claim.location} rewritten after verification: {items[n - 1]['problem']}")
    brief = _edit(brief, replaced, removed, story, warnings, prompt_hashes)
    brief = brief.model_copy(update={"calls": brief.calls + llm.calls[first_call:]})
    report = check(brief, story)
    still = {c.position: f"{c.location} dropped: still {c.verdict.replace('_', ' ')} after a re-ask "
             f"({_problem(c, report)})" for c in _failing(report)}
    if still:
        brief = _edit(brief, {}, still, story, list(brief.warnings), prompt_hashes)
        report = check(brief, story)
    return _fix_citations(brief, story, check, report)


def _fix_citations(brief: Brief, story: Story, check: Checker, report: VerificationReport) -> Brief:
    """Point each item's citations at the passages that support it, and attach the verification
    summary. No model call: the verifier already knows where the support is.

    - A cited source that supports nothing in the item while another cited source does (the
      verifier's citation-precision finding) is taken off: a citation kept "to be safe" misleads
      the reader who follows it.
    - An item the verifier finds supported elsewhere (true, but by a passage it does not cite) is
      re-cited to that passage (the small model often copies a sentence faithfully and cites the
      passage next to it).
    Each edit is kept only if the item verifies better or no worse and no new error appears.
    """
    source_of_number = {s.number: s.source_id for s in report.sources}
    source_of_passage = {p.id: p.source_id for p in story.passages}
    idle: dict[Position, set[int]] = {}
    for finding in report.findings:
        if finding.type == "citation-precision" and finding.position.kind in _EDITABLE:
            numbers = {int(c.strip("[]")) for c in finding.citations if c.strip("[]").isdigit()}
            idle.setdefault(finding.position, set()).update(n for n in numbers if n in source_of_number)
    for claim in report.claims:
        where = claim.position
        if where.kind not in _EDITABLE:
            continue
        item = _item_at(brief, where)
        numbers = idle.get(where, set())
        idle_sources = {source_of_number[n] for n in numbers}
        citations = [pid for pid in item.citations if source_of_passage.get(pid) not in idle_sources]
        note = f"citation {', '.join(f'[{n}]' for n in sorted(numbers))} removed: it supports nothing in the item"
        must_improve = False
        support = claim.cluster_evidence
        better = support.passage_id if support else None
        if claim.verdict == Verdict.SUPPORTED_ELSEWHERE and support is not None and better and better not in citations:
            citations = [better] + citations
            dropped = sorted(n for n in numbers if source_of_number[n] != source_of_passage.get(better))
            note = (f"re-cited to {_marker(support)} “{_brief_quote(support.quote)}”, "
                    f"the passage that supports it (its citations scored {claim.score or 0.0:.2f})"
                    + (f"; citation {', '.join(f'[{n}]' for n in dropped)} removed" if dropped else ""))
            must_improve = True
        elif not numbers or not citations:
            continue
        if citations == list(item.citations):
            continue
        edited = _edit(brief, {where: (item.text, citations)}, {}, story,
                       list(brief.warnings) + [f"{claim.location}: {note}"], dict(brief.prompts))
        edited_report = check(edited, story)
        after = next(c for c in edited_report.claims if c.position == claim.position)
        ranks = VERDICT_RANK[after.verdict], VERDICT_RANK[claim.verdict]
        if (ranks[0] < ranks[1] if must_improve else ranks[0] <= ranks[1]) and _errors(edited_report) <= _errors(report):
            brief, report = edited, edited_report
    return brief.model_copy(update={"verification": report.summary})


VERDICT_RANK = {Verdict.SUPPORTED: 0, Verdict.EXEMPT: 0, Verdict.SUPPORTED_ELSEWHERE: 1, Verdict.PARTIALLY_SUPPORTED: 1,
                Verdict.UNSUPPORTED: 2, Verdict.CONTRADICTED: 3}


def _marker(evidence) -> str:
    return f"[{evidence.source_number}]" if evidence.source_number else evidence.source_id


def _brief_quote(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _item_at(brief: Brief, position: Position) -> Sentence | TimelineEvent:
    if position.kind == "sentence":
        return brief.sections[position.section or 0].sentences[position.sentence or 0]
    return brief.timeline[position.entry or 0]


def _errors(report: VerificationReport) -> int:
    return sum(1 for f in report.findings if f.severity == "error")


def _edit(brief: Brief, replaced: dict, removed: dict, story: Story, warnings: list[str],
          prompt_hashes: dict[str, str]) -> Brief:
    """Apply rewrites and removals by position, then rebuild what depends on citations."""
    warnings = warnings + list(removed.values())
    sections = []
    for i, section in enumerate(brief.sections):
        sentences = []
        for j, sentence in enumerate(section.sentences):
            key = Position.of_sentence(i, j)
            if key in removed:
                continue
            if key in replaced:
                text, citations = replaced[key]
                sentence = Sentence(text=text, citations=citations)
            sentences.append(sentence)
        if sentences:
            sections.append(Section(lead=section.lead, sentences=sentences))
    timeline = []
    for k, event in enumerate(brief.timeline):
        key = Position.of_entry(k)
        if key in removed:
            continue
        if key in replaced:
            text, citations = replaced[key]
            event = event.model_copy(update={"text": text, "citations": citations})
        timeline.append(event)
    cited = {pid for s in sections for sentence in s.sentences for pid in sentence.citations}
    cited |= {pid for e in timeline for pid in e.citations}
    return brief.model_copy(update={
        "sections": sections, "timeline": timeline, "warnings": warnings, "prompts": prompt_hashes,
        "passages": {p.id: p for p in story.passages if p.id in cited},
    })


def _accept(answer, lenient_model, what: str, context: dict[str, Any], warnings: list[str]):
    """A valid draft; or, when the re-ask failed too or the answer was cut off, the last answer
    with only the items that pass validation kept, and a warning for each one dropped, rather
    than the whole brief lost."""
    if not isinstance(answer, StructuredFailure):
        return answer
    try:
        # allow_partial: an answer cut off at max_tokens keeps its complete items
        data = pydantic_core.from_json(answer.raw or "", allow_partial=True)
        why = "(the answer was cut off at its token limit)" if answer.cut_off else "after a re-ask"
        # Built without the list-length rules: a shorter brief that says why beats none.
        if what == "brief":
            for i, section in enumerate(data.get("sections", []), 1):
                section["sentences"] = _valid_items(section.get("sentences", []), SentenceDraft, context,
                                                    f"section {i} sentence", warnings, why)
            # Repeats and emptied sections are dropped, with warnings, by _sections as for any draft.
            sections = []
            for i, s in enumerate(data["sections"], 1):
                lead = _valid_field(SectionDraft, "lead", s.get("lead"))
                if lead is None and s["sentences"]:
                    warnings.append(f"section {i} dropped {why}: its lead is not a 3-80 character string")
                elif lead is not None:
                    sections.append(SectionDraft.model_construct(lead=lead, sentences=s["sentences"]))
            if not any(section.sentences for section in sections):
                raise ValueError("no valid sentence left")
            headline = _valid_field(BriefDraft, "headline", data.get("headline"))
            if headline is None:
                raise ValueError("the headline is not a 10-160 character string")
            return BriefDraft.model_construct(headline=headline, sections=sections)
        return TimelineDraft.model_construct(
            events=_valid_items(data.get("events", []), EventDraft, context, "timeline entry", warnings, why)
        )
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise ModelOutputError(f"the model's {what} never matched the schema: {answer.error.splitlines()[0]}") from exc


def _valid_field(model, name: str, value: Any) -> str | None:
    """`value` if it is a string that passes the schema's rules for the text field `model.name`,
    else None."""
    probe = create_model("Probe", value=(str, model.model_fields[name]))
    try:
        return probe.model_validate({"value": value}).model_dump()["value"]
    except ValidationError:
        return None


def _valid_items(items: list, model, context: dict[str, Any], where: str, warnings: list[str],
                 why: str = "after a re-ask") -> list:
    kept = []
    for k, item in enumerate(items, 1):
        try:
            kept.append(model.model_validate(item, context=context))
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
            warnings.append(f"{where} {k} dropped {why}: {reason}")
    return kept


def _resolve(cites: list[str], view: _PromptView, where: Position, issues: list[CitationIssue]) -> list[str]:
    resolved = []
    for label in cites:
        passage = view.label_to_passage.get(label)
        if passage is None:
            issues.append(CitationIssue(where=where, citation=label,
                                        problem="no passage with this label in the story", action="removed"))
            continue
        if passage.id not in resolved:
            resolved.append(passage.id)
    return resolved


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _sections(draft, view: _PromptView, issues: list[CitationIssue], warnings: list[str]) -> list[Section]:
    sections: list[Section] = []
    seen: set[str] = set()
    for i, section in enumerate(draft.sections, 1):
        sentences: list[Sentence] = []
        for j, sentence in enumerate(section.sentences, 1):
            key = _normal(sentence.text)
            if key in seen:
                warnings.append(f"section {i} sentence {j} repeated an earlier sentence and was dropped")
                continue
            seen.add(key)
            where = Position.of_sentence(len(sections), len(sentences))
            citations = _resolve(sentence.cites, view, where, issues)
            sentences.append(Sentence(text=_strip_annotations(sentence.text), citations=citations))
        if sentences:
            sections.append(Section(lead=section.lead.strip(), sentences=sentences))
    return sections


def _parse_partial_date(value: str) -> dt.date:
    parts = [int(x) for x in value.split("-")]
    try:
        return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise ValueError(f"{value} is not a real date") from exc


PRECISION_BY_LENGTH: dict[int, Precision] = {4: "year", 7: "month", 10: "day"}


def _timeline(draft, view: _PromptView, issues: list[CitationIssue], warnings: list[str]) -> list[TimelineEvent]:
    kept, seen = [], set()
    for k, event in enumerate(draft.events, 1):
        key = (event.date, _normal(event.text))
        if key in seen:
            warnings.append(f"timeline entry {k} repeated an earlier entry and was dropped")
            continue
        seen.add(key)
        kept.append(event)
    # Chronological; a coarser date sorts before the days inside it. Positions in citation
    # issues are counted in this final order, as the reader sees it.
    kept.sort(key=lambda e: (_parse_partial_date(e.date), len(e.date)))
    return [
        TimelineEvent(date=event.date, precision=PRECISION_BY_LENGTH[len(event.date)], text=_strip_annotations(event.text),
                      citations=_resolve(event.cites, view, Position.of_entry(k), issues))
        for k, event in enumerate(kept)
    ]


# ---------------------------------------------------------------------------
# What changed: a story that gained articles since its last brief.


class UpdateDraft(Record):
    developments: list[SentenceDraft] = Field(min_length=1, max_length=3)


@dataclass
class StoryUpdate:
    """The new developments of a re-briefed story, each citing passages of its new articles."""

    sentences: list[Sentence]
    new_articles: list[int]
    warnings: list[str]


def describe_update(story: Story, previous: Brief, new_source_ids: set[str], llm: LLM, prompts: PromptLibrary,
                    options: BriefOptions = BriefOptions()) -> StoryUpdate:
    """Ask what the new articles add to the `previous` brief. The articles come first, as in the
    brief's own calls, so the server reuses their cached prefix; the answer may cite only
    passages of the new articles."""
    view = _prompt_view(story, select_passages(story, options.passage_budget, llm.count_tokens))
    new_labels = [label for label, p in view.label_to_passage.items() if p.source_id in new_source_ids]
    new_numbers = sorted({s.number for s in story.sources if s.id in new_source_ids})
    if not new_labels:
        return StoryUpdate([], new_numbers, ["the new articles did not fit the model's window: what they "
                                             "changed is not described"])
    new_label: Any = Literal[tuple(new_labels)]  # type: ignore[valid-type]
    sentence = create_model("SentenceDraft", __base__=SentenceDraft,
                            cites=(_list_of(new_label), Field(min_length=1, max_length=3)))
    model = create_model("UpdateDraft", __base__=UpdateDraft,
                         developments=(_list_of(sentence), Field(min_length=1, max_length=3)))
    context = {"labels": set(new_labels)}
    prompt = prompts.render(
        "update.j2", **_prompt_variables(view, options),
        new_articles=sorted({view.source_of[label] for label in new_labels}),
        previous_headline=previous.headline,
        previous_sentences=[s.text for section in previous.sections for s in section.sentences],
    )
    answer = llm.structured(prompt, model, context=context, max_tokens=options.repair_max_tokens)
    warnings: list[str] = []
    if isinstance(answer, StructuredFailure):
        try:
            data = pydantic_core.from_json(answer.raw or "", allow_partial=True)
            items = data.get("developments", []) if isinstance(data, dict) else []
        except ValueError:
            items = []
        drafts = _valid_items(items, SentenceDraft, context, "what-changed sentence", warnings)
    else:
        drafts = answer.developments
    issues: list[CitationIssue] = []
    sentences = [Sentence(text=_strip_annotations(d.text),
                          citations=_resolve(d.cites, view, Position.of_sentence(0, k), issues))
                 for k, d in enumerate(drafts)]
    return StoryUpdate([s for s in sentences if s.citations], new_numbers, warnings)
