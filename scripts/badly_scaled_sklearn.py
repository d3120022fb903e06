"""scikit-learn's results on the badly scaled problems of test/models/badlyScaled.ts.

    npx tsx scripts/badly-scaled-sklearn.ts      # writes the NPY files, then runs this script

    /usr/bin/python3 scripts/badly_scaled_sklearn.py <dir> [<probe rows>]

<dir> holds train_x.npy, train_y.npy, test_x.npy, test_y.npy (float32 features, int32 labels). The
features are converted to float64 (the same values) before fitting, so that scikit-learn computes
the model in full precision. Prints one JSON object: the data's checksum (as badlyScaled.ts's
`checksum`, summed exactly), and per estimator the test accuracy, the test log-loss, predict_proba
on the first <probe rows> test rows (default 4), and for the tree models the mean accuracy over
random_state 0..31 (decision tree) or 0..7 (forests): their accuracy moves by about a point with
the seed.
"""
import json
import math
import sys
import warnings

import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier

d = sys.argv[1]
probe = int(sys.argv[2]) if len(sys.argv) > 2 else 4
x32 = np.load(f"{d}/train_x.npy")
y = np.load(f"{d}/train_y.npy")
xt32 = np.load(f"{d}/test_x.npy")
yt = np.load(f"{d}/test_y.npy")


def checksum():
    terms = []
    for m in (x32, xt32):
        flat = m.astype(np.float64).ravel()
        terms.extend((flat * (1 + np.arange(flat.size) % 7)).tolist())
    for v in (y, yt):
        terms.extend((v.astype(np.float64) * (1 + np.arange(v.size) % 5)).tolist())
    return math.fsum(terms)


x = x32.astype(np.float64)
xt = xt32.astype(np.float64)
make = {
    "decisionTree": lambda seed=0: DecisionTreeClassifier(random_state=seed),
    "randomForest": lambda seed=0: RandomForestClassifier(n_estimators=100, random_state=seed),
    "extraTrees": lambda seed=0: ExtraTreesClassifier(n_estimators=100, random_state=seed),
    "gaussianNB": lambda: GaussianNB(),
    # scikit-learn's defaults (lbfgs, 100 iterations), and run to convergence: the optimum of the objective.
    "logisticRegression": lambda: LogisticRegression(),
    "logisticRegressionConverged": lambda: LogisticRegression(max_iter=100000, tol=1e-10),
    "lda": lambda: LinearDiscriminantAnalysis(solver="lsqr"),
    "ldaSvd": lambda: LinearDiscriminantAnalysis(),
    "ldaShrink03": lambda: LinearDiscriminantAnalysis(solver="lsqr", shrinkage=0.3),
    "ldaAuto": lambda: LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"),
    "qda": lambda: QuadraticDiscriminantAnalysis(reg_param=0.1),
    "qda0": lambda: QuadraticDiscriminantAnalysis(),
}
out = {"checksum": checksum()}
for name, factory in make.items():
    model = factory()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, y)
    proba = model.predict_proba(xt)
    entry = {
        "accuracy": float((model.predict(xt) == yt).mean()),
        "logLoss": round(float(log_loss(yt, proba, labels=model.classes_)), 6),
        "proba": [round(float(v), 6) for v in proba[:probe].ravel()],
    }
    if name in ("decisionTree", "randomForest", "extraTrees"):
        seeds = [float((factory(seed).fit(x, y).predict(xt) == yt).mean()) for seed in range(32 if name == "decisionTree" else 8)]
        entry["seedMean"] = round(sum(seeds) / len(seeds), 6)
    if hasattr(model, "n_iter_"):
        entry["iterations"] = int(np.max(model.n_iter_))
    if caught:
        entry["warnings"] = sorted({type(w.message).__name__ for w in caught})
    out[name] = entry
print(json.dumps(out))
