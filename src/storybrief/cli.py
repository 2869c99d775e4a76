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
err = Console(stderr=True)

FORMATS = ("md", "html", "json")

BaseUrl = Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL). Default: the embedded local model.")]
ModelName = Annotated[Optional[str], typer.Option("--model", help="Model name at that endpoint (env STORYBRIEF_MODEL).")]
ApiKey = Annotated[Optional[str], typer.Option("--api-key", help="API key (env OPENAI_API_KEY).", show_default=False)]


def _format_for(out: Path | None, fmt: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise ConfigError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
        return fmt
    if out is not None and out.suffix.lstrip(".") in FORMATS:
        return out.suffix.lstrip(".")
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
    from .render import render, write_brief
    from .sources import build_story
    from .summarise import BriefOptions, make_brief

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
                result = make_brief(story, llm, prompts, BriefOptions(language=lang, context_tokens=context))
    finally:
        fetch_progress.stop()
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
