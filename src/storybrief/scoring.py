"""Model-free support scoring: does the evidence support this claim?

A claim (one sentence, or a whole summary split into sentences) is aligned against the
evidence sentences of a source by IDF-weighted word overlap; features are computed against
the best sentence, the best greedy window of up to three sentences, and the whole document
(overlap, bigrams, fuzzy ratios, and mismatches of numbers, names, dates and negation).
A logistic regression fitted offline by ``evals/calibrate_scorer.py`` turns them into a
probability; its parameters live in ``scorer_weights.json`` beside this module and are applied
with numpy, so nothing here needs scikit-learn or a model.

A multi-sentence claim scores the minimum over its sentences: one unsupported sentence makes
the whole claim unsupported.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator, Protocol, Sequence

import numpy as np
from rapidfuzz import fuzz

from storybrief.errors import InputError
from storybrief.files import write_atomic
from storybrief.text import (
    ALL_STOP_WORDS,
    NEGATIONS,
    fold,
    month_number,
    number_keys,
    sentence_spans,
    sentences,
    word_spans,
    words,
)

__all__ = [
    "EvidenceSpan",
    "ScoredClaim",
    "SupportScorer",
    "PreparedEvidence",
    "prepare_evidence",
    "claim_features",
    "aggregate",
    "score_jsonl",
    "score_rows",
    "ClaimJudge",
    "WEIGHTS_FILE",
]

WEIGHTS_FILE = "scorer_weights.json"

# --------------------------------------------------------------------------------------
# Tokens (sentences, words, numbers and months come from storybrief.text)
# --------------------------------------------------------------------------------------

_SUFFIXES = ("ing", "ed", "es", "s", "e")


def _stem(word: str) -> str:
    """A crude, language-agnostic stem: one common inflection dropped, cut to 6 letters."""
    if word.isdigit():
        return word
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3 and not word.endswith("ss"):
            word = word[: -len(suf)]
            break
    return word[:6] if len(word) > 6 else word


@dataclass
class _Text:
    """One sentence, tokenised."""

    raw: str
    tokens: list[str]  # folded
    content: list[str]  # stems of content words, in order
    content_set: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    trigrams: frozenset[tuple[str, str, str]]
    clauses: list[frozenset[str]]  # content stems of comma/conjunction-separated parts
    folded_set: frozenset[str]
    numbers: frozenset[str]
    entities: frozenset[str]  # folded capitalised words (not sentence-initial stopwords)
    months: frozenset[int]
    years: frozenset[str]
    negated: bool
    quads: frozenset[tuple[str, ...]] = frozenset()  # 4-grams of all its words, stop words included


_CLAUSE = re.compile(r"[,;:()\u2013\u2014]| - | and | but | while | which | who | et | mais | qui ")


def _is_name(raw: str, index: int) -> bool:
    """A capitalised word (or an acronym) that may name a person, place or organisation."""
    if raw[:1].isupper() and not raw.isupper():
        return index > 0 or len(raw) >= 3
    return raw.isupper() and len(raw) > 1 and raw.isalpha()


def _tokenize(sentence: str) -> _Text:
    tokens = words(sentence, compounds="parts")
    entities: set[str] = set()
    for idx, match in enumerate(word_spans(sentence)):
        raw = re.sub(r"['’][sS]$", "", match.group(0))  # possessive
        if _is_name(raw, idx):
            for part in fold(raw).split("-"):
                if part and part not in ALL_STOP_WORDS and month_number(part) is None:
                    entities.add(part)
    content = [_stem(t) for t in tokens if t not in ALL_STOP_WORDS and (len(t) > 1 or t.isdigit())]
    clauses = []
    for part in _CLAUSE.split(fold(sentence)):
        stems = frozenset(_stem(t) for t in words(part, compounds="parts") if t not in ALL_STOP_WORDS and (len(t) > 1 or t.isdigit()))
        if len(stems) >= 2:
            clauses.append(stems)
    months = frozenset(m for t in tokens if len(t) > 3 and (m := month_number(t, strict=True)))
    years = frozenset(t for t in tokens if re.fullmatch(r"(1[6-9]|20)\d\d", t))
    return _Text(
        raw=sentence,
        tokens=tokens,
        content=content,
        content_set=frozenset(content),
        bigrams=frozenset(zip(content, content[1:])),
        trigrams=frozenset(zip(content, content[1:], content[2:])),
        clauses=clauses,
        folded_set=frozenset(tokens),
        numbers=number_keys(sentence),
        entities=frozenset(entities),
        months=months,
        years=years,
        negated=any(t in NEGATIONS for t in tokens),
        quads=frozenset(zip(tokens, tokens[1:], tokens[2:], tokens[3:])),
    )


# --------------------------------------------------------------------------------------
# Evidence
# --------------------------------------------------------------------------------------


@dataclass
class PreparedEvidence:
    """Evidence sentences tokenised once, with document-level sets and IDF weights."""

    sentences: list[str]
    texts: list[_Text]
    offsets: list[tuple[int, int]]  # into `joined`
    joined: str
    idf: dict[str, float]
    idf_missing: float
    doc_content: frozenset[str]
    doc_bigrams: frozenset[tuple[str, str]]
    doc_trigrams: frozenset[tuple[str, str, str]]
    doc_folded: frozenset[str]
    doc_numbers: frozenset[str]
    doc_months: frozenset[int]
    doc_years: frozenset[str]
    doc_stems_of_folded: frozenset[str] = field(default_factory=frozenset)
    folded_sentences: list[str] = field(default_factory=list)  # for verbatim quotes
    doc_quads: frozenset[tuple[str, ...]] = frozenset()
    entity_sentences: dict[str, frozenset[int]] = field(default_factory=dict)  # name -> sentences naming it

    def weight(self, stem: str) -> float:
        return self.idf.get(stem, self.idf_missing)


def prepare_evidence(
    evidence: Sequence[str] | str, joined: str | None = None, offsets: Sequence[tuple[int, int]] | None = None
) -> PreparedEvidence:
    """Tokenise evidence once. A string is split into sentences; a list is taken as given,
    its sentences joined with a newline (or located in `joined` by `offsets` when given)."""
    if isinstance(evidence, str):
        spans = sentence_spans(evidence)
        joined = evidence
        sentences = [evidence[s:e] for s, e in spans]
        offsets = spans
    else:
        sentences = [s for s in evidence]
        if joined is None or offsets is None:
            parts, offs, pos = [], [], 0
            for s in sentences:
                offs.append((pos, pos + len(s)))
                parts.append(s)
                pos += len(s) + 1
            joined = "\n".join(parts)
            offsets = offs
    texts = [_tokenize(s) for s in sentences]
    n = max(len(texts), 1)
    df: dict[str, int] = {}
    for t in texts:
        for w in t.content_set:
            df[w] = df.get(w, 0) + 1
    idf = {w: math.log((n + 1) / (c + 0.5)) + 1.0 for w, c in df.items()}
    idf_missing = math.log((n + 1) / 0.5) + 1.0
    doc_content = frozenset().union(*(t.content_set for t in texts)) if texts else frozenset()
    return PreparedEvidence(
        sentences=sentences,
        texts=texts,
        offsets=list(offsets),
        joined=joined,
        idf=idf,
        idf_missing=idf_missing,
        doc_content=doc_content,
        doc_bigrams=frozenset().union(*(t.bigrams for t in texts)) if texts else frozenset(),
        doc_trigrams=frozenset().union(*(t.trigrams for t in texts)) if texts else frozenset(),
        doc_folded=frozenset().union(*(t.folded_set for t in texts)) if texts else frozenset(),
        doc_numbers=frozenset().union(*(t.numbers for t in texts)) if texts else frozenset(),
        doc_months=frozenset().union(*(t.months for t in texts)) if texts else frozenset(),
        doc_years=frozenset().union(*(t.years for t in texts)) if texts else frozenset(),
        doc_stems_of_folded=doc_content,
        folded_sentences=[_normalised(s) for s in sentences],
        doc_quads=frozenset().union(*(t.quads for t in texts)) if texts else frozenset(),
        entity_sentences=_entity_index(texts),
    )


def _entity_index(texts: Sequence[_Text]) -> dict[str, frozenset[int]]:
    index: dict[str, set[int]] = {}
    for i, t in enumerate(texts):
        for name in t.entities:
            index.setdefault(name, set()).add(i)
    return {name: frozenset(where) for name, where in index.items()}


def _copied_share(claim: _Text, ev: PreparedEvidence) -> float:
    """Share of the claim's words inside a 4-word run that the evidence has word for word."""
    n = len(claim.tokens)
    if n < 4:
        return 1.0 if " ".join(claim.tokens) in " ".join(ev.folded_sentences) else 0.0
    covered = [False] * n
    for i, quad in enumerate(zip(claim.tokens, claim.tokens[1:], claim.tokens[2:], claim.tokens[3:])):
        if quad in ev.doc_quads:
            covered[i:i + 4] = [True] * 4
    return sum(covered) / n


