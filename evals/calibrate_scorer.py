"""Fit the model-free support scorer on human-labelled development data.

    .venv/bin/python evals/calibrate_scorer.py [--data /work/shared/data] [--write]

Data: FRANK validation (CNN/DM and BBC summaries of news articles, labelled per summary) and
WiCE dev (Wikipedia claims against cited-page sentences, supported / partially / not).

Training units are claim *sentences*, because the scorer judges one sentence at a time and a
multi-sentence claim takes the minimum. FRANK gives no per-sentence labels, only the summary
label and `Factuality`, the share of its sentences found error-free. A sentence's label is
known exactly only when Factuality is 1 (every sentence fine) or 0 (every sentence wrong);
mixed summaries are left out of training (we cannot tell which sentence is wrong) but are
scored in evaluation like every other summary. WiCE claims are binarised: supported vs
{partially, not}; a multi-sentence WiCE claim that is not supported is likewise left out of
training.

Evaluation is 5-fold cross-validation grouped by article (FRANK `hash`) and by claim (WiCE
`meta.id`), so no article or claim is in both the fitting and the scoring fold. The decision
threshold is chosen on the training folds to maximise the mean balanced accuracy over FRANK
cnndm and WiCE (THRESHOLD_SETS), then applied to the held-out fold; BBC is reported.

Writes src/storybrief/scorer_weights.json (with --write) and evals/meta/scorer_report.md.
The figures are of the path `storybrief score` runs: summaries are split with the same
splitter, and the threshold is applied to the same aggregation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storybrief import scoring  # noqa: E402
from storybrief.scoring import FEATURE_NAMES, aggregate, prepare_evidence  # noqa: E402
from storybrief.text import sentences  # noqa: E402

EVALSETS = ("cnndm", "bbc", "wice")
# The threshold maximises the mean balanced accuracy over these (the sets with published targets:
# FRANK CNN/DM and WiCE); BBC, one abstractive sentence per summary and 9% supported, pulls the
# shared threshold far from both.
THRESHOLD_SETS = tuple(__import__("os").environ.get("STORYBRIEF_THRESHOLD_SETS", "cnndm,wice").split(","))
BENCH = """
WiCE dev      500 claims (491 distinct sources, each prepared once) in   1.51 s =   330.2 claims/s
FRANK valid   200 claims (40 distinct sources, each prepared once) in   0.46 s =   438.1 claims/s
brief-sized input: 20 claims vs 4 articles (75 evidence sentences): 0.029 s
"""
N_FOLDS = 5
SEED = 13


# ------------------------------------------------------------------ data -> feature table


def load(data_dir: Path):
    """Return (units, sentences): one unit per summary/claim, one row per claim sentence."""
    units: list[dict] = []  # dataset, group, label (binary), label3, first, last (sentence rows)
    X: list[list[float]] = []
    sent_label: list[float] = []  # 1, 0, or nan (unknown)
    cache: dict[str, object] = {}
    for line in open(data_dir / "frank_valid.jsonl", encoding="utf-8"):
        r = json.loads(line)
        ev = cache.get(r["hash"])
        if ev is None:
            ev = cache[r["hash"]] = prepare_evidence(r["article"])
        sents = sentences(r["summary"]) or [r["summary"]]  # split as `storybrief score` splits it
        fact = float(r["Factuality"])
        known = 1.0 if fact == 1.0 else 0.0 if fact == 0.0 else np.nan
        first = len(X)
        for s in sents:
            X.append([scoring.claim_features(s, ev)[n] for n in FEATURE_NAMES])
            sent_label.append(known)
        units.append(dict(dataset=r["dataset"], group="frank:" + r["hash"], label=int(r["label"]),
                          label3=None, first=first, last=len(X)))
    for line in open(data_dir / "wice_dev.jsonl", encoding="utf-8"):
        r = json.loads(line)
        ev = prepare_evidence(list(r["evidence"]))
        sents = sentences(r["claim"]) or [r["claim"]]
        y = int(r["label"] == "supported")
        known = 1.0 if y == 1 else (0.0 if len(sents) == 1 else np.nan)
        first = len(X)
        for s in sents:
            X.append([scoring.claim_features(s, ev)[n] for n in FEATURE_NAMES])
            sent_label.append(known)
        units.append(dict(dataset="wice", group="wice:" + r["meta"]["id"], label=y, label3=r["label"],
                          first=first, last=len(X)))
    return units, np.asarray(X, dtype=float), np.asarray(sent_label, dtype=float)


# ------------------------------------------------------------------ model


def sample_weights(ds: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Every (dataset, label) cell gets the same total weight: the fit aims at balanced
    accuracy on each evaluation set rather than at the pooled majority."""
    w = np.zeros(len(y))
    for d in np.unique(ds):
        for c in (0, 1):
            m = (ds == d) & (y == c)
            if m.any():
                w[m] = 1.0 / m.sum()
    return w * len(y) / w.sum()


