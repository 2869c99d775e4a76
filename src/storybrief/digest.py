"""Digest jobs: brief many stories on a schedule, incrementally, safe to kill and to overlap.

    storybrief digest INPUT OUT_DIR [--concurrency N] [--engine local|ray] [--batch-out F | --batch-in F | --batch]

INPUT is a folder of story folders, or a JSONL of articles that carry a ``story`` field.
OUT_DIR after a run::

    index.html                 every story, newest first
    run.json                   this run: done, skipped, failed, pending, tokens, seconds, cost
    stories/<slug>             -> ../history/<slug>/<key>: the story's current output set
    history/<slug>/<key>/      brief.md brief.html brief.json report.json report.html state.json
    inputs/<slug>.jsonl        a JSONL story's articles, as its brief cites them
    .cache/                    briefs by key (shared machinery with ``storybrief eval``), batch answers

A story's *input key* hashes what decides its brief: its articles' bytes, the prompt hashes,
the model, the sampling settings and storybrief's version. A story whose key matches its
current set is skipped without reading more than its state. A story that gained articles is
briefed again with its previous brief as context: the new brief opens with what the new
articles add, each sentence cited, and the previous set stays under ``history/``.

Safe to kill: a generated brief is cached under its key before anything else is written, an
output set is written whole in ``.staging/`` and moved into ``history/`` in one rename, and the
``stories/<slug>`` link is swapped in one rename. A rerun finishes only what is missing. A lock
file keeps a second run out (exit 75).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from . import __version__
from .errors import ConfigError, DigestLocked, InputError, ModelUnavailableError, StorybriefError
from .files import write_atomic
from .models import Brief, Position, Record, Section, VerificationSummary
from .render import fully_verified
from .runner import BriefCache, Outcome, Progress, content_key, describe_error, run_jobs

LOCK_NAME = ".digest.lock"
STATE_NAME = "state.json"
ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")  # what `brief` reads in a folder
PROMPTS = ("brief.j2", "word.j2", "repair.j2", "update.j2")

Status = Literal["new", "updated", "revised", "skipped", "failed", "pending"]


# --------------------------------------------------------------------------- records


class StoryState(Record):
    """What a story's output set was built from and says; the set's state.json."""

    slug: str
    name: str
    input_key: str = Field(description="hash of everything that decides the brief")
    brief_key: str = Field(description="the brief's cache key: the input key and the previous set's")
    articles: list[str] = Field(description="sha256 of each input article")
    generated_at: dt.datetime
    headline: str
    status: Literal["new", "updated", "revised"]
    previous_key: str | None = None
    new_articles: int = 0
    changes: list[str] = Field(default_factory=list, description="what the new articles add, as the brief says it")
    verification: VerificationSummary | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None


class StoryRun(Record):
    slug: str
    status: Status
    seconds: float = 0.0
    articles: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None
    cached: bool = Field(default=False, description="the brief came from the cache (a killed run had made it)")
    error: str | None = None


class DigestRun(Record):
    started_at: dt.datetime
    finished_at: dt.datetime
    seconds: float
    input: str
    model: str
    engine: Literal["local", "ray"]
    concurrency: int
    storybrief_version: str = __version__
    done: list[str] = Field(default_factory=list, description="stories briefed in this run")
    skipped: list[str] = Field(default_factory=list, description="unchanged stories")
    failed: list[str] = Field(default_factory=list, description="retried on the next run")
    pending: list[str] = Field(default_factory=list, description="waiting for Batch API results")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = Field(default=None, description="as the endpoint reported it; none when it reports none")
    batch_requests: int | None = Field(default=None, description="requests written to --batch-out")
    stories: list[StoryRun] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class StoryJob:
    """One story of the input: where its articles are and a hash of each."""

    slug: str
    name: str
    hashes: tuple[str, ...]
    folder: Path | None = None  # a story folder
    rows: tuple[str, ...] = ()  # or its JSONL rows, canonical, in input order
    files: tuple[str, ...] = ()  # the folder's article file names, parallel to hashes


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-.")[:80]
    return slug or "story"


def _unique_slugs(names: list[str]) -> dict[str, str]:
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        slug = slugify(name)
        if slug in taken:
            slug = f"{slug}-{_sha(name.encode())[:6]}"
        taken.add(slug)
        slugs[name] = slug
    return slugs


def read_jobs(input_path: Path) -> tuple[list[StoryJob], list[str]]:
    """The stories of INPUT (a folder of story folders, or a JSONL with a `story` field), and
    warnings about what was left out. Reads bytes and hashes them; parses no article."""
    input_path = Path(input_path)
    warnings: list[str] = []
    if input_path.is_dir():
        folders = sorted(p for p in input_path.iterdir() if p.is_dir() and not p.name.startswith("."))
        if not folders:
            raise InputError(f"{input_path}: no story folders in it (give a folder of story folders, or a JSONL)")
        slugs = _unique_slugs([f.name for f in folders])
        jobs = []
        for folder in folders:
            files = sorted(p for p in folder.iterdir()
                           if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in ARTICLE_SUFFIXES)
            hashes = []
            for path in files:
                try:
                    hashes.append(_sha(path.read_bytes()))
                except OSError as exc:
                    hashes.append(f"unreadable:{exc.errno}")  # the story fails when briefed, not the run
            jobs.append(StoryJob(slugs[folder.name], folder.name, tuple(hashes), folder=folder,
                                 files=tuple(p.name for p in files)))
        return jobs, warnings
    if input_path.is_file() and input_path.suffix.lower() == ".jsonl":
        try:
            text = input_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {input_path}: {exc}") from exc
        rows: dict[str, list[str]] = {}
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                warnings.append(f"{input_path}:{number}: malformed JSON ({exc.msg}); line left out")
                continue
            story = obj.get("story") if isinstance(obj, dict) else None
            if not isinstance(story, (str, int)) or str(story).strip() == "":
                warnings.append(f"{input_path}:{number}: no 'story' field; line left out")
                continue
            article = {k: v for k, v in obj.items() if k != "story"}
            rows.setdefault(str(story).strip(), []).append(json.dumps(article, ensure_ascii=False, sort_keys=True))
        if not rows:
            raise InputError(f"{input_path}: no article with a 'story' field")
        slugs = _unique_slugs(list(rows))
        jobs = [StoryJob(slugs[name], name, tuple(_sha(r.encode()) for r in story_rows), rows=tuple(story_rows))
                for name, story_rows in rows.items()]
        return jobs, warnings
    raise InputError(f"{input_path}: give a folder of story folders, or a .jsonl of articles with a 'story' field")


# --------------------------------------------------------------------------- the output store


class DigestStore:
    """OUT_DIR's layout, and the one way an output set is committed (see the module doc)."""

    def __init__(self, out_dir: Path):
        self.root = Path(out_dir)
        self.stories = self.root / "stories"
        self.history = self.root / "history"
        self.staging = self.root / ".staging"
        self.inputs = self.root / "inputs"
        self.cache_dir = self.root / ".cache"

    def lock(self):
        from filelock import FileLock

        self.root.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.root / LOCK_NAME), timeout=0)

    def clean_staging(self) -> None:
        """Sets a killed run left half-written: never visible, now removed."""
        shutil.rmtree(self.staging, ignore_errors=True)

    def set_dir(self, slug: str, key: str) -> Path:
        return self.history / slug / key

    def current(self, slug: str) -> StoryState | None:
        try:
            return StoryState.model_validate_json((self.stories / slug / STATE_NAME).read_bytes())
        except (OSError, ValidationError):
            return None

    def versions(self, slug: str) -> list[StoryState]:
        """Every committed set of the story, newest first."""
        states = []
        for folder in (self.history / slug).glob("*/"):
            try:
                states.append(StoryState.model_validate_json((folder / STATE_NAME).read_bytes()))
            except (OSError, ValidationError):
                continue
        # Two runs within one second share a timestamp: a set built on another is newer.
        by_key = {s.brief_key: s for s in states}

        def depth(state: StoryState) -> int:
            seen: set[str] = set()
            while state.previous_key in by_key and state.previous_key not in seen:
                seen.add(state.previous_key)
                state = by_key[state.previous_key]
            return len(seen)

        return sorted(states, key=lambda s: (s.generated_at, depth(s)), reverse=True)

    def previous_brief(self, state: StoryState) -> Brief | None:
        try:
            return Brief.model_validate_json((self.set_dir(state.slug, state.brief_key) / "brief.json").read_bytes())
        except (OSError, ValidationError):
            return None

    def commit(self, slug: str, key: str, files: dict[str, str]) -> None:
        """Write the set whole in staging, move it into history/ in one rename, then point
        stories/<slug> at it in one rename. A reader sees the old set or the new one."""
        final = self.set_dir(slug, key)
        if not (final / STATE_NAME).is_file():
            work = self.staging / f"{slug}-{uuid.uuid4().hex[:8]}"
            work.mkdir(parents=True)
            for name, text in files.items():
                with open(work / name, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():  # a set without its state: an older layout or a foreign folder
                shutil.rmtree(final)
            os.replace(work, final)
        self.stories.mkdir(parents=True, exist_ok=True)
        link = self.stories / slug
        temporary = self.stories / f".{slug}.{uuid.uuid4().hex[:8]}"
        os.symlink(Path("..") / "history" / slug / key, temporary)
        os.replace(temporary, link)

    def states(self) -> list[StoryState]:
        out = []
        if self.stories.is_dir():
            for link in self.stories.iterdir():
                if not link.name.startswith("."):
                    state = self.current(link.name)
                    if state is not None:
                        out.append(state)
        return out


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class DigestSettings:
    """Everything that decides a brief besides its articles, and how to reach the model.
    Picklable: a Ray task gets a copy."""

    out_dir: Path
    endpoint: Any  # llm.Endpoint
    base_url: str | None = None  # where requests go (the embedded server once started)
    language: str = "en"
    context_tokens: int = 8192
    temperature: float = 0.0
    seed: int = 7
    prompts_dir: Path | None = None
    batch: bool = False  # answer from the batch store; collect the rest as pending

    def prompts(self):
        from .prompts import PromptLibrary

        return PromptLibrary(self.prompts_dir)

    def key_parts(self) -> dict[str, Any]:
        library = self.prompts()
        return {
            "prompts": {name: library.content_hash(name) for name in PROMPTS},
            "model": self.endpoint.model,
            "sampling": {"temperature": self.temperature, "seed": self.seed},
            "options": {"language": self.language, "context_tokens": self.context_tokens},
            "version": __version__,
        }


def input_key(job: StoryJob, key_parts: dict[str, Any]) -> str:
    return content_key(dict(key_parts, articles=sorted(job.hashes)))


def brief_key(input_key_: str, previous: StoryState | None) -> str:
    """The previous brief is context for the new one, so it is part of the cache key."""
    return content_key({"input": input_key_, "previous": previous.brief_key if previous else None})


# --------------------------------------------------------------------------- one story


@dataclass
class Plan:
    job: StoryJob
    input_key: str
    previous: StoryState | None


@dataclass
class StoryOutcome:
    run: StoryRun
    state: StoryState | None = None
    batch_pending: int = 0


def _origin_hashes(job: StoryJob, paths: list[Path]) -> dict[str, str]:
    """Each input's origin string, as the brief's sources name it, to its article hash."""
    if job.folder is not None:
        return {str(job.folder / name): h for name, h in zip(job.files, job.hashes)}
    return {f"{paths[0]}#L{n}": h for n, h in enumerate(job.hashes, 1)}


def _stage_input(job: StoryJob, store: DigestStore) -> list[Path]:
    if job.folder is not None:
        return [job.folder]
    path = store.inputs / f"{job.slug}.jsonl"
    body = "".join(f"{row}\n" for row in job.rows)
    try:
        unchanged = path.read_text(encoding="utf-8") == body
    except OSError:
        unchanged = False
    if not unchanged:
        write_atomic(path, body)
    return [path]


def _renumber(where: Position) -> Position:
    """A citation issue's position after a section is put in front of the brief's sections."""
    if where.section is None:
        return where
    return where.model_copy(update={"section": where.section + 1})


def _what_changed_lead(new_articles: int) -> str:
    return f"What changed: {new_articles} new article{'s' if new_articles != 1 else ''}"


def make_story_brief(plan: Plan, settings: DigestSettings, llm, store: DigestStore, story) -> Brief:
    """The brief of a new or changed story; with a previous set, it opens with what changed."""
    from .summarise import BriefOptions, describe_update, make_brief, repair_brief
    from .verify import verify_brief

    prompts = settings.prompts()
    options = BriefOptions(language=settings.language, context_tokens=settings.context_tokens)
    brief = make_brief(story, llm, prompts, options)
    previous = store.previous_brief(plan.previous) if plan.previous else None
    if plan.previous is not None and previous is not None:
        known = set(plan.previous.articles)
        origin_hash = _origin_hashes(plan.job, _stage_input(plan.job, store))
        new_ids = {s.id for s in story.sources if not any(origin_hash.get(o) in known for o in s.origins)}
        if new_ids:
            update = describe_update(story, previous, new_ids, llm, prompts, options)
            cited = {pid for s in update.sentences for pid in s.citations}
            passages = dict(brief.passages)
            passages.update({p.id: p for p in story.passages if p.id in cited})
            sections = brief.sections
            issues = brief.citation_issues
            if update.sentences:
                sections = [Section(lead=_what_changed_lead(len(update.new_articles)), sentences=update.sentences),
                            *brief.sections]
                issues = [i.model_copy(update={"where": _renumber(i.where)}) for i in brief.citation_issues]
            brief = brief.model_copy(update={"sections": sections, "citation_issues": issues, "passages": passages,
                                             "warnings": brief.warnings + update.warnings,
                                             "calls": list(llm.calls)})
    return repair_brief(brief, story, llm, prompts, verify_brief, options)


def _new_llm(settings: DigestSettings, transport=None):
    from .llm import LLM, Sampling

    # In batch mode the transport answers, not a server; the URL still decides the request's shape.
    base_url = settings.base_url or settings.endpoint.base_url or "http://127.0.0.1:9/v1"
    return LLM(settings.endpoint, base_url, Sampling(temperature=settings.temperature, seed=settings.seed),
               http_client=transport.client() if transport is not None else None)


def process_story(plan: Plan, settings: DigestSettings, pending=None) -> StoryOutcome:
    """Brief one story and commit its output set. Runs in a thread or in a Ray task."""
    from . import verify as verifier
    from .render import render
    from .sources import build_story
    from .summarise import stamp

    started = time.perf_counter()
    store = DigestStore(settings.out_dir)
    job = plan.job
    key = brief_key(plan.input_key, plan.previous)
    cache = BriefCache(store.cache_dir)
    story = build_story(_stage_input(job, store), name=job.name)
    brief = cache.get(key)
    cached = brief is not None
    transport = None
    if brief is None:
        if settings.batch:
            from .batch import BatchStore, BatchTransport

            transport = BatchTransport(BatchStore(store.cache_dir / "batch"), pending)
        llm = _new_llm(settings, transport)
        try:
            brief = make_story_brief(plan, settings, llm, store, story)
        except StorybriefError:
            if transport is not None and transport.missing:
                return StoryOutcome(StoryRun(slug=job.slug, status="pending", articles=len(job.hashes),
                                             seconds=round(time.perf_counter() - started, 3),
                                             error=f"waiting for {transport.missing} batch result(s)"),
                                    batch_pending=transport.missing)
            raise
        cache.put(key, brief)  # before any output: a kill from here on costs no model call
    report = verifier.verify_brief(brief, story)
    # Stamped as `storybrief brief` stamps it: a translated or partly supported line is no pass.
    brief = stamp(brief, report)
    status: Literal["new", "updated", "revised"] = "new"
    changes: list[str] = []
    new_articles = len(job.hashes)
    if plan.previous is not None:
        new_articles = len(set(job.hashes) - set(plan.previous.articles))
        status = "updated" if new_articles else "revised"
        lead = brief.sections[0].lead if brief.sections else ""
        if lead.startswith("What changed:"):
            changes = [s.text for s in brief.sections[0].sentences]
    prompt_tokens = sum(c.prompt_tokens for c in brief.calls)
    completion_tokens = sum(c.completion_tokens for c in brief.calls)
    costs = [c.cost for c in brief.calls if c.cost is not None]
    cost = round(sum(costs), 6) if costs else None
    state = StoryState(
        slug=job.slug, name=job.name, input_key=plan.input_key, brief_key=key, articles=list(job.hashes),
        generated_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0), headline=brief.headline,
        status=status, previous_key=plan.previous.brief_key if plan.previous else None, new_articles=new_articles,
        changes=changes, verification=report.summary, prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens, cost=cost)
    files = {
        "brief.md": render(brief, "md"),
        "brief.html": render(brief, "html"),
        "brief.json": render(brief, "json"),
        "report.json": verifier.render_report(report, "json"),
        "report.html": verifier.render_report(report, "html"),
        STATE_NAME: state.model_dump_json(indent=1),
    }
    store.commit(job.slug, key, files)
    run = StoryRun(slug=job.slug, status=status, seconds=round(time.perf_counter() - started, 3),
                   articles=len(job.hashes), prompt_tokens=0 if cached else prompt_tokens,
                   completion_tokens=0 if cached else completion_tokens, cost=None if cached else cost, cached=cached)
    return StoryOutcome(run, state)