def _names_together(claim: _Text, ev: PreparedEvidence) -> float:
    """Entity-role alignment: of the pairs of names the claim puts together, the share that
    the evidence also names within one sentence of each other (names are the claim's
    capitalised words, or, in lower-cased text, the words the evidence capitalises)."""
    names = sorted({n for n in claim.entities | claim.folded_set if n in ev.entity_sentences})
    pairs = [(a, b) for k, a in enumerate(names) for b in names[k + 1:]]
    if not pairs:
        return 1.0
    near = 0
    for a, b in pairs:
        where_b = ev.entity_sentences[b]
        if any(i + d in where_b for i in ev.entity_sentences[a] for d in (-1, 0, 1)):
            near += 1
    return near / len(pairs)


def _normalised(text: str) -> str:
    return " ".join(fold(text).split())


def _verbatim_in(claim: str, ev: PreparedEvidence) -> int | None:
    """The evidence sentence that contains the claim sentence word for word (folded), if any."""
    norm = _normalised(claim)
    if len(norm) < 20:  # a short fragment is found everywhere: only a whole sentence counts
        return next((i for i, s in enumerate(ev.folded_sentences) if norm == s), None)
    containing = [i for i, s in enumerate(ev.folded_sentences) if norm in s]
    return min(containing, key=lambda i: len(ev.folded_sentences[i])) if containing else None  # the tightest


