"""Writes the scikit-learn reference values the metric tests compare Kiln's metrics with.

Run from the repository root with scikit-learn installed (Debian: apt-get install python3-sklearn):

    python3 runtime/src/test/python/metric_fixtures.py

It rewrites runtime/src/test/resources/dev/kiln/runtime/metrics/sklearn-fixtures.txt: the
inputs (drawn from a fixed seed) and the expected values, one named row of numbers per line,
so that the tests run without Python.
"""

from pathlib import Path

import numpy as np
import sklearn
from sklearn.metrics import (average_precision_score, jaccard_score, precision_score,
                             r2_score, recall_score, roc_auc_score, top_k_accuracy_score)

OUT = Path("runtime/src/test/resources/dev/kiln/runtime/metrics/sklearn-fixtures.txt")
rng = np.random.default_rng(15)
rows = {}


def put(name, values):
    rows[name] = np.asarray(values, dtype=np.float64).ravel()


# AUC: 30 samples x 2 yes/no outputs, scores rounded to one decimal so that many tie.
scores = np.round(rng.uniform(0, 1, size=(30, 2)), 1)
labels = (rng.uniform(0, 1, size=(30, 2)) < 0.3 + 0.5 * scores).astype(np.float64)
put("auc.scores", scores)
put("auc.labels", labels)
put("auc.roc", [roc_auc_score(labels.ravel(), scores.ravel())])
put("auc.pr", [average_precision_score(labels.ravel(), scores.ravel())])
put("precision", [precision_score(labels.ravel(), scores.ravel() > 0.5)])
put("recall", [recall_score(labels.ravel(), scores.ravel() > 0.5)])

# MeanIoU: 40 positions of 5 classes; class 4 never occurs, in targets or predictions.
logits = rng.normal(size=(40, 5))
logits[:, 4] = -10
truth = rng.integers(0, 4, size=40)
logits[np.arange(40), truth] += rng.uniform(-0.5, 2.0, size=40)
put("iou.scores", logits)
put("iou.labels", truth)
put("iou.mean", [jaccard_score(truth, logits.argmax(axis=1), average="macro")])

# R2: 25 samples x 3 regression outputs.
target = rng.normal(size=(25, 3)) * [1.0, 3.0, 0.5] + [0.0, 2.0, -1.0]
prediction = target + rng.normal(size=(25, 3)) * [0.3, 2.0, 0.6]
put("r2.predictions", prediction)
put("r2.targets", target)
put("r2.score", [r2_score(target, prediction, multioutput="uniform_average")])

# Top-5 accuracy: 30 samples of 8 classes, continuous scores (no ties).
top_scores = rng.normal(size=(30, 8))
top_labels = rng.integers(0, 8, size=30)
put("topk.scores", top_scores)
put("topk.labels", top_labels)
put("topk.accuracy", [top_k_accuracy_score(top_labels, top_scores, k=5, labels=np.arange(8))])

with OUT.open("w") as out:
    out.write(f"# scikit-learn {sklearn.__version__}, numpy {np.__version__};"
              " written by runtime/src/test/python/metric_fixtures.py\n")
    for name, values in rows.items():
        out.write(name + ": " + " ".join(repr(float(v)) for v in values) + "\n")
print("wrote", OUT)
