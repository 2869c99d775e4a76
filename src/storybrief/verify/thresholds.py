"""Every number the verifier decides with, in one place."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Thresholds"]


@dataclass
class Thresholds:
    """When a brief fails, and the cut-offs of each check.

    A brief fails with more unsupported/contradicted claims than ``max_unsupported`` or more
    error findings than ``max_errors``."""

    max_unsupported: int = 0
    max_errors: int = 0
    # support: a claim is supported at the scorer's (or the judge combiner's) threshold unless
    # set here; below `partial` its cited sources support nothing of it
    supported: float | None = None
    partial: float = 0.25
    # timeline off-topic: shares less than this of its words with the cluster
    off_topic_overlap: float = 0.5
    # a dated passage is about the claim's event when it shares at least `about_min_shared`
    # content words with it and at least `about_share_of_best` of the best passage's count
    about_min_shared: int = 2
    about_share_of_best: float = 0.7
    # two day-precision dates at most this many days apart are one event misdated
    close_days: int = 31
    # citation precision: a cited source covering less than this share of the sentence's
    # (IDF-weighted) words, and alone scoring below the supported threshold, supports nothing in it
    precision_coverage: float = 0.5
    # blanket citation: one source cited on at least this share of cited sentences, failing
    # at least `blanket_failures` of them
    blanket_share: float = 0.6
    blanket_failures: int = 2
    # contradiction checks compare the claim with passages about the same event: those that
    # share at least `anchors` names, numbers, dates or word stems with it
    anchors: int = 2
    # negation: the aligned sentence covers at least this share of the claim's content words
    negation_alignment: float = 0.7