@lru_cache(maxsize=32)
def _prepared_cached(evidence: tuple[str, ...] | str) -> PreparedEvidence:
    return prepare_evidence(list(evidence) if isinstance(evidence, tuple) else evidence)


def _as_prepared(evidence: Sequence[str] | str | PreparedEvidence) -> PreparedEvidence:
    if isinstance(evidence, PreparedEvidence):
        return evidence
    if isinstance(evidence, str):
        return _prepared_cached(evidence)
    return _prepared_cached(tuple(evidence))


# --------------------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------------------

FEATURE_NAMES = (
    "recall_top1",
    "recall_top1_plain",
    "recall_win",
    "recall_doc",
    "recall_doc_plain",
    "bigram_top1",
    "bigram_win",
    "bigram_doc",
    "partial_ratio",
    "token_set_ratio",
    "num_missing_doc",
    "num_missing_win",
    "ent_missing_doc",
    "ent_missing_win",
    "date_missing_doc",
    "negation_mismatch",
    "claim_len",
    "novel_share",
    "win_size",
    "doc_sentences",
    "missing_doc",
    "missing_win",
    "trigram_doc",
    "trigram_top1",
    "clause_min_doc",
    "clause_min_win",
    "partial_ratio_ctx",
    "recall_ctx",
    "negation_mismatch_ctx",
    "copied_share",
    "word_overlap_top1",
    "names_together",
)

# Features kept for measurement but left out of the fitted model (exact duplicates).
_DUPLICATES = {"novel_share": "1 - recall_doc_plain"}


def _entity_present(ent: str, ev: PreparedEvidence) -> bool:
    return ent in ev.doc_folded or _stem(ent) in ev.doc_content


