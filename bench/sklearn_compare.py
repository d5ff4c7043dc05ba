#!/usr/bin/python3
"""scikit-learn side of `npm run bench:forest`.

Reads the exact split the TypeScript side wrote (raw little-endian float64 X / int32 y plus meta.json)
from the directory given as argv[1], trains RandomForestClassifier with the same hyper-parameters
(n_jobs=2), predicts on one thread, and prints one JSON object. Run with Debian's /usr/bin/python3
(python3-sklearn); the pyenv python3 on PATH has no scikit-learn.
"""
import json, sys, time
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score

d = sys.argv[1]
meta = json.load(open(f"{d}/meta.json"))
nf = meta["nFeatures"]
Xtr = np.fromfile(f"{d}/Xtr.f64", dtype="<f8").reshape(-1, nf)
ytr = np.fromfile(f"{d}/ytr.i32", dtype="<i4")
Xte = np.fromfile(f"{d}/Xte.f64", dtype="<f8").reshape(-1, nf)
yte = np.fromfile(f"{d}/yte.i32", dtype="<i4")
p = meta["params"]
cw = None if p["class_weight"] == "none" else p["class_weight"]
mf = p["max_features"]
if mf == "all":
    mf = None
out = {"sklearn": __import__("sklearn").__version__, "runs": []}
for seed in meta["seeds"]:
    clf = RandomForestClassifier(
        n_estimators=p["n_estimators"], max_depth=p["max_depth"], min_samples_leaf=p["min_samples_leaf"],
        max_features=mf, class_weight=cw, bootstrap=True, n_jobs=2, random_state=seed)
    t = time.perf_counter(); clf.fit(Xtr, ytr); fit_s = time.perf_counter() - t
    clf.set_params(n_jobs=1)
    t = time.perf_counter(); pred = clf.predict(Xte); pred_s = time.perf_counter() - t
    out["runs"].append({
        "seed": seed, "fit_s": fit_s, "predict_rows_per_s": len(yte) / pred_s,
        "accuracy": float(accuracy_score(yte, pred)),
        "macro_f1": float(f1_score(yte, pred, average="macro")),
        "nodes": int(sum(e.tree_.node_count for e in clf.estimators_)),
    })
print(json.dumps(out))
