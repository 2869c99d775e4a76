"""Measure the model judge, alone and combined with the no-model scorer, on development data.

    .venv/bin/python evals/measure_judge.py [--frank-articles 20] [--wice-rows 60] [--variant NAME] [--write]

For FRANK validation (cnndm; whole articles grouped so the article prefix stays cached) and
WiCE dev, each claim sentence is judged with prompts/judge.j2 (or a variant's, --variant: a
folder under evals/prompts/) on the embedded model (or --base-url); a summary scores the
minimum over its sentences. Probabilities are cached in evals/meta/judge_rows.jsonl by row and
judge prompt hash, so a re-run only judges rows not yet seen with that prompt. Prints ROC-AUC and
balanced accuracy (5-fold CV grouped by article/claim, threshold chosen on the training
folds) for the scorer alone, the judge alone and their logistic combination, and the judge's
claims/s with the article cached. --write stores the combination fitted on every measured
row in src/storybrief/judge_weights.json. Needs scikit-learn (the calibrate extra).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import GroupKFold

from storybrief.files import write_atomic
from storybrief.llm import Endpoint, connect
from storybrief.prompts import PromptLibrary
from storybrief.scoring import default_scorer
from storybrief.text import sentences

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
CACHE = REPO / "evals" / "meta" / "judge_rows.jsonl"
WEIGHTS = REPO / "src" / "storybrief" / "judge_weights.json"


def _article_view(text: str) -> list[dict]:
    """One article, shown as the judge prompt shows a story's articles."""
    return [{"number": 1, "outlet": "unknown", "published": "unknown", "language": "en", "title": "",
             "passages": [{"label": f"P{i}", "text": s, "dates": ""} for i, s in enumerate(sentences(text), 1)]}]


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def load_rows(frank_articles: int, wice_rows: int) -> list[dict]:
    rows = []
    frank = [json.loads(line) for line in (DATA / "frank_valid.jsonl").open()]
    by_article: dict[str, list[dict]] = {}
    for row in frank:
        if row["dataset"] == "cnndm":
            by_article.setdefault(row["hash"], []).append(row)
    for article_id in sorted(by_article)[:frank_articles]:
        for row in by_article[article_id]:
            rows.append({"key": f"frank:{article_id}:{row['model_name']}", "group": f"frank:{article_id}",
                         "set": "frank-cnndm", "label": int(row["label"]), "source": row["article"],
                         "sentences": row["summary_sentences"]})
    wice = [json.loads(line) for line in (DATA / "wice_dev.jsonl").open()]
    for i, row in enumerate(wice[:wice_rows]):
        rows.append({"key": f"wice:{i}", "group": f"wice:{i}", "set": "wice",
                     "label": int(row["label"] == "supported"), "source": "\n".join(row["evidence"]),
                     "sentences": [row["claim"]]})
    return rows


def judge_rows(rows: list[dict], endpoint: Endpoint, prompts: PromptLibrary) -> None:
    prompt_hash = prompts.content_hash("judge.j2")
    cached = {}
    if CACHE.is_file():
        cached = {(r["key"], r["prompt"]): r for r in map(json.loads, CACHE.open())}
    todo = [r for r in rows if (r["key"], prompt_hash) not in cached]
    scorer = default_scorer()
    cached_seconds: list[float] = []
    judged_sentences = 0
    judge_seconds = 0.0
    if todo:
        with connect(endpoint) as llm:
            for n, row in enumerate(todo, 1):
                articles = _article_view(row["source"])
                probabilities = []
                for sentence in row["sentences"]:
                    prompt = prompts.render("judge.j2", articles=articles, claim=sentence)
                    started = time.perf_counter()
                    probabilities.append(llm.yes_probability(prompt))
                    seconds = time.perf_counter() - started
                    judge_seconds += seconds
                    judged_sentences += 1
                    if (llm.calls[-1].cached_tokens or 0) >= llm.calls[-1].prompt_tokens - 100:
                        cached_seconds.append(seconds)  # the article came from the prompt cache
                cached[(row["key"], prompt_hash)] = {"key": row["key"], "prompt": prompt_hash,
                                                     "judge": min(probabilities), "judge_sentences": probabilities}
                write_atomic(CACHE, "".join(json.dumps(r) + "\n" for r in cached.values()))
                print(f"{n}/{len(todo)} {row['key']} judge={min(probabilities):.3f}", flush=True)
        print(f"judge: {judged_sentences} sentences in {judge_seconds:.0f} s "
              f"({judged_sentences / judge_seconds:.2f} claims/s, first sentence of each article uncached)")
        if cached_seconds:
            print(f"judge with the article cached: {len(cached_seconds)} sentences, "
                  f"{len(cached_seconds) / sum(cached_seconds):.2f} claims/s")
    for row in rows:
        row["judge"] = cached[(row["key"], prompt_hash)]["judge"]
        row["scorer"] = min(scorer.score(s, row["source"]) for s in row["sentences"])