# --------------------------------------------------------------------------- the run


@dataclass
class DigestOptions:
    concurrency: int | None = None  # None: the embedded server's slots, else 4
    engine: Literal["local", "ray"] = "local"
    batch_out: Path | None = None
    batch_in: list[Path] = field(default_factory=list)
    batch_submit: bool = False
    batch_poll_seconds: float = 30.0
    ray_retries: int = 2
    show_progress: bool = True


def _label(outcome: StoryOutcome) -> str:
    run, state = outcome.run, outcome.state
    if run.status == "failed":
        return f"failed: {run.error}"
    if run.status == "pending":
        return f"pending: {run.error}"
    text = f"{run.status}, {run.articles} articles"
    if state is not None and state.verification is not None:
        v = state.verification
        text += f", {'verified' if fully_verified(v) else 'not fully verified'} ({v.supported}/{v.sentences} supported)"
    return text + (" (brief from cache)" if run.cached else "")


def run_digest(input_path: Path, settings: DigestSettings, options: DigestOptions = DigestOptions(), *,
               console=None, llm_context: Callable[[], Any] | None = None) -> DigestRun:
    """Brief every new or changed story of INPUT into OUT_DIR; skip the rest; write run.json and
    index.html. Raises DigestLocked when another run holds OUT_DIR."""
    from filelock import Timeout
    from rich.console import Console

    console = console or Console(stderr=True)
    store = DigestStore(settings.out_dir)
    lock = store.lock()
    try:
        lock.acquire()
    except Timeout:
        raise DigestLocked(f"another digest run holds {store.root / LOCK_NAME}; this run did nothing") from None
    try:
        return _run_locked(Path(input_path), settings, options, store, console, llm_context)
    finally:
        lock.release()


