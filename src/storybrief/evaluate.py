"""Evals: run a matrix of prompt variants x providers x story clusters, score every brief with
the verifier, save the run, compare it with a baseline run, and gate on regressions.

    storybrief eval evals/prompts.toml [--baseline RUN] [--run-id ID] [--meta-eval]

Every metric is computed from the verifier's :class:`~storybrief.models.VerificationReport`
of the brief (plus the brief's own call records for tokens and latency), so ``storybrief
eval`` and ``storybrief verify`` can never disagree about a brief. See ``METRICS``.

A run is a folder ``evals/runs/<run-id>/``: ``manifest.json`` (config, prompt hashes,
models, package versions, date, story hashes), ``results.json`` (per-case metrics,
per-group means, the baseline comparison, the verifier meta-eval), ``briefs/`` and
``reports/`` (one JSON brief and one verification report per case), ``report.html``.
Model outputs are cached under the config's cache folder by (prompt hashes, model, story
content, parameters, repeat), so a re-run of an unchanged matrix costs no model call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from . import __version__
from .errors import ConfigError, InputError, StorybriefError, redact
from .files import write_atomic
from .models import Brief, Passage, Position, Story, VerificationReport
from .runner import BriefCache, Progress, content_key, run_jobs

SHARED_PREFIX = "${SHARED}"
SHARED_ENV = "STORYBRIEF_SHARED"


class EvalRegression(StorybriefError):
    """A configured metric regressed past its threshold against the baseline."""

    exit_code = 1


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- metrics

Direction = Literal["higher", "lower", "neutral"]


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    direction: Direction
    ratio: bool  # a share in [0, 1]
    help: str


METRICS: tuple[Metric, ...] = (
    Metric("faithfulness", "faithful", "higher", True,
           "share of checked claims (sentences and timeline entries) the verifier finds supported"),
    Metric("partial", "partial", "lower", True, "share of checked claims only partially supported"),
    Metric("contradicted", "contradicted", "lower", True, "share of checked claims the verifier finds contradicted"),
    Metric("citation_recall", "cit. recall", "higher", True,
           "share of factual claims that carry citations and are fully supported by them (ALCE recall)"),
    Metric("citation_precision", "cit. precision", "higher", True,
           "share of citations that support their claim: none of a failed claim, and not those the "
           "verifier flags as supporting nothing (citation-precision findings)"),
    Metric("citation_resolution", "resolved", "higher", True,
           "share of the model's citations that resolve to a passage of the story (citations the "
           "summariser removed as unresolvable count as failures)"),
    Metric("timeline_dates", "tl dates ok", "higher", True,
           "share of timeline entries whose date their cited passages give (no timeline-date finding)"),
    Metric("date_precision", "date P", "higher", True,
           "share of the timeline's dates found in a reference timeline (within a day)"),
    Metric("date_recall", "date R", "higher", True,
           "coverage: share of the reference timelines' dates the brief's timeline has (within a day)"),
    Metric("date_f1", "date F1", "higher", True, "harmonic mean of date precision and date recall"),
    Metric("words", "words", "neutral", False, "words in the headline and sections"),
    Metric("tokens", "tokens", "lower", False, "prompt + generated tokens of every model call"),
    Metric("seconds", "seconds", "lower", False, "model time of every call (the original time when cached)"),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}
TABLE_METRICS = ("faithfulness", "contradicted", "citation_recall", "citation_precision", "citation_resolution",
                 "timeline_dates", "date_precision", "date_f1", "words", "tokens", "seconds")
PLOT_METRICS = ("faithfulness", "citation_recall", "citation_precision", "citation_resolution", "timeline_dates",
                "date_precision", "date_recall", "date_f1")


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _day_key(iso: str) -> str:
    return iso[:10]


def compute_metrics(brief: Brief, report: VerificationReport, reference: list[str] | None = None) -> dict[str, float | None]:
    """The metrics of one brief, from its verification report (and the brief's call records).

    `reference`: the ISO dates of a reference timeline, or None when the case has none."""
    checked = [c for c in report.claims if c.kind in ("sentence", "timeline") and c.verdict != "exempt"]
    verdicts = [c.verdict.value for c in checked]
    unresolved = sum(len(f.citations) for f in report.findings
                     if f.type == "unresolved-citation" and f.severity != "info")
    given = sum(len(c.citations) for c in report.claims)
    removed = sum(1 for i in brief.citation_issues if i.action == "removed")
    imprecise_at: dict[Position, int] = {}
    for f in report.findings:
        if f.type == "citation-precision":
            imprecise_at[f.position] = imprecise_at.get(f.position, 0) + max(1, len(f.citations))
    cited_total = precise = 0
    for c in checked:
        n = len(c.citations)
        cited_total += n
        if c.verdict in ("supported", "partially_supported"):
            precise += max(0, n - imprecise_at.get(c.position, 0))
    timeline = [c for c in report.claims if c.kind == "timeline"]
    bad_dates = {f.position for f in report.findings if f.type == "timeline-date"}
    words = len(re.findall(r"\w+", brief.headline)) + sum(
        len(re.findall(r"\w+", s.text)) for section in brief.sections for s in section.sentences)
    metrics: dict[str, float | None] = {
        "faithfulness": _share(verdicts.count("supported"), len(verdicts)),
        "partial": _share(verdicts.count("partially_supported"), len(verdicts)),
        "contradicted": _share(verdicts.count("contradicted"), len(verdicts)),
        "citation_recall": _share(sum(1 for c in checked if c.verdict == "supported" and c.citations), len(checked)),
        "citation_precision": _share(precise, cited_total),
        "citation_resolution": _share(given - unresolved, given + removed),
        "timeline_dates": _share(sum(1 for c in timeline if c.position not in bad_dates), len(timeline)),
        "date_precision": None,
        "date_recall": None,
        "date_f1": None,
        "words": float(words),
        "tokens": float(sum(c.prompt_tokens + c.completion_tokens for c in brief.calls)),
        "seconds": round(sum(c.seconds for c in brief.calls), 2),
    }
    if reference is not None:
        p, r, f1 = date_scores([c.date for c in timeline if c.date], reference)
        metrics.update(date_precision=p, date_recall=r, date_f1=f1)
    return metrics


# A timeline's date matches a reference date this many days apart: an event reported "on
# Thursday night" and the journalists' "Friday" are the same event (issue 15's target is
# "precision within +/-1 day").
DATE_TOLERANCE_DAYS = 1


def _matches(predicted: str, reference: str, tolerance_days: int) -> bool:
    """A day matches a reference day within the tolerance; a month or year matches a
    reference date that lies in it."""
    if len(predicted) == 10:
        gap = dt.date.fromisoformat(predicted) - dt.date.fromisoformat(reference)
        return abs(gap.days) <= tolerance_days
    return reference.startswith(predicted)


def date_scores(predicted: list[str], reference: list[str], tolerance_days: int = DATE_TOLERANCE_DAYS,
                ) -> tuple[float | None, float | None, float | None]:
    """Date precision, recall and F1 of a timeline's distinct dates against a reference's (tilse
    Date-F1 on day dates, each date matching within `tolerance_days`; a month- or
    year-precision entry matches when a reference date lies in it)."""
    ref = {_day_key(d) for d in reference}
    pred = list(dict.fromkeys(predicted))
    if not pred:
        return None, (0.0 if ref else None), None
    hits = [d for d in pred if any(_matches(d, r, tolerance_days) for r in ref)]
    precision = len(hits) / len(pred)
    covered = {r for r in ref if any(_matches(d, r, tolerance_days) for d in pred)}
    recall = len(covered) / len(ref) if ref else None
    f1 = (2 * precision * recall / (precision + recall)) if recall is not None and precision + recall > 0 else 0.0
    return round(precision, 4), (round(recall, 4) if recall is not None else None), round(f1, 4)


_TILSE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_tilse(text: str) -> list[tuple[str, list[str]]]:
    """A tilse timeline: a date line (YYYY-MM-DD), its event sentences, a line of dashes."""
    entries: list[tuple[str, list[str]]] = []
    current: tuple[str, list[str]] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if set(line) == {"-"}:
            current = None
            continue
        if current is None and _TILSE_DATE.match(line):
            current = (line, [])
            entries.append(current)
        elif current is not None:
            current[1].append(line)
        else:
            raise InputError(f"not a tilse timeline: {line[:60]!r} is neither a date nor under one")
    return entries


# --------------------------------------------------------------------------- config


class ProviderConfig(_Record):
    name: str = "embedded"
    base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint; none = the embedded model")
    model: str | None = None
    api_key_env: str | None = Field(default=None, description="environment variable holding the API key")
    timeout: float = Field(default=1800.0, gt=0, description="seconds per request; a CPU model under load is slow, "
                           "and a timed-out request keeps a one-slot server busy while the retry waits")


class MetaEvalConfig(_Record):
    enabled: bool = False
    data: str = f"{SHARED_PREFIX}/data"


class EvalConfig(_Record):
    name: str = "eval"
    description: str = ""
    prompts: list[str] = Field(default_factory=lambda: ["default"], min_length=1,
                               description="variant folders under evals/prompts/, or 'default'")
    providers: list[ProviderConfig] = Field(default_factory=lambda: [ProviderConfig()], min_length=1)
    datasets: list[str] = Field(min_length=1, description="JSONL case files, relative to the repo or ${SHARED}/...")
    cases: list[str] | None = Field(default=None, description="only these case ids (default: every case)")
    repeats: int = Field(default=1, ge=1)
    concurrency: int = Field(default=1, ge=1)
    context_tokens: int = Field(default=8192, ge=2048)
    temperature: float = 0.0
    seed: int = 7
    thresholds: dict[str, float] = Field(default_factory=dict,
                                         description="metric -> largest allowed regression against the baseline")
    cache_dir: str = "evals/cache"
    runs_dir: str = "evals/runs"
    prompts_dir: str = Field(default="prompts", description="the default prompts")
    variants_dir: str = Field(default="evals/prompts", description="where prompt variant folders live")
    meta_eval: MetaEvalConfig = Field(default_factory=MetaEvalConfig)


class Case(_Record):
    id: str
    name: str
    articles: str | list[dict[str, Any]] = Field(description="a folder, a file or a JSONL path; or the articles inline")
    reference_timeline: str | list[str] | None = Field(
        default=None, description="a tilse timeline written by journalists, or several: their dates are pooled")
    language: str = "en"
    note: str = ""


@dataclass
class LoadedConfig:
    config: EvalConfig
    path: Path | None
    root: Path


def repo_root(start: Path | None = None) -> Path:
    """The checkout the config belongs to: the nearest folder with prompts/ and pyproject.toml."""
    here = (start or Path.cwd()).resolve()
    checkout = Path(__file__).resolve().parents[2]
    for folder in (here, *here.parents, checkout, Path.cwd().resolve()):
        if (folder / "pyproject.toml").is_file() and (folder / "prompts").is_dir():
            return folder
    return Path.cwd().resolve()


def shared_dir(root: Path) -> Path:
    """${SHARED}: env STORYBRIEF_SHARED, else the shared/ folder beside the checkout (as CI clones it)."""
    override = os.environ.get(SHARED_ENV)
    return Path(override) if override else root.parent / "shared"


def resolve_path(value: str, root: Path) -> Path:
    if value.startswith(SHARED_PREFIX):
        return shared_dir(root) / value[len(SHARED_PREFIX):].lstrip("/")
    path = Path(value).expanduser()
    return path if path.is_absolute() else root / path


def load_config(path: Path) -> LoadedConfig:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read eval config {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text (byte {exc.start}); TOML must be UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    try:
        config = EvalConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ConfigError(f"{path}: {where}: {first['msg']}") from exc
    unknown = set(config.thresholds) - set(METRIC_BY_KEY)
    if unknown:
        raise ConfigError(f"{path}: thresholds name unknown metrics {sorted(unknown)}; known: {', '.join(METRIC_BY_KEY)}")
    names = [p.name for p in config.providers]
    if len(set(names)) != len(names):
        raise ConfigError(f"{path}: two providers share a name")
    return LoadedConfig(config, Path(path), repo_root(Path(path).resolve().parent))


def load_cases(loaded: LoadedConfig) -> list[Case]:
    cases: list[Case] = []
    for entry in loaded.config.datasets:
        path = resolve_path(entry, loaded.root)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"cannot read dataset {path}: {exc.strerror or exc}") from exc
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                cases.append(Case.model_validate_json(line))
            except ValidationError as exc:
                raise ConfigError(f"{path}:{n}: not a case ({exc.errors()[0]['msg']})") from exc
    wanted = loaded.config.cases
    if wanted is not None:
        known = {c.id for c in cases}
        missing = [w for w in wanted if w not in known]
        if missing:
            raise ConfigError(f"cases not in the datasets: {', '.join(missing)}")
        cases = [c for w in wanted for c in cases if c.id == w]
    if len({c.id for c in cases}) != len(cases):
        raise ConfigError("two cases share an id")
    if not cases:
        raise ConfigError("the datasets hold no case")
    return cases


def prompt_library(variant: str, root: Path, prompts_dir: str = "prompts", variants_dir: str = "evals/prompts"):
    from .prompts import PromptLibrary

    prompts_folder = resolve_path(prompts_dir, root)
    base = prompts_folder if prompts_folder.is_dir() else None
    if variant == "default":
        return PromptLibrary(base)
    folder = Path(variant) if "/" in variant else resolve_path(variants_dir, root) / variant
    return PromptLibrary(base, overlay=folder)


# --------------------------------------------------------------------------- results


class CaseResult(_Record):
    case: str
    case_name: str
    prompt: str
    provider: str
    model: str
    repeat: int
    cache_key: str
    cached: bool
    error: str | None = None
    metrics: dict[str, float | None] = Field(default_factory=dict, description="of the brief that ships")
    draft_metrics: dict[str, float | None] = Field(
        default_factory=dict, description="of the model's draft, before the gate, the verifier and repair")
    verdicts: dict[str, int] = Field(default_factory=dict)
    findings: dict[str, int] = Field(default_factory=dict, description="finding type -> count")
    scores: list[float] = Field(default_factory=list, description="support scores of the checked claims")
    brief_file: str | None = None
    report_file: str | None = None
    draft_file: str | None = None
    sources: int = 0
    omitted_sources: int = 0

    @property
    def slug(self) -> str:
        return f"{self.case}__{self.prompt}__{self.provider}__r{self.repeat}"


class GroupResult(_Record):
    prompt: str
    provider: str
    model: str
    cases: int
    errors: int
    metrics: dict[str, float | None]
    draft_metrics: dict[str, float | None] = Field(default_factory=dict)


class MetricDelta(_Record):
    metric: str
    base: float | None
    new: float | None
    delta: float | None
    status: Literal["improved", "regressed", "same", "n/a"]
    threshold: float | None = None
    failed: bool = False


class RowComparison(_Record):
    key: str = Field(description="prompt/provider for a group; case/prompt/provider/repeat for a case")
    deltas: list[MetricDelta]


class Comparison(_Record):
    baseline_run: str
    baseline_prompts: dict[str, dict[str, str]]
    groups: list[RowComparison]
    cases: list[RowComparison]
    failures: list[str]


class MetaEvalRow(_Record):
    dataset: str
    n: int
    positives: int
    balanced_accuracy: float
    roc_auc: float


class MetaEvalResult(_Record):
    scorer: str
    threshold: float
    data: str
    rows: list[MetaEvalRow]
    seconds: float


class RunManifest(_Record):
    run_id: str
    created_at: dt.datetime
    config_file: str | None
    config: dict[str, Any]
    storybrief_version: str
    git_commit: str | None
    packages: dict[str, str]
    prompts: dict[str, dict[str, str]] = Field(description="variant -> prompt name -> content hash")
    providers: list[dict[str, str | None]]
    cases: list[dict[str, Any]] = Field(description="id, name, story hash, sources, passages, reference dates")
    scorer: str


class RunResults(_Record):
    run_id: str
    manifest: RunManifest
    cases: list[CaseResult]
    groups: list[GroupResult]
    comparison: Comparison | None = None
    meta_eval: MetaEvalResult | None = None


# --------------------------------------------------------------------------- running


def _versions() -> dict[str, str]:
    out = {}
    for name in ("storybrief", "pydantic", "openai", "instructor", "xllamacpp", "jinja2", "numpy", "scikit-learn"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def _git_commit(root: Path) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def story_hash(story: Story, shown: Sequence[Passage] | None = None) -> str:
    """The story's sources and passages; with `shown`, only the passages the model is shown
    (the same hash when they are all of them), so a change to passage selection is a new key."""
    digest = hashlib.sha256()
    for source in story.sources:
        digest.update(source.id.encode() + b"\0")
    for passage in story.passages if shown is None else shown:
        digest.update(passage.id.encode() + b"\0")
    return digest.hexdigest()[:16]


def cache_key(prompt_hashes: dict[str, str], model: str, provider_url: str | None, case: str, story: str,
              params: dict[str, Any], repeat: int) -> str:
    return content_key({"prompts": prompt_hashes, "model": model, "endpoint": provider_url, "case": case,
                        "story": story, "params": params, "repeat": repeat})


def _load_story(case: Case, root: Path, cache: Path) -> Story:
    from .sources import build_story

    if isinstance(case.articles, list):
        body = "\n".join(json.dumps(a, ensure_ascii=False, sort_keys=True) for a in case.articles) + "\n"
        path = cache / "inline" / f"{case.id}-{hashlib.sha256(body.encode()).hexdigest()[:12]}.jsonl"
        if not path.exists():
            write_atomic(path, body)
    else:
        path = resolve_path(case.articles, root)
    story = build_story([path], topic=case.name)
    return story.model_copy(update={"name": case.name})


def _reference_dates(case: Case, root: Path) -> list[str] | None:
    """The dates of the case's reference timelines, pooled: a date any journalist's timeline
    of the story gives is a date of the story."""
    if not case.reference_timeline:
        return None
    given = [case.reference_timeline] if isinstance(case.reference_timeline, str) else case.reference_timeline
    dates: list[str] = []
    for name in given:
        path = resolve_path(name, root)
        try:
            dates += [d for d, _ in parse_tilse(path.read_text(encoding="utf-8"))]
        except OSError as exc:
            raise ConfigError(f"cannot read the reference timeline of {case.id}: {path}") from exc
    return list(dict.fromkeys(dates))


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None and not math.isnan(v)]
    return round(sum(kept) / len(kept), 4) if kept else None


def aggregate(results: list[CaseResult]) -> list[GroupResult]:
    groups: dict[tuple[str, str], list[CaseResult]] = {}
    for r in results:
        groups.setdefault((r.prompt, r.provider), []).append(r)
    out = []
    for (prompt, provider), rows in groups.items():
        ok = [r for r in rows if r.error is None]
        out.append(GroupResult(prompt=prompt, provider=provider, model=rows[0].model, cases=len(rows),
                               errors=len(rows) - len(ok),
                               metrics={m.key: _mean([r.metrics.get(m.key) for r in ok]) for m in METRICS},
                               draft_metrics={m.key: _mean([r.draft_metrics.get(m.key) for r in ok])
                                              for m in METRICS}))
    return out


@dataclass
class _Task:
    case: Case
    story: Story
    reference: list[str] | None
    prompt: str
    provider: ProviderConfig
    repeat: int


def _endpoint(provider: ProviderConfig):
    from .llm import Endpoint

    key = os.environ.get(provider.api_key_env) if provider.api_key_env else None
    if provider.api_key_env and not key:
        raise ConfigError(f"provider {provider.name}: environment variable {provider.api_key_env} is not set")
    if provider.base_url is None:  # the embedded model; never the OPENAI_* environment
        if provider.model not in (None, Endpoint().model):
            raise ConfigError(f"provider {provider.name}: model {provider.model!r} needs a base_url "
                              f"(the embedded server only has {Endpoint().model})")
        return Endpoint(timeout=provider.timeout)
    return Endpoint(base_url=provider.base_url, model=provider.model or Endpoint().model, api_key=key,
                    timeout=provider.timeout)


def run_eval(loaded: LoadedConfig, *, run_id: str | None = None, baseline: str | None = None,
             meta_eval: bool | None = None, llms: dict[str, Any] | None = None, console=None,
             show_progress: bool = True) -> RunResults:
    """Run the matrix, write the run folder, compare with `baseline`; return the results.

    `llms`: provider name -> an already-connected LLM (tests, recording); other providers are
    connected here (the embedded one is started once for the run)."""
    from rich.console import Console

    from .llm import LLM, Sampling, connect
    from .scoring import default_scorer
    from .summarise import BriefOptions, draft_brief, repair_brief, select_passages
    from .verify import verify_brief

    config, root = loaded.config, loaded.root
    console = console or Console(stderr=True)
    cache = resolve_path(config.cache_dir, root)
    created = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    run_id = run_id or f"{created:%Y%m%d-%H%M%S}-{_slug(config.name)}"
    if not re.fullmatch(r"[A-Za-z0-9._-]+", run_id):
        raise ConfigError(f"run id {run_id!r}: use letters, digits, '.', '_' and '-'")
    run_dir = resolve_path(config.runs_dir, root) / run_id
    base = load_run(baseline, loaded) if baseline else None  # fail early on a bad baseline
    cases = load_cases(loaded)
    libraries = {variant: prompt_library(variant, root, config.prompts_dir, config.variants_dir)
                 for variant in config.prompts}
    prompt_hashes = {v: {name: lib.content_hash(f"{name}.j2") for name in ("brief", "word", "repair")}
                     for v, lib in libraries.items()}
    stories: dict[str, Story] = {}
    references: dict[str, list[str] | None] = {}
    with console.status("Reading the story clusters…"):
        for case in cases:
            stories[case.id] = _load_story(case, root, cache)
            references[case.id] = _reference_dates(case, root)
    params = {"context_tokens": config.context_tokens, "temperature": config.temperature, "seed": config.seed}
    tasks = [_Task(case, stories[case.id], references[case.id], prompt, provider, k)
             for provider in config.providers for case in cases for prompt in config.prompts
             for k in range(config.repeats)]  # cluster by cluster: an interrupted run has whole rows cached

    budget = BriefOptions(context_tokens=config.context_tokens).passage_budget
    shown = {case.id: story_hash(stories[case.id], select_passages(stories[case.id], budget)) for case in cases}

    def key_of(t: _Task) -> str:
        return cache_key(prompt_hashes[t.prompt], _endpoint(t.provider).model, t.provider.base_url, t.case.id,
                         shown[t.case.id], dict(params, language=t.case.language), t.repeat)

    briefs = BriefCache(cache)
    results: dict[int, CaseResult] = {}

    def run_one(index: int, t: _Task, connected) -> CaseResult:
        # Both the model's draft and the brief that `brief` would ship (gated, verified,
        # re-asked, quoted, re-cited) are cached and scored: the eval measures what ships.
        key = key_of(t)
        slots = {"draft": key, "shipped": f"{key}.shipped"}
        model = _endpoint(t.provider).model
        cached = {kind: briefs.get(slot) for kind, slot in slots.items()}  # an older schema is a miss
        made: dict[str, Brief] = {kind: b for kind, b in cached.items() if b is not None}
        result = CaseResult(case=t.case.id, case_name=t.case.name, prompt=t.prompt, provider=t.provider.name,
                            model=model, repeat=t.repeat, cache_key=key, cached=len(made) == 2,
                            sources=len(t.story.sources))
        if len(made) < 2:
            if connected is None:
                raise ConfigError("internal: no model connected")  # pragma: no cover
            llm = LLM(connected.endpoint, connected.base_url,
                      Sampling(temperature=config.temperature, seed=config.seed + t.repeat),
                      max_attempts=connected.max_attempts, max_reasks=connected.max_reasks)
            options = BriefOptions(language=t.case.language, context_tokens=config.context_tokens)
            try:
                if "draft" not in made:
                    made["draft"] = draft_brief(t.story, llm, libraries[t.prompt], options)
                    briefs.put(slots["draft"], made["draft"])
                made["shipped"] = repair_brief(made["draft"], t.story, llm, libraries[t.prompt], verify_brief,
                                               options)
            except StorybriefError as exc:
                result.error = f"{type(exc).__name__}: {exc}"
                return result
            briefs.put(slots["shipped"], made["shipped"])
        draft_report = verify_brief(made["draft"], t.story)
        result.draft_metrics = compute_metrics(made["draft"], draft_report, t.reference)
        brief = made["shipped"]
        report = verify_brief(brief, t.story)
        brief = brief.model_copy(update={"verification": brief.verification or report.summary})
        result.metrics = compute_metrics(brief, report, t.reference)
        checked = [c for c in report.claims if c.kind in ("sentence", "timeline") and c.verdict != "exempt"]
        result.verdicts = {v: sum(1 for c in checked if c.verdict == v)
                           for v in ("supported", "supported_elsewhere", "partially_supported", "unsupported",
                                     "contradicted")}
        counts: dict[str, int] = {}
        for f in report.findings:
            counts[f.type] = counts.get(f.type, 0) + 1
        result.findings = counts
        result.scores = [round(c.score, 4) for c in checked if c.score is not None]
        result.omitted_sources = len(brief.omitted_sources)
        result.brief_file = f"briefs/{result.slug}.json"
        result.report_file = f"reports/{result.slug}.json"
        result.draft_file = f"briefs/{result.slug}.draft.json"
        write_atomic(run_dir / result.brief_file, brief.model_dump_json(indent=1))
        write_atomic(run_dir / result.draft_file, made["draft"].model_dump_json(indent=1))
        write_atomic(run_dir / result.report_file, report.model_dump_json(indent=1))
        return result

    def label(pair: tuple[int, _Task]) -> str:
        t = pair[1]
        return f"{t.case.id} · {t.prompt} · {t.provider.name}"

    with Progress(console, f"eval {run_id}", len(tasks), enabled=show_progress) as progress:
        for provider in config.providers:
            mine = [(i, t) for i, t in enumerate(tasks) if t.provider.name == provider.name]
            todo = [(i, t) for i, t in mine if not (briefs.has(key_of(t)) and briefs.has(f"{key_of(t)}.shipped"))]

            def work(pairs, connected):
                def one(pair):
                    results[pair[0]] = run_one(pair[0], pair[1], connected)

                def done(outcome):
                    error = results[outcome.job[0]].error
                    progress.finished(label(outcome.job), f"failed: {error}" if error else "done", outcome.seconds)

                run_jobs(pairs, one, concurrency=config.concurrency, failures=(),
                         on_start=lambda pair: progress.started(label(pair)), on_done=done)

            if not todo:
                work(mine, None)
            elif llms and provider.name in llms:
                work(mine, llms[provider.name])
            else:
                with console.status(f"Connecting to {provider.name}…"):
                    context = connect(_endpoint(provider))
                    connected = context.__enter__()
                try:
                    work(mine, connected)
                finally:
                    context.__exit__(None, None, None)

    ordered = [results[i] for i in range(len(tasks))]
    manifest = RunManifest(
        run_id=run_id, created_at=created, config_file=str(loaded.path) if loaded.path else None,
        config=config.model_dump(mode="json"), storybrief_version=__version__, git_commit=_git_commit(root),
        packages=_versions(), prompts=prompt_hashes,
        providers=[{"name": p.name, "model": _endpoint(p).model, "base_url": redact(p.base_url) if p.base_url else None}
                   for p in config.providers],
        cases=[{"id": c.id, "name": c.name, "story_hash": story_hash(stories[c.id]),
                "sources": len(stories[c.id].sources), "passages": len(stories[c.id].passages),
                "reference_dates": len(dates) if (dates := references[c.id]) is not None else None,
                "language": c.language} for c in cases],
        scorer=default_scorer().name,
    )
    run = RunResults(run_id=run_id, manifest=manifest, cases=ordered, groups=aggregate(ordered))
    if meta_eval if meta_eval is not None else config.meta_eval.enabled:
        with console.status("Verifier meta-eval (FRANK, WiCE)…"):
            run.meta_eval = verifier_meta_eval(resolve_path(config.meta_eval.data, root))
    if base is not None:
        run.comparison = compare(run, base, config.thresholds)
    save_run(run, run_dir)
    return run


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "eval"


def save_run(run: RunResults, run_dir: Path) -> None:
    from .evaluate_report import render_html

    write_atomic(run_dir / "manifest.json", run.manifest.model_dump_json(indent=1))
    write_atomic(run_dir / "results.json", run.model_dump_json(indent=1))
    write_atomic(run_dir / "report.html", render_html(run, run_dir))


def load_run(ref: str, loaded: LoadedConfig | None = None) -> RunResults:
    """A saved run: a run id under the config's runs folder, a run folder, or its results.json."""
    candidates = [Path(ref)]
    if loaded is not None:
        candidates.append(resolve_path(loaded.config.runs_dir, loaded.root) / ref)
    for c in candidates:
        path = c / "results.json" if c.is_dir() else c
        if path.is_file():
            try:
                return RunResults.model_validate_json(path.read_bytes())
            except ValidationError as exc:
                raise InputError(f"{path} is not a storybrief eval results file ({exc.error_count()} schema errors)") from exc
    raise ConfigError(f"baseline run not found: {ref}")


# --------------------------------------------------------------------------- comparison

SAME = 1e-6


def _delta(metric: str, base: float | None, new: float | None, threshold: float | None) -> MetricDelta:
    m = METRIC_BY_KEY[metric]
    if base is None or new is None:
        return MetricDelta(metric=metric, base=base, new=new, delta=None, status="n/a", threshold=threshold)
    delta = round(new - base, 4)
    status: Literal["improved", "regressed", "same"]
    if abs(delta) < SAME or m.direction == "neutral":
        status = "same"
    elif (delta > 0) == (m.direction == "higher"):
        status = "improved"
    else:
        status = "regressed"
    failed = threshold is not None and status == "regressed" and abs(delta) > threshold + SAME
    return MetricDelta(metric=metric, base=base, new=new, delta=delta, status=status, threshold=threshold,
                       failed=failed)


def compare(run: RunResults, base: RunResults, thresholds: dict[str, float]) -> Comparison:
    """Each metric of each prompt x provider group and each case against the baseline run.
    A group metric that regressed by more than its threshold is a failure (exit 1)."""
    groups, cases, failures = [], [], []
    base_cases = {(c.case, c.prompt, c.provider, c.repeat): c for c in base.cases}
    # Group means over the cases both runs have, so a run of fewer clusters compares fairly.
    common = [c for c in run.cases if (c.case, c.prompt, c.provider, c.repeat) in base_cases]
    new_groups = {(g.prompt, g.provider): g for g in aggregate(common)} if common else {}
    old_groups = {(g.prompt, g.provider): g for g in aggregate(
        [base_cases[(c.case, c.prompt, c.provider, c.repeat)] for c in common])} if common else {}
    for key, g in new_groups.items():
        b = old_groups.get(key)
        if b is None:
            continue
        deltas = [_delta(m.key, b.metrics.get(m.key), g.metrics.get(m.key), thresholds.get(m.key)) for m in METRICS]
        groups.append(RowComparison(key=f"{g.prompt}/{g.provider}", deltas=deltas))
        for d in deltas:
            if d.failed:
                failures.append(f"{g.prompt}/{g.provider}: {d.metric} {d.base:.3f} -> {d.new:.3f} "
                                f"(regressed {abs(d.delta or 0.0):.3f}, allowed {d.threshold:.3f})")
    for c in run.cases:
        base_case = base_cases.get((c.case, c.prompt, c.provider, c.repeat))
        if c.error and (base_case is None or not base_case.error):
            # A case that produced no brief has no metrics to regress: it fails the gate itself.
            failures.append(f"{c.case}/{c.prompt}/{c.provider}/r{c.repeat}: failed ({c.error})")
        if base_case is None:
            continue
        cases.append(RowComparison(key=f"{c.case}/{c.prompt}/{c.provider}/r{c.repeat}",
                                   deltas=[_delta(m.key, base_case.metrics.get(m.key), c.metrics.get(m.key), None)
                                           for m in METRICS]))
    return Comparison(baseline_run=base.run_id, baseline_prompts=base.manifest.prompts, groups=groups, cases=cases,
                      failures=failures)


# --------------------------------------------------------------------------- verifier meta-eval


def balanced_accuracy(labels, predicted) -> float:
    """Mean recall of the two classes (numpy; the meta-eval runs on a plain install)."""
    import numpy as np

    y, p = np.asarray(labels, dtype=bool), np.asarray(predicted, dtype=bool)
    return float(0.5 * (p[y].mean() + (~p[~y]).mean()))


def roc_auc(labels, scores) -> float:
    """Area under the ROC curve as the Mann-Whitney statistic, ties counted half."""
    import numpy as np

    y, s = np.asarray(labels, dtype=bool), np.asarray(scores, dtype=float)
    _, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2.0)[inverse]  # 1-based, ties averaged
    positives, negatives = int(y.sum()), int((~y).sum())
    return float((ranks[y].sum() - positives * (positives + 1) / 2.0) / (positives * negatives))


