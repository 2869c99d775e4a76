"""Running many briefs: the content-addressed brief cache, bounded concurrency with per-job
failures, and progress. ``storybrief eval`` and ``storybrief digest`` both run on this.

A brief is cached under a key that hashes everything that decides it (the articles, the prompt
hashes, the model, the sampling settings, the code's version), so a repeated request costs no
model call, and a run killed at any moment loses at most the briefs that were in flight.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from .errors import StorybriefError
from .files import write_atomic
from .models import Brief

log = logging.getLogger(__name__)

J = TypeVar("J")
R = TypeVar("R")


def content_key(payload: dict[str, Any], length: int = 20) -> str:
    """sha256 of the payload as canonical JSON: equal inputs, equal keys, on any machine."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:length]


class BriefCache:
    """Briefs by key, one JSON file each, written atomically. A file of an older schema is a miss."""

    def __init__(self, folder: Path):
        self.folder = Path(folder) / "briefs"

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def has(self, key: str) -> bool:
        return self.path(key).is_file()

    def get(self, key: str) -> Brief | None:
        try:
            return Brief.model_validate_json(self.path(key).read_bytes())
        except (OSError, ValidationError):
            return None

    def put(self, key: str, brief: Brief) -> None:
        write_atomic(self.path(key), brief.model_dump_json(indent=1))


@dataclass
class Outcome(Generic[J, R]):
    """What became of one job: its result, or the one-line error that stopped it."""

    job: J
    result: R | None
    error: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.error is None


def describe_error(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if isinstance(exc, StorybriefError) else f"{type(exc).__name__}: {text}"


class Progress:
    """A bar with an ETA on a terminal; one plain line per finished job anywhere else (cron, CI)."""

    def __init__(self, console, title: str, total: int, *, enabled: bool = True):
        self.console = console
        self.total = total
        self.done = 0
        self.enabled = enabled and total > 0
        self.interactive = self.enabled and bool(getattr(console, "is_terminal", False))
        self._bar = None
        if self.interactive:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            self._bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console,
                            transient=False)
            self._task = self._bar.add_task(title, total=total)

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()

    def started(self, label: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=label)

    def finished(self, label: str, status: str, seconds: float) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.advance(self._task)
            if status.startswith(("failed", "pending")):  # the bar shows progress; problems stay on screen
                self._bar.console.print(f"{label}: {status}", highlight=False, markup=False)
        elif self.enabled:
            self.console.print(f"[{self.done}/{self.total}] {label}: {status} ({seconds:.1f} s)",
                               highlight=False, markup=False, soft_wrap=True)


def run_jobs(
    jobs: Sequence[J],
    work: Callable[[J], R],
    *,
    concurrency: int = 1,
    failures: tuple[type[BaseException], ...] = (StorybriefError,),
    on_start: Callable[[J], None] | None = None,
    on_done: Callable[[Outcome[J, R]], None] | None = None,
) -> list[Outcome[J, R]]:
    """Run `work` on every job, at most `concurrency` at a time, in job order when sequential.

    An exception of a `failures` class fails its own job only (its message kept); anything else
    propagates. `on_done` sees each outcome as it finishes, in the calling thread when sequential.
    """

    def one(job: J) -> Outcome[J, R]:
        if on_start is not None:
            on_start(job)
        started = time.perf_counter()
        try:
            result = work(job)
        except failures as exc:
            log.debug("job failed", exc_info=True)
            return Outcome(job, None, describe_error(exc), time.perf_counter() - started)
        return Outcome(job, result, None, time.perf_counter() - started)

    outcomes: list[Outcome[J, R]] = []
    if concurrency <= 1 or len(jobs) <= 1:
        for job in jobs:
            outcome = one(job)
            outcomes.append(outcome)
            if on_done is not None:
                on_done(outcome)
        return outcomes
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(one, job) for job in jobs]
        try:
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                if on_done is not None:
                    on_done(outcome)
        except BaseException:
            for future in futures:
                future.cancel()  # ^C or a bug: start nothing new; running jobs finish their write
            raise
    order = {id(job): i for i, job in enumerate(jobs)}
    return sorted(outcomes, key=lambda o: order[id(o.job)])
