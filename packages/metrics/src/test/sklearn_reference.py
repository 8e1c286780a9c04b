"""scikit-learn 1.2 reference for @tfzoo/metrics tests.

Reads a JSON list of {fn, args} from argv[1] and writes, for each, {"value": ...} or
{"error": message} to argv[2]. ECE has no scikit-learn function: it is computed here with NumPy as
in Guo et al.'s code (equal-width bins, lower < confidence <= upper).
"""
import json
import math
import sys
import warnings

import numpy as np
from sklearn import metrics
from sklearn.preprocessing import label_binarize

warnings.simplefilter("ignore")


def arr(x):
    return None if x is None else np.asarray(x, dtype=np.float64)


def ints(x):
    return np.asarray(x, dtype=np.int64)


def ece(y_true, probs, num_bins):
    probs = np.asarray(probs, dtype=np.float64)
    y_true = np.asarray(y_true)
    if probs.ndim == 1:
        predictions = (probs > 0.5).astype(np.int64)
        confidences = np.where(predictions == 1, probs, 1 - probs)
    else:
        confidences = probs.max(axis=1)
        predictions = probs.argmax(axis=1)
    accuracies = predictions == y_true
    edges = np.linspace(0, 1, num_bins + 1)
    total = 0.0
    for lower, upper in zip(edges[:-1], edges[1:]):
        in_bin = (confidences > lower) & (confidences <= upper)
        prop = in_bin.mean()
        if prop > 0:
            total += abs(accuracies[in_bin].mean() - confidences[in_bin].mean()) * prop
    return total


def run(fn, a):
    sw = arr(a.get("sample_weight"))
    if fn == "accuracy":
        return metrics.accuracy_score(ints(a["y_true"]), ints(a["y_pred"]), normalize=a.get("normalize", True),
                                      sample_weight=sw)
    if fn == "top_k":
        score = arr(a["y_score"])
        return metrics.top_k_accuracy_score(ints(a["y_true"]), score, k=a["k"], normalize=a.get("normalize", True),
                                            sample_weight=sw, labels=np.arange(score.shape[1]))
    if fn == "confusion":
        return metrics.confusion_matrix(ints(a["y_true"]), ints(a["y_pred"]), labels=a.get("labels"),
                                        sample_weight=sw, normalize=a.get("normalize")).tolist()
    if fn == "prf":
        p, r, f, _ = metrics.precision_recall_fscore_support(
            ints(a["y_true"]), ints(a["y_pred"]), average=a["average"], pos_label=a.get("pos_label", 1),
            labels=a.get("labels"), zero_division=a.get("zero_division", "warn"), sample_weight=sw)
        return [float(p), float(r), float(f)]
    if fn == "prf_per_label":
        p, r, f, s = metrics.precision_recall_fscore_support(
            ints(a["y_true"]), ints(a["y_pred"]), average=None, labels=a.get("labels"),
            zero_division=a.get("zero_division", "warn"), sample_weight=sw)
        return [p.tolist(), r.tolist(), f.tolist(), s.tolist()]
    if fn == "roc_curve":
        fpr, tpr, thr = metrics.roc_curve(ints(a["y_true"]), arr(a["y_score"]), pos_label=a.get("pos_label"),
                                          sample_weight=sw, drop_intermediate=a.get("drop_intermediate", True))
        return [fpr.tolist(), tpr.tolist(), thr.tolist()]
    if fn == "roc_auc":
        y_true, score = ints(a["y_true"]), arr(a["y_score"])
        if a.get("binarize"):
            y_true = label_binarize(y_true, classes=np.arange(score.shape[1]))
        return metrics.roc_auc_score(y_true, score, average=a.get("average", "macro"), multi_class="ovr",
                                     sample_weight=sw)
    if fn == "pr_curve":
        p, r, t = metrics.precision_recall_curve(ints(a["y_true"]), arr(a["y_score"]),
                                                 pos_label=a.get("pos_label"), sample_weight=sw)
        return [p.tolist(), r.tolist(), t.tolist()]
    if fn == "ap":
        y_true, score = ints(a["y_true"]), arr(a["y_score"])
        if score.ndim == 2:
            y_true = label_binarize(y_true, classes=np.arange(score.shape[1]))
        return metrics.average_precision_score(y_true, score, average=a.get("average", "macro"),
                                               pos_label=a.get("pos_label", 1), sample_weight=sw)
    if fn == "log_loss":
        score = arr(a["y_pred"])
        num_classes = 2 if score.ndim == 1 else score.shape[1]
        return metrics.log_loss(ints(a["y_true"]), score, eps=a["eps"], normalize=a.get("normalize", True),
                                sample_weight=sw, labels=np.arange(num_classes))
    if fn == "ece":
        return ece(a["y_true"], a["probs"], a["num_bins"])
    raise ValueError(f"unknown fn {fn}")


def clean(value):
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return "NaN" if math.isnan(v) else v
    if isinstance(value, (np.integer,)):
        return int(value)
    return value


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    out = []
    for case in cases:
        try:
            out.append({"value": clean(run(case["fn"], case["args"]))})
        except ValueError as error:
            out.append({"error": str(error)})
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