def meta_eval_rows(data_dir: Path) -> list[dict]:
    """The development rows the meta-eval scores, as ``storybrief score`` reads them:
    {"id", "dataset", "claim", "source", "label"}. FRANK: claim = the whole summary, source =
    the article; WiCE: claim = the sentence, source = the cited page's sentences."""
    rows: list[dict] = []
    for line in open(data_dir / "frank_valid.jsonl", encoding="utf-8"):
        r = json.loads(line)
        rows.append({"id": f"{r['hash']}:{r['model_name']}", "dataset": r["dataset"], "claim": r["summary"],
                     "source": r["article"], "label": int(r["label"])})
    for k, line in enumerate(open(data_dir / "wice_dev.jsonl", encoding="utf-8")):
        r = json.loads(line)
        rows.append({"id": f"wice:{k}", "dataset": "wice", "claim": r["claim"], "source": list(r["evidence"]),
                     "label": int(r["label"] == "supported")})
    return rows


def verifier_meta_eval(data_dir: Path, scorer=None) -> MetaEvalResult:
    """The shipped scorer on FRANK validation (cnndm, bbc) and WiCE dev, at its stored threshold
    (no refit): balanced accuracy and ROC-AUC per dataset, through :func:`scoring.score_rows`,
    the path ``storybrief score`` takes."""
    import time

    from .scoring import default_scorer, score_rows

    if not (data_dir / "frank_valid.jsonl").is_file() or not (data_dir / "wice_dev.jsonl").is_file():
        raise ConfigError(f"meta-eval data not found in {data_dir} (frank_valid.jsonl, wice_dev.jsonl)")
    started = time.perf_counter()
    scorer = scorer or default_scorer()
    data = meta_eval_rows(data_dir)
    results = list(score_rows(((r["claim"], r["source"]) for r in data), scorer))
    rows = []
    for name, title in (("cnndm", "FRANK cnndm"), ("bbc", "FRANK bbc"), ("wice", "WiCE dev")):
        picked = [(r["label"], s) for r, s in zip(data, results) if r["dataset"] == name]
        labels = [y for y, _ in picked]
        rows.append(MetaEvalRow(
            dataset=title, n=len(picked), positives=sum(labels),
            balanced_accuracy=round(balanced_accuracy(labels, [s.label == "supported" for _, s in picked]), 4),
            roc_auc=round(roc_auc(labels, [s.score for _, s in picked]), 4)))
    return MetaEvalResult(scorer=scorer.name, threshold=round(scorer.threshold, 4), data=str(data_dir), rows=rows,
                          seconds=round(time.perf_counter() - started, 2))