def _cv(features: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities and per-row thresholds chosen on the training folds."""
    scores = np.zeros(len(labels))
    thresholds = np.zeros(len(labels))
    for train, test in GroupKFold(n_splits=5).split(features, labels, groups):
        model = LogisticRegression(C=1.0).fit(features[train], labels[train])
        fitted = model.predict_proba(features[train])[:, 1]
        candidates = np.unique(fitted)
        best = max(candidates, key=lambda t: balanced_accuracy_score(labels[train], fitted >= t))
        scores[test] = model.predict_proba(features[test])[:, 1]
        thresholds[test] = best
    return scores, thresholds


def report(rows: list[dict]) -> dict:
    labels = np.array([r["label"] for r in rows])
    groups = np.array([r["group"] for r in rows])
    sets = np.array([r["set"] for r in rows])
    signals = {
        "scorer (no model)": np.array([[_logit(r["scorer"])] for r in rows]),
        "judge (embedded model)": np.array([[_logit(r["judge"])] for r in rows]),
        "combined": np.array([[_logit(r["scorer"]), _logit(r["judge"])] for r in rows]),
    }
    table = {}
    print("| signal | set | rows | ROC-AUC | balanced accuracy |")
    print("|---|---|---|---|---|")
    for name, features in signals.items():
        scores, thresholds = _cv(features, labels, groups)
        for data_set in sorted(set(sets)):
            mask = sets == data_set
            auc = roc_auc_score(labels[mask], scores[mask])
            ba = balanced_accuracy_score(labels[mask], scores[mask] >= thresholds[mask])
            table[(name, data_set)] = (auc, ba)
            print(f"| {name} | {data_set} | {int(mask.sum())} | {auc:.3f} | {ba:.3f} |")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frank-articles", type=int, default=20)
    parser.add_argument("--wice-rows", type=int, default=60)
    parser.add_argument("--base-url")
    parser.add_argument("--model")
    parser.add_argument("--variant", help="a prompt variant folder under evals/prompts/ (default: prompts/)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    prompts = PromptLibrary(overlay=REPO / "evals" / "prompts" / args.variant if args.variant else None)
    rows = load_rows(args.frank_articles, args.wice_rows)
    judge_rows(rows, Endpoint.from_options(args.base_url, args.model), prompts)
    report(rows)
    if args.write:
        labels = np.array([r["label"] for r in rows])
        features = np.array([[_logit(r["scorer"]), _logit(r["judge"])] for r in rows])
        model = LogisticRegression(C=1.0).fit(features, labels)
        fitted = model.predict_proba(features)[:, 1]
        threshold = float(max(np.unique(fitted), key=lambda t: balanced_accuracy_score(labels, fitted >= t)))
        weights = {
            "version": 2,
            "combination": "sigmoid(intercept + w_scorer * logit(scorer score) + w_judge * logit(judge yes-probability))",
            "intercept": float(model.intercept_[0]),
            "w_scorer": float(model.coef_[0][0]),
            "w_judge": float(model.coef_[0][1]),
            "threshold": threshold,
            "judge_prompt": prompts.content_hash("judge.j2"),
            "obtained": (f"Logistic regression fitted by evals/measure_judge.py on {len(rows)} development rows "
                         f"(FRANK valid cnndm, first {args.frank_articles} articles by hash, all their summaries; "
                         f"WiCE dev first {args.wice_rows} rows), judge = embedded model yes-probability, min over "
                         "summary sentences; threshold maximises balanced accuracy on those rows. Small sample: "
                         "see the README for its cross-validated figures."),
        }
        write_atomic(WEIGHTS, json.dumps(weights, indent=2) + "\n")
        print(f"wrote {WEIGHTS}")


if __name__ == "__main__":
    main()
