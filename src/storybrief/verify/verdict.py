"""The verdict on one claim, as a pure function of what the checks found."""

from __future__ import annotations

from dataclasses import dataclass

from storybrief.models import Verdict
from storybrief.verify.thresholds import Thresholds

__all__ = ["Signals", "decide"]


@dataclass(frozen=True)
class Signals:
    """What the checks found about one claim (see checks.py)."""

    has_citation: bool
    cited_score: float | None  # support by the cited sources (scorer, or scorer + judge); None: nothing resolves
    cluster_score: float  # the scorer against every passage of the story
    best_is_cited: bool  # the cluster's best passage is one the claim cites
    contradicted: bool
    off_topic: bool = False
    details_nowhere: bool = False  # a name or number no source gives
    details_uncited: bool = False  # a number only sources it does not cite give
    date_partial: bool = False  # a date its cited passages do not give
    foreign_only: bool = False  # cites only sources in another language, with no judge to read them


def decide(s: Signals, t: Thresholds, supported_at: float) -> tuple[Verdict, list[str]]:
    """The verdict and the reasons it rests on."""
    if s.contradicted:
        return Verdict.CONTRADICTED, []
    if s.off_topic:
        return Verdict.UNSUPPORTED, []
    elsewhere = s.cluster_score >= supported_at and not s.best_is_cited and not s.details_nowhere
    if s.cited_score is None:
        what = "no citation" if not s.has_citation else "no resolvable citation"
        reasons = [f"{what}: the whole cluster scores {s.cluster_score:.2f}"]
        if elsewhere:
            return Verdict.SUPPORTED_ELSEWHERE, reasons
        if s.cluster_score >= t.partial and not s.details_nowhere:
            return Verdict.PARTIALLY_SUPPORTED, reasons
        return Verdict.UNSUPPORTED, reasons
    if s.cited_score >= supported_at:
        if s.details_nowhere or s.details_uncited or s.date_partial:
            return Verdict.PARTIALLY_SUPPORTED, []
        return Verdict.SUPPORTED, []
    if s.foreign_only:
        reasons = [f"cites only sources in another language; the model-free scorer cannot compare them "
                   f"(use --judge); the cluster scores {s.cluster_score:.2f}"]
        if s.cluster_score >= t.partial and not s.details_nowhere:
            return Verdict.PARTIALLY_SUPPORTED, reasons
        return Verdict.UNSUPPORTED, reasons
    if elsewhere:
        return Verdict.SUPPORTED_ELSEWHERE, [f"its citations score {s.cited_score:.2f}; a passage it does not "
                                             f"cite scores {s.cluster_score:.2f}"]
    if s.cited_score >= t.partial:
        return Verdict.PARTIALLY_SUPPORTED, []
    if s.cluster_score >= supported_at and not s.details_nowhere:
        return Verdict.PARTIALLY_SUPPORTED, [f"the cited sources score {s.cited_score:.2f}; other sources "
                                             f"{s.cluster_score:.2f}"]
    return Verdict.UNSUPPORTED, []