# The direction each feature can push support in, from what it measures: more overlap never
# makes a claim less supported, a missing number never more. Fitting within these signs keeps
# collinear features from taking opposite weights that cancel on the training data and misfire
# on new text (a near-verbatim sentence scored down for being copied).
SUPPORTS = ("recall", "bigram", "trigram", "partial_ratio", "token_set_ratio", "clause_min", "copied_share",
            "word_overlap", "names_together")
AGAINST = ("num_missing", "ent_missing", "date_missing", "negation_mismatch", "missing_doc", "missing_win",
           "novel_share")


def direction(name: str) -> float:
    if name.startswith(SUPPORTS):
        return 1.0
    if name.startswith(AGAINST):
        return -1.0
    return 0.0  # unconstrained


class SignedLogistic:
    """Weighted, L2-regularised logistic regression with each coefficient kept to its feature's
    direction (projected gradient descent; numpy only)."""

    def __init__(self, C: float, signs: np.ndarray, steps: int = 800, rate: float = 1.0):
        self.C, self.signs, self.steps, self.rate = C, signs, steps, rate

    def fit(self, Z, y, sample_weight):
        w = sample_weight / sample_weight.sum()
        coef, intercept = np.zeros(Z.shape[1]), 0.0
        for _ in range(self.steps):
            p = 1.0 / (1.0 + np.exp(-(Z @ coef + intercept)))
            g = p - y
            coef -= self.rate * (Z.T @ (w * g) + coef / (self.C * len(y)))
            intercept -= self.rate * float(w @ g)
            coef = np.where(self.signs > 0, np.maximum(coef, 0.0), np.where(self.signs < 0, np.minimum(coef, 0.0), coef))
        self.coef_, self.intercept_ = coef[None, :], np.array([intercept])
        return self

    def predict_proba(self, Z):
        p = 1.0 / (1.0 + np.exp(-(Z @ self.coef_[0] + self.intercept_[0])))
        return np.column_stack([1 - p, p])


FEATURE_SIGNS: np.ndarray | None = None  # set in main() for the model's features


def fit(X, y, w, C):
    sc = StandardScaler().fit(X)
    signs = FEATURE_SIGNS if FEATURE_SIGNS is not None and len(FEATURE_SIGNS) == X.shape[1] else np.zeros(X.shape[1])
    lr = SignedLogistic(C, signs).fit(sc.transform(X), y.astype(float), np.asarray(w, dtype=float))
    return sc, lr


# A claim sentence with a number or a date (month, year) found nowhere in the evidence is
# capped at HARD_CAP. The cap is a fixed prior, not fitted; the report measures its effect.
HARD_CAP_FEATURES = ("num_missing_doc", "date_missing_doc")
# The shipped model's features. The others are measured (per-signal table) and left out: the
# regime features (claim_len, doc_sentences, win_size) say what kind of text a row is, not whether
# it is supported, and the rest are near-duplicates of these (overlap by other counts) that the
# grouped CV found no better with (all features: cnndm BA 0.671, WiCE 0.735; these: 0.683, 0.740).
# Chosen on the same dev CV, so those two figures are slightly optimistic.
MODEL_FEATURES = ("recall_top1", "recall_win", "recall_ctx", "partial_ratio_ctx", "trigram_top1", "num_missing_doc",
                  "num_missing_win", "ent_missing_doc", "ent_missing_win", "date_missing_doc", "names_together",
                  "negation_mismatch_ctx")
LEFT_OUT = frozenset(n for n in FEATURE_NAMES if n not in MODEL_FEATURES)
# How a multi-sentence claim's sentence probabilities combine (scoring.aggregate).
AGGREGATION = "joint"
HARD_CAP = 0.1
USE_CAPS = False  # measured: the caps cost WiCE (AUC 0.840 -> 0.814) and change nothing on FRANK


