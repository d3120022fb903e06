"""The scikit-learn peer of bench/classic.ts: the same estimators on the same NPY files.

    /usr/bin/python3 bench/classic_sklearn.py <dir> <model,model,...> <n_estimators> <jobs>

Prints one JSON line: { model: { "fit_s": ..., "accuracy": ... } }.
"""
import json
import sys
import time

import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier

d, names, n_estimators, jobs = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), int(sys.argv[4])
x = np.load(f"{d}/train_x.npy")
y = np.load(f"{d}/train_y.npy")
xt = np.load(f"{d}/test_x.npy")
yt = np.load(f"{d}/test_y.npy")
make = {
    "decisionTree": lambda: DecisionTreeClassifier(random_state=0),
    "randomForest": lambda: RandomForestClassifier(n_estimators=n_estimators, n_jobs=jobs, random_state=0),
    "extraTrees": lambda: ExtraTreesClassifier(n_estimators=n_estimators, n_jobs=jobs, random_state=0),
    "gaussianNB": lambda: GaussianNB(),
    "logisticRegression": lambda: LogisticRegression(max_iter=100),
    # blindspots' LDA is the lsqr solver; scikit-learn's default (svd) is measured beside it.
    "lda": lambda: LinearDiscriminantAnalysis(solver="lsqr"),
    "ldaSvd": lambda: LinearDiscriminantAnalysis(),
    "ldaAuto": lambda: LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"),
    "qda": lambda: QuadraticDiscriminantAnalysis(reg_param=0.1),
}
out = {}
for name in names:
    model = make[name]()
    t = time.perf_counter()
    model.fit(x, y)
    fit_s = time.perf_counter() - t
    out[name] = {"fit_s": fit_s, "accuracy": float((model.predict(xt) == yt).mean())}
print(json.dumps(out))