def _run_locked(input_path: Path, settings: DigestSettings, options: DigestOptions, store: DigestStore, console,
                llm_context) -> DigestRun:
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    store.clean_staging()
    jobs, warnings = read_jobs(input_path)
    parts = settings.key_parts()
    plans, skipped = [], []
    for job in jobs:
        key = input_key(job, parts)
        current = store.current(job.slug)
        if current is not None and current.input_key == key:
            skipped.append(job.slug)
        else:
            plans.append(Plan(job, key, current))

    batch = options.batch_out is not None or bool(options.batch_in) or options.batch_submit
    if batch:
        from .batch import BatchStore

        answers = BatchStore(store.cache_dir / "batch")
        for path in options.batch_in:
            console.print(f"ingested {answers.ingest(path)} batch results from {path}", highlight=False)
    concurrency = options.concurrency or _default_concurrency(settings)
    outcomes: list[StoryOutcome] = []
    batch_requests = None
    if plans:
        if batch:
            outcomes, batch_requests = _run_batch(plans, settings, options, store, console, concurrency)
        else:
            with _connected(settings, llm_context, console) as connected:
                outcomes = _run_plans(plans, connected, options, console, concurrency)

    run = DigestRun(started_at=started_at, finished_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
                    seconds=round(time.perf_counter() - started, 3), input=str(input_path),
                    model=settings.endpoint.model, engine=options.engine, concurrency=concurrency,
                    skipped=skipped, warnings=warnings, batch_requests=batch_requests)
    for slug in skipped:
        run.stories.append(StoryRun(slug=slug, status="skipped"))
    costs = []
    for outcome in outcomes:
        r = outcome.run
        run.stories.append(r)
        {"failed": run.failed, "pending": run.pending}.get(r.status, run.done).append(r.slug)
        run.prompt_tokens += r.prompt_tokens
        run.completion_tokens += r.completion_tokens
        if r.cost is not None:
            costs.append(r.cost)
    run.cost = round(sum(costs), 6) if costs else None
    write_atomic(store.root / "run.json", run.model_dump_json(indent=1))
    write_atomic(store.root / "index.html", render_index(store, run))
    return run


