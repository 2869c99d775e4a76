"""The checks, each its own finding type (see ``FindingType`` in models.py).

resolution
    ``unresolved-citation``: a marker beyond the given sources, a passage id not in the story.
coverage
    ``uncited``: a sentence that states a fact has no citation. A sentence states a fact when
    it has at least five words and either a name, a number or a date, or at least four content
    words; shorter ones (transitions) and the headline are exempt.
details (deterministic)
    ``unknown-name``: a capitalised name in no source of the cluster, in any language's form.
    ``missing-number``: a number (or a clock time) not in the cited sources / not in the cluster.
dates (deterministic)
    Dates in the claim are resolved and compared with the resolved dates of the passages about
    the same event: another close date of the same precision, and the claim's date given by
    neither them nor the cited sources, is a ``contradicted-date``; a date no cited source
    gives is an ``unsupported-date``. ``timeline-date``: an entry's date its passages do not give.
contradictions (deterministic, see contradictions.py)
    ``contradicted``: a role, number, place, agent, event or negation the passages about the
    event state otherwise.
support
    The model-free scorer scores the claim against its cited passages and the whole cluster;
    with a judge its probability is combined in. ``unsupported``, ``partially-supported``,
    ``supported-elsewhere`` (true, but the passage that says so is not cited).
timeline
    ``off-topic``: an entry that shares few words with the cluster AND names people or places
    the cluster never mentions.
citation precision
    ``citation-precision``: a cited source that supports nothing in its sentence.
    ``blanket-citation``: one marker put on most sentences while failing several of them.

Each check returns its findings and what the verdict needs; :func:`verdict.decide` turns the
latter into the verdict.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

from storybrief.dates import resolve_dates
from storybrief.models import (
    ClaimVerdict,
    Contradiction,
    EvidenceRef,
    Finding,
    FindingType,
    Passage,
    Position,
    ResolvedDate,
    Severity,
    Verdict,
)
from storybrief.scoring import PreparedEvidence, ScoredClaim, SupportScorer, prepare_evidence
from storybrief.text import words
from storybrief.verify.contradictions import find_contradictions
from storybrief.verify.facts import (
    close_dates,
    content_stems,
    date_match,
    name_present,
    names_in,
    numbers_in,
    numbers_of,
    precision_of,
    say_date,
    vocabulary,
)
from storybrief.verify.inputs import Claim, SourceDoc, VerifyInput
from storybrief.verify.judge import Judge
from storybrief.verify.thresholds import Thresholds
from storybrief.verify.verdict import Signals, decide

__all__ = ["Checker"]


@dataclass
class _Evidence:
    prepared: PreparedEvidence
    passages: list[Passage]


@dataclass
class _Facts:
    """What a claim states, read deterministically."""

    names: list[str]
    numbers: list[str]
    dates: list[ResolvedDate]
    stems: frozenset[str]
    factual: bool
    has_citation: bool


@dataclass
class _Details:
    names_nowhere: list[str] = field(default_factory=list)
    names_uncited: list[str] = field(default_factory=list)
    numbers_nowhere: list[str] = field(default_factory=list)
    numbers_uncited: list[str] = field(default_factory=list)


@dataclass
class _Dates:
    contradictions: list[Contradiction] = field(default_factory=list)
    partial: bool = False
    scoring_text: str = ""  # the claim with its dates written as the evidence writes them


@dataclass
class _Support:
    cited: ScoredClaim | None
    cluster: ScoredClaim
    score: float | None  # cited, combined with the judge when there is one
    judge: float | None = None


@dataclass(frozen=True)
class _Cluster:
    """The whole story as the checks compare claims with it."""

    prepared: PreparedEvidence
    vocab: frozenset[str]
    numbers: frozenset[str]
    stems: frozenset[str]


# A brief is verified several times against one story (after the gate, after the re-ask, its
# headline's stand-ins, the stamp); a 1,000-article story takes seconds to read each time.
# The texts are the key: nothing read from them changes while they do not.
@lru_cache(maxsize=1)
def _read_cluster(passage_texts: tuple[str, ...], source_texts: tuple[str, ...]) -> _Cluster:
    return _Cluster(
        prepared=prepare_evidence(list(passage_texts)),
        vocab=vocabulary(source_texts),
        numbers=numbers_of(list(source_texts)),
        stems=frozenset().union(*(content_stems(text) for text in passage_texts)) if passage_texts else frozenset(),
    )


def _short(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Checker:
    """Checks the claims of one input; collects the findings."""

    def __init__(self, inp: VerifyInput, scorer: SupportScorer, judge: Judge | None, thresholds: Thresholds):
        self.inp = inp
        self.scorer = scorer
        self.judge = judge
        self.t = thresholds
        self.supported_at = thresholds.supported if thresholds.supported is not None else (
            judge.combiner.threshold if judge else scorer.threshold)
        self.number_of: dict[str, int] = {}
        for n, doc in sorted(inp.numbered.items(), reverse=True):
            self.number_of[doc.source.id] = n  # the lowest number wins for a duplicate
        self.source_by_id = {s.id: s for s in inp.story.sources}
        read = _read_cluster(tuple(p.text for p in inp.story.passages), tuple(s.text for s in inp.story.sources))
        self.cluster = _Evidence(read.prepared, list(inp.story.passages))
        self.cluster_vocab = read.vocab
        self.cluster_numbers = read.numbers
        self.cluster_stems = read.stems
        base = [s.published for s in inp.story.sources if s.published]
        self.base = max(base) if base else None
        self.source_of_passage = {p.id: p.source_id for p in inp.story.passages}
        self._cache: dict[tuple, _Evidence] = {}
        self.findings: list[Finding] = list(inp.findings)
        self.precision_failures: dict[int, list[Position]] = {}

    # helpers ---------------------------------------------------------------------------
    def foreign(self, n: int) -> bool:
        """True when source [n] is in another language than the brief: word overlap says nothing."""
        lang = self.inp.numbered[n].source.language
        brief = (self.inp.language or "und")[:2]
        return brief != "und" and lang not in ("und", "") and lang[:2] != brief

    def evidence_for(self, claim: Claim, markers: Sequence[int] | None = None) -> _Evidence | None:
        if claim.passage_ids is not None and markers is None:
            key: tuple = ("p",) + tuple(claim.passage_ids)
            passages = [self.inp.passages_by_id[p] for p in claim.passage_ids]
        else:
            ids: list[str] = []
            for n in (markers if markers is not None else claim.markers):
                if n in self.inp.numbered and self.inp.numbered[n].source.id not in ids:
                    ids.append(self.inp.numbered[n].source.id)
            key = ("s",) + tuple(ids)
            passages = [p for sid in ids for p in self.inp.story.passages if p.source_id == sid]
        if not passages:
            return None
        if key not in self._cache:
            self._cache[key] = _Evidence(prepare_evidence([p.text for p in passages]), passages)
        return self._cache[key]

    def ref_for(self, p: Passage) -> EvidenceRef:
        return EvidenceRef(source_number=self.number_of.get(p.source_id), source_id=p.source_id, passage_id=p.id,
                           quote=p.text, start=p.start, end=p.end, dates=[d.iso for d in p.dates])

    def label(self, source_id: str) -> str:
        n = self.number_of.get(source_id)
        return f"[{n}]" if n is not None else (self.source_by_id[source_id].outlet or source_id)

    def add(self, type_: FindingType, severity: Severity, claim: Claim, citations: list[str], message: str,
            evidence: EvidenceRef | None = None) -> None:
        self.findings.append(Finding(type=type_, severity=severity, position=claim.position, text=claim.text,
                                     message=message, citations=citations, evidence=evidence))

    def _given(self) -> str:
        numbers = sorted(self.inp.numbered)
        return ", ".join(f"[{n}]" for n in numbers) if numbers else "none"

    @staticmethod
    def _names(folded: Sequence[str], text: str) -> str:
        """The names as written in the claim."""
        from storybrief.text import fold

        shown = []
        for m in re.finditer(r"[\w’'‑-]+", text):
            raw = re.sub(r"[’']s$", "", m.group(0))
            for part in re.split(r"[‑-]", raw):
                if fold(part) in folded and raw not in shown:
                    shown.append(raw)
        return ", ".join(f"“{s}”" for s in shown) or ", ".join(folded)

    def _docs(self, claim: Claim) -> list[SourceDoc]:
        seen, docs = set(), []
        for n in claim.markers:
            doc = self.inp.numbered.get(n)
            if doc and doc.source.id not in seen:
                seen.add(doc.source.id)
                docs.append(doc)
        return docs

    # one claim -------------------------------------------------------------------------
    def check(self, claim: Claim) -> ClaimVerdict:
        verdict = ClaimVerdict(position=claim.position, lead=claim.lead, text=claim.text, citations=claim.labels,
                               verdict=Verdict.EXEMPT, date=claim.date_iso)
        if claim.kind == "headline":
            return verdict
        self.check_resolution(claim)
        facts = self.facts(claim)
        self.check_coverage(claim, facts)
        if not facts.factual and not facts.has_citation:
            verdict.reasons = ["too short to state a fact: exempt from the coverage and support checks"]
            return verdict
        resolved = [n for n in claim.markers if n in self.inp.numbered]
        ev = self.evidence_for(claim) if (resolved or claim.passage_ids) else None
        details = self.check_details(claim, facts, ev)
        dates = self.check_sentence_dates(claim, facts, ev)
        support = self.support(claim, dates.scoring_text, ev)
        verdict.cluster_score = round(support.cluster.score, 4)
        if support.cluster.evidence is not None:
            verdict.cluster_evidence = self.ref_for(self.cluster.passages[support.cluster.evidence.sentence_index])
        if support.cited is not None:
            verdict.scorer_score = round(support.cited.score, 4)
            verdict.score = round(support.score, 4) if support.score is not None else None
            verdict.judge_score = round(support.judge, 4) if support.judge is not None else None
            if support.cited.evidence is not None and ev is not None:
                verdict.evidence = self.ref_for(ev.passages[support.cited.evidence.sentence_index])
        off_topic = self.check_off_topic(claim, facts, details, support)
        if claim.kind == "timeline" and not off_topic and claim.date_iso:
            dates.contradictions += self.check_timeline_date(claim, ev, facts.stems, dates)
        verdict.contradictions = dates.contradictions + self.check_contradictions(claim, ev, support)
        reasons = self.report_details(claim, facts, details, dates, resolved, off_topic)
        best = verdict.cluster_evidence
        cited_ids = {p.id for p in ev.passages} if ev else set()
        signals = Signals(
            has_citation=facts.has_citation, cited_score=support.score, cluster_score=support.cluster.score,
            best_is_cited=best is not None and best.passage_id in cited_ids,
            contradicted=bool(verdict.contradictions), off_topic=off_topic,
            details_nowhere=bool(details.names_nowhere or details.numbers_nowhere),
            details_uncited=bool(details.numbers_uncited), date_partial=dates.partial,
            foreign_only=self.judge is None and bool(resolved) and all(self.foreign(n) for n in resolved),
        )
        verdict.verdict, why = decide(signals, self.t, self.supported_at)
        verdict.reasons = reasons + why
        if resolved and not off_topic:
            self.check_precision(claim, resolved, dates.scoring_text, support)
        self.report_verdict(claim, verdict, support, off_topic)
        return verdict

    # checks ----------------------------------------------------------------------------
    def check_resolution(self, claim: Claim) -> None:
        for n in claim.markers:
            if n not in self.inp.numbered:
                self.add("unresolved-citation", "error", claim, [f"[{n}]"],
                         f"[{n}] points at no given source (only {self._given()} were given): "
                         "it cannot be checked, and may cite an article from another story")

    def claim_base(self, claim: Claim) -> dt.date | None:
        """The day a claim's relative dates are read against: the publication of the article it
        cites, as its "on Monday" was written then (an MJ line quoting February 2010's "will
        file ... on Monday" is 8 February 2010, not a Monday after the cluster's last article);
        the cluster's latest day when it cites none that is dated."""
        cited = [self.source_by_id.get(self.source_of_passage.get(pid, "")) for pid in claim.passage_ids or []]
        cited += [self.inp.numbered[n].source for n in claim.markers if n in self.inp.numbered]
        return next((source.published for source in cited if source is not None and source.published), self.base)

    def facts(self, claim: Claim) -> _Facts:
        text = claim.text
        dates = [] if claim.kind == "timeline" else resolve_dates(text, self.claim_base(claim), "und")
        names = names_in(text)
        numbers = numbers_in(text, [(d.start, d.end) for d in dates])
        stems = content_stems(text)
        factual = claim.kind == "timeline" or (
            len(words(text)) >= 5 and (bool(names or numbers or dates) or len(stems) >= 4))
        return _Facts(names, numbers, dates, stems, factual, bool(claim.markers) or bool(claim.passage_ids))

    def check_coverage(self, claim: Claim, facts: _Facts) -> None:
        if facts.has_citation or not facts.factual:
            return
        has = [x for x in ("a name" if facts.names else "", "a number" if facts.numbers else "",
                           "a date" if facts.dates else "", f"{len(facts.stems)} content words") if x]
        self.add("uncited", "error", claim, [], "states a fact but cites no source (it has " + ", ".join(has) + ")")

    def check_details(self, claim: Claim, facts: _Facts, ev: _Evidence | None) -> _Details:
        cited_texts = [p.text for p in ev.passages] if ev else []
        cited_vocab = vocabulary(cited_texts)
        cited_numbers = numbers_of(cited_texts)
        d = _Details()
        d.names_nowhere = [n for n in facts.names if not name_present(n, self.cluster_vocab)]
        d.names_uncited = [n for n in facts.names if n not in d.names_nowhere and not name_present(n, cited_vocab)]
        d.numbers_nowhere = [n for n in facts.numbers if n not in self.cluster_numbers]
        d.numbers_uncited = [n for n in facts.numbers if n not in d.numbers_nowhere and n not in cited_numbers]
        return d

    def report_details(self, claim: Claim, facts: _Facts, d: _Details, dates: _Dates, resolved: list[int],
                       off_topic: bool) -> list[str]:
        reasons = []
        if off_topic:
            return ["off-topic: about another story"]
        if d.names_nowhere:
            self.add("unknown-name", "error", claim, claim.labels,
                     f"{self._names(d.names_nowhere, claim.text)}: in no source of the cluster")
            reasons.append("names no source contains")
        if d.names_uncited and resolved:
            reasons.append(f"{self._names(d.names_uncited, claim.text)} only in sources it does not cite")
        if d.numbers_nowhere:
            self.add("missing-number", "error", claim, claim.labels,
                     f"{', '.join(d.numbers_nowhere)}: in no source of the cluster")
            reasons.append("numbers no source contains")
        if d.numbers_uncited and resolved:
            self.add("missing-number", "warning", claim, claim.labels,
                     f"{', '.join(d.numbers_uncited)}: not in the cited sources (only elsewhere in the cluster)")
            reasons.append("numbers only in uncited sources")
        if dates.partial:
            reasons.append("a date the cited passages do not give")
        return reasons

    def support(self, claim: Claim, scoring_text: str, ev: _Evidence | None) -> _Support:
        cited = self.scorer.score_evidence(scoring_text, ev.prepared) if ev else None
        cluster = self.scorer.score_evidence(scoring_text, self.cluster.prepared)
        support = _Support(cited, cluster, cited.score if cited else None)
        if cited is not None and self.judge is not None:
            docs = self._docs(claim)
            if docs:
                support.judge = self.judge.probability(claim.text, docs)
                support.score = self.judge.combiner.combine(cited.score, support.judge)
        return support

    def check_off_topic(self, claim: Claim, facts: _Facts, d: _Details, support: _Support) -> bool:
        """Another story mixed into the timeline: the cluster does not support it at all, it names
        people or places the cluster never mentions, and shares few words with it or names several."""
        if claim.kind != "timeline" or not d.names_nowhere:
            return False
        overlap = len(facts.stems & self.cluster_stems) / len(facts.stems) if facts.stems else 1.0
        if support.cluster.score < self.t.partial and (overlap < self.t.off_topic_overlap or len(d.names_nowhere) >= 3):
            self.add("off-topic", "error", claim, claim.labels,
                     f"looks like another story: only {overlap:.0%} of its words occur in the sources, and "
                     f"{self._names(d.names_nowhere, claim.text)} appear in none of them")
            return True
        return False

    def check_contradictions(self, claim: Claim, ev: _Evidence | None, support: _Support) -> list[Contradiction]:
        """Against the cited passages, and (for roles and whose role) the passage of the cluster
        closest to the claim: a citation that does not resolve does not hide a contradiction."""
        best, coverage = None, 0.0
        if ev is not None and support.cited is not None and support.cited.evidence is not None:
            candidate = ev.passages[support.cited.evidence.sentence_index]
            if not self._foreign_source(candidate.source_id):
                best, coverage = candidate, support.cited.features.get("recall_top1_plain", 0.0)
        closest = []
        if support.cluster.evidence is not None and support.cluster.score >= self.t.partial:
            closest = [self.cluster.passages[support.cluster.evidence.sentence_index]]
        found = find_contradictions(claim.text, ev.passages if ev else [], self.inp.story.passages,
                                    cluster_names=self.cluster_vocab,
                                    minimum_anchors=self.t.anchors, closest=closest,
                                    same_language_best=best, same_language_coverage=coverage,
                                    negation_alignment=self.t.negation_alignment)
        out = []
        for f in found:
            ref = self.ref_for(f.passage)
            out.append(Contradiction(kind=f.kind, claim=f.claim, source=f.source, evidence=ref))
            self.add("contradicted", "error", claim, claim.labels,
                     f"{_KIND_WORDS[f.kind]}: says “{f.claim}”, but {self.label(f.passage.source_id)} says "
                     f"“{_short(f.source, 100)}”", ref)
        return out

    def _foreign_source(self, source_id: str) -> bool:
        n = self.number_of.get(source_id)
        return n is not None and self.foreign(n)

    # dates -----------------------------------------------------------------------------
    def about(self, claim_stems: frozenset[str], passages: Sequence[Passage]) -> list[Passage]:
        """The dated passages that talk about the claim's event: those sharing the most
        content words with it (see Thresholds.about_*)."""
        shared = [(len(claim_stems & content_stems(p.text)), p) for p in passages if p.dates]
        best = max((n for n, _ in shared), default=0)
        if best < self.t.about_min_shared:
            return []
        return [p for n, p in shared if n >= max(self.t.about_min_shared, self.t.about_share_of_best * best)]

    @staticmethod
    def _dates_of(passages: Sequence[Passage]) -> list[tuple[str, Passage, ResolvedDate]]:
        return [(d.iso, p, d) for p in passages for d in p.dates]

    def _judge_date(self, claim_iso: str, claim_precision: str, stems: frozenset[str],
                    passages: Sequence[Passage]) -> tuple[str, list[tuple[str, Passage, ResolvedDate]]]:
        """'exact' (a passage about the event gives it; a day inside a claimed month counts),
        'coarser' (they give only the month or year it lies in), 'contradicted' (they give
        another close day and none gives the claimed one), 'elsewhere' (the passages give it,
        but not those about this event), 'absent'. Returns the relevant dates too."""
        near = self._dates_of(self.about(stems, passages))
        matches = [date_match(claim_iso, claim_precision, iso) for iso, _, _ in near]
        if "exact" in matches:
            return "exact", [x for x, m in zip(near, matches) if m == "exact"]
        conflicting = [x for x in near if close_dates(x[0], claim_iso, self.t.close_days)]
        if conflicting:  # a precise other day beats a vague "earlier this week"
            return "contradicted", conflicting
        if "coarser" in matches:
            return "coarser", [x for x, m in zip(near, matches) if m == "coarser"]
        elsewhere = [x for x in self._dates_of(passages) if date_match(claim_iso, claim_precision, x[0]) == "exact"]
        if elsewhere:
            return "elsewhere", elsewhere
        return "absent", []

    def _describe(self, items: Sequence[tuple[str, Passage, ResolvedDate]]) -> str:
        from storybrief.text import fold

        out = []
        for iso, p, d in items:
            shown = say_date(iso)
            expr = d.expression if fold(d.expression) != fold(shown) else None
            out.append(f"{self.label(p.source_id)} “{expr}” = {shown}" if expr else f"{self.label(p.source_id)} {shown}")
        return "; ".join(dict.fromkeys(out))

    def _published_note(self, iso: str) -> str:
        pubs = [self.label(s.id) for s in self.inp.story.sources if s.published and s.published.isoformat() == iso]
        return f" ({say_date(iso)} is the publication date of {', '.join(pubs)})" if pubs else ""

    def _date_contradiction(self, claim_text: str, items) -> Contradiction:
        iso, p, d = items[0]
        return Contradiction(kind="date", claim=claim_text, source=f"{d.expression} ({say_date(iso)})",
                             evidence=self.ref_for(p))

    def check_sentence_dates(self, claim: Claim, facts: _Facts, ev: _Evidence | None) -> _Dates:
        """Each date of a sentence against the passages about its event. A date the evidence
        gives in other words ("Wednesday") is rewritten to those words for lexical scoring."""
        out = _Dates(scoring_text=claim.text)
        for d in sorted(facts.dates, key=lambda d: -d.start):
            state, same = self._sentence_date(claim, d, ev, facts.stems, out)
            out.partial |= state in ("coarser", "elsewhere", "absent")
            if same is not None:
                out.scoring_text = out.scoring_text[: d.start] + same + out.scoring_text[d.end:]
        return out

    def _sentence_date(self, claim: Claim, d: ResolvedDate, ev: _Evidence | None, stems: frozenset[str],
                       out: _Dates) -> tuple[str, str | None]:
        shown = f"“{d.expression}” ({say_date(d.iso)})"
        cluster = self.inp.story.passages
        state, items = self._judge_date(d.iso, d.precision, stems, ev.passages if ev else cluster)
        if state == "exact":
            return state, items[0][2].expression
        if state == "coarser":
            return state, None
        if state == "absent" and ev is not None:  # the cited sources do not give it: do the others deny it?
            cstate, citems = self._judge_date(d.iso, d.precision, stems, cluster)
            if cstate == "contradicted":
                state, items = cstate, citems
        if state == "contradicted":
            self.add("contradicted-date", "error", claim, claim.labels,
                     f"says {shown}, but the sources give {self._describe(items)} for this event"
                     + self._published_note(d.iso), self.ref_for(items[0][1]))
            out.contradictions.append(self._date_contradiction(d.expression, items))
            return state, None
        if state == "elsewhere":
            return state, None
        elsewhere = [x for x in self._dates_of(cluster) if date_match(d.iso, d.precision, x[0]) == "exact"]
        if elsewhere:
            where = sorted({self.label(p.source_id) for _, p, _ in elsewhere})
            self.add("unsupported-date", "warning", claim, claim.labels,
                     f"{shown} is not in the cited source{'s' if len(claim.markers) > 1 else ''}; it is in {', '.join(where)}")
            return "absent", None
        self.add("unsupported-date", "error", claim, claim.labels,
                 f"{shown} is given by no source of the cluster" + self._published_note(d.iso))
        return "absent", None

    def check_timeline_date(self, claim: Claim, ev: _Evidence | None, stems: frozenset[str],
                            out: _Dates) -> list[Contradiction]:
        iso, precision = claim.date_iso or "", claim.date_precision or precision_of(claim.date_iso or "")
        shown = claim.date_text or say_date(iso)
        cluster = self.inp.story.passages
        if ev is not None:
            state, items = self._judge_date(iso, precision, stems, ev.passages)
            where = "its cited passages"
        else:
            state, items = "absent", []
            where = "its citations (none resolve)"
        if state == "exact":
            return []
        out.partial = True
        cstate, citems = self._judge_date(iso, precision, stems, cluster)
        if state == "contradicted" or (state == "absent" and cstate == "contradicted"):
            items = items if state == "contradicted" else citems
            self.add("timeline-date", "error", claim, claim.labels,
                     f"dated {shown}, but the sources give {self._describe(items)} for this event"
                     + self._published_note(iso), self.ref_for(items[0][1]))
            out.partial = False
            return [self._date_contradiction(shown, items)]
        if state == "coarser":
            self.add("timeline-date", "warning", claim, claim.labels,
                     f"dated {shown}, but {where} give only {self._describe(items)}")
        elif state == "elsewhere":
            self.add("timeline-date", "warning", claim, claim.labels,
                     f"dated {shown}: the cited sources give this date, but not in the passages about this event")
        elif cstate in ("exact", "coarser", "elsewhere"):
            self.add("timeline-date", "warning", claim, claim.labels,
                     f"dated {shown}: not given by {where}; {self._describe(citems[:3])} in the cluster")
        else:
            self.add("timeline-date", "error", claim, claim.labels, f"dated {shown}: no source of the cluster gives this date")
        return []

    # precision ---------------------------------------------------------------------------
    def check_precision(self, claim: Claim, resolved: list[int], scoring_text: str, support: _Support) -> None:
        """Flag each cited source that supports nothing in the sentence: alone it scores below the
        supported threshold and covers less than half the sentence's (IDF-weighted) words."""
        cluster_scored = support.cluster
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
            one = support.cited if (len(resolved) == 1 and support.cited is not None) \
                else self.scorer.score_evidence(scoring_text, ev.prepared)
            if one.score >= self.supported_at or one.features.get("recall_win", 0.0) >= self.t.precision_coverage:
                continue
            msg = (f"[{n}] supports nothing in this sentence (score {one.score:.2f}, "
                   f"{one.features.get('recall_win', 0):.0%} of its words)")
            better = (best_other is not None and best_other.source_id != sid
                      and cluster_scored.score > one.score and cluster_scored.score >= self.t.partial)
            if better and best_other is not None:
                msg += (f"; the best support in the cluster is {self.label(best_other.source_id)}"
                        f" (score {cluster_scored.score:.2f}): “{_short(best_other.text)}”")
            self.add("citation-precision", "warning", claim, [f"[{n}]"], msg, self.ref_for(best_other) if better and best_other is not None else None)
            self.precision_failures.setdefault(n, []).append(claim.position)

    def check_blanket(self, claims: Sequence[Claim]) -> None:
        cited = [c for c in claims if c.kind == "sentence" and c.markers]
        if len(cited) < 3:
            return
        for n in sorted({m for c in cited for m in c.markers}):
            using = [c for c in cited if n in c.markers]
            failing = [p.label() for p in self.precision_failures.get(n, []) if p.kind == "sentence"]
            if len(using) / len(cited) >= self.t.blanket_share and len(failing) >= self.t.blanket_failures:
                self.findings.append(Finding(
                    type="blanket-citation", severity="error", position=Position(kind="sections"), citations=[f"[{n}]"],
                    message=(f"[{n}] is cited on {len(using)} of {len(cited)} cited sentences but supports nothing in "
                             f"{len(failing)} of them ({', '.join(failing)}): a blanket citation, not evidence"),
                ))

    # the verdict's own finding ------------------------------------------------------------
    def report_verdict(self, claim: Claim, verdict: ClaimVerdict, support: _Support, off_topic: bool) -> None:
        shown = support.score if support.score is not None else support.cluster.score
        v = verdict.verdict
        if v == Verdict.UNSUPPORTED and not off_topic:
            where = "its cited sources" if support.cited is not None else "any source"
            best = verdict.cluster_evidence
            hint = ""
            if best is not None and support.cluster.score >= self.t.partial:
                hint = f"; the closest passage is {self.label(best.source_id)}: “{_short(best.quote)}”"
            self.add("unsupported", "error", claim, claim.labels,
                     f"not supported by {where} (score {shown:.2f}){hint}", verdict.evidence or verdict.cluster_evidence)
        elif v == Verdict.SUPPORTED_ELSEWHERE and verdict.cluster_evidence is not None:
            best = verdict.cluster_evidence
            self.add("supported-elsewhere", "warning", claim, claim.labels,
                     f"true, but not what its citations say (score {shown:.2f}): {self.label(best.source_id)} "
                     f"supports it (score {support.cluster.score:.2f}): “{_short(best.quote)}”; cite that passage",
                     best)
        elif v == Verdict.PARTIALLY_SUPPORTED:
            self.add("partially-supported", "warning", claim, claim.labels,
                     f"partly supported (score {shown:.2f}"
                     + (f"; {'; '.join(verdict.reasons)}" if verdict.reasons else "") + ")",
                     verdict.evidence or verdict.cluster_evidence)


_KIND_WORDS = {
    "role": "a role the sources give otherwise",
    "agent": "who did it, as the sources tell it otherwise",
    "event": "what happened, as the sources tell it otherwise",
    "number": "a number the sources give otherwise",
    "place": "a place the sources give otherwise",
    "negation": "the sources say the opposite",
    "date": "a date the sources give otherwise",
}
