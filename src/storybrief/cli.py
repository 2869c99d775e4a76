"""The command line: a thin shell over the library, with one error boundary."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from . import __version__
from .errors import ConfigError, StorybriefError

app = typer.Typer(
    name="storybrief",
    help="Cited, verified briefs of multi-article news stories.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Soft wrap: an error or warning stays one line in logs, whatever the terminal width.
err = Console(stderr=True, soft_wrap=True)

BaseUrl = Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL). Default: the embedded local model.")]
ModelName = Annotated[Optional[str], typer.Option("--model", help="Model name at that endpoint (env STORYBRIEF_MODEL).")]
ApiKey = Annotated[Optional[str], typer.Option("--api-key", help="API key (env OPENAI_API_KEY).", show_default=False)]


def _format_for(out: Path | None, fmt: str | None) -> str:
    """--format if given, else what --out's suffix asks for (as write_brief reads it), else md."""
    from .render import FORMATS, format_for_path

    if fmt:
        if fmt not in FORMATS:
            raise ConfigError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
        return fmt
    if out is not None:
        try:
            return format_for_path(out)
        except ConfigError:
            pass  # a name like brief.txt: Markdown, the default
    return "md"


class _FetchProgress:
    """Shows the one-time model download and assembly; silent once the model is cached."""

    def __init__(self, console: Console):
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                                  TimeRemainingColumn(), console=console, transient=True)
        self._tasks: dict[str, int] = {}

    def __call__(self, what: str, done: int, total: int | None) -> None:
        if not self._tasks:
            self._progress.start()
        if what not in self._tasks:
            self._tasks[what] = self._progress.add_task(what, total=total)
        self._progress.update(self._tasks[what], completed=done, total=total)

    def stop(self) -> None:
        if self._tasks:
            self._progress.stop()


@app.command()
def brief(
    paths: Annotated[list[Path], typer.Argument(help="A story: a folder of articles, article files, or a JSONL of articles.", show_default=False)],
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="md, html or json (default: from --out's suffix, else md).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file (atomically) instead of standard output.")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out-dir", help="Write brief.md, brief.html and brief.json into this folder.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the brief, whatever the sources' languages.")] = "en",
    base_url: BaseUrl = None,
    model: ModelName = None,
    api_key: ApiKey = None,
    context: Annotated[int, typer.Option("--context", help="Model context window in tokens; larger stories are cut to fit.")] = 8192,
) -> None:
    """Write a cited brief of a story."""
    from .llm import Endpoint, connect
    from .prompts import PromptLibrary
    from .render import FORMATS, render, write_brief
    from .sources import build_story
    from .summarise import BriefOptions, make_brief
    from .verify import verify_brief

    if out is not None and out_dir is not None:
        raise ConfigError("give --out or --out-dir, not both")
    output_format = _format_for(out, fmt)
    endpoint = Endpoint.from_options(base_url, model, api_key)
    prompts = PromptLibrary()
    story = build_story(paths)
    for warning in story.warnings:
        err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    fetch_progress = _FetchProgress(err)
    try:
        with connect(endpoint, progress=fetch_progress) as llm:
            fetch_progress.stop()
            with err.status(f"Briefing {len(story.sources)} articles with {endpoint.model}…"):
                result = make_brief(story, llm, prompts, BriefOptions(language=lang, context_tokens=context),
                                    check=verify_brief)
    finally:
        fetch_progress.stop()
    for warning in result.warnings:
        if warning not in story.warnings:
            err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    for issue in result.citation_issues:
        err.print(f"[yellow]citation {issue.action}:[/] {issue.where}: {issue.citation} ({issue.problem})", highlight=False)
    if out_dir is not None:
        for each in FORMATS:
            write_brief(result, out_dir / f"brief.{each}", each)
        err.print(f"wrote {out_dir}/brief.{{md,html,json}}", highlight=False)
    elif out is not None:
        write_brief(result, out, output_format)
        err.print(f"wrote {out}", highlight=False)
    else:
        sys.stdout.write(render(result, output_format))
    if result.verification is not None:
        v = result.verification
        err.print(f"verified: {v.supported} supported, {v.partially_supported} partly supported, "
                  f"{v.unsupported} unsupported, {v.contradicted} contradicted", highlight=False)
    calls = result.calls
    err.print(
        f"{len(calls)} model calls, {sum(c.prompt_tokens for c in calls)} prompt + "
        f"{sum(c.completion_tokens for c in calls)} generated tokens, {sum(c.seconds for c in calls):.1f} s",
        highlight=False,
    )