def _default_concurrency(settings: DigestSettings) -> int:
    """The embedded server's slots (one: parallel slots add no throughput on two cores); else 4."""
    if settings.endpoint.embedded and settings.base_url is None:
        from .embedded import ServerSettings

        return ServerSettings().parallel
    return 4


class _connected:
    """The settings with a reachable base_url: the embedded server is started for the run."""

    def __init__(self, settings: DigestSettings, llm_context, console):
        self.settings, self.llm_context, self.console = settings, llm_context, console
        self._context: Any = None

    def __enter__(self) -> DigestSettings:
        from dataclasses import replace

        if self.settings.base_url is not None:
            return self.settings
        if not self.settings.endpoint.embedded:
            return replace(self.settings, base_url=self.settings.endpoint.base_url)
        from .llm import connect

        self._context = self.llm_context() if self.llm_context else connect(self.settings.endpoint)
        with self.console.status("Starting the embedded model…"):
            llm = self._context.__enter__()
        return replace(self.settings, base_url=llm.base_url)

    def __exit__(self, *exc) -> None:
        if self._context is not None:
            self._context.__exit__(*exc)


def _failed(plan: Plan, error: str, seconds: float) -> StoryOutcome:
    return StoryOutcome(StoryRun(slug=plan.job.slug, status="failed", articles=len(plan.job.hashes),
                                 seconds=round(seconds, 3), error=error))


