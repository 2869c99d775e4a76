"""The verifier: check every claim of a brief against its sources and say what is wrong.

Two kinds of input become one list of claims (sentences, timeline entries) with citations:

* a storybrief JSON brief (:class:`~storybrief.models.Brief`) with its story: citations are
  passage ids, resolved against the re-ingested story;
* a brief written elsewhere (plain text or Markdown, aggregator layout, see
  :mod:`storybrief.briefparse`) with its source files in citation order: a marker ``[n]``
  cites the n-th file as a whole.

The source files are ingested together with :func:`~storybrief.sources.build_story`, so each
given number maps to a cleaned source with passages and *resolved* dates; two given files
that are the same article map to one source, and that is reported (one article cited
twice is not independent confirmation).

Checks, each its own finding type (see ``FindingType`` in models.py):

resolution
    ``unresolved-citation``: a marker beyond the given sources, a passage id not in the story.
    ``duplicate-source``: two given numbers are the same article.
coverage
    ``uncited``: a sentence that states a fact has no citation. A sentence states a fact when
    it has at least five words and either a name, a number or a date, or at least four content
    words; shorter ones (transitions) and the headline are exempt.
support
    The model-free scorer (:mod:`storybrief.scoring`) scores the sentence against the passages
    of the sources it cites and against the whole cluster; with a judge (a model), its
    yes-probability is combined with the scorer score (``judge_weights.json``). Verdicts:
    supported (score >= the scorer's threshold and every detail found in the cited sources),
    partially supported (a lower score, or a detail only elsewhere in the cluster, or
    supported by the cluster but not by the cited sources), unsupported, contradicted (a
    deterministic contradiction). ``unsupported`` / ``partially-supported`` findings.
names, numbers, dates (deterministic)
    Dates in the claim are resolved with :func:`storybrief.dates.resolve_dates` and compared
    with the resolved dates of the passages the claim aligns with (the evidence window):
    another date of the same precision close by, and the claim's date in none of them, is a
    ``contradicted-date``; a date no cited source gives is an ``unsupported-date``.
    ``missing-number``: a number (or a clock time) not in the cited sources / not in the
    cluster. ``unknown-name``: a capitalised name found in no source of the cluster.
timeline
    ``timeline-date``: the entry's date is not one its cited passages give (a month matches
    any day inside it). ``off-topic``: the entry shares few words with the cluster AND names
    people or places the cluster never mentions (another story mixed in).
citation precision
    ``citation-precision``: a cited source that supports nothing in its sentence while another
    source does. ``blanket-citation``: one marker put on most sentences of the brief while
    failing several of them.

Everything is deterministic and model-free unless a judge is given.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Protocol, Sequence

from pydantic import ValidationError

from storybrief.briefparse import ParsedBrief, parse_brief_text
from storybrief.dates import resolve_dates
from storybrief.errors import InputError
from storybrief.models import (
    Brief,
    ClaimVerdict,
    EvidenceRef,
    Finding,
    Passage,
    Position,
    ResolvedDate,
    Source,
    Story,
    VerificationReport,
    VerificationSummary,
    VerifiedSource,
)
from storybrief.scoring import PreparedEvidence, ScoredClaim, SupportScorer, default_scorer, prepare_evidence
from storybrief.text import ALL_STOP_WORDS, fold, guess_language, month_number, number_keys, weekday_number
from storybrief.text import words as text_words

__all__ = [
    "Claim",
    "VerifyInput",
    "Thresholds",
    "YesNoModel",
    "Judge",
    "JudgeCombiner",
    "load_text_brief",
    "load_json_brief",
    "input_from_brief",
    "verify",
    "verify_brief",
    "verification_summary",
    "summarise_report",
    "parse_source_options",
    "looks_like_json_brief",
    "print_report",
    "render_text",
    "render_json",
    "render_html",
    "render_report",
    "REPORT_FORMATS",
    "JUDGE_WEIGHTS_FILE",
]

JUDGE_WEIGHTS_FILE = "judge_weights.json"

# --------------------------------------------------------------------------- inputs


@dataclass
class Claim:
    """One checkable unit of a brief."""

    position: Position
    text: str
    markers: list[int] = field(default_factory=list)  # source numbers cited
    passage_ids: list[str] | None = None  # JSON briefs: the cited passages
    labels: list[str] = field(default_factory=list)  # citations as the brief gives them
    lead: str | None = None
    date_iso: str | None = None  # timeline entries
    date_precision: str | None = None
    date_text: str | None = None

    @property
    def kind(self) -> str:
        return self.position.kind


@dataclass
class SourceDoc:
    """A source as the brief numbers it."""

    number: int
    source: Source
    passages: list[Passage]


@dataclass
class VerifyInput:
    name: str
    headline: str | None
    claims: list[Claim]
    story: Story
    numbered: dict[int, SourceDoc]  # the brief's [n] -> source
    passages_by_id: dict[str, Passage]
    findings: list[Finding] = field(default_factory=list)  # found while loading (resolution, parsing)
    unparsed: list[str] = field(default_factory=list)
    language: str = "und"  # the brief's language: sources in another one cannot be compared word for word


def _read_text(path: Path) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if b"\x00" in data:
        raise InputError(f"{path}: binary file, not a brief")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text") from exc


def parse_source_options(positional: Sequence[Path], numbered: Sequence[str]) -> dict[int, Path]:
    """Source files by citation number: positional files are [1], [2], ...; ``N=PATH`` sets one."""
    out: dict[int, Path] = {i: Path(p) for i, p in enumerate(positional, start=1)}
    for item in numbered:
        number, sep, path = str(item).partition("=")
        if not sep or not number.strip().isdigit() or int(number) < 1 or not path.strip():
            raise InputError(f"--source {item!r}: expected N=PATH with N a citation number (1, 2, ...)")
        n = int(number)
        if n in out and out[n] != Path(path.strip()):
            raise InputError(f"source [{n}] given twice ({out[n]} and {path.strip()})")
        out[n] = Path(path.strip())
    for n, p in out.items():
        if not p.is_file():
            raise InputError(f"source [{n}]: {p} is not a file")
    return dict(sorted(out.items()))


def _same_path(a: str, b: Path) -> bool:
    try:
        return Path(a.partition("#")[0]).resolve() == b.resolve()
    except OSError:
        return False


def _passages_of(story: Story) -> dict[str, list[Passage]]:
    out: dict[str, list[Passage]] = {}
    for p in story.passages:
        out.setdefault(p.source_id, []).append(p)
    return out


def _duplicate_findings(numbered: dict[int, SourceDoc]) -> list[Finding]:
    by_source: dict[str, list[int]] = {}
    for n, doc in numbered.items():
        by_source.setdefault(doc.source.id, []).append(n)
    findings = []
    for numbers in by_source.values():
        if len(numbers) > 1:
            labels = " and ".join(f"[{n}]" for n in numbers)
            findings.append(
                Finding(
                    type="duplicate-source",
                    severity="warning",
                    position=Position(kind="sources"),
                    message=(
                        f"{labels} are the same article (near-duplicate texts); a claim citing both has one "
                        "source, not independent confirmation."
                    ),
                    citations=[f"[{n}]" for n in numbers],
                )
            )
    return findings


def load_text_brief(brief_path: Path, sources: dict[int, Path]) -> VerifyInput:
    """A brief written elsewhere plus its source files by citation number."""
    from storybrief.sources import build_story

    if not sources:
        raise InputError("no source files given: pass them in citation order, or as --source N=PATH")
    text = _read_text(brief_path)
    parsed = parse_brief_text(text)
    if not parsed.sections and not parsed.timeline:
        raise InputError(f"{brief_path}: no sections or timeline entries found; is this a brief?")
    unique: list[Path] = []
    for p in sources.values():
        if not any(p.resolve() == u.resolve() for u in unique):
            unique.append(p)
    story = build_story(unique, name=Path(brief_path).stem)
    by_source = _passages_of(story)
    numbered: dict[int, SourceDoc] = {}
    for n, path in sources.items():
        match = next((s for s in story.sources if any(_same_path(o, path) for o in s.origins)), None)
        if match is None:  # pragma: no cover - build_story reads every file it is given
            raise InputError(f"source [{n}]: {path} was not read")
        numbered[n] = SourceDoc(n, match, by_source.get(match.id, []))
    inp = VerifyInput(
        language=guess_language(text),
        name=Path(brief_path).name,
        headline=parsed.headline,
        claims=_claims_from_parsed(parsed),
        story=story,
        numbered=numbered,
        passages_by_id={p.id: p for p in story.passages},
    )
    inp.findings.extend(_duplicate_findings(numbered))
    for line, content, reason in parsed.unparsed:
        inp.unparsed.append(f"line {line}: {reason}: {content}")
        inp.findings.append(
            Finding(type="unparsed-line", severity="warning", position=Position.of_line(line), text=content,
                    message=f"could not be read as part of the brief ({reason}); it was not checked")
        )
    return inp


def _claims_from_parsed(parsed: ParsedBrief) -> list[Claim]:
    claims: list[Claim] = []
    if parsed.headline:
        claims.append(Claim(position=Position(kind="headline"), text=parsed.headline))
    for i, section in enumerate(parsed.sections):
        for j, sentence in enumerate(section.sentences):
            claims.append(
                Claim(
                    position=Position.of_sentence(i, j),
                    text=sentence.text,
                    markers=list(sentence.markers),
                    labels=[f"[{n}]" for n in sentence.markers],
                    lead=section.lead,
                )
            )
    for k, entry in enumerate(parsed.timeline):
        claims.append(
            Claim(
                position=Position.of_entry(k),
                text=entry.text,
                markers=list(entry.markers),
                labels=[f"[{n}]" for n in entry.markers],
                date_iso=entry.iso,
                date_precision=entry.precision,
                date_text=entry.date_text,
            )
        )
    return claims


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def input_from_brief(brief: Brief, story: Story, name: str | None = None) -> VerifyInput:
    """A storybrief Brief and its (re-ingested) story."""
    by_source = _passages_of(story)
    story_by_id = {s.id: s for s in story.sources}
    passages = {p.id: p for p in story.passages}
    by_text = {_norm(p.text): p for p in story.passages}
    numbered: dict[int, SourceDoc] = {}
    for ref in brief.sources:
        src = story_by_id.get(ref.source_id)
        if src is not None:
            numbered[ref.number] = SourceDoc(ref.number, src, by_source.get(src.id, []))
    number_of = {doc.source.id: n for n, doc in numbered.items()}
    for src in story.sources:  # story sources the brief does not list keep the story's number
        if src.id not in number_of and src.number not in numbered:
            numbered[src.number] = SourceDoc(src.number, src, by_source.get(src.id, []))
            number_of[src.id] = src.number
    findings: list[Finding] = []
    matched: dict[str, str] = {}

    def resolve(position: Position, text: str, citations: list[str]) -> tuple[list[str], list[int]]:
        pids: list[str] = []
        for cid in citations:
            passage = passages.get(cid)
            if passage is None and cid in brief.passages:
                passage = by_text.get(_norm(brief.passages[cid].text))
                if passage is not None:
                    matched[cid] = passage.id
            if passage is None:
                findings.append(Finding(
                    type="unresolved-citation", severity="error", position=position, text=text, citations=[cid],
                    message=f"cited passage {cid} is not a passage of the story (was the brief made from other files?)",
                ))
                continue
            if passage.id not in pids:
                pids.append(passage.id)
        markers: list[int] = []
        for pid in pids:
            n = number_of.get(passages[pid].source_id)
            if n is not None and n not in markers:
                markers.append(n)
        return pids, markers

    claims: list[Claim] = [Claim(position=Position(kind="headline"), text=brief.headline)]
    for i, section in enumerate(brief.sections):
        for j, sentence in enumerate(section.sentences):
            position = Position.of_sentence(i, j)
            pids, markers = resolve(position, sentence.text, sentence.citations)
            claims.append(Claim(position=position, text=sentence.text, markers=markers,
                                passage_ids=pids, labels=list(sentence.citations), lead=section.lead))
    for k, event in enumerate(brief.timeline):
        position = Position.of_entry(k)
        pids, markers = resolve(position, event.text, event.citations)
        claims.append(Claim(position=position, text=event.text, markers=markers, passage_ids=pids,
                            labels=list(event.citations), date_iso=event.date, date_precision=event.precision,
                            date_text=event.date))
    if matched:
        findings.append(Finding(
            type="unresolved-citation", severity="info", position=Position(kind="brief"), citations=sorted(matched),
            message=(f"{len(matched)} cited passage ids are not in the re-ingested story but their passages' texts "
                     "are, word for word; they were matched by text (the story was ingested from other copies "
                     "of the files)"),
        ))
    inp = VerifyInput(name=name or brief.story, headline=brief.headline, claims=claims, story=story,
                      numbered=numbered, passages_by_id=passages, findings=findings, language=brief.language)
    return inp


def load_json_brief(brief_path: Path, story_paths: Sequence[Path]) -> VerifyInput:
    from storybrief.sources import build_story

    try:
        brief = Brief.model_validate_json(Path(brief_path).read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read {brief_path}: {exc.strerror or exc}") from exc
    except ValidationError as exc:
        raise InputError(f"{brief_path} is not a storybrief JSON brief ({exc.error_count()} schema errors)") from exc
    if not story_paths:
        raise InputError(f"{brief_path}: a JSON brief needs its story: give the article files or --story PATH")
    story = build_story(list(story_paths))
    return input_from_brief(brief, story, name=Path(brief_path).name)


def looks_like_json_brief(path: Path) -> bool:
    if Path(path).suffix.lower() == ".json":
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(64).lstrip()
    except OSError:
        return False
    return head.startswith(b"{")


# --------------------------------------------------------------------------- the judge


class YesNoModel(Protocol):
    """What the verifier needs from a model: llm.LLM has it."""

    def yes_probability(self, prompt) -> float: ...


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@dataclass
class JudgeCombiner:
    """sigmoid(intercept + w_scorer * logit(scorer) + w_judge * logit(judge))."""

    intercept: float = 0.0
    w_scorer: float = 1.0
    w_judge: float = 1.0
    threshold: float = 0.5
    note: str = ""

    @classmethod
    def load(cls, path: Path | None = None) -> JudgeCombiner:
        path = path or Path(str(resources.files("storybrief").joinpath(JUDGE_WEIGHTS_FILE)))
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read judge weights {path}: {exc}") from exc
        return cls(float(data["intercept"]), float(data["w_scorer"]), float(data["w_judge"]),
                   float(data["threshold"]), str(data.get("obtained", "")))

    def combine(self, scorer: float, judge: float) -> float:
        z = self.intercept + self.w_scorer * _logit(scorer) + self.w_judge * _logit(judge)
        return 1.0 / (1.0 + math.exp(-z))


class Judge:
    """Asks a model, per claim, whether the cited articles support it (prompts/judge.j2).

    The articles and the question come first, rendered identically for every claim citing
    the same sources, the statement last, and claims are judged grouped by their cited
    sources, so a llama.cpp server reuses the cached prefix and only the statement's own
    tokens are new work (about 1 claim/s on the embedded model, 2 cores).
    """

    def __init__(self, model: YesNoModel, prompts=None, combiner: JudgeCombiner | None = None, name: str = "judge"):
        from storybrief.prompts import PromptLibrary

        self.model = model
        self.prompts = prompts or PromptLibrary()
        self.combiner = combiner or JudgeCombiner.load()
        self.name = name

    def articles(self, docs: Sequence[SourceDoc]) -> list[dict]:
        out = []
        for doc in docs:
            src = doc.source
            out.append({
                "number": doc.number,
                "outlet": src.outlet or "unknown",
                "published": src.published.isoformat() if src.published else "unknown",
                "language": src.language,
                "title": src.title or "",
                "passages": [{"label": f"{doc.number}.{p.index + 1}", "text": p.text, "dates": ""} for p in doc.passages],
            })
        return out

    def probability(self, claim: str, docs: Sequence[SourceDoc]) -> float:
        prompt = self.prompts.render("judge.j2", articles=self.articles(docs), claim=claim)
        return float(self.model.yes_probability(prompt))


# --------------------------------------------------------------------------- text helpers

def names_in(text: str) -> list[str]:
    """Capitalised words that are not the sentence's first word, stop words or dates (folded)."""
    names: list[str] = []
    tokens = list(re.finditer(r"[\w’'‑-]+", text))
    for idx, m in enumerate(tokens):
        raw = re.sub(r"[’']s$", "", m.group(0)).strip("’'‑-")
        if not raw or idx == 0:
            continue
        prev = text[max(0, m.start() - 2):m.start()]
        if re.search(r"[.!?:“\"]\s*$", prev) and idx > 0:
            continue  # sentence or quote start
        if not (raw[0].isupper() or (raw.isupper() and len(raw) > 1)):
            continue
        for part in re.split(r"[‑-]", raw):
            f = fold(part)
            if len(f) < 2 or f in ALL_STOP_WORDS or month_number(f) or weekday_number(f) is not None or f.isdigit():
                continue
            if f not in names:
                names.append(f)
    return names