@app.command()
def render(
    brief_json: Annotated[Path, typer.Argument(help="A brief in storybrief's JSON format.", show_default=False)],
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="md, html or json (default: from --out's suffix, else md).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file (atomically).")] = None,
) -> None:
    """Render a JSON brief again, as Markdown, HTML or JSON, with no model call."""
    from pydantic import ValidationError

    from .errors import InputError
    from .models import Brief
    from .render import render, write_brief

    try:
        result = Brief.model_validate_json(brief_json.read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read {brief_json}: {exc.strerror}") from exc
    except ValidationError as exc:
        raise InputError(f"{brief_json} is not a storybrief JSON brief ({exc.error_count()} schema errors)") from exc
    output_format = _format_for(out, fmt)
    if out is not None:
        write_brief(result, out, output_format)
    else:
        sys.stdout.write(render(result, output_format))


@app.command("fetch-model")
def fetch_model() -> None:
    """Download, verify and cache the embedded model now rather than on first use."""
    from .embedded import ensure_model

    progress = _FetchProgress(err)
    try:
        path = ensure_model(progress=progress)
    finally:
        progress.stop()
    typer.echo(path)


@app.command()
def verify(
    brief_file: Annotated[Path, typer.Argument(help="The brief: storybrief JSON, or plain text / Markdown in the aggregator layout.", show_default=False)],
    sources: Annotated[Optional[list[Path]], typer.Argument(help="Source files in citation order (the first is [1]); for a JSON brief, its story's articles.", show_default=False)] = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", help="N=PATH: the file cited as [N] (repeatable).")] = None,
    story: Annotated[Optional[list[Path]], typer.Option("--story", help="A JSON brief's story: a folder or files (repeatable).")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="text, json or html (default: from --out's suffix, else text).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the report to this file (atomically).")] = None,
    max_unsupported: Annotated[int, typer.Option("--max-unsupported", help="Fail when more claims than this are unsupported or contradicted.")] = 0,
    max_errors: Annotated[int, typer.Option("--max-errors", help="Fail when there are more error findings than this.")] = 0,
    judge: Annotated[bool, typer.Option("--judge", help="Also ask the model (embedded, or --base-url) per claim; slower.")] = False,
    base_url: BaseUrl = None,
    model: ModelName = None,
    api_key: ApiKey = None,
) -> None:
    """Check every claim of a brief against its sources. Exit 0: passed; 1: failed; 2: bad input."""
    from . import verify as verifier
    from .errors import VerificationFailed
    from .files import write_atomic

    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out is not None else ""
        fmt = {"json": "json", "html": "html", "htm": "html", "txt": "text"}.get(suffix, "text")
    if fmt not in verifier.REPORT_FORMATS:
        raise ConfigError(f"unknown format {fmt!r}: choose one of {', '.join(verifier.REPORT_FORMATS)}")
    thresholds = verifier.Thresholds(max_unsupported=max_unsupported, max_errors=max_errors)
    if verifier.looks_like_json_brief(brief_file):
        inp = verifier.load_json_brief(brief_file, list(story or []) + list(sources or []))
    else:
        inp = verifier.load_text_brief(brief_file, verifier.parse_source_options(list(sources or []), list(source or [])))
    for warning in inp.story.warnings:
        err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if judge or base_url:
        from .llm import Endpoint, connect

        endpoint = Endpoint.from_options(base_url, model, api_key)
        with connect(endpoint) as llm:
            with err.status(f"Judging claims with {endpoint.model}…"):
                report = verifier.verify(inp, judge=verifier.Judge(llm, name=endpoint.model), thresholds=thresholds)
    else:
        report = verifier.verify(inp, thresholds=thresholds)
    if out is not None:
        write_atomic(out, verifier.render_report(report, fmt))
        err.print(f"wrote {out}", highlight=False)
    elif fmt == "text":
        verifier.print_report(report, Console())
    else:
        sys.stdout.write(verifier.render_report(report, fmt))
    if not report.summary.passed:
        s = report.summary
        raise VerificationFailed(f"{s.unsupported} unsupported and {s.contradicted} contradicted of {s.sentences} claims; "
                                 f"{sum(1 for f in report.findings if f.severity == 'error')} error findings")