def _align(claim: _Text, ev: PreparedEvidence) -> tuple[list[int], list[float]]:
    """Greedy coverage: the best sentence, then up to two more that add the most uncovered
    IDF weight of the claim's content words. Returns the chosen indices and the cumulative
    weighted recall after each pick."""
    words = claim.content_set
    total = sum(ev.weight(w) for w in words) or 1.0
    covered: set[str] = set()
    chosen: list[int] = []
    recalls: list[float] = []
    for _ in range(3):
        best_i, best_gain = -1, 0.0
        for i, t in enumerate(ev.texts):
            if i in chosen:
                continue
            gain = sum(ev.weight(w) for w in (words & t.content_set) - covered)
            if gain > best_gain + 1e-12:
                best_i, best_gain = i, gain
        if best_i < 0 or (chosen and best_gain / total < 0.05):
            break
        chosen.append(best_i)
        covered |= words & ev.texts[best_i].content_set
        recalls.append(sum(ev.weight(w) for w in covered) / total)
    return chosen, recalls


def _claim_sentence_features(claim: _Text, ev: PreparedEvidence) -> tuple[dict[str, float], list[int]]:
    words = claim.content_set
    n_words = len(words)
    chosen, recalls = _align(claim, ev)
    f: dict[str, float] = {}
    total_w = sum(ev.weight(w) for w in words) or 1.0
    if chosen:
        top = ev.texts[chosen[0]]
        win_content = frozenset().union(*(ev.texts[i].content_set for i in chosen))
        win_bigrams = frozenset().union(*(ev.texts[i].bigrams for i in chosen))
        win_folded = frozenset().union(*(ev.texts[i].folded_set for i in chosen))
        win_numbers = frozenset().union(*(ev.texts[i].numbers for i in chosen))
        win_neg = any(ev.texts[i].negated for i in sorted(chosen))
        win_raw = " ".join(ev.sentences[i] for i in sorted(chosen))
        f["recall_top1"] = recalls[0]
        f["recall_win"] = recalls[-1]
        f["recall_top1_plain"] = len(words & top.content_set) / n_words if n_words else 1.0
        f["bigram_top1"] = len(claim.bigrams & top.bigrams) / len(claim.bigrams) if claim.bigrams else f["recall_top1_plain"]
        f["bigram_win"] = len(claim.bigrams & win_bigrams) / len(claim.bigrams) if claim.bigrams else f["recall_top1_plain"]
        f["partial_ratio"] = fuzz.partial_ratio(fold(claim.raw), fold(top.raw)) / 100.0 if len(claim.raw) <= 4 * max(len(top.raw), 1) else fuzz.ratio(fold(claim.raw), fold(top.raw)) / 100.0
        f["token_set_ratio"] = fuzz.token_set_ratio(" ".join(claim.tokens), " ".join(fold(win_raw).split())) / 100.0
        f["negation_mismatch"] = 1.0 if claim.negated != win_neg else 0.0
        # the top sentence with its neighbours: an abstractive sentence often sums up a paragraph
        lo, hi = max(0, chosen[0] - 1), min(len(ev.texts), chosen[0] + 2)
        context = " ".join(ev.sentences[lo:hi])
        f["partial_ratio_ctx"] = fuzz.partial_ratio(fold(claim.raw), fold(context)) / 100.0 if len(claim.raw) <= len(context) else fuzz.ratio(fold(claim.raw), fold(context)) / 100.0
        ctx_content = frozenset().union(*(ev.texts[i].content_set for i in range(lo, hi)))
        f["recall_ctx"] = len(words & ctx_content) / n_words if n_words else 1.0
        f["negation_mismatch_ctx"] = 1.0 if claim.negated != any(ev.texts[i].negated for i in range(lo, hi)) else 0.0
    else:
        win_content, win_bigrams, win_folded, win_numbers = frozenset(), frozenset(), frozenset(), frozenset()
        for k in ("recall_top1", "recall_win", "recall_top1_plain", "bigram_top1", "bigram_win",
                  "partial_ratio", "token_set_ratio", "partial_ratio_ctx", "recall_ctx"):
            f[k] = 0.0 if n_words else 1.0
        f["negation_mismatch"] = f["negation_mismatch_ctx"] = 1.0 if claim.negated else 0.0
    f["recall_doc"] = sum(ev.weight(w) for w in words & ev.doc_content) / total_w if n_words else 1.0
    f["recall_doc_plain"] = len(words & ev.doc_content) / n_words if n_words else 1.0
    f["bigram_doc"] = len(claim.bigrams & ev.doc_bigrams) / len(claim.bigrams) if claim.bigrams else f["recall_doc_plain"]
    nums = claim.numbers
    f["num_missing_doc"] = float(len(nums - ev.doc_numbers))
    f["num_missing_win"] = float(len(nums - win_numbers))
    ents = claim.entities
    f["ent_missing_doc"] = float(sum(1 for e in ents if not _entity_present(e, ev)))
    win_stems = win_content
    f["ent_missing_win"] = float(sum(1 for e in ents if e not in win_folded and _stem(e) not in win_stems))
    f["date_missing_doc"] = float(len(claim.months - ev.doc_months) + len(claim.years - ev.doc_years))
    f["claim_len"] = math.log1p(n_words)
    f["novel_share"] = 1.0 - f["recall_doc_plain"]
    f["win_size"] = float(len(chosen))
    f["missing_doc"] = float(len(words - ev.doc_content))
    f["missing_win"] = float(len(words - win_content))
    f["trigram_doc"] = len(claim.trigrams & ev.doc_trigrams) / len(claim.trigrams) if claim.trigrams else f["bigram_doc"]
    top_tri = ev.texts[chosen[0]].trigrams if chosen else frozenset()
    f["trigram_top1"] = len(claim.trigrams & top_tri) / len(claim.trigrams) if claim.trigrams else f["bigram_top1"]
    if claim.clauses:
        f["clause_min_doc"] = min(len(c & ev.doc_content) / len(c) for c in claim.clauses)
        f["clause_min_win"] = min(len(c & win_content) / len(c) for c in claim.clauses)
    else:
        f["clause_min_doc"] = f["recall_doc_plain"]
        f["clause_min_win"] = len(words & win_content) / n_words if n_words else 1.0
    f["doc_sentences"] = math.log1p(len(ev.texts))
    f["copied_share"] = _copied_share(claim, ev)
    claim_words = frozenset(claim.tokens)
    f["word_overlap_top1"] = (max((len(claim_words & t.folded_set) for t in ev.texts), default=0) / len(claim_words)
                              if claim_words else 1.0)
    f["names_together"] = _names_together(claim, ev)
    return f, chosen


