"""Brief the seed story on the embedded model and print where the time goes.

    .venv/bin/python benchmarks/brief.py [--story examples/bonne-moscow/articles] [--out-dir DIR]

Prints wall time, model calls, prompt and generated tokens, tokens/s, peak RSS (the server
runs in this process, so it is included), and the time of raw completions of the very same
requests (captured as sent, re-asks included) on a fresh server of the same build, with the
ratio between the two.
Each side gets its own fresh server so neither profits from the other's prompt cache.
Targets: at most 2 model calls for a clean brief (a third only re-asks failing lines), the
seed brief in at most 150 s on two cores, and storybrief's wall time at most 1.2x the raw
model time of the calls it makes. The machine is shared: rerun when other model jobs ran.
"""

from __future__ import annotations

import argparse
import resource
import time
import urllib.request
from pathlib import Path

from storybrief.embedded import EmbeddedServer, ensure_model
from storybrief.llm import LLM, Endpoint
from storybrief.prompts import PromptLibrary
from storybrief.render import write_brief
from storybrief.sources import build_story
from storybrief.summarise import BriefOptions, make_brief
from storybrief.verify import verify_brief

REPO = Path(__file__).resolve().parent.parent


def raw_model_seconds(model_path: Path, requests: list[bytes]) -> list[float]:
    """The very requests storybrief sent, re-asks included, straight to a fresh server."""
    each = []
    with EmbeddedServer(model_path) as server:
        for body in requests:
            request = urllib.request.Request(server.base_url + "/chat/completions", data=body,
                                             headers={"content-type": "application/json"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=1800) as response:
                response.read()
            each.append(time.perf_counter() - started)
    return each


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
        sent: list[bytes] = []
        # Only the completions are replayed: the same client also asks the server's /tokenize.
        llm._client._client.event_hooks["request"].append(
            lambda request: sent.append(request.read()) if request.url.path.endswith("/chat/completions") else None)
        started = time.perf_counter()
        story = build_story([args.story])
        ingest_seconds = time.perf_counter() - started
        brief = make_brief(story, llm, PromptLibrary(), options, check=verify_brief)
        if args.out_dir:
            for fmt in ("md", "html", "json"):
                write_brief(brief, args.out_dir / f"brief.{fmt}", fmt)
        storybrief_seconds = time.perf_counter() - started

    raw_each = raw_model_seconds(model_path, sent)
    raw_total = sum(raw_each)
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
    print(f"raw completions       {raw_total:.1f} s for the same {len(sent)} requests ({', '.join(f'{s:.1f} s' for s in raw_each)})")
    print(f"overhead ratio        {storybrief_seconds / raw_total:.2f}x storybrief wall / raw model time (target <= 1.2)")
    print(f"citation issues       {len(brief.citation_issues)}; warnings {len(brief.warnings)}")
    v = brief.verification
    if v is not None:
        print(f"verification          {v.supported} of {v.sentences} lines supported, {v.translated} translated, "
              f"passed: {v.passed}")
    reasked = sum(c.prompt_name == "repair" for c in calls)
    print(f"targets               wall {storybrief_seconds:.0f} s (<= 150), {len(calls)} calls "
          f"(<= 2 for a clean brief, then one a re-asked line: {reasked} re-asked)")


if __name__ == "__main__":
    main()