@app.command()
def score(
    in_jsonl: Annotated[Path, typer.Argument(help='Rows {"id", "source", "claim"}; the source a text or a list of sentences.', show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help='Write rows {"id", "score", "label"} here (default: standard output).')] = None,
    judge: Annotated[bool, typer.Option("--judge", help="Also ask the model (embedded, or --base-url) per claim sentence, as verify --judge does; adds scorer_score and judge_score.")] = False,
    base_url: BaseUrl = None,
    model: ModelName = None,
    api_key: ApiKey = None,
) -> None:
    """Score claims against sources: the measured path behind every published verifier figure."""
    import contextlib
    import tempfile

    from .scoring import score_jsonl

    with contextlib.ExitStack() as stack:
        claim_judge = None
        if judge or base_url:
            from .llm import Endpoint, connect
            from .verify import Judge

            endpoint = Endpoint.from_options(base_url, model, api_key)
            claim_judge = Judge(stack.enter_context(connect(endpoint)), name=endpoint.model)
        if out is not None:
            n = score_jsonl(in_jsonl, out, judge=claim_judge)
            err.print(f"scored {n} rows -> {out}", highlight=False)
            return
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "scores.jsonl"
            score_jsonl(in_jsonl, target, judge=claim_judge)
            sys.stdout.write(target.read_text(encoding="utf-8"))


@app.command("eval")
def eval_(
    config: Annotated[Path, typer.Argument(help="An eval config (TOML), e.g. evals/prompts.toml.", show_default=False)],
    baseline: Annotated[Optional[str], typer.Option("--baseline", help="A run id under the runs folder, a run folder, or its results.json: mark what regressed or improved; exit 1 past a threshold.")] = None,
    run_id: Annotated[Optional[str], typer.Option("--run-id", help="Name of the run folder (default: date-time and config name).")] = None,
    meta_eval: Annotated[Optional[bool], typer.Option("--meta-eval/--no-meta-eval", help="Also measure the verifier's scorer on FRANK and WiCE (default: the config's \\[meta_eval]).")] = None,
) -> None:
    """Run prompt variants x providers x story clusters, score each brief with the verifier,
    save the run under evals/runs/ and report. Exit 1 when a metric regresses past its threshold."""
    from .evaluate import EvalRegression, load_config, print_run, resolve_path, run_eval

    loaded = load_config(config)
    run = run_eval(loaded, run_id=run_id, baseline=baseline, meta_eval=meta_eval, console=err)
    print_run(run, Console())
    run_dir = resolve_path(loaded.config.runs_dir, loaded.root) / run.run_id
    err.print(f"wrote {run_dir}/{{manifest,results}}.json and {run_dir}/report.html", highlight=False)
    if run.comparison and run.comparison.failures:
        raise EvalRegression(f"{len(run.comparison.failures)} metrics regressed past their thresholds "
                             f"against {run.comparison.baseline_run}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"storybrief {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each model call.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not verbose:
        # instructor logs every exhausted re-ask as an ERROR; storybrief handles those and
        # says what it dropped in the brief and on stderr, so its log would only be noise.
        logging.getLogger("instructor").setLevel(logging.CRITICAL)


def main(argv: list[str] | None = None) -> int:
    """The one error boundary: every expected failure becomes one line and an exit code."""
    try:
        app(args=argv, prog_name="storybrief", standalone_mode=False)
    except StorybriefError as exc:
        err.print(f"storybrief: error: {exc}", highlight=False, markup=False)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return 2
    except (KeyboardInterrupt, click.exceptions.Abort):
        err.print("storybrief: interrupted", highlight=False)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
