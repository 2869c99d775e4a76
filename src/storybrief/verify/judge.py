"""The model judge: per claim, the probability that the cited articles support it, and how
that probability combines with the lexical scorer's (``judge_weights.json``)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol, Sequence

from storybrief.errors import InputError
from storybrief.verify.inputs import SourceDoc

__all__ = ["YesNoModel", "JudgeCombiner", "Judge", "JUDGE_WEIGHTS_FILE"]

JUDGE_WEIGHTS_FILE = "judge_weights.json"


class YesNoModel(Protocol):
    """What the verifier needs from a model: llm.LLM has it."""

    def yes_probability(self, prompt) -> float: ...


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@dataclass
class JudgeCombiner:
    """sigmoid(intercept + w_scorer * logit(scorer) + w_judge * logit(judge))."""

    intercept: float = 0.0
    w_scorer: float = 1.0
    w_judge: float = 1.0
    threshold: float = 0.5
    note: str = ""

    @classmethod
    def load(cls, path: Path | None = None) -> JudgeCombiner:
        path = path or Path(str(resources.files("storybrief").joinpath(JUDGE_WEIGHTS_FILE)))
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read judge weights {path}: {exc}") from exc
        return cls(float(data["intercept"]), float(data["w_scorer"]), float(data["w_judge"]),
                   float(data["threshold"]), str(data.get("obtained", "")))

    def combine(self, scorer: float, judge: float) -> float:
        z = self.intercept + self.w_scorer * _logit(scorer) + self.w_judge * _logit(judge)
        return 1.0 / (1.0 + math.exp(-z))


class Judge:
    """Asks a model, per claim, whether the cited articles support it (prompts/judge.j2).

    The articles and the question come first, rendered identically for every claim citing
    the same sources, the statement last, and claims are judged grouped by their cited
    sources, so a llama.cpp server reuses the cached prefix and only the statement's own
    tokens are new work (about 1 claim/s on the embedded model, 2 cores).
    """

    def __init__(self, model: YesNoModel, prompts=None, combiner: JudgeCombiner | None = None, name: str = "judge"):
        from storybrief.prompts import PromptLibrary

        self.model = model
        self.prompts = prompts or PromptLibrary()
        self.combiner = combiner or JudgeCombiner.load()
        self.name = name

    def articles(self, docs: Sequence[SourceDoc]) -> list[dict]:
        out = []
        for doc in docs:
            src = doc.source
            out.append({
                "number": doc.number,
                "outlet": src.outlet or "unknown",
                "published": src.published.isoformat() if src.published else "unknown",
                "language": src.language,
                "title": src.title or "",
                "passages": [{"label": f"{doc.number}.{p.index + 1}", "text": p.text, "dates": ""} for p in doc.passages],
            })
        return out

    def probability(self, claim: str, docs: Sequence[SourceDoc]) -> float:
        prompt = self.prompts.render("judge.j2", articles=self.articles(docs), claim=claim)
        return float(self.model.yes_probability(prompt))

    def source_probability(self, claim: str, source: Sequence[str]) -> float:
        """The judge on one unnamed source given as sentences (what ``storybrief score`` has)."""
        article = {"number": 1, "outlet": "unknown", "published": "unknown", "language": "und", "title": "",
                   "passages": [{"label": f"1.{i}", "text": text, "dates": ""} for i, text in enumerate(source, 1)]}
        prompt = self.prompts.render("judge.j2", articles=[article], claim=claim)
        return float(self.model.yes_probability(prompt))

    @property
    def threshold(self) -> float:
        return self.combiner.threshold

    def combine(self, scorer: float, judge: float) -> float:
        return self.combiner.combine(scorer, judge)