def claim_features(claim: str, evidence: Sequence[str] | str | PreparedEvidence) -> dict[str, float]:
    """Features of one claim sentence against evidence sentences (or a source text).

    For a multi-sentence claim, call this per sentence (``text.sentences(claim)``); this
    function treats the claim as one unit."""
    ev = _as_prepared(evidence)
    return _claim_sentence_features(_tokenize(claim), ev)[0]


# --------------------------------------------------------------------------------------
# Scorer
# --------------------------------------------------------------------------------------


@dataclass
class EvidenceSpan:
    """The best-aligned evidence: a quote and its character offsets into the joined source."""

    quote: str
    start: int
    end: int
    sentence_index: int


@dataclass
class ScoredClaim:
    score: float
    label: str  # "supported" | "unsupported"
    evidence: EvidenceSpan | None
    features: dict[str, float]
    sentence_scores: list[float] = field(default_factory=list)
    window: list[EvidenceSpan] = field(default_factory=list)
    scorer_score: float | None = None  # the lexical score when a judge was combined in
    judge_score: float | None = None


def aggregate(scores: Sequence[float], how: str = "min", temperature: float = 0.1) -> float:
    """Combine per-sentence scores: "min"; "joint", the minimum's odds divided by the number of
    sentences (a union bound: each of n sentences is a chance for one to be unsupported);
    "mean"; or "softmin" (a smooth minimum)."""
    arr = np.asarray(scores, dtype=float)
    if arr.size == 0:
        return 0.0
    if how == "min":
        return float(arr.min())
    if how == "joint":
        low = float(arr.min())
        if low >= 1.0:
            return 1.0
        odds = low / (1.0 - low) / arr.size
        return odds / (1.0 + odds)
    if how == "mean":
        return float(arr.mean())
    if how == "softmin":
        w = np.exp(-(arr - arr.min()) / temperature)
        return float((w * arr).sum() / w.sum())
    raise ValueError(f"unknown aggregation {how!r}")