def _run_plans(plans: list[Plan], settings: DigestSettings, options: DigestOptions, console, concurrency: int,
               pending=None) -> list[StoryOutcome]:
    with Progress(console, "digest", len(plans), enabled=options.show_progress) as progress:
        def finished(outcome: StoryOutcome) -> None:
            progress.finished(outcome.run.slug, _label(outcome), outcome.run.seconds)

        if options.engine == "ray":
            return _run_with_ray(plans, settings, options, concurrency, finished)

        def outcome_of(o: Outcome[Plan, StoryOutcome]) -> StoryOutcome:
            return o.result if o.result is not None else _failed(o.job, o.error or "failed", o.seconds)

        # Any error fails its own story only: one bad story must not stop a scheduled run.
        results = run_jobs(plans, lambda plan: process_story(plan, settings, pending), concurrency=concurrency,
                           failures=(Exception,), on_start=lambda plan: progress.started(plan.job.slug),
                           on_done=lambda o: finished(outcome_of(o)))
        return [outcome_of(o) for o in results]


def _run_batch(plans: list[Plan], settings: DigestSettings, options: DigestOptions, store: DigestStore, console,
               concurrency: int) -> tuple[list[StoryOutcome], int | None]:
    """Answered requests replay from the batch store; the rest are written as Batch API JSONL
    (--batch-out), or with --batch submitted and polled, round after round, until none is left."""
    from dataclasses import replace

    from .batch import BatchStore, PendingRequests

    settings = replace(settings, batch=True)
    finished: list[StoryOutcome] = []
    round_number = 0
    while True:
        round_number += 1
        pending = PendingRequests()
        outcomes = _run_plans(plans, settings, options, console, concurrency, pending)
        finished += [o for o in outcomes if o.run.status != "pending"]
        waiting = [(plan, o) for plan, o in zip(plans, outcomes) if o.run.status == "pending"]
        if not waiting:
            return finished, (0 if options.batch_out is not None else None)
        if not options.batch_submit:
            if options.batch_out is None:
                console.print(f"{len(waiting)} stories still wait for batch results; give --batch-out to write "
                              "their requests", highlight=False)
                return finished + [o for _, o in waiting], None
            written = pending.write(options.batch_out)
            console.print(f"wrote {written} requests of {len(waiting)} stories to {options.batch_out}: run them "
                          "(OpenAI Batch API, vLLM run-batch), then rerun with --batch-in RESULTS", highlight=False)
            return finished + [o for _, o in waiting], written
        from .llm import run_remote_batch

        requests_file = store.cache_dir / "batch-rounds" / f"round-{round_number}.jsonl"
        pending.write(requests_file)
        with console.status(f"Batch round {round_number}: {len(pending)} requests at {settings.endpoint.base_url}…"):
            output = run_remote_batch(settings.endpoint, requests_file, poll_seconds=options.batch_poll_seconds)
        results_file = requests_file.with_suffix(".results.jsonl")
        write_atomic(results_file, output)
        if BatchStore(store.cache_dir / "batch").ingest(results_file) == 0:
            raise ModelUnavailableError(f"batch round {round_number} answered none of its {len(pending)} requests")
        plans = [plan for plan, _ in waiting]