# --------------------------------------------------------------------------- terminal


def _fmt(metric: str, value: float | None) -> str:
    if value is None:
        return "–"
    m = METRIC_BY_KEY[metric]
    if m.ratio:
        return f"{value:.2f}"
    return f"{value:,.0f}" if metric != "seconds" else f"{value:.0f}"


def print_run(run: RunResults, console) -> None:
    from rich.console import Console
    from rich.table import Table

    if not console.is_terminal and console.width < 160:  # a log or a pipe: no squeezed columns
        console = Console(file=console.file, width=160, force_terminal=False)
    deltas = {}
    if run.comparison:
        for row in run.comparison.groups:
            deltas[row.key] = {d.metric: d for d in row.deltas}
    table = Table(title=f"eval {run.run_id}" + (f" vs {run.comparison.baseline_run}" if run.comparison else ""))
    table.add_column("prompt / provider")
    table.add_column("n", justify="right")
    for key in TABLE_METRICS:
        table.add_column(METRIC_BY_KEY[key].label, justify="right")
    for g in run.groups:
        cells = [f"{g.prompt} / {g.provider}", f"{g.cases - g.errors}/{g.cases}"]
        for key in TABLE_METRICS:
            text = _fmt(key, g.metrics.get(key))
            d = deltas.get(f"{g.prompt}/{g.provider}", {}).get(key)
            if d is not None and d.delta is not None and d.status in ("improved", "regressed"):
                colour = "green" if d.status == "improved" else ("bold red" if d.failed else "red")
                sign = "▲" if d.delta > 0 else "▼"
                text = f"[{colour}]{text} {sign}{abs(d.delta):.2f}[/]" if METRIC_BY_KEY[key].ratio else \
                    f"[{colour}]{text} {sign}[/]"
            cells.append(text)
        table.add_row(*cells)
        draft = ["  draft, before checks", ""] + [_fmt(key, g.draft_metrics.get(key)) for key in TABLE_METRICS]
        table.add_row(*draft, style="dim")
    console.print(table)
    errors = [c for c in run.cases if c.error]
    for c in errors:
        console.print(f"[red]failed:[/] {c.case} · {c.prompt} · {c.provider}: {c.error}", highlight=False)
    if run.comparison:
        changed = [(row.key, d) for row in run.comparison.cases for d in row.deltas
                   if d.status in ("improved", "regressed") and METRIC_BY_KEY[d.metric].ratio]
        regressed = sum(1 for _, d in changed if d.status == "regressed")
        console.print(f"vs {run.comparison.baseline_run}: {len(changed) - regressed} case metrics improved, "
                      f"{regressed} regressed", highlight=False)
        for failure in run.comparison.failures:
            console.print(f"[bold red]regression past threshold:[/] {failure}", highlight=False)
    if run.meta_eval:
        meta = Table(title=f"verifier meta-eval ({run.meta_eval.scorer}, threshold {run.meta_eval.threshold:.3f})")
        for column in ("dataset", "n", "positives", "balanced acc.", "ROC-AUC"):
            meta.add_column(column, justify="left" if column == "dataset" else "right")
        for r in run.meta_eval.rows:
            meta.add_row(r.dataset, str(r.n), str(r.positives), f"{r.balanced_accuracy:.3f}", f"{r.roc_auc:.3f}")
        console.print(meta)
