"""Time the stages of `storybrief brief` around the model on a large cluster, with no model.

    .venv/bin/python benchmarks/large_cluster_stages.py [--articles 1000] [--source libya]

The cluster is `large_clusters.generate_cluster`'s (or the shared Libya 2011 cluster with
`--source libya`). A stand-in answers the model's three kinds of request so that the stages
before and after them run as in a brief: it chooses passages spread over the prompt and its
first five events, and words each line as its passage less the first word (so the gate and
the verifier have a line that is not a verbatim copy to check). Its answers say nothing of
the model's speed or quality; `large_clusters.py` measures the brief with the model.

Prints seconds per stage (each stage's calls added up), how many distinct texts were sent to
be counted in tokens (each one a /tokenize request to a real server), and the total.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
import typing
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from large_clusters import LIBYA, generate_cluster

from storybrief import passages, sources, summarise
from storybrief.models import CallRecord
from storybrief.prompts import PromptLibrary, RenderedPrompt
from storybrief.verify import verify_brief

SECONDS: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def timed(stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SECONDS[stage] += time.perf_counter() - started
            CALLS[stage] += 1
    return run


class StandIn:
    """Answers as the LLM class does, without a model (see the module's docstring)."""

    def __init__(self) -> None:
        self.calls: list[CallRecord] = []
        self.counted: set[str] = set()  # the LLM class asks the server once per distinct text

    def count_tokens(self, text: str) -> int | None:
        self.counted.add(text)
        return None  # as an endpoint without a tokenizer: the window fit estimates

    def structured(self, prompt: RenderedPrompt, model: Any, *, max_tokens: int = 0, context: Any = None) -> Any:
        self.calls.append(CallRecord(prompt_name=prompt.name, prompt_hash=prompt.hash, model="stand-in", seconds=0))
        if issubclass(model, summarise.BriefPick):
            labels = list(typing.get_args(model.model_fields["main"].annotation))
            listed = typing.get_args(model.model_fields["events"].annotation)  # (Literal[...],), or (str,)
            events = [e for e in typing.get_args(listed[0])] if listed else []
            third = len(labels) // 3
            return model.model_validate({"main": labels[0], "events": events[:5], "sections": [
                {"aspect": "what happened", "passages": [labels[1], labels[third]]},
                {"aspect": "what was said", "passages": [labels[2 * third], labels[-2]]},
                {"aspect": "background", "passages": [labels[-1]]}]})
        items = re.findall(r"^Item \d+[^\n]*:\n(.*)$", prompt.messages[-1]["content"], re.M)
        wanted = model.model_fields["lines"].metadata[0].min_length
        return model.model_validate({"lines": [
            {"item": n, "text": " ".join(text.split()[1:])[:300]} for n, text in enumerate(items[:wanted], 1)]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--source", choices=("generated", "libya"), default="generated")
    args = parser.parse_args()
    if args.source == "libya":
        path = LIBYA
    else:
        path = Path(tempfile.mkdtemp(prefix="storybrief-stages-")) / f"generated-{args.articles}.jsonl"
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n"
                                for row in generate_cluster(args.articles)), encoding="utf-8")
    for module, name, stage in [
        (sources, "read_articles", "read and clean"), (sources, "dedupe", "near-duplicates"),
        (passages, "split_passages", "passages and dates"), (passages, "find_subject", "subject"),
        (passages, "set_aside_off_topic", "off-topic"), (summarise, "event_candidates", "event candidates"),
        (summarise, "select_passages", "window fit"), (summarise, "_gate", "gate"),
    ]:
        setattr(module, name, timed(stage, getattr(module, name)))
    check = timed("verifier", verify_brief)
    stand_in = StandIn()
    started = time.perf_counter()
    story = timed("story (all of the above stages)", sources.build_story)([path])
    brief = timed("brief (all of the below stages)", summarise.make_brief)(
        story, stand_in, PromptLibrary(), summarise.BriefOptions(), check=check)
    total = time.perf_counter() - started
    print(f"{path.name}: {len(story.sources)} articles, {len(story.passages)} passages, "
          f"{len(brief.sections)} sections, {len(brief.timeline)} timeline entries")
    for stage, seconds in SECONDS.items():
        print(f"  {stage}: {seconds:.2f} s ({CALLS[stage]} call{'s' if CALLS[stage] > 1 else ''})")
    print(f"  texts counted in tokens (/tokenize requests): {len(stand_in.counted)}; stand-in answers: "
          f"{', '.join(c.prompt_name for c in stand_in.calls)}")
    print(f"total without the model: {total:.1f} s")


if __name__ == "__main__":
    main()
