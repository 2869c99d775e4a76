"""The command line: a thin shell over the library, with one error boundary."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from . import __version__
from .errors import ConfigError, StorybriefError, redact

# Soft wrap: an error or warning stays one line in logs, whatever the terminal width.
err = Console(stderr=True, soft_wrap=True)

PathArg = click.Path(path_type=Path)


def endpoint_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--base-url, --model, --api-key and --timeout, shared by every command that may call a model."""
    for option in reversed([
        click.option("--base-url", default=None, help="OpenAI-compatible endpoint (env OPENAI_BASE_URL). Default: the embedded local model."),
        click.option("--model", default=None, help="Model name at that endpoint (env STORYBRIEF_MODEL)."),
        click.option("--api-key", default=None, help="API key (env OPENAI_API_KEY).", show_default=False),
        click.option("--timeout", type=click.FloatRange(min=1.0), default=None,
                     help="Seconds to wait for one model answer (default: 600 embedded, 180 other endpoints)."),
    ]):
        command = option(command)
    return command


def _redact_record(record: logging.LogRecord) -> bool:
    """Every log line, a library's included (httpx logs request URLs, user:password and all),
    with credentials redacted."""
    record.msg, record.args = redact(record.getMessage()), None
    return True


@click.group(name="storybrief", no_args_is_help=False, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--verbose", "-v", is_flag=True, help="Log each model call.")
@click.version_option(__version__, "--version", prog_name="storybrief", message="%(prog)s %(version)s")
def app(verbose: bool) -> None:
    """Cited, verified briefs of multi-article news stories."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_redact_record)
    if not verbose:
        # instructor logs every exhausted re-ask as an ERROR; storybrief handles those and
        # says what it dropped in the brief and on stderr, so its log would only be noise.
        logging.getLogger("instructor").setLevel(logging.CRITICAL)


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
        self._tasks: dict[str, TaskID] = {}

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
@click.argument("paths", nargs=-1, required=True, type=PathArg)
@click.option("--format", "-f", "fmt", default=None, help="md, html or json (default: from --out's suffix, else md).")
@click.option("--out", "-o", type=PathArg, default=None, help="Write to this file (atomically) instead of standard output.")
@click.option("--out-dir", type=PathArg, default=None, help="Write brief.md, brief.html and brief.json into this folder.")
@click.option("--lang", default="en", show_default=True, help="Language of the brief, whatever the sources' languages.")
@endpoint_options
@click.option("--context", type=int, default=8192, show_default=True, help="Model context window in tokens; larger stories are cut to fit.")
@click.option("--topic", default=None, help="What the story is about (e.g. 'Yemen uprising'); articles not about it are set aside. Default: what most articles share.")
def brief(
    paths: tuple[Path, ...],
    fmt: str | None,
    out: Path | None,
    out_dir: Path | None,
    lang: str,
    base_url: str | None,
    model: str | None,
    api_key: str | None,
    timeout: float | None,
    context: int,
    topic: str | None,
) -> None:
    """Write a cited brief of a story: a folder of articles, article files, or a JSONL of articles."""
    from .files import check_output_dir, check_output_file, write_set
    from .llm import Endpoint, connect
    from .prompts import PromptLibrary
    from .render import FORMATS, render, write_brief
    from .sources import build_story
    from .summarise import BriefOptions, make_brief
    from .verify import verify_brief

    if out is not None and out_dir is not None:
        raise ConfigError("give --out or --out-dir, not both")
    output_format = _format_for(out, fmt)
    # Every output problem is found before the model runs for minutes.
    if out is not None:
        check_output_file(out)
    if out_dir is not None:
        check_output_dir(out_dir, tuple(f"brief.{each}" for each in FORMATS))
    options = BriefOptions(language=lang, context_tokens=context)
    endpoint = Endpoint.from_options(base_url, model, api_key, timeout)
    prompts = PromptLibrary()
    with err.status("Reading the articles…"):  # a 50 MB JSONL takes a while; a terminal sees it
        story = build_story(list(paths), topic=topic)
    for warning in story.warnings:
        err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    fetch_progress = _FetchProgress(err)
    try:
        with connect(endpoint, progress=fetch_progress) as llm:
            fetch_progress.stop()
            with err.status(f"Briefing {len(story.sources)} articles with {endpoint.model}…"):
                result = make_brief(story, llm, prompts, options, check=verify_brief)
    finally:
        fetch_progress.stop()
    for warning in result.warnings:
        if warning not in story.warnings:
            err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    for issue in result.citation_issues:
        err.print(f"[yellow]citation {issue.action}:[/] {issue.where}: {issue.citation} ({issue.problem})", highlight=False)
    if out_dir is not None:
        write_set(out_dir, {f"brief.{each}": render(result, each) for each in FORMATS})
        err.print(f"wrote {out_dir}/brief.{{md,html,json}}", highlight=False)
    elif out is not None:
        write_brief(result, out, output_format)
        err.print(f"wrote {out}", highlight=False)
    else:
        sys.stdout.write(render(result, output_format))
    if result.verification is not None:
        v = result.verification
        err.print(f"verified: {v.supported} of {v.sentences} lines supported, {v.translated} translated (checked by "
                  f"the gate only), {v.partially_supported} partly supported, {v.unsupported} unsupported, "
                  f"{v.contradicted} contradicted", highlight=False)
    calls = result.calls
    err.print(
        f"{len(calls)} model calls, {sum(c.prompt_tokens for c in calls)} prompt + "
        f"{sum(c.completion_tokens for c in calls)} generated tokens, {sum(c.seconds for c in calls):.1f} s",
        highlight=False,
    )


@app.command()
@click.argument("brief_json", type=PathArg)
@click.option("--format", "-f", "fmt", default=None, help="md, html or json (default: from --out's suffix, else md).")
@click.option("--out", "-o", type=PathArg, default=None, help="Write to this file (atomically).")
def render(brief_json: Path, fmt: str | None, out: Path | None) -> None:
    """Render a JSON brief (BRIEF_JSON) again, as Markdown, HTML or JSON, with no model call."""
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
    click.echo(path)


@app.command()
@click.argument("brief_file", type=PathArg)
@click.argument("sources", nargs=-1, type=PathArg)
@click.option("--source", multiple=True, help="N=PATH: the file cited as [N] (repeatable).")
@click.option("--story", multiple=True, type=PathArg, help="A JSON brief's story: a folder or files (repeatable).")
@click.option("--format", "-f", "fmt", default=None, help="text, json or html (default: from --out's suffix, else text).")
@click.option("--out", "-o", type=PathArg, default=None, help="Write the report to this file (atomically).")
@click.option("--max-unsupported", type=int, default=0, show_default=True, help="Fail when more claims than this are unsupported or contradicted.")
@click.option("--max-errors", type=int, default=0, show_default=True, help="Fail when there are more error findings than this.")
@click.option("--judge", is_flag=True, help="Also ask the model (embedded, or --base-url) per claim; slower.")
@endpoint_options
def verify(
    brief_file: Path,
    sources: tuple[Path, ...],
    source: tuple[str, ...],
    story: tuple[Path, ...],
    fmt: str | None,
    out: Path | None,
    max_unsupported: int,
    max_errors: int,
    judge: bool,
    base_url: str | None,
    model: str | None,
    api_key: str | None,
    timeout: float | None,
) -> None:
    """Check every claim of a brief (BRIEF_FILE: storybrief JSON, or plain text / Markdown in the
    aggregator layout) against its SOURCES, given in citation order (the first is [1]; for a JSON
    brief, its story's articles). Exit 0: passed; 1: failed; 2: bad input."""
    from . import verify as verifier
    from .errors import VerificationFailed
    from .files import check_output_file, write_atomic

    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out is not None else ""
        fmt = {"json": "json", "html": "html", "htm": "html", "txt": "text"}.get(suffix, "text")
    if fmt not in verifier.REPORT_FORMATS:
        raise ConfigError(f"unknown format {fmt!r}: choose one of {', '.join(verifier.REPORT_FORMATS)}")
    if out is not None:
        check_output_file(out)
    thresholds = verifier.Thresholds(max_unsupported=max_unsupported, max_errors=max_errors)
    if verifier.looks_like_json_brief(brief_file):
        inp = verifier.load_json_brief(brief_file, list(story or []) + list(sources or []))
    else:
        inp = verifier.load_text_brief(brief_file, verifier.parse_source_options(list(sources or []), list(source or [])))
    for warning in inp.story.warnings:
        err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if judge or base_url:
        from .llm import Endpoint, connect

        endpoint = Endpoint.from_options(base_url, model, api_key, timeout)
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
@click.argument("in_jsonl", type=PathArg)
@click.option("--out", "-o", type=PathArg, default=None, help='Write rows {"id", "score", "label"} here (default: standard output).')
@click.option("--judge", is_flag=True, help="Also ask the model (embedded, or --base-url) per claim sentence, as verify --judge does; adds scorer_score and judge_score.")
@endpoint_options
def score(in_jsonl: Path, out: Path | None, judge: bool, base_url: str | None, model: str | None,
          api_key: str | None, timeout: float | None) -> None:
    """Score claims (IN_JSONL: rows {"id", "source", "claim"}, the source a text or a list of
    sentences) against sources: the measured path behind every published verifier figure."""
    import contextlib
    import tempfile

    from .scoring import score_jsonl

    with contextlib.ExitStack() as stack:
        claim_judge = None
        if judge or base_url:
            from .llm import Endpoint, connect
            from .verify import Judge

            endpoint = Endpoint.from_options(base_url, model, api_key, timeout)
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
@click.argument("config", type=PathArg)
@click.option("--baseline", default=None, help="A run id under the runs folder, a run folder, or its results.json: mark what regressed or improved; exit 1 past a threshold.")
@click.option("--run-id", default=None, help="Name of the run folder (default: date-time and config name).")
@click.option("--meta-eval/--no-meta-eval", default=None, help="Also measure the verifier's scorer on FRANK and WiCE (default: the config's [meta_eval]).")
def eval_(config: Path, baseline: str | None, run_id: str | None, meta_eval: bool | None) -> None:
    """Run prompt variants x providers x story clusters (CONFIG: an eval TOML, e.g. evals/prompts.toml),
    score each brief with the verifier, save the run under evals/runs/ and report. Exit 1 when a
    metric regresses past its threshold."""
    from .evaluate import EvalRegression, load_config, print_run, resolve_path, run_eval

    loaded = load_config(config)
    run = run_eval(loaded, run_id=run_id, baseline=baseline, meta_eval=meta_eval, console=err)
    print_run(run, Console())
    run_dir = resolve_path(loaded.config.runs_dir, loaded.root) / run.run_id
    err.print(f"wrote {run_dir}/{{manifest,results}}.json and {run_dir}/report.html", highlight=False)
    failed = [c for c in run.cases if c.error]
    if failed and len(failed) == len(run.cases):
        raise EvalRegression(f"all {len(failed)} cases failed, so nothing was measured; first: {failed[0].error}")
    if run.comparison and run.comparison.failures:
        raise EvalRegression(f"{len(run.comparison.failures)} metrics regressed past their thresholds "
                             f"against {run.comparison.baseline_run}")


@app.command()
@click.argument("input_path", metavar="INPUT", type=PathArg)
@click.argument("out_dir", metavar="OUT_DIR", type=PathArg)
@click.option("--concurrency", "-j", type=click.IntRange(min=1), default=None, help="Stories briefed at once (default: the embedded server's slots, 1; else 4).")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True, help="local: threads in this process; ray: a Ray task per story (RAY_ADDRESS joins a cluster).")
@click.option("--batch-out", type=PathArg, default=None, help="Write the model requests as OpenAI Batch API JSONL instead of sending them.")
@click.option("--batch-in", type=PathArg, multiple=True, help="Batch API output JSONL whose answers to use (repeatable).")
@click.option("--batch", "batch_submit", is_flag=True, help="Submit the requests to the endpoint's Batch API and poll until done.")
@click.option("--lang", default="en", show_default=True, help="Language of the briefs.")
@endpoint_options
@click.option("--context", type=int, default=8192, show_default=True, help="Model context window in tokens.")
@click.option("--prompts", type=PathArg, default=None, help="A folder of prompt templates to use instead of the shipped ones.")
def digest(input_path: Path, out_dir: Path, concurrency: int | None, engine: Literal["local", "ray"], batch_out: Path | None,
           batch_in: tuple[Path, ...], batch_submit: bool, lang: str, base_url: str | None, model: str | None,
           api_key: str | None, timeout: float | None, context: int, prompts: Path | None) -> None:
    """Brief every new or changed story of INPUT (a folder of story folders, or a JSONL of articles
    with a 'story' field) into OUT_DIR; skip unchanged ones. Exit 0: all done; 5: some stories
    failed (listed in run.json, retried next run); 75: another run holds OUT_DIR."""
    from .digest import DigestOptions, DigestSettings, run_digest
    from .errors import StoriesFailed
    from .llm import Endpoint

    settings = DigestSettings(out_dir=out_dir, endpoint=Endpoint.from_options(base_url, model, api_key, timeout),
                              language=lang, context_tokens=context, prompts_dir=prompts)
    options = DigestOptions(concurrency=concurrency, engine="ray" if engine == "ray" else "local", batch_out=batch_out, batch_in=list(batch_in),
                            batch_submit=batch_submit)
    run = run_digest(input_path, settings, options, console=err)
    summary = (f"{len(run.done)} briefed, {len(run.skipped)} unchanged, {len(run.failed)} failed"
               + (f", {len(run.pending)} waiting for batch results" if run.pending else "")
               + f"; {run.prompt_tokens} prompt + {run.completion_tokens} generated tokens"
               + (f", cost {run.cost:g}" if run.cost is not None else "") + f", {run.seconds:.1f} s")
    err.print(f"digest: {summary}; wrote {out_dir}/index.html and run.json", highlight=False)
    if run.failed:
        raise StoriesFailed(f"{len(run.failed)} of {len(run.stories)} stories failed: {', '.join(run.failed[:5])}"
                            + (" …" if len(run.failed) > 5 else "") + f" (see {out_dir}/run.json)")


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised in the main thread so that cleanup (temporary files, the
    embedded server) runs as it does for Ctrl-C."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, _frame: object) -> None:
    raise Terminated(signum)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> int:
    """The one error boundary: every expected failure becomes one line and an exit code."""
    handled = (signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.getsignal(signum) for signum in handled}
    for signum in handled:
        signal.signal(signum, _terminate)
    try:
        code = app.main(args=argv, prog_name="storybrief", standalone_mode=False)
        return code if isinstance(code, int) else 0
    except StorybriefError as exc:
        err.print(f"storybrief: error: {_one_line(redact(str(exc)))}", highlight=False, markup=False)
        return exc.exit_code
    except click.UsageError as exc:
        hint = f" (try '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        err.print(f"storybrief: error: {_one_line(exc.format_message())}{hint}", highlight=False, markup=False)
        return 2
    except click.ClickException as exc:
        err.print(f"storybrief: error: {_one_line(exc.format_message())}", highlight=False, markup=False)
        return exc.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        err.print("storybrief: interrupted", highlight=False)
        return 130
    except Terminated as exc:
        err.print(f"storybrief: stopped by {signal.Signals(exc.signum).name}", highlight=False)
        return 128 + exc.signum
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