def _default_weights_path() -> Path:
    return Path(str(resources.files("storybrief").joinpath(WEIGHTS_FILE)))


class SupportScorer:
    """The model-free support scorer: features -> standardised -> logistic regression."""

    name = "lexical-lr"

    def __init__(self, weights_path: str | Path | None = None, weights: dict | None = None):
        if weights is None:
            path = Path(weights_path) if weights_path else _default_weights_path()
            try:
                weights = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:  # pragma: no cover - packaging error
                raise InputError(f"cannot read scorer weights {path}: {exc}") from exc
        self.weights = weights
        self.features: list[str] = list(weights["features"])
        self.mean = np.asarray(weights["mean"], dtype=float)
        self.scale = np.asarray(weights["scale"], dtype=float)
        self.coef = np.asarray(weights["coef"], dtype=float)
        self.intercept = float(weights["intercept"])
        self.threshold = float(weights["threshold"])
        self.aggregation = str(weights.get("aggregation", "min"))
        self.partial_threshold = weights.get("partial_threshold")
        # Deterministic checks: a claim sentence with a number or date found nowhere in the
        # evidence is capped at this probability whatever its overlap (measured precise on
        # FRANK and WiCE; see evals/meta/scorer_report.md).
        self.hard_caps: dict[str, float] = dict(weights.get("hard_caps", {}))
        missing = (set(self.features) | set(self.hard_caps)) - set(FEATURE_NAMES)
        if missing:
            raise InputError(f"scorer weights name unknown features: {sorted(missing)}")

    def _prob(self, feats: dict[str, float]) -> float:
        x = np.fromiter((feats[n] for n in self.features), dtype=float, count=len(self.features))
        z = float(((x - self.mean) / self.scale) @ self.coef + self.intercept)
        p = 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0
        for name, cap in self.hard_caps.items():
            if feats[name] > 0:
                p = min(p, cap)
        return p

    def label(self, score: float) -> str:
        return "supported" if score >= self.threshold else "unsupported"

    def score_evidence(self, claim: str, evidence: Sequence[str] | str | PreparedEvidence) -> ScoredClaim:
        """Score a claim (one or more sentences) against evidence sentences or a source text."""
        ev = _as_prepared(evidence)
        parts = sentences(claim) or [claim]
        best: tuple[float, dict[str, float], list[int]] | None = None
        scores: list[float] = []
        verbatim: tuple[str, int] | None = None
        for part in parts:
            where = _verbatim_in(part, ev)
            if where is not None:  # quoted word for word: supported, no features needed
                scores.append(1.0)
                verbatim = verbatim or (part, where)
                continue
            feats, chosen = _claim_sentence_features(_tokenize(part), ev)
            p = self._prob(feats)
            scores.append(p)
            if best is None or p < best[0]:
                best = (p, feats, chosen)
        if best is None:  # every sentence verbatim: describe the first one
            assert verbatim is not None
            feats, _ = _claim_sentence_features(_tokenize(verbatim[0]), ev)
            best = (1.0, feats, [verbatim[1]])
        score = aggregate(scores, self.aggregation)
        _, feats, chosen = best
        spans = [
            EvidenceSpan(quote=ev.sentences[i], start=ev.offsets[i][0], end=ev.offsets[i][1], sentence_index=i)
            for i in chosen
        ]
        return ScoredClaim(
            score=score,
            label=self.label(score),
            evidence=spans[0] if spans else None,
            features=feats,
            sentence_scores=scores,
            window=spans,
        )

    def score(self, claim: str, source_text: str | Sequence[str]) -> float:
        """The probability in [0, 1] that the source supports the claim."""
        return self.score_evidence(claim, source_text).score