def numbers_in(text: str, skip: Sequence[tuple[int, int]] = ()) -> list[str]:
    """Numbers written in digits and clock times, outside the given spans (the date
    expressions) and other than years, normalised ("1 000" = "1,000" = "1000")."""
    return sorted(number_keys(text, skip=skip, years=False, spelled=False))


def _vocabulary(texts: Sequence[str]) -> frozenset[str]:
    vocab: set[str] = set()
    for t in texts:
        vocab.update(text_words(t))
    return frozenset(vocab)


def _numbers_of(texts: Sequence[str]) -> frozenset[str]:
    """Every number the texts give, in digits or in words."""
    return frozenset().union(*(number_keys(t) for t in texts)) if texts else frozenset()


def _name_present(name: str, vocab: frozenset[str]) -> bool:
    if name in vocab:
        return True
    # inflections and transliterations: "Kremlin" ~ "kremlins", "Zelensky" ~ "zelenskyy"
    stem = name[:-1] if len(name) > 5 else name
    return any(w.startswith(stem) and len(w) - len(name) <= 2 for w in vocab if w[:2] == name[:2])


def _content(text: str) -> frozenset[str]:
    """Content-word stems (first five letters) of a text: enough to tell which passages talk
    about the same event, across inflections (meet/meets, Russia/Russian)."""
    return frozenset(w[:5] for w in text_words(text) if len(w) > 3 and w not in ALL_STOP_WORDS and not w.isdigit())


