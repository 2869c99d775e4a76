"""Brief the seed story on the embedded model and print where the time goes.

    .venv/bin/python benchmarks/brief.py [--story examples/bonne-moscow/articles] [--out-dir DIR]

Prints wall time, model calls, prompt and generated tokens, tokens/s, peak RSS (the server
runs in this process, so it is included), and the time of raw completions of the very same
prompts and schemas on a fresh server of the same build, with the ratio between the two.
Each side gets its own fresh server so neither profits from the other's prompt cache.
Targets (issue: cited briefs): at most 2 calls when the check passes first time, and
storybrief's wall time at most 1.2x the raw model time of the calls it makes.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import openai

from storybrief.embedded import EmbeddedServer, ensure_model
from storybrief.llm import LLM, Endpoint
from storybrief.prompts import PromptLibrary
from storybrief.render import write_brief
from storybrief.sources import build_story
from storybrief.summarise import BriefOptions, _constrained, _prompt_view, make_brief, select_passages

REPO = Path(__file__).resolve().parent.parent


def raw_model_seconds(model_path: Path, story, options: BriefOptions) -> tuple[float, list[float]]:
    """The same two requests storybrief sends first, straight to a fresh server."""
    view = _prompt_view(story, select_passages(story, options.passage_budget))
    brief_model, timeline_model = _constrained(list(view.label_to_passage))
    prompts = PromptLibrary()
    variables = {"articles": view.articles, "language_name": "English"}
    requests = [
        (prompts.render("brief.j2", **variables), brief_model, options.brief_max_tokens),
        (prompts.render("timeline.j2", **variables), timeline_model, options.timeline_max_tokens),
    ]
    each = []
    with EmbeddedServer(model_path) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="raw", max_retries=0, timeout=900)
        for prompt, schema, max_tokens in requests:
            started = time.perf_counter()
            client.chat.completions.create(
                model="raw", messages=prompt.messages, max_tokens=max_tokens, temperature=0, seed=7,
                response_format={"type": "json_schema",
                                 "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema()}},
                extra_body={"cache_prompt": True},
            )
            each.append(time.perf_counter() - started)
    return sum(each), each


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--story", type=Path, default=REPO / "examples" / "bonne-moscow" / "articles")
    parser.add_argument("--out-dir", type=Path, help="also write brief.md/.html/.json here")
    args = parser.parse_args()

    options = BriefOptions()
    started = time.perf_counter()
    model_path = ensure_model()
    fetch_seconds = time.perf_counter() - started

    with EmbeddedServer(model_path) as server:
        llm = LLM(Endpoint(), server.base_url)
        started = time.perf_counter()
        story = build_story([args.story])
        ingest_seconds = time.perf_counter() - started
        brief = make_brief(story, llm, PromptLibrary(), options)
        if args.out_dir:
            for fmt in ("md", "html", "json"):
                write_brief(brief, args.out_dir / f"brief.{fmt}", fmt)
        storybrief_seconds = time.perf_counter() - started

    raw_total, raw_each = raw_model_seconds(model_path, story, options)
    calls = brief.calls
    prompt_tokens = sum(c.prompt_tokens for c in calls)
    generated = sum(c.completion_tokens for c in calls)
    model_seconds = sum(c.seconds for c in calls)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"story                 {args.story} ({len(story.sources)} sources, {len(story.passages)} passages)")
    print(f"model ready           {fetch_seconds:.1f} s (cached model file check)")
    print(f"ingest                {ingest_seconds:.2f} s")
    print(f"storybrief wall       {storybrief_seconds:.1f} s (ingest to rendered brief, server already up)")
    print(f"model calls           {len(calls)} ({', '.join(f'{c.prompt_name}: {c.seconds:.1f} s, {c.attempts} attempt(s)' for c in calls)})")
    print(f"prompt tokens         {prompt_tokens} ({sum(c.cached_tokens or 0 for c in calls)} served from the prompt cache)")
    print(f"generated tokens      {generated}")
    print(f"generated tokens/s    {generated / model_seconds:.1f} (over model time)")
    print(f"peak RSS              {peak_rss_mb:.0f} MB (storybrief and the in-process server)")
    print(f"raw completions       {raw_total:.1f} s ({', '.join(f'{s:.1f} s' for s in raw_each)})")
    print(f"overhead ratio        {storybrief_seconds / raw_total:.2f}x storybrief wall / raw model time (target <= 1.2)")
    print(f"citation issues       {len(brief.citation_issues)}; warnings {len(brief.warnings)}")


if __name__ == "__main__":
    main()