def _ray_story(plan: Plan, settings: DigestSettings) -> StoryOutcome:
    """A Ray task: a model outage raises, so Ray retries the task; any other error is the story's."""
    started = time.perf_counter()
    try:
        return process_story(plan, settings)
    except ModelUnavailableError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported in run.json, retried on the next run
        return _failed(plan, describe_error(exc), time.perf_counter() - started)


def _run_with_ray(plans: list[Plan], settings: DigestSettings, options: DigestOptions, concurrency: int,
                  finished: Callable[[StoryOutcome], None]) -> list[StoryOutcome]:
    """Each story a Ray task with retries, at most `concurrency` in flight. Joins the cluster at
    RAY_ADDRESS when set, else starts a local instance; OUT_DIR must be shared by the workers."""
    try:
        import ray
    except ImportError:
        raise ConfigError("--engine ray needs Ray: pip install 'storybrief[ray]'") from None
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # a local instance: no token file, no notice
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=os.environ.get("RAY_ADDRESS") or None, include_dashboard=False, log_to_driver=False,
                 logging_level=logging.WARNING)
    retries: dict[str, Any] = {"max_retries": options.ray_retries, "retry_exceptions": [ModelUnavailableError]}
    task = ray.remote(**retries)(_ray_story)
    outcomes: dict[int, StoryOutcome] = {}
    in_flight: dict[Any, int] = {}
    queue = list(enumerate(plans))
    started = time.perf_counter()
    try:
        while queue or in_flight:
            while queue and len(in_flight) < concurrency:
                index, plan = queue.pop(0)
                in_flight[task.remote(plan, settings)] = index
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in ready:
                index = in_flight.pop(ref)
                try:
                    outcome = ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - the task failed after its retries
                    cause = getattr(exc, "cause", None) or exc
                    outcome = _failed(plans[index], describe_error(cause), time.perf_counter() - started)
                outcomes[index] = outcome
                finished(outcome)
    finally:
        if started_here:
            ray.shutdown()
    return [outcomes[i] for i in range(len(plans))]


