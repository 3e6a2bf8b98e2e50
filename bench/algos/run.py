#!/usr/bin/python3
"""bench/algos: kiln's K-Means, PCA and Linear Learner beside scikit-learn,
in one run, on Fashion-MNIST (Debian's dataset-fashion-mnist): the 60,000
training images as 784 features scaled to [0, 1], the 10,000 test images
for accuracy.

Timed: training only, the data already in memory on both sides (kiln:
`kiln-bench-algo train` reports the algorithm's train call; scikit-learn:
`fit`).  Quality is measured the same way for both, in numpy, from what
each produced:
  K-Means   inertia (sum of squared distances to the nearest centroid) on
            the 60,000 training rows; kiln's centroids are read from its
            artifact (model_algo-1, an MXNet NDArray list) by this script's
            own decoder.
  PCA       variance explained by the 50 components (the variance of the
            centered training rows projected on them), as a fraction of the
            total.
  Linear    accuracy of the 10-class predictions on the 10,000 test rows.

Peers (scikit-learn 1.2, Debian's python3-sklearn):
  KMeans(n_clusters=10, n_init=1, random_state=0) (one Lloyd run, the
  fairest single-model peer; sklearn 1.2's default n_init=10 is timed too)
  PCA(n_components=50, svd_solver="full")
  SGDClassifier(max_iter=15, tol=None, random_state=0) (hinge loss,
  one-vs-rest, exactly 15 epochs)
kiln runs SageMaker's defaults unless stated: kmeans k=10 feature_dim=784;
pca num_components=50 mini_batch_size=500 feature_dim=784; linear-learner
predictor_type=multiclass_classifier num_classes=10 epochs=15.

Targets (issue 4): K-Means <= 0.5x sklearn's time at inertia within 1%;
PCA <= 0.3x sklearn's full solver at equal explained variance; linear
learner <= 0.2x SGDClassifier's time at equal or better accuracy.
Writes <build>/bench/algos.json.  Usage:
  /usr/bin/python3 bench/algos/run.py [--build build] [--only kmeans,pca,linear]
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fashion_mnist import load, write_csv  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def ndarray_load(path):
    """MXNet NDArray file (builtin-algorithms.md section 18): V2 dense records."""
    b = Path(path).read_bytes()
    magic, _, n = struct.unpack_from("<QQQ", b, 0)
    assert magic == 0x112, "not an NDArray file"
    at, arrays = 24, []
    dtypes = {0: np.float32, 1: np.float64, 4: np.int32, 6: np.int64}
    for _ in range(n):
        rec_magic, stype = struct.unpack_from("<Ii", b, at)
        assert rec_magic == 0xF993FAC9 and stype == 0
        ndim, = struct.unpack_from("<i", b, at + 8)
        shape = struct.unpack_from("<%dq" % ndim, b, at + 12)
        at += 12 + 8 * ndim + 8  # dims, then the context
        flag, = struct.unpack_from("<i", b, at)
        at += 4
        dt = np.dtype(dtypes[flag])
        count = int(np.prod(shape))
        arrays.append(np.frombuffer(b, dt, count, at).reshape(shape))
        at += count * dt.itemsize
    names_n, = struct.unpack_from("<Q", b, at)
    at += 8
    names = []
    for _ in range(names_n):
        ln, = struct.unpack_from("<Q", b, at)
        names.append(b[at + 8:at + 8 + ln].decode())
        at += 8 + ln
    return dict(zip(names, arrays)) if names else arrays


def kiln_train(tool, algo, train, model_dir, hps):
    cmd = [str(tool), "train", algo, "--train", str(train), "--content-type",
           "text/csv", "--model-dir", str(model_dir)] + hps
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    done = [json.loads(l) for l in out.splitlines() if '"done"' in l][-1]
    return done["seconds"]


def kiln_predict(tool, algo, data, model_dir):
    cmd = [str(tool), "predict", algo, "--model-dir", str(model_dir), "--data",
           str(data), "--content-type", "text/csv"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return {k: np.array(v) for k, v in json.loads(out)["fields"].items()}


def timed(fn):
    t0 = time.perf_counter()
    r = fn()
    return time.perf_counter() - t0, r


def inertia(x, centers):
    x64 = x.astype(np.float64)
    c = np.asarray(centers, dtype=np.float64)
    d = (x64 ** 2).sum(1)[:, None] - 2 * x64 @ c.T + (c ** 2).sum(1)[None, :]
    return float(np.maximum(d.min(1), 0).sum())


def explained(x, components):
    """Variance of the centered rows projected on the components (columns),
    as a fraction of the total variance."""
    x64 = x.astype(np.float64)
    xc = x64 - x64.mean(0)
    v = np.asarray(components, dtype=np.float64)
    proj = xc @ v
    return float((proj ** 2).sum() / (xc ** 2).sum())


def bench_kmeans(tool, work, x, res):
    from sklearn.cluster import KMeans
    model = work / "kmeans-model"
    t_kiln = kiln_train(tool, "kmeans", work / "train.csv", model,
                        ["k=10", "feature_dim=784"])
    centers = ndarray_load(model / "model_algo-1")[0]
    t_sk1, km1 = timed(lambda: KMeans(n_clusters=10, n_init=1, random_state=0).fit(x))
    t_sk10, km10 = timed(lambda: KMeans(n_clusters=10, n_init=10, random_state=0).fit(x))
    i_kiln, i_sk1, i_sk10 = inertia(x, centers), inertia(x, km1.cluster_centers_), \
        inertia(x, km10.cluster_centers_)
    res["kmeans"] = {
        "kiln_seconds": round(t_kiln, 3),
        "sklearn_n_init_1_seconds": round(t_sk1, 3),
        "sklearn_n_init_10_seconds": round(t_sk10, 3),
        "kiln_inertia": round(i_kiln, 1),
        "sklearn_n_init_1_inertia": round(i_sk1, 1),
        "sklearn_n_init_10_inertia": round(i_sk10, 1),
        "time_ratio_vs_n_init_1": round(t_kiln / t_sk1, 3),
        "time_ratio_vs_n_init_10": round(t_kiln / t_sk10, 3),
        "inertia_ratio_vs_n_init_1": round(i_kiln / i_sk1, 4),
        "inertia_ratio_vs_n_init_10": round(i_kiln / i_sk10, 4),
    }


def bench_pca(tool, work, x, res):
    from sklearn.decomposition import PCA
    model = work / "pca-model"
    t_kiln = kiln_train(tool, "pca", work / "train.csv", model,
                        ["num_components=50", "mini_batch_size=500",
                         "feature_dim=784"])
    v = ndarray_load(model / "model_algo-1")["v"]
    t_sk, p = timed(lambda: PCA(n_components=50, svd_solver="full").fit(x))
    e_kiln, e_sk = explained(x, v), explained(x, p.components_.T)
    res["pca"] = {
        "kiln_seconds": round(t_kiln, 3),
        "sklearn_full_seconds": round(t_sk, 3),
        "kiln_explained_variance": round(e_kiln, 6),
        "sklearn_explained_variance": round(e_sk, 6),
        "time_ratio": round(t_kiln / t_sk, 3),
    }


def bench_linear(tool, work, x, y, xt, yt, res):
    from sklearn.linear_model import SGDClassifier
    model = work / "linear-model"
    t_kiln = kiln_train(tool, "linear-learner", work / "train.csv", model,
                        ["predictor_type=multiclass_classifier", "num_classes=10",
                         "epochs=15"])
    pred = kiln_predict(tool, "linear-learner", work / "test.csv", model)
    acc_kiln = float((pred["predicted_label"].reshape(-1).astype(int) == yt).mean())
    t_sk, sgd = timed(lambda: SGDClassifier(max_iter=15, tol=None,
                                            random_state=0).fit(x, y))
    acc_sk = float((sgd.predict(xt) == yt).mean())
    res["linear"] = {
        "kiln_seconds": round(t_kiln, 3),
        "sklearn_sgd_seconds": round(t_sk, 3),
        "kiln_accuracy": round(acc_kiln, 4),
        "sklearn_sgd_accuracy": round(acc_sk, 4),
        "time_ratio": round(t_kiln / t_sk, 3),
    }


def main():
    ap = argparse.ArgumentParser()
    default_build = REPO / "build-ci" if (REPO / "build-ci" / "build.ninja").exists() \
        else REPO / "build"
    ap.add_argument("--build", default=os.environ.get("KILN_BUILD") or str(default_build))
    ap.add_argument("--only", default="kmeans,pca,linear")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    build = Path(args.build)
    tool = build / "bench" / "kiln-bench-algo"
    if not tool.exists():
        sys.exit("%s not built (ninja -C %s)" % (tool, build))
    work = build / "bench" / "algos"
    work.mkdir(parents=True, exist_ok=True)
    x, y = load("train")
    xt, yt = load("t10k")
    write_csv(work / "train.csv", x, y)
    write_csv(work / "test.csv", xt, yt)
    only = set(args.only.split(","))
    res = {"rows": len(x), "features": x.shape[1], "cores": os.cpu_count()}
    if "kmeans" in only:
        bench_kmeans(tool, work, x, res)
    if "pca" in only:
        bench_pca(tool, work, x, res)
    if "linear" in only:
        bench_linear(tool, work, x, y, xt, yt, res)
    out = Path(args.out) if args.out else build / "bench" / "algos.json"
    out.write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