def predict_units(sc, lr, X, units, how=None, X_full=None):
    how = how or AGGREGATION
    p = lr.predict_proba(sc.transform(X))[:, 1]
    if USE_CAPS and X_full is not None:
        fires = np.zeros(len(p), dtype=bool)
        for name in HARD_CAP_FEATURES:
            fires |= X_full[:, FEATURE_NAMES.index(name)] > 0
        p = np.where(fires, np.minimum(p, HARD_CAP), p)
    return np.array([aggregate(p[u["first"]:u["last"]], how) for u in units])


def fast_ba(y, pred):
    """Balanced accuracy for binary y / pred (numpy; sklearn's is too slow inside grids)."""
    y = np.asarray(y, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    return 0.5 * (pred[y].mean() + (~pred[~y]).mean())


def mean_ba(scores, y, ds, t):
    bas = []
    for d in THRESHOLD_SETS:
        m = ds == d
        if m.any() and len(np.unique(y[m])) == 2:
            bas.append(fast_ba(y[m], scores[m] >= t))
    return float(np.mean(bas))


def best_threshold(scores, y, ds):
    grid = np.unique(np.quantile(scores, np.linspace(0.01, 0.99, 197)))
    vals = [mean_ba(scores, y, ds, t) for t in grid]
    return float(grid[int(np.argmax(vals))])


def cv_eval(X, sent_y, units, feats_idx, C=1.0, how=None, three_way=False):
    """Grouped CV. Returns per-dataset AUC and BA, out-of-fold scores and thresholds."""
    global FEATURE_SIGNS
    FEATURE_SIGNS = np.array([direction(FEATURE_NAMES[j]) for j in feats_idx])
    Xf = X[:, feats_idx]
    groups = np.array([u["group"] for u in units])
    uy = np.array([u["label"] for u in units])
    uds = np.array([u["dataset"] for u in units])
    row_unit = np.empty(len(X), dtype=int)
    for i, u in enumerate(units):
        row_unit[u["first"]:u["last"]] = i
    oof = np.zeros(len(units))
    pred = np.zeros(len(units), dtype=bool)
    thresholds = []
    three_pred = {}
    gkf = GroupKFold(n_splits=N_FOLDS)
    for tr_u, te_u in gkf.split(np.zeros(len(units)), uy, groups):
        tr_set = np.zeros(len(units), dtype=bool)
        tr_set[tr_u] = True
        rows_tr = tr_set[row_unit] & ~np.isnan(sent_y)
        ds_rows = uds[row_unit][rows_tr]
        sc, lr = fit(Xf[rows_tr], sent_y[rows_tr].astype(int), sample_weights(ds_rows, sent_y[rows_tr]), C)
        s_tr = predict_units(sc, lr, Xf, [units[i] for i in tr_u], how, X)
        t = best_threshold(s_tr, uy[tr_u], uds[tr_u])
        thresholds.append(t)
        s_te = predict_units(sc, lr, Xf, [units[i] for i in te_u], how, X)
        oof[te_u] = s_te
        pred[te_u] = s_te >= t
        if three_way:
            wtr = [i for i in tr_u if uds[i] == "wice"]
            t_lo, t_hi = best_three_way(s_tr[[k for k, i in enumerate(tr_u) if uds[i] == "wice"]],
                                        [units[i]["label3"] for i in wtr])
            for k, i in enumerate(te_u):
                if uds[i] == "wice":
                    three_pred[i] = three_label(s_te[k], t_lo, t_hi)
    res = {}
    for d in EVALSETS:
        m = uds == d
        if not m.any():
            continue
        res[d] = dict(auc=roc_auc_score(uy[m], oof[m]), ba=balanced_accuracy_score(uy[m], pred[m]), n=int(m.sum()))
    if three_way:
        idx = sorted(three_pred)
        res["wice3_acc"] = float(np.mean([three_pred[i] == units[i]["label3"] for i in idx]))
        gold = [units[i]["label3"] for i in idx]
        res["wice3_ba"] = float(balanced_accuracy_score(gold, [three_pred[i] for i in idx]))
    res["thresholds"] = thresholds
    return res, oof


def three_label(s, t_lo, t_hi):
    return "supported" if s >= t_hi else "partially_supported" if s >= t_lo else "not_supported"


def best_three_way(scores, labels3):
    """Two thresholds on the same score, chosen for 3-way balanced accuracy (the partial
    class is 55% of WiCE, so plain accuracy would just predict it)."""
    scores = np.asarray(scores)
    gold = np.asarray(labels3)
    classes = ("not_supported", "partially_supported", "supported")
    masks = [gold == c for c in classes]
    grid = np.unique(np.quantile(scores, np.linspace(0.02, 0.98, 49)))
    best = (-1.0, 0.0, 1.0)
    for i, lo in enumerate(grid):
        for hi in grid[i:]:
            pred = np.where(scores >= hi, 2, np.where(scores >= lo, 1, 0))
            v = np.mean([np.mean(pred[m] == k) for k, m in enumerate(masks) if m.any()])
            if v > best[0]:
                best = (v, float(lo), float(hi))
    return best[1], best[2]


# ------------------------------------------------------------------ main


def fmt(res):
    return " | ".join(f"{res[d]['auc']:.3f} | {res[d]['ba']:.3f}" for d in EVALSETS)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--write", action="store_true", help="write scorer_weights.json and the report")
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--features-cache", type=Path, help="pickle of the feature table (development only)")
    ap.add_argument("--weights-out", type=Path, default=ROOT / "src/storybrief/scorer_weights.json")
    ap.add_argument("--skip-signals", action="store_true", help="skip the per-signal table (quick experiments)")
    ap.add_argument("--leave-out", default=None, help="comma-separated features to leave out (default: LEFT_OUT)")
    args = ap.parse_args()

    t0 = time.time()
    if args.features_cache and args.features_cache.exists():
        import pickle

        units, X, sent_y = pickle.loads(args.features_cache.read_bytes())
    else:
        units, X, sent_y = load(args.data)
        if args.features_cache:
            import pickle

            args.features_cache.write_bytes(pickle.dumps((units, X, sent_y)))
    print(f"features: {X.shape} in {time.time() - t0:.1f}s; known sentence labels: "
          f"{int((~np.isnan(sent_y)).sum())}", file=sys.stderr)
    left_out = LEFT_OUT if args.leave_out is None else frozenset(filter(None, args.leave_out.split(",")))
    all_idx = [j for j, n in enumerate(FEATURE_NAMES) if n not in scoring._DUPLICATES and n not in left_out]
    model_features = [FEATURE_NAMES[j] for j in all_idx]

    lines = []
    header = "| signal | cnndm AUC | cnndm BA | bbc AUC | bbc BA | WiCE AUC | WiCE BA |\n|---|---|---|---|---|---|---|"
    global USE_CAPS
    per_feature = []
    caps = USE_CAPS
    USE_CAPS = False
    for j, name in enumerate(FEATURE_NAMES if not args.skip_signals else ()):
        res, _ = cv_eval(X, sent_y, units, [j], C=args.C)
        per_feature.append((name, res))
        print(f"{name:20s} {fmt(res)}", file=sys.stderr)

    res_nocap, _ = cv_eval(X, sent_y, units, all_idx, C=args.C)
    USE_CAPS = True
    res_caps, _ = cv_eval(X, sent_y, units, all_idx, C=args.C)
    print(f"ALL, no caps          {fmt(res_nocap)}\nALL, caps             {fmt(res_caps)}", file=sys.stderr)
    USE_CAPS = caps
    agg_rows = []
    for how in ("joint", "min", "softmin", "mean"):
        res, _ = cv_eval(X, sent_y, units, all_idx, C=args.C, how=how, three_way=(how == AGGREGATION))
        agg_rows.append((how, res))
        print(f"ALL/{how:8s}          {fmt(res)}", file=sys.stderr)
    c_rows = []
    for C in (0.01, 0.1, 1.0, 10.0):
        res, _ = cv_eval(X, sent_y, units, all_idx, C=C)
        c_rows.append((C, res))
        print(f"ALL/C={C:<6}           {fmt(res)}", file=sys.stderr)

    # Per-dataset weights, to see what one shared model costs.
    uds = np.array([u["dataset"] for u in units])
    per_ds = {}
    for d in EVALSETS:
        keep_u = [u for u in units if u["dataset"] == d]
        rows = np.concatenate([np.arange(u["first"], u["last"]) for u in keep_u])
        remap, pos = [], 0
        for u in keep_u:
            n = u["last"] - u["first"]
            remap.append(dict(u, first=pos, last=pos + n))
            pos += n
        Xd, yd = X[rows], sent_y[rows]
        # BBC has 26 consistent summaries: a per-dataset BBC fit is noisy, reported anyway.
        res, _ = cv_eval(Xd, yd, remap, all_idx, C=args.C)
        per_ds[d] = res[d]
        print(f"per-dataset {d}: AUC {res[d]['auc']:.3f} BA {res[d]['ba']:.3f}", file=sys.stderr)

    # Final fit on everything; threshold from the out-of-fold scores of the shipped config.
    res_final, oof = cv_eval(X, sent_y, units, all_idx, C=args.C, how=AGGREGATION)
    uy = np.array([u["label"] for u in units])
    threshold = best_threshold(oof, uy, uds)
    wm = uds == "wice"
    t_lo, t_hi = best_three_way(oof[wm], [u["label3"] for u in units if u["dataset"] == "wice"])
    known = ~np.isnan(sent_y)
    row_ds = np.empty(len(X), dtype=object)
    for u in units:
        row_ds[u["first"]:u["last"]] = u["dataset"]
    sc, lr = fit(X[known][:, all_idx], sent_y[known].astype(int), sample_weights(row_ds[known], sent_y[known]), args.C)
    weights = {
        "version": 1,
        "scorer": "lexical-lr",
        "fitted_at": dt.date.today().isoformat(),
        "fitted_on": "FRANK valid (sentences of summaries with Factuality 0 or 1) + WiCE dev (supported vs rest)",
        "features": model_features,
        "mean": sc.mean_.round(8).tolist(),
        "scale": sc.scale_.round(8).tolist(),
        "coef": lr.coef_[0].round(8).tolist(),
        "intercept": round(float(lr.intercept_[0]), 8),
        "aggregation": AGGREGATION,
        "hard_caps": {n: HARD_CAP for n in HARD_CAP_FEATURES} if USE_CAPS else {},
        "threshold": round(threshold, 6),
        "partial_threshold": round(t_lo, 6),
        "three_way_supported_threshold": round(t_hi, 6),
        "C": args.C,
    }
    print(json.dumps({k: weights[k] for k in ("threshold", "partial_threshold", "intercept")}), file=sys.stderr)
    for n, c in sorted(zip(model_features, lr.coef_[0]), key=lambda x: -abs(x[1])):
        print(f"  coef {n:20s} {c:+.3f}", file=sys.stderr)

    if args.write:
        args.weights_out.write_text(json.dumps(weights, indent=2) + "\n")
        default_out = args.weights_out == ROOT / "src/storybrief/scorer_weights.json"
        out = ROOT / "evals/meta/scorer_report.md" if default_out else args.weights_out.with_suffix(".md")
        out.parent.mkdir(parents=True, exist_ok=True)
        L = lines
        L.append("# Model-free support scorer: cross-validated measurements\n")
        L.append(f"Generated by `evals/calibrate_scorer.py` on {weights['fitted_at']}. "
                 f"Data: FRANK valid ({sum(uds != 'wice')} summaries: cnndm {int((uds == 'cnndm').sum())}, "
                 f"bbc {int((uds == 'bbc').sum())}) and WiCE dev ({int(wm.sum())} claim/evidence rows). "
                 f"{N_FOLDS}-fold CV grouped by article (FRANK) and claim id (WiCE); the threshold is "
                 "chosen on the training folds (max mean balanced accuracy over the three sets) and "
                 "applied to the held-out fold. WiCE binary = supported vs {partially, not}. "
                 "A summary scores the minimum over its sentences unless stated.\n")
        L.append("Training labels are per sentence only where they are known: FRANK sentences of "
                 "summaries with Factuality 1 (all fine) or 0 (all wrong); mixed summaries are not "
                 "used for fitting but are scored in every evaluation. All numbers are on validation/dev "
                 "data only; the test sets were never touched.\n")
        L.append("How it is fitted: a logistic regression whose coefficients keep the sign their feature "
                 "can have (more overlap never counts against support, a missing name or number never for "
                 "it; see `direction`), fitted by projected gradient descent. Unconstrained, the collinear "
                 "overlap features took opposite weights (a near-verbatim sentence scored 0.27 for being "
                 "copied). Left out of the model, measured here: " + ", ".join(sorted(LEFT_OUT)) + " (they say "
                 "what kind of text a row is, not whether it is supported). A claim of n sentences scores "
                 f"the '{AGGREGATION}' aggregation: the least supported sentence's odds divided by n (a union "
                 "bound), so one threshold serves one-sentence claims (WiCE) and three-sentence summaries "
                 "(FRANK CNN/DM) alike. Claims are split with `storybrief.text.sentences`, the splitter "
                 "`storybrief score` uses, so these figures measure the path users run.\n")
        L.append("## Each signal alone (logistic regression on that one feature, same CV)\n")
        L.append("`word_overlap_top1` is the plain word-overlap baseline (share of the claim's words in its "
                 "best-matching source sentence). New signals of this round: `copied_share` (share of the "
                 "claim's words inside a 4-word run the source has), `word_overlap_top1`, `names_together` "
                 "(entity-role alignment: the claim's pairs of names found within one sentence of each other "
                 "in the source), `recall_ctx`, `partial_ratio_ctx`, `negation_mismatch_ctx` (the best "
                 "sentence with its neighbours).\n")
        L.append(header)
        for name, res in per_feature:
            L.append(f"| {name} | {fmt(res)} |")
        L.append("\n## Combined (all model features), by aggregation over summary sentences\n")
        L.append(header)
        for how, res in agg_rows:
            L.append(f"| {how}{' (shipped)' if how == AGGREGATION else ''} | {fmt(res)} |")
        L.append(f"\nHard caps (a sentence with a number or date found nowhere capped at {HARD_CAP}), measured with "
                 f"the shipped aggregation: {fmt(res_caps)}. Without them (shipped): {fmt(res_nocap)}; verify "
                 "reports such numbers and dates as findings of their own instead.")
        L.append("\n## Regularisation (all model features, shipped aggregation)\n")
        L.append(header)
        for C, res in c_rows:
            L.append(f"| C={C} | {fmt(res)} |")
        L.append("\n## One shared model vs one model per dataset (CV within the dataset)\n")
        L.append("| dataset | shared AUC | shared BA | own-model AUC | own-model BA |\n|---|---|---|---|---|")
        shared = dict(agg_rows)[AGGREGATION]
        for d in EVALSETS:
            L.append(f"| {d} | {shared[d]['auc']:.3f} | {shared[d]['ba']:.3f} | {per_ds[d]['auc']:.3f} | {per_ds[d]['ba']:.3f} |")
        L.append(f"\nWiCE 3-way (supported / partially / not, two thresholds chosen on the training folds for "
                 f"3-way balanced accuracy): accuracy {shared['wice3_acc']:.3f}, balanced accuracy "
                 f"{shared['wice3_ba']:.3f} (majority class 'partially' alone: accuracy 0.552, BA 0.333).\n")
        L.append("## Against the anchors\n")
        overlap = dict(per_feature)["word_overlap_top1"]
        L.append("| | FRANK CNN/DM BA | WiCE BA |\n|---|---|---|")
        L.append(f"| shipped scorer (grouped 5-fold CV, dev) | {shared['cnndm']['ba']:.3f} | {shared['wice']['ba']:.3f} |")
        L.append(f"| word-overlap baseline (same CV) | {overlap['cnndm']['ba']:.3f} | {overlap['wice']['ba']:.3f} |")
        L.append("| BERTScore-precision, published (FRANK CNN/DM test) | 0.676 | |")
        L.append("| aim for the no-model path (test) | > 0.676 | > 0.70 |\n")
        L.append("The threshold is chosen to maximise the mean balanced accuracy over " + " and ".join(THRESHOLD_SETS)
                 + ", the sets with published targets; BBC (one abstractive sentence per summary, 26 of 296 "
                 "supported) is reported but does not set it. Dev figures are not test figures: the test "
                 "sets are scored independently with `storybrief score`.\n")
        L.append("## Shipped weights\n")
        L.append(f"Fitted on all rows with known sentence labels, C={args.C}, aggregation {AGGREGATION}; threshold "
                 f"{weights['threshold']:.4f} (chosen on out-of-fold scores), WiCE partial threshold "
                 f"{weights['partial_threshold']:.4f}. Fold thresholds: "
                 + ", ".join(f"{t:.3f}" for t in shared["thresholds"]) + ".\n")
        L.append("| feature | coefficient (standardised) |\n|---|---|")
        for n, c in sorted(zip(model_features, lr.coef_[0]), key=lambda x: -abs(x[1])):
            L.append(f"| {n} | {c:+.3f} |")
        L.append("\n## Throughput\n")
        L.append("Measured by `benchmarks/score.py` (2-core development machine, one process); "
                 "re-run it after changing features.\n")
        L.append("```\n" + BENCH.strip() + "\n```")
        out.write_text("\n".join(L) + "\n")
        print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