# --------------------------------------------------------------------------- index.html


def render_index(store: DigestStore, run: DigestRun) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("storybrief", "templates"), autoescape=select_autoescape(["j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    # Newest first; within one second (times are kept to the second), what this run briefed.
    states = sorted(store.states(), key=lambda s: (-s.generated_at.timestamp(), s.slug not in run.done, s.slug))
    failed = {r.slug: r for r in run.stories if r.status in ("failed", "pending")}
    rows = []
    for state in states:
        v = state.verification
        rows.append({
            "slug": state.slug, "name": state.name, "headline": state.headline, "articles": len(state.articles),
            "generated_at": state.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
            "iso": state.generated_at.isoformat(), "status": state.status, "new_articles": state.new_articles,
            "changes": state.changes, "versions": len(store.versions(state.slug)),
            "verified": None if v is None else fully_verified(v),
            "verification": "" if v is None else (f"{v.supported} of {v.sentences} claims supported"
                                                  + (f", {v.unsupported} unsupported" if v.unsupported else "")
                                                  + (f", {v.contradicted} contradicted" if v.contradicted else "")),
            "problem": failed[state.slug].error if state.slug in failed else None,
        })
    shown = {s.slug for s in states}
    missing = [r for r in failed.values() if r.slug not in shown]
    return env.get_template("digest_index.html.j2").render(rows=rows, missing=missing, run=run)