# --------------------------------------------------------------------------- dates


def _date_contains(outer_iso: str, inner_iso: str) -> bool:
    """True when inner (e.g. 2026-02-03) lies inside outer (e.g. 2026-02)."""
    return inner_iso.startswith(outer_iso)


def _date_match(claim_iso: str, claim_precision: str, evidence_iso: str) -> str | None:
    """'exact' (same date, or an evidence day inside a claimed month/year), 'coarser'
    (the evidence gives only the month/year the claimed day lies in), else None."""
    if claim_iso == evidence_iso or _date_contains(claim_iso, evidence_iso):
        return "exact"
    if _date_contains(evidence_iso, claim_iso):
        return "coarser"
    return None


def _precision_of(iso: str) -> str:
    return {10: "day", 7: "month"}.get(len(iso), "year")


def _to_date(iso: str) -> dt.date:
    parts = [int(x) for x in iso.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def _close(a_iso: str, b_iso: str) -> bool:
    """Two dates of the same precision near enough to be the same event misdated."""
    if _precision_of(a_iso) != "day" or _precision_of(b_iso) != "day":
        return False  # "December" against "earlier this week" is too loose to call a contradiction
    return abs((_to_date(a_iso) - _to_date(b_iso)).days) <= 31


def _say_date(iso: str) -> str:
    from storybrief.render import format_event_date

    return format_event_date(iso, _precision_of(iso))


# --------------------------------------------------------------------------- the checks


@dataclass
class Thresholds:
    """When a brief fails: more unsupported/contradicted claims than max_unsupported, more
    error findings than max_errors."""

    max_unsupported: int = 0
    max_errors: int = 0
    supported: float | None = None  # default: the scorer's (or the combiner's) threshold
    partial: float = 0.25
    off_topic_overlap: float = 0.5


@dataclass
class _Evidence:
    prepared: PreparedEvidence
    passages: list[Passage]
    numbers: dict[str, int]  # source id -> brief number


class _Checker:
    def __init__(self, inp: VerifyInput, scorer: SupportScorer, judge: Judge | None, thresholds: Thresholds):
        self.inp = inp
        self.scorer = scorer
        self.judge = judge
        self.t = thresholds
        self.supported_at = thresholds.supported if thresholds.supported is not None else (
            judge.combiner.threshold if judge else scorer.threshold)
        self.number_of = {}
        for n, doc in sorted(inp.numbered.items(), reverse=True):
            self.number_of[doc.source.id] = n  # the lowest number wins for a duplicate
        self.source_by_id = {s.id: s for s in inp.story.sources}
        self.cluster = self._evidence(inp.story.passages)
        self.cluster_vocab = _vocabulary([s.text for s in inp.story.sources])
        self.cluster_numbers = _numbers_of([s.text for s in inp.story.sources])
        self.cluster_content = frozenset().union(*(_content(p.text) for p in inp.story.passages)) if inp.story.passages else frozenset()
        base = [s.published for s in inp.story.sources if s.published]
        self.base = max(base) if base else None
        self._cache: dict[tuple, _Evidence] = {}
        self.findings: list[Finding] = list(inp.findings)
        self.precision_failures: dict[int, list[str]] = {}

    def foreign(self, n: int) -> bool:
        """True when source [n] is in another language than the brief: word overlap says nothing."""
        lang = self.inp.numbered[n].source.language
        brief = (self.inp.language or "und")[:2]
        return brief != "und" and lang not in ("und", "") and lang[:2] != brief

    # evidence ------------------------------------------------------------------------
    def _evidence(self, passages: Sequence[Passage]) -> _Evidence:
        return _Evidence(prepare_evidence([p.text for p in passages]), list(passages), {})

    def evidence_for(self, claim: Claim, markers: Sequence[int] | None = None) -> _Evidence | None:
        if claim.passage_ids is not None and markers is None:
            key = ("p",) + tuple(claim.passage_ids)
            passages = [self.inp.passages_by_id[p] for p in claim.passage_ids]
        else:
            use = [n for n in (markers if markers is not None else claim.markers) if n in self.inp.numbered]
            ids = []
            for n in use:
                sid = self.inp.numbered[n].source.id
                if sid not in ids:
                    ids.append(sid)
            key = ("s",) + tuple(ids)
            passages = [p for sid in ids for p in self.inp.story.passages if p.source_id == sid]
        if not passages:
            return None
        if key not in self._cache:
            self._cache[key] = self._evidence(passages)
        return self._cache[key]

    def ref(self, ev: _Evidence, index: int, cited: bool = True) -> EvidenceRef:
        p = ev.passages[index]
        return EvidenceRef(
            source_number=self.number_of.get(p.source_id) if cited or p.source_id in self.number_of else None,
            source_id=p.source_id, passage_id=p.id, quote=p.text, start=p.start, end=p.end,
            dates=[d.iso for d in p.dates],
        )

    def label(self, source_id: str) -> str:
        n = self.number_of.get(source_id)
        return f"[{n}]" if n is not None else (self.source_by_id[source_id].outlet or source_id)

    @staticmethod
    def about(claim_words: frozenset[str], passages: Sequence[Passage]) -> list[Passage]:
        """The dated passages that talk about the claim's event: those sharing the most
        content words with it (at least two, and at least 70% of the best passage's count)."""
        shared = [(len(claim_words & _content(p.text)), p) for p in passages if p.dates]
        if not shared:
            return []
        best = max(n for n, _ in shared)
        if best < 2:
            return []
        return [p for n, p in shared if n >= max(2, 0.7 * best)]

    # one claim -------------------------------------------------------------------------
    def check(self, claim: Claim) -> ClaimVerdict:
        text = claim.text
        reasons: list[str] = []
        verdict = ClaimVerdict(position=claim.position, lead=claim.lead,
                               text=text, citations=claim.labels, verdict="exempt", date=claim.date_iso)
        if claim.kind == "headline":
            return verdict
        resolved = [n for n in claim.markers if n in self.inp.numbered]
        for n in claim.markers:
            if n not in self.inp.numbered:
                self.add("unresolved-citation", "error", claim, [f"[{n}]"],
                         f"[{n}] points at no given source (only {self._given()} were given): "
                         "it cannot be checked, and may cite an article from another story")
        date_spans = [] if claim.kind == "timeline" else resolve_dates(text, self.base, "und")
        names = names_in(text)
        numbers = numbers_in(text, [(d.start, d.end) for d in date_spans])
        words = _content(text)
        factual = claim.kind == "timeline" or (
            len(text_words(text)) >= 5 and (bool(names or numbers or date_spans) or len(words) >= 4))
        has_citation = bool(claim.markers) or bool(claim.passage_ids)
        if not has_citation and factual:
            has = [x for x in ("a name" if names else "", "a number" if numbers else "",
                               "a date" if date_spans else "", f"{len(words)} content words") if x]
            self.add("uncited", "error", claim, [], "states a fact but cites no source (it has " + ", ".join(has) + ")")
        if not factual and not has_citation:
            verdict.reasons = ["too short to state a fact: exempt from the coverage and support checks"]
            return verdict
        ev = self.evidence_for(claim) if (resolved or claim.passage_ids) else None

        # names and numbers, deterministic
        cited_texts = [p.text for p in ev.passages] if ev else []
        cited_vocab = _vocabulary(cited_texts)
        cited_numbers = _numbers_of(cited_texts)
        missing_names_cluster = [n for n in names if not _name_present(n, self.cluster_vocab)]
        missing_names_cited = [n for n in names if n not in missing_names_cluster and not _name_present(n, cited_vocab)]
        missing_num_cluster = [n for n in numbers if n not in self.cluster_numbers]
        missing_num_cited = [n for n in numbers if n not in missing_num_cluster and n not in cited_numbers]

        # dates, deterministic; a date the evidence gives in other words ("Wednesday") is
        # rewritten to those words before lexical scoring, so the scorer does not count it missing
        contradicted = date_partial = False
        scoring_text = text
        off_topic_possible = bool(missing_names_cluster)
        if claim.kind != "timeline":
            for d in sorted(date_spans, key=lambda d: -d.start):
                state, same = self._sentence_date(claim, d, ev, words)
                contradicted |= state == "contradicted"
                date_partial |= state in ("coarser", "elsewhere", "absent")
                if same is not None:
                    scoring_text = scoring_text[: d.start] + same + scoring_text[d.end:]

        # support: the scorer (and the judge) against the cited sources and the cluster
        scored = self.scorer.score_evidence(scoring_text, ev.prepared) if ev else None
        cluster_scored = self.scorer.score_evidence(scoring_text, self.cluster.prepared)
        verdict.cluster_score = round(cluster_scored.score, 4)
        if cluster_scored.evidence is not None:
            verdict.cluster_evidence = self.ref(self.cluster, cluster_scored.evidence.sentence_index, cited=False)
        score = None
        if scored is not None:
            verdict.scorer_score = round(scored.score, 4)
            score = scored.score
            if scored.evidence is not None:
                verdict.evidence = self.ref(ev, scored.evidence.sentence_index)
            if self.judge is not None:
                docs = self._docs(claim)
                if docs:
                    j = self.judge.probability(text, docs)
                    verdict.judge_score = round(j, 4)
                    score = self.judge.combiner.combine(scored.score, j)
            verdict.score = round(score, 4)

        off_topic = False
        if claim.kind == "timeline":
            overlap = len(words & self.cluster_content) / len(words) if words else 1.0
            # another story: the cluster does not support it at all, it names people or places
            # the cluster never mentions, and it shares few words with the cluster or names several
            off_topic = (off_topic_possible and cluster_scored.score < self.t.partial
                         and (overlap < self.t.off_topic_overlap or len(missing_names_cluster) >= 3))
            if off_topic:
                self.add("off-topic", "error", claim, claim.labels,
                         f"looks like another story: only {overlap:.0%} of its words occur in the sources, and "
                         f"{self._names(missing_names_cluster, text)} appear in none of them")
                reasons.append("off-topic: about another story")
            elif claim.date_iso:
                state = self._timeline_date(claim, ev, words)
                contradicted |= state == "contradicted"
                date_partial |= state in ("coarser", "elsewhere", "absent")
        if missing_names_cluster and not off_topic:
            self.add("unknown-name", "error", claim, claim.labels,
                     f"{self._names(missing_names_cluster, text)}: in no source of the cluster")
            reasons.append("names no source contains")
        if missing_names_cited and resolved:
            reasons.append(f"{self._names(missing_names_cited, text)} only in sources it does not cite")
        if missing_num_cluster and not off_topic:
            self.add("missing-number", "error", claim, claim.labels,
                     f"{', '.join(missing_num_cluster)}: in no source of the cluster")
            reasons.append("numbers no source contains")
        if missing_num_cited and resolved:
            self.add("missing-number", "warning", claim, claim.labels,
                     f"{', '.join(missing_num_cited)}: not in the cited sources (only elsewhere in the cluster)")
            reasons.append("numbers only in uncited sources")
        if date_partial:
            reasons.append("a date the cited passages do not give")

        # the verdict
        supported_at = self.supported_at
        details_missing = bool(missing_names_cluster or missing_num_cluster)
        if contradicted:
            v = "contradicted"
        elif off_topic:
            v = "unsupported"
        elif score is None:
            # nothing cited resolves: at best partly supported, by sources it does not cite
            v = "partially_supported" if cluster_scored.score >= self.t.partial and not details_missing else "unsupported"
            reasons.append(("no citation" if not has_citation else "no resolvable citation")
                           + f": the whole cluster scores {cluster_scored.score:.2f}")
        elif score >= supported_at:
            v = "partially_supported" if (details_missing or missing_num_cited or date_partial) else "supported"
        elif (self.judge is None and resolved and all(self.foreign(n) for n in resolved)):
            # the lexical scorer cannot read across languages: judged by the same-language cluster, at best partly
            v = "partially_supported" if cluster_scored.score >= self.t.partial and not details_missing else "unsupported"
            reasons.append(f"cites only sources in another language ({', '.join(self.inp.numbered[n].source.language for n in resolved)}); "
                           f"the model-free scorer cannot compare them (use --judge); the cluster scores {cluster_scored.score:.2f}")
        elif score >= self.t.partial or cluster_scored.score >= supported_at:
            v = "unsupported" if details_missing and score < self.t.partial else "partially_supported"
            if score < self.t.partial:
                reasons.append(f"the cited sources score {score:.2f}; other sources {cluster_scored.score:.2f}")
        else:
            v = "unsupported"
        verdict.verdict = v
        verdict.reasons = reasons

        if resolved and not off_topic:
            self._precision(claim, resolved, scoring_text, scored, cluster_scored)
        shown = score if score is not None else cluster_scored.score
        if v == "unsupported" and not off_topic:
            where = "its cited sources" if scored is not None else "any source"
            best = verdict.cluster_evidence
            hint = ""
            if best is not None and cluster_scored.score >= self.t.partial:
                hint = f"; the closest passage is {self.label(best.source_id)}: “{_short(best.quote)}”"
            self.add("unsupported", "error", claim, claim.labels,
                     f"not supported by {where} (score {shown:.2f}){hint}", verdict.evidence or verdict.cluster_evidence)
        elif v == "partially_supported":
            self.add("partially-supported", "warning", claim, claim.labels,
                     f"partly supported (score {shown:.2f}" + (f"; {'; '.join(reasons)}" if reasons else "") + ")",
                     verdict.evidence or verdict.cluster_evidence)
        return verdict

    # pieces ----------------------------------------------------------------------------
    def _given(self) -> str:
        numbers = sorted(self.inp.numbered)
        return ", ".join(f"[{n}]" for n in numbers) if numbers else "none"

    @staticmethod
    def _fmt(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.2f}"

    @staticmethod
    def _names(folded: Sequence[str], text: str) -> str:
        """The names as written in the claim."""
        shown = []
        for m in re.finditer(r"[\w’'‑-]+", text):
            raw = re.sub(r"[’']s$", "", m.group(0))
            for part in re.split(r"[‑-]", raw):
                if fold(part) in folded and m.group(0) not in shown:
                    shown.append(re.sub(r"[’']s$", "", m.group(0)))
        return ", ".join(f"“{s}”" for s in shown) or ", ".join(folded)

    def _docs(self, claim: Claim) -> list[SourceDoc]:
        seen, docs = set(), []
        for n in claim.markers:
            doc = self.inp.numbered.get(n)
            if doc and doc.source.id not in seen:
                seen.add(doc.source.id)
                docs.append(doc)
        return docs

    def add(self, type_: str, severity: str, claim: Claim, citations: list[str], message: str,
            evidence: EvidenceRef | None = None) -> None:
        self.findings.append(Finding(type=type_, severity=severity, position=claim.position, text=claim.text,
                                     message=message, citations=citations, evidence=evidence))

    def _dates_of(self, passages: Sequence[Passage]) -> list[tuple[str, Passage, ResolvedDate]]:
        return [(d.iso, p, d) for p in passages for d in p.dates]

    def _judge_date(self, claim_iso: str, claim_precision: str, words: frozenset[str],
                    passages: Sequence[Passage]) -> tuple[str, list[tuple[str, Passage, ResolvedDate]]]:
        """Compare a claimed date with the passages about the same event (see ``about``).

        'exact' (a passage about the event gives it; a day inside a claimed month counts),
        'coarser' (they give only the month or year it lies in), 'contradicted' (they give
        another day within a month and none gives the claimed one), 'elsewhere' (the passages
        give it, but not those about this event), 'absent'. Returns the relevant dates too."""
        near = self._dates_of(self.about(words, passages))
        matches = [_date_match(claim_iso, claim_precision, iso) for iso, _, _ in near]
        if "exact" in matches:
            return "exact", [x for x, m in zip(near, matches) if m == "exact"]
        conflicting = [x for x in near if _close(x[0], claim_iso)]
        if conflicting:  # a precise other day beats a vague "earlier this week"
            return "contradicted", conflicting
        if "coarser" in matches:
            return "coarser", [x for x, m in zip(near, matches) if m == "coarser"]
        elsewhere = [x for x in self._dates_of(passages) if _date_match(claim_iso, claim_precision, x[0]) == "exact"]
        if elsewhere:
            return "elsewhere", elsewhere
        return "absent", []

    def _describe(self, items: Sequence[tuple[str, Passage, ResolvedDate]]) -> str:
        out = []
        for iso, p, d in items:
            shown = _say_date(iso)
            expr = d.expression if fold(d.expression) != fold(shown) else None
            out.append(f"{self.label(p.source_id)} “{expr}” = {shown}" if expr else f"{self.label(p.source_id)} {shown}")
        return "; ".join(dict.fromkeys(out))

    def _published_note(self, iso: str) -> str:
        pubs = [self.label(s.id) for s in self.inp.story.sources if s.published and s.published.isoformat() == iso]
        return f" ({_say_date(iso)} is the publication date of {', '.join(pubs)})" if pubs else ""

    def _sentence_date(self, claim: Claim, d: ResolvedDate, ev: _Evidence | None,
                       words: frozenset[str]) -> tuple[str, str | None]:
        """Check one date of a sentence; returns the state and, when a passage about the event
        gives the same date in other words, those words."""
        shown = f"“{d.expression}” ({_say_date(d.iso)})"
        cluster = self.inp.story.passages
        state, items = self._judge_date(d.iso, d.precision, words, ev.passages if ev else cluster)
        if state == "exact":
            return state, items[0][2].expression
        if state == "coarser":
            return state, None
        if state != "contradicted" and ev is not None:
            cstate, citems = self._judge_date(d.iso, d.precision, words, cluster)
            if cstate == "contradicted":
                state, items = cstate, citems
        if state == "contradicted":
            self.add("contradicted-date", "error", claim, claim.labels,
                     f"says {shown}, but the sources give {self._describe(items)} for this event"
                     + self._published_note(d.iso), self.ref_for(items[0][1]))
            return state, None
        if state == "elsewhere":
            return state, None
        elsewhere = [x for x in self._dates_of(cluster) if _date_match(d.iso, d.precision, x[0]) == "exact"]
        if elsewhere:
            where = sorted({self.label(p.source_id) for _, p, _ in elsewhere})
            self.add("unsupported-date", "warning", claim, claim.labels,
                     f"{shown} is not in the cited source{'s' if len(claim.markers) > 1 else ''}; it is in {', '.join(where)}")
            return "absent", None
        self.add("unsupported-date", "error", claim, claim.labels,
                 f"{shown} is given by no source of the cluster" + self._published_note(d.iso))
        return "absent", None

    def ref_for(self, p: Passage) -> EvidenceRef:
        return EvidenceRef(source_number=self.number_of.get(p.source_id), source_id=p.source_id, passage_id=p.id,
                           quote=p.text, start=p.start, end=p.end, dates=[d.iso for d in p.dates])

    def _timeline_date(self, claim: Claim, ev: _Evidence | None, words: frozenset[str]) -> str:
        iso, precision = claim.date_iso or "", claim.date_precision or _precision_of(claim.date_iso or "")
        shown = claim.date_text or _say_date(iso)
        cluster = self.inp.story.passages
        if ev is not None:
            state, items = self._judge_date(iso, precision, words, ev.passages)
            where = "its cited passages"
        else:
            state, items = "absent", []
            where = "its citations (none resolve)"
        if state == "exact":
            return state
        cstate, citems = self._judge_date(iso, precision, words, cluster)
        if state == "contradicted" or cstate == "contradicted":
            items = items if state == "contradicted" else citems
            self.add("timeline-date", "error", claim, claim.labels,
                     f"dated {shown}, but the sources give {self._describe(items)} for this event"
                     + self._published_note(iso), self.ref_for(items[0][1]))
            return "contradicted"
        if state == "coarser":
            self.add("timeline-date", "warning", claim, claim.labels,
                     f"dated {shown}, but {where} give only {self._describe(items)}")
            return state
        if state == "elsewhere":
            self.add("timeline-date", "warning", claim, claim.labels,
                     f"dated {shown}: the cited sources give this date, but not in the passages about this event")
            return state
        if cstate in ("exact", "coarser", "elsewhere"):
            self.add("timeline-date", "warning", claim, claim.labels,
                     f"dated {shown}: not given by {where}; {self._describe(citems[:3])} in the cluster")
            return "absent"
        self.add("timeline-date", "error", claim, claim.labels, f"dated {shown}: no source of the cluster gives this date")
        return "absent"

    def _precision(self, claim: Claim, resolved: list[int], scoring_text: str, scored: ScoredClaim | None,
                   cluster_scored: ScoredClaim) -> None:
        """Flag each cited source that supports nothing in the sentence: it scores below the
        partial threshold and covers less than half the sentence's (IDF-weighted) words."""
        best_other = None
        if cluster_scored.evidence is not None:
            best_other = self.cluster.passages[cluster_scored.evidence.sentence_index]
        for n in resolved:
            if self.foreign(n) and self.judge is None:
                continue  # no word overlap across languages: not evidence of a bad citation
            sid = self.inp.numbered[n].source.id
            if claim.passage_ids is not None:
                pids = [p for p in claim.passage_ids if self.inp.passages_by_id[p].source_id == sid]
                ev = self.evidence_for(Claim(claim.position, claim.text, [n], pids))
            else:
                ev = self.evidence_for(claim, [n])
            if ev is None:
                continue
            one = scored if (len(resolved) == 1 and scored is not None) else self.scorer.score_evidence(scoring_text, ev.prepared)
            if one.score >= self.t.partial or one.features.get("recall_win", 0.0) >= 0.5:
                continue
            msg = f"[{n}] supports nothing in this sentence (score {one.score:.2f}, {one.features.get('recall_win', 0):.0%} of its words)"
            better = (best_other is not None and best_other.source_id != sid
                      and cluster_scored.score > one.score and cluster_scored.score >= self.t.partial)
            if better:
                msg += (f"; the best support in the cluster is {self.label(best_other.source_id)}"
                        f" (score {cluster_scored.score:.2f}): “{_short(best_other.text)}”")
            self.add("citation-precision", "warning", claim, [f"[{n}]"], msg, self.ref_for(best_other) if better else None)
            self.precision_failures.setdefault(n, []).append(claim.position)

    def blanket(self, claims: Sequence[Claim]) -> None:
        cited = [c for c in claims if c.kind == "sentence" and c.markers]
        if len(cited) < 3:
            return
        for n in sorted({m for c in cited for m in c.markers}):
            using = [c for c in cited if n in c.markers]
            failing = [p.label() for p in self.precision_failures.get(n, []) if p.kind == "sentence"]
            if len(using) / len(cited) >= 0.6 and len(failing) >= 2:
                self.findings.append(Finding(
                    type="blanket-citation", severity="error", position=Position(kind="sections"), citations=[f"[{n}]"],
                    message=(f"[{n}] is cited on {len(using)} of {len(cited)} cited sentences but supports nothing in "
                             f"{len(failing)} of them ({', '.join(failing)}): a blanket citation, not evidence"),
                ))


def _short(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- entry points

_ORDER = {"error": 0, "warning": 1, "info": 2}


def summarise_report(claims: Sequence[ClaimVerdict], findings: Sequence[Finding], scorer: str,
                     thresholds: Thresholds, checked_at: dt.datetime) -> VerificationSummary:
    counted = [c for c in claims if c.verdict != "exempt"]
    count = {v: sum(1 for c in counted if c.verdict == v) for v in
             ("supported", "partially_supported", "unsupported", "contradicted")}
    errors = sum(1 for f in findings if f.severity == "error")
    passed = (count["unsupported"] + count["contradicted"] <= thresholds.max_unsupported
              and errors <= thresholds.max_errors)
    return VerificationSummary(
        checked_at=checked_at, scorer=scorer, sentences=len(counted), supported=count["supported"],
        partially_supported=count["partially_supported"], unsupported=count["unsupported"],
        contradicted=count["contradicted"], findings=len(findings), passed=passed,
    )


def verify(inp: VerifyInput, *, scorer: SupportScorer | None = None, judge: Judge | None = None,
           thresholds: Thresholds | None = None) -> VerificationReport:
    """Run every check on a loaded brief."""
    started = time.perf_counter()
    scorer = scorer or default_scorer()
    thresholds = thresholds or Thresholds()
    checker = _Checker(inp, scorer, judge, thresholds)
    claims = list(inp.claims)
    if judge is not None:  # judge claims grouped by cited sources: the article prefix stays cached
        order = sorted(range(len(claims)), key=lambda i: (tuple(sorted(set(claims[i].markers))), i))
    else:
        order = list(range(len(claims)))
    verdicts: dict[int, ClaimVerdict] = {}
    for i in order:
        verdicts[i] = checker.check(claims[i])
    checker.blanket(claims)
    order_of = {c.position: i for i, c in enumerate(claims)}
    findings = sorted(checker.findings, key=lambda f: (_ORDER[f.severity], f.type, order_of.get(f.position, -1)))
    checked_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    scorer_name = scorer.name + (f" + {judge.name}" if judge else "")
    report = VerificationReport(
        brief=inp.name, headline=inp.headline, checked_at=checked_at, scorer=scorer_name,
        judge=judge.name if judge else None,
        thresholds={"max_unsupported": thresholds.max_unsupported, "max_errors": thresholds.max_errors,
                    "supported": checker.supported_at, "partial": thresholds.partial},
        sources=[VerifiedSource(number=n, source_id=d.source.id, origins=d.source.origins, outlet=d.source.outlet,
                                title=d.source.title, published=d.source.published, language=d.source.language)
                 for n, d in sorted(inp.numbered.items())],
        claims=[verdicts[i] for i in range(len(claims))],
        findings=findings,
        unparsed=list(inp.unparsed),
        summary=summarise_report(list(verdicts.values()), findings, scorer_name, thresholds, checked_at),
    )
    report.seconds = round(time.perf_counter() - started, 4)
    return report


def verify_brief(brief: Brief, story: Story, *, judge: Judge | None = None,
                 thresholds: Thresholds | None = None) -> VerificationReport:
    """Verify a storybrief Brief against its story (what the brief pipeline calls)."""
    return verify(input_from_brief(brief, story), judge=judge, thresholds=thresholds)


def verification_summary(brief: Brief, story: Story, *, judge: Judge | None = None,
                         thresholds: Thresholds | None = None) -> VerificationSummary:
    """The summary to attach as ``brief.verification``."""
    return verify_brief(brief, story, judge=judge, thresholds=thresholds).summary


# --------------------------------------------------------------------------- reports

VERDICT_LABELS = {
    "supported": "supported",
    "partially_supported": "partly supported",
    "unsupported": "unsupported",
    "contradicted": "contradicted",
    "exempt": "not checked",
}
_VERDICT_STYLE = {"supported": "green", "partially_supported": "yellow", "unsupported": "red",
                  "contradicted": "bold red", "exempt": "dim"}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "dim"}
REPORT_FORMATS = ("text", "json", "html")


def _origin_names(src: VerifiedSource) -> str:
    return ", ".join(Path(o.partition("#")[0]).name for o in src.origins)


def _summary_line(report: VerificationReport) -> str:
    s = report.summary
    state = "PASSED" if s.passed else "FAILED"
    errors = sum(1 for f in report.findings if f.severity == "error")
    warnings = sum(1 for f in report.findings if f.severity == "warning")
    return (f"{state}: {s.sentences} claims checked — {s.supported} supported, {s.partially_supported} partly "
            f"supported, {s.unsupported} unsupported, {s.contradicted} contradicted; {errors} errors, "
            f"{warnings} warnings (fails above {int(report.thresholds.get('max_unsupported', 0))} unsupported/"
            f"contradicted or {int(report.thresholds.get('max_errors', 0))} errors)")


def print_report(report: VerificationReport, console) -> None:
    """The terminal report: sources, findings grouped by type, per-claim verdicts, summary."""
    from rich.table import Table
    from rich.text import Text

    console.print(Text(f"Verification of {report.brief}", style="bold"))
    if report.headline:
        console.print(Text(report.headline, style="italic"))
    console.print(Text(f"scorer: {report.scorer} · checked {report.checked_at:%Y-%m-%d %H:%M} UTC · "
                       f"{report.seconds:.2f} s", style="dim"))
    sources = Table(title="Sources", title_justify="left", show_lines=False, expand=False)
    for col in ("[n]", "file(s)", "outlet", "published", "lang"):
        sources.add_column(col, overflow="fold")
    for src in report.sources:
        sources.add_row(f"[{src.number}]", _origin_names(src), src.outlet or "", 
                        src.published.isoformat() if src.published else "", src.language)
    console.print(sources)

    by_type: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_type.setdefault(f.type, []).append(f)
    findings = Table(title=f"Findings ({len(report.findings)})", title_justify="left", show_lines=True, expand=True)
    findings.add_column("type", no_wrap=True)
    findings.add_column("sev", no_wrap=True)
    findings.add_column("where", no_wrap=True)
    findings.add_column("cites", no_wrap=True)
    findings.add_column("message", ratio=3, overflow="fold")
    for kind in sorted(by_type, key=lambda k: (min(_ORDER[f.severity] for f in by_type[k]), k)):
        for i, f in enumerate(by_type[kind]):
            message = Text(f.message)
            if f.text and f.position.kind not in ("sources", "sections"):
                message.append(f"\n“{_short(f.text, 140)}”", style="dim")
            findings.add_row(kind if i == 0 else "", Text(f.severity, style=_SEVERITY_STYLE[f.severity]),
                             f.location, " ".join(f.citations), message)
    console.print(findings)

    claims = Table(title="Claims", title_justify="left", show_lines=False, expand=True)
    claims.add_column("where", no_wrap=True)
    claims.add_column("cites", no_wrap=True)
    claims.add_column("verdict", no_wrap=True)
    claims.add_column("score", justify="right", no_wrap=True)
    claims.add_column("cluster", justify="right", no_wrap=True)
    claims.add_column("claim → best cited evidence", ratio=3, overflow="fold")
    for c in report.claims:
        body = Text(_short(c.text, 150))
        if c.evidence is not None:
            body.append(f"\n  → [{c.evidence.source_number}] “{_short(c.evidence.quote, 110)}”", style="dim")
        claims.add_row(c.location, " ".join(c.citations) if c.citations and c.citations[0].startswith("[") else
                       (f"{len(c.citations)} passages" if c.citations else ""),
                       Text(VERDICT_LABELS[c.verdict], style=_VERDICT_STYLE[c.verdict]),
                       "" if c.score is None else f"{c.score:.2f}",
                       "" if c.cluster_score is None else f"{c.cluster_score:.2f}", body)
    console.print(claims)
    if report.unparsed:
        console.print(Text("Lines not read as part of the brief:", style="yellow"))
        for line in report.unparsed:
            console.print(Text(f"  {line}"))
    console.print(Text(_summary_line(report), style="bold green" if report.summary.passed else "bold red"))


def render_text(report: VerificationReport, width: int = 120) -> str:
    from rich.console import Console

    console = Console(record=True, width=width, file=open("/dev/null", "w"), color_system=None)
    print_report(report, console)
    return console.export_text()


def render_json(report: VerificationReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("storybrief", "templates"), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _hover(c: ClaimVerdict) -> str:
    parts = [VERDICT_LABELS[c.verdict]]
    if c.score is not None:
        parts[0] += f" (score {c.score:.2f})"
    if c.evidence is not None:
        parts.append(f"[{c.evidence.source_number}] “{_short(c.evidence.quote, 400)}”")
    elif c.cluster_evidence is not None:
        parts.append(f"closest in the cluster: “{_short(c.cluster_evidence.quote, 400)}”")
    return "\n".join(parts)


def render_html(report: VerificationReport) -> str:
    """One self-contained page: the brief coloured by verdict, evidence on hover (title) or tap
    (details), then the findings grouped by type. Autoescaped; no scripts, no external files."""
    by_position: dict[Position, list[Finding]] = {}
    for f in report.findings:
        by_position.setdefault(f.position, []).append(f)

    def item(c: ClaimVerdict) -> dict:
        return {"claim": c, "label": VERDICT_LABELS[c.verdict], "hover": _hover(c),
                "findings": by_position.get(c.position, [])}

    sections: list[dict] = []
    for c in report.claims:
        if c.kind != "sentence":
            continue
        if not sections or sections[-1]["index"] != c.section:
            sections.append({"index": c.section, "lead": c.lead or "", "entries": []})
        sections[-1]["entries"].append(item(c))
    timeline = [dict(item(c), date=c.date or "") for c in report.claims if c.kind == "timeline"]
    groups: dict[str, list[Finding]] = {}
    for f in report.findings:
        groups.setdefault(f.type, []).append(f)
    return _environment().get_template("verify.html.j2").render(
        report=report, sections=sections, timeline=timeline, groups=groups, summary=_summary_line(report),
        labels=VERDICT_LABELS, origin_names=_origin_names,
    )


def render_report(report: VerificationReport, fmt: str) -> str:
    if fmt == "text":
        return render_text(report)
    if fmt == "json":
        return render_json(report)
    if fmt == "html":
        return render_html(report)
    from storybrief.errors import ConfigError

    raise ConfigError(f"unknown report format {fmt!r}: choose one of {', '.join(REPORT_FORMATS)}")
