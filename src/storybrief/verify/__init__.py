"""The verifier: check every claim of a brief against its sources and say what is wrong.

inputs.py
    A brief (storybrief JSON with its story, or text/Markdown with its source files) becomes
    claims with resolved citations.
checks.py
    Each check (resolution, coverage, names and numbers, dates, contradictions, support,
    timeline, citation precision) records its findings; contradictions.py reads roles,
    agents, events, numbers, places and negation across English and French.
verdict.py
    The verdict on a claim is a pure function of what the checks found: supported, supported
    elsewhere (true, but cite another passage), partially supported, unsupported, contradicted.
judge.py
    An optional model judge whose probability is combined with the lexical score.
report.py
    The report's summary and its text, JSON and HTML forms.
thresholds.py
    Every cut-off, in one place.

Everything is deterministic and model-free unless a judge is given.
"""

from __future__ import annotations

import datetime as dt
import time

from storybrief.models import Brief, ClaimVerdict, Story, VerificationReport, VerificationSummary, VerifiedSource
from storybrief.scoring import SupportScorer, default_scorer
from storybrief.verify.checks import Checker
from storybrief.verify.inputs import (
    Claim,
    SourceDoc,
    VerifyInput,
    input_from_brief,
    load_json_brief,
    load_text_brief,
    looks_like_json_brief,
    parse_source_options,
)
from storybrief.verify.judge import JUDGE_WEIGHTS_FILE, Judge, JudgeCombiner, YesNoModel
from storybrief.verify.report import (
    ORDER,
    REPORT_FORMATS,
    VERDICT_LABELS,
    print_report,
    render_html,
    render_json,
    render_report,
    render_text,
    summarise_report,
)
from storybrief.verify.thresholds import Thresholds

__all__ = [
    "Claim",
    "SourceDoc",
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
    "VERDICT_LABELS",
    "JUDGE_WEIGHTS_FILE",
]


def verify(inp: VerifyInput, *, scorer: SupportScorer | None = None, judge: Judge | None = None,
           thresholds: Thresholds | None = None) -> VerificationReport:
    """Run every check on a loaded brief."""
    started = time.perf_counter()
    scorer = scorer or default_scorer()
    thresholds = thresholds or Thresholds()
    checker = Checker(inp, scorer, judge, thresholds)
    claims = list(inp.claims)
    if judge is not None:  # judge claims grouped by cited sources: the article prefix stays cached
        order = sorted(range(len(claims)), key=lambda i: (tuple(sorted(set(claims[i].markers))), i))
    else:
        order = list(range(len(claims)))
    verdicts: dict[int, ClaimVerdict] = {}
    for i in order:
        verdicts[i] = checker.check(claims[i])
    checker.check_blanket(claims)
    order_of = {c.position: i for i, c in enumerate(claims)}
    findings = sorted(checker.findings, key=lambda f: (ORDER[f.severity], f.type, order_of.get(f.position, -1)))
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
