"""The verification report: its summary, and how it is shown (terminal, text, JSON, HTML)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Sequence

from storybrief.models import ClaimVerdict, Finding, Position, Verdict, VerificationReport, VerificationSummary, VerifiedSource
from storybrief.verify.thresholds import Thresholds

__all__ = [
    "summarise_report",
    "print_report",
    "render_text",
    "render_json",
    "render_html",
    "render_report",
    "REPORT_FORMATS",
    "VERDICT_LABELS",
]

ORDER = {"error": 0, "warning": 1, "info": 2}


def _short(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summarise_report(claims: Sequence[ClaimVerdict], findings: Sequence[Finding], scorer: str,
                     thresholds: Thresholds, checked_at: dt.datetime) -> VerificationSummary:
    counted = [c for c in claims if c.verdict != Verdict.EXEMPT]
    count = {v: sum(1 for c in counted if c.verdict == v) for v in Verdict}
    errors = sum(1 for f in findings if f.severity == "error")
    passed = (count[Verdict.UNSUPPORTED] + count[Verdict.CONTRADICTED] <= thresholds.max_unsupported
              and errors <= thresholds.max_errors)
    return VerificationSummary(
        checked_at=checked_at, scorer=scorer, sentences=len(counted), supported=count[Verdict.SUPPORTED],
        supported_elsewhere=count[Verdict.SUPPORTED_ELSEWHERE],
        partially_supported=count[Verdict.PARTIALLY_SUPPORTED], unsupported=count[Verdict.UNSUPPORTED],
        contradicted=count[Verdict.CONTRADICTED], findings=len(findings), passed=passed,
    )


VERDICT_LABELS = {
    "supported": "supported",
    "supported_elsewhere": "supported elsewhere",
    "partially_supported": "partly supported",
    "unsupported": "unsupported",
    "contradicted": "contradicted",
    "exempt": "not checked",
}
_VERDICT_STYLE = {"supported": "green", "supported_elsewhere": "cyan", "partially_supported": "yellow", "unsupported": "red",
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
    return (f"{state}: {s.sentences} claims checked — {s.supported} supported, {s.supported_elsewhere} supported "
            f"elsewhere (re-cite), {s.partially_supported} partly "
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
    for kind in sorted(by_type, key=lambda k: (min(ORDER[f.severity] for f in by_type[k]), k)):
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
