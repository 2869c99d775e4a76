"""The eval run's self-contained HTML report: inline CSS and hand-written inline SVG plots
(no plotting dependency, no script, no external file)."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup, escape

from .evaluate import METRIC_BY_KEY, METRICS, PLOT_METRICS, TABLE_METRICS, RunResults, _fmt
from .models import Brief, VerificationReport

PALETTE = ("#2f6fb0", "#d9822b", "#3a9d5d", "#9a4fb5", "#c4473a", "#6b7a8f")
VERDICT_COLOURS = {"supported": "#3a9d5d", "supported_elsewhere": "#5bc0de", "partially_supported": "#e0b400", "unsupported": "#d9534f",
                   "contradicted": "#8b1a1a"}


def _group_keys(run: RunResults) -> list[str]:
    return [f"{g.prompt}/{g.provider}" for g in run.groups]


def metric_chart(run: RunResults) -> Markup:
    """Horizontal bars: one block per metric, one bar per prompt x provider; a black tick marks
    the baseline's value."""
    groups = run.groups
    base = {}
    if run.comparison:
        for row in run.comparison.groups:
            base[row.key] = {d.metric: d.base for d in row.deltas}
    metrics = [m for m in PLOT_METRICS if any(g.metrics.get(m) is not None for g in groups)]
    bar, gap, label_w, plot_w = 14, 12, 150, 420
    block = bar * len(groups) + gap
    height = 30 + block * len(metrics) + 10
    width = label_w + plot_w + 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'role="img" aria-label="metrics by prompt and provider" class="chart">']
    for x in (0, .25, .5, .75, 1):
        px = label_w + x * plot_w
        out.append(f'<line x1="{px:.1f}" y1="20" x2="{px:.1f}" y2="{height - 8}" class="grid"/>'
                   f'<text x="{px:.1f}" y="14" class="tick" text-anchor="middle">{x:g}</text>')
    for i, key in enumerate(metrics):
        y0 = 24 + i * block
        out.append(f'<text x="{label_w - 8}" y="{y0 + bar * len(groups) / 2 + 4:.1f}" text-anchor="end" '
                   f'class="label">{escape(METRIC_BY_KEY[key].label)}</text>')
        for j, g in enumerate(groups):
            value = g.metrics.get(key)
            y = y0 + j * bar
            if value is not None:
                w = max(1.0, value * plot_w)
                out.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar - 3}" fill="{PALETTE[j % len(PALETTE)]}">'
                           f'<title>{escape(g.prompt)} / {escape(g.provider)}: {key} {value:.3f}</title></rect>'
                           f'<text x="{label_w + w + 4:.1f}" y="{y + bar - 5}" class="val">{value:.2f}</text>')
            b = base.get(f"{g.prompt}/{g.provider}", {}).get(key)
            if b is not None:
                bx = label_w + b * plot_w
                out.append(f'<line x1="{bx:.1f}" y1="{y - 1}" x2="{bx:.1f}" y2="{y + bar - 2}" class="base">'
                           f'<title>baseline {b:.3f}</title></line>')
    out.append("</svg>")
    return Markup("".join(out))


def score_histograms(run: RunResults, threshold: float | None) -> list[tuple[str, Markup]]:
    """Per prompt x provider, the distribution of the verifier's support scores of every checked
    claim (10 bins over [0, 1]), with the scorer's threshold."""
    charts = []
    for j, g in enumerate(run.groups):
        scores = [s for c in run.cases if c.prompt == g.prompt and c.provider == g.provider for s in c.scores]
        bins = [0] * 10
        for s in scores:
            bins[min(9, int(s * 10))] += 1
        top = max(bins) or 1
        w, h, pad = 260, 110, 18
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h + pad + 4}" width="{w}" '
               f'role="img" aria-label="score distribution" class="chart">']
        bw = w / 10
        for k, n in enumerate(bins):
            bh = n / top * (h - 14)
            out.append(f'<rect x="{k * bw + 1:.1f}" y="{h - bh:.1f}" width="{bw - 2:.1f}" height="{bh:.1f}" '
                       f'fill="{PALETTE[j % len(PALETTE)]}"><title>{k / 10:.1f}–{(k + 1) / 10:.1f}: {n}</title></rect>')
            if n:
                out.append(f'<text x="{k * bw + bw / 2:.1f}" y="{h - bh - 2:.1f}" class="val" text-anchor="middle">{n}</text>')
        out.append(f'<line x1="0" y1="{h}" x2="{w}" y2="{h}" class="grid"/>')
        for x in (0, .5, 1):
            out.append(f'<text x="{min(w - 8, max(8, x * w)):.1f}" y="{h + 14}" class="tick" text-anchor="middle">{x:g}</text>')
        if threshold is not None:
            tx = threshold * w
            out.append(f'<line x1="{tx:.1f}" y1="0" x2="{tx:.1f}" y2="{h}" class="thr"><title>supported at {threshold:.2f}</title></line>')
        out.append("</svg>")
        charts.append((f"{g.prompt} / {g.provider} ({len(scores)} claims)", Markup("".join(out))))
    return charts


def verdict_bar(verdicts: dict[str, int], width: int = 160) -> Markup:
    total = sum(verdicts.values())
    if not total:
        return Markup("")
    out, x = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 12" width="{width}" class="vbar">'], 0.0
    for key, colour in VERDICT_COLOURS.items():
        n = verdicts.get(key, 0)
        if n:
            w = n / total * width
            out.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="12" fill="{colour}"><title>{key}: {n}</title></rect>')
            x += w
    out.append("</svg>")
    return Markup("".join(out))


def _load(run_dir: Path, rel: str | None, model):
    if not rel:
        return None
    try:
        return model.model_validate_json((run_dir / rel).read_bytes())
    except (OSError, ValueError):
        return None


def render_html(run: RunResults, run_dir: Path) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from .scoring import default_scorer

    env = Environment(loader=PackageLoader("storybrief", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    case_deltas = {}
    if run.comparison:
        for row in run.comparison.cases:
            case_deltas[row.key] = {d.metric: d for d in row.deltas}
    group_deltas = {}
    if run.comparison:
        for row in run.comparison.groups:
            group_deltas[row.key] = {d.metric: d for d in row.deltas}
    drill = []
    for c in run.cases:
        brief = _load(run_dir, c.brief_file, Brief)
        report = _load(run_dir, c.report_file, VerificationReport)
        verdict_of = {cl.location: cl for cl in report.claims} if report else {}
        findings_at: dict[str, list] = {}
        for f in (report.findings if report else []):
            findings_at.setdefault(f.location, []).append(f)
        drill.append({"result": c, "brief": brief, "report": report, "verdict_of": verdict_of,
                      "findings_at": findings_at,
                      "deltas": case_deltas.get(f"{c.case}/{c.prompt}/{c.provider}/r{c.repeat}", {}),
                      "bar": verdict_bar(c.verdicts)})
    case_ids = list(dict.fromkeys(c.case for c in run.cases))
    matrix = {(c.case, f"{c.prompt}/{c.provider}"): d for c, d in zip(run.cases, drill) if c.repeat == 0}
    return env.get_template("eval_report.html.j2").render(
        run=run, metrics=METRICS, table_metrics=TABLE_METRICS, metric_by_key=METRIC_BY_KEY, fmt=_fmt,
        chart=metric_chart(run), histograms=score_histograms(run, default_scorer().threshold),
        group_keys=_group_keys(run), group_deltas=group_deltas, case_ids=case_ids, matrix=matrix, drill=drill,
        palette=PALETTE,
    )