_DEFAULT: SupportScorer | None = None


def default_scorer() -> SupportScorer:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = SupportScorer()
    return _DEFAULT


def _iter_rows(in_path: Path) -> Iterable[tuple[int, dict]]:
    try:
        handle = open(in_path, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {in_path}: {exc.strerror or exc}") from exc
    with handle:
        try:
            for lineno, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{in_path}:{lineno}: not valid JSON ({exc.msg})") from exc
                if not isinstance(row, dict):
                    raise InputError(f"{in_path}:{lineno}: expected a JSON object")
                if not isinstance(row.get("claim"), str):
                    raise InputError(f"{in_path}:{lineno}: field 'claim' must be a string")
                source = row.get("source")
                if not (isinstance(source, str) or (isinstance(source, list) and all(isinstance(x, str) for x in source))):
                    raise InputError(f"{in_path}:{lineno}: field 'source' must be a string or a list of strings")
                if "id" not in row or isinstance(row["id"], (dict, list)) or row["id"] is None:
                    raise InputError(f"{in_path}:{lineno}: field 'id' is missing or not a scalar")
                yield lineno, row
        except UnicodeDecodeError as exc:
            raise InputError(f"{in_path}: not UTF-8 text ({exc.reason})") from exc


class ClaimJudge(Protocol):
    """A model signal for :func:`score_rows` (``verify.judge.Judge`` has it): the probability
    that the source supports the claim, and how it combines with the lexical score."""

    @property
    def threshold(self) -> float: ...

    def source_probability(self, claim: str, source: Sequence[str]) -> float: ...

    def combine(self, scorer: float, judge: float) -> float: ...


def score_rows(rows: Iterable[tuple[str, str | Sequence[str]]], scorer: SupportScorer | None = None,
               judge: ClaimJudge | None = None) -> Iterator[ScoredClaim]:
    """Score (claim, source) pairs, the source a text or its sentences. The one measured
    path: ``storybrief score``, the meta-eval and every published figure go through it.

    A multi-sentence claim is split with the shared splitter and scores the minimum over its
    sentences. With a judge, each claim sentence is also judged (minimum over sentences), and
    the two signals are combined; the label then uses the combination's threshold."""
    scorer = scorer or default_scorer()
    for claim, source in rows:
        result = scorer.score_evidence(claim, source)
        if judge is not None:
            evidence = _as_prepared(source).sentences
            parts = sentences(claim) or [claim]
            j = min(judge.source_probability(part, evidence) for part in parts)
            combined = judge.combine(result.score, j)
            result.scorer_score, result.judge_score = result.score, j
            result.score = combined
            result.label = "supported" if combined >= judge.threshold else "unsupported"
        yield result


def score_jsonl(in_path: str | Path, out_path: str | Path, scorer: SupportScorer | None = None,
                judge: ClaimJudge | None = None) -> int:
    """Score rows {"id", "source", "claim"} (the source a text or a list of sentences) into
    rows {"id", "score", "label"}, plus "scorer_score" and "judge_score" with a judge.

    Bad rows raise InputError naming the line; the output is written atomically only once
    every row has scored. Returns the number of rows written."""
    in_path, out_path = Path(in_path), Path(out_path)
    rows = list(_iter_rows(in_path))
    if not rows:
        raise InputError(f"{in_path}: no rows to score")
    out_lines: list[str] = []
    scored = score_rows(((row["claim"], row["source"]) for _, row in rows), scorer, judge)
    for (_, row), result in zip(rows, scored):
        out = {"id": row["id"], "score": round(result.score, 6), "label": result.label}
        if result.judge_score is not None:
            out["scorer_score"] = round(result.scorer_score or 0.0, 6)
            out["judge_score"] = round(result.judge_score, 6)
        out_lines.append(json.dumps(out, ensure_ascii=False))
    write_atomic(out_path, "\n".join(out_lines) + "\n")
    return len(out_lines)
