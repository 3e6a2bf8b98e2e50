"""kiln's XGBoost training (algos/xgboost) against the xgboost library
1.7.4 (Debian's python3-xgboost, what SageMaker's 1.7-1 container runs),
through <build>/tests/kiln-algotool, on real data: scikit-learn's bundled
breast_cancer.csv and wine_data.csv, load_diabetes(), and a Fashion-MNIST
subset (Debian's dataset-fashion-mnist; 2,000 training rows, 1,000 test
rows), each split into training and held-out rows with a fixed seed.

Both sides train with the same hyperparameters (tree_method=hist, max_bin
256, max_depth 4, eta 0.3 unless a case says otherwise) for every objective
SageMaker's container offers and kiln implements: binary:logistic,
binary:logitraw, binary:hinge, reg:logistic, multi:softprob, multi:softmax,
reg:squarederror, count:poisson, reg:gamma, reg:tweedie,
reg:pseudohubererror, reg:absoluteerror.  Three oracles:

1. Same model when the cuts are exact.  xgboost's hist method puts a cut at
   every distinct value of a feature that has at most max_bin of them, and
   kiln's cuts are exact quantiles, so on data where every feature has at
   most 256 distinct training values (wine, diabetes, the Fashion-MNIST
   pixels: the premise is asserted) the two grow the same trees: kiln's
   margins (kiln-algotool predict, raw_score) must equal those of the model
   xgboost trains, to rtol 1e-5 / atol 1e-4 (float sums in another order;
   a wrong gradient, hessian, leaf formula, base score or regularisation
   moves them by far more), on every training row, and on at least 90% of
   the held-out rows: two splits can separate the training rows alike with
   the same gain (seen with missing values in nodes of 4 rows), and which
   of them wins is float noise; they then agree on every training row but
   may send a held-out row elsewhere.  The same holds with missing values
   (learned default directions), sample weights and lossguide trees, and
   for early stopping's best iteration.
2. Quality on the held-out rows, measured in numpy/scikit-learn from what
   each side predicted.  Tolerances, chosen so that the spread between
   correct implementations passes (xgboost against itself with max_bin 32,
   64, 128, 200 and 256 on these splits: AUC within 0.006, Fashion-MNIST
   accuracy within 0.005, logloss within 5%, breast-cancer accuracy up to
   5 rows apart, so accuracy is judged on Fashion-MNIST and wine only):
     AUC                          within 0.01 (absolute)
     accuracy                     within 0.01, and at most 2 rows apart on
                                  wine (58 held-out rows)
     logloss, mlogloss, rmse, mae, the deviances (poisson, gamma, tweedie
     with power 1.5) and the mean pseudo-Huber loss: within 5% (relative)
   Breast cancer (400 training rows: most features have more than 256
   distinct values, so the cuts differ) is judged by AUC only.
3. kiln's artifact, xgboost-model from the model directory, loaded by
   xgboost.Booster().load_model(), predicts what kiln predicts (kiln-algotool
   predict: score, raw_score and predicted_label) to 1e-6 (absolute, and
   relative above 1).

Plus: the training log lines and metrics ("[12]<TAB>train-logloss:...") equal
xgboost's evaluation of kiln's own trees, round by round, and SageMaker's
metric regexes find them; subsample and colsample_* are seen in the trees
(root covers, features per tree and per level) and keep the quality;
early stopping leaves best_iteration in the saved model; bad
hyperparameters exit with status 1 and "HyperparameterError: ..." on stderr
before any work.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np

from oracles import idx
import pytest

xgb = pytest.importorskip("xgboost", reason="the oracle is Debian's python3-xgboost")

KILN_BUILD = os.environ.get("KILN_BUILD") or ""
TOOL = Path(KILN_BUILD) / "tests" / "kiln-algotool" if KILN_BUILD else None
SK = Path("/usr/lib/python3/dist-packages/sklearn/datasets/data")
MNIST = Path("/usr/share/datasets/fashion-mnist")
THREADS = 2

pytestmark = pytest.mark.skipif(
    TOOL is None or not TOOL.exists(),
    reason="KILN_BUILD is not set, or it has no tests/kiln-algotool")

# The defaults of every case, on both sides.
BASE = {"tree_method": "hist", "max_bin": 256, "max_depth": 4, "eta": 0.3}

# SageMaker 1.7-1's metric regex (metrics.py), as the descriptor lists it:
# the log's tabs reach CloudWatch as "#011".
SAGEMAKER_REGEX = r".*\[[0-9]+\].*#011validation-%s:(\S+)"


# --- data ----------------------------------------------------------------------


def _split(x, y, seed, n_train):
    p = np.random.default_rng(seed).permutation(len(x))
    x, y = x[p], y[p]
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def _sklearn_csv(name):
    """A bundled CSV whose first line is a count line; the target last."""
    d = np.loadtxt(SK / name, delimiter=",", skiprows=1)
    return d[:, :-1].astype(np.float32), d[:, -1].astype(np.float32)


def _fashion(split, n):
    x = idx(MNIST / f"{split}-images-idx3-ubyte.gz").reshape(-1, 784)[:n]
    y = idx(MNIST / f"{split}-labels-idx1-ubyte.gz")[:n]
    return x.astype(np.float32) / np.float32(255.0), y.astype(np.float32)


def _with_nans(x, frac, seed):
    x = x.copy()
    x[np.random.default_rng(seed).random(x.shape) < frac] = np.nan
    return x


_DATA = {}


def dataset(name):
    """(x_train, y_train, x_test, y_test) as float32; cached."""
    if name in _DATA:
        return _DATA[name]
    if name == "bc":
        d = _split(*_sklearn_csv("breast_cancer.csv"), 7, 400)
    elif name == "bc-nan":
        x, y, xt, yt = dataset("bc")
        d = (_with_nans(x, 0.15, 1), y, _with_nans(xt, 0.15, 2), yt)
    elif name == "wine":
        d = _split(*_sklearn_csv("wine_data.csv"), 3, 120)
    elif name == "wine-binary":  # class 0 against the others
        x, y, xt, yt = dataset("wine")
        d = (x, (y == 0).astype(np.float32), xt, (yt == 0).astype(np.float32))
    elif name == "wine-nan":
        x, y, xt, yt = dataset("wine")
        d = (_with_nans(x, 0.15, 3), y, _with_nans(xt, 0.15, 4), yt)
    elif name.startswith("diabetes"):
        from sklearn.datasets import load_diabetes
        raw = load_diabetes()
        x, y, xt, yt = _split(raw.data.astype(np.float32),
                              raw.target.astype(np.float32), 5, 330)
        if name == "diabetes-std":  # for pseudo-Huber (slope 1)
            mu, sd = y.mean(), y.std()
            y, yt = (y - mu) / sd, (yt - mu) / sd
        elif name == "diabetes-01":  # for reg:logistic, labels in [0, 1]
            lo, hi = min(y.min(), yt.min()), max(y.max(), yt.max())
            y, yt = (y - lo) / (hi - lo), (yt - lo) / (hi - lo)
        elif name == "diabetes-nan":
            x, xt = _with_nans(x, 0.15, 5), _with_nans(xt, 0.15, 6)
        d = (x, y.astype(np.float32), xt, yt.astype(np.float32))
    elif name == "fashion":
        x, y = _fashion("train", 2000)
        xt, yt = _fashion("t10k", 1000)
        d = (x, y, xt, yt)
    elif name == "fashion-binary":  # T-shirt/top against the others
        x, y, xt, yt = dataset("fashion")
        d = (x, (y == 0).astype(np.float32), xt, (yt == 0).astype(np.float32))
    else:
        raise KeyError(name)
    _DATA[name] = d
    return d


def _fmt(v):
    return "%.9g" % v  # float32 reads back exactly


def write_csv(path, y, x, w=None, nan=""):
    """label first, then the weight (csv_weights=1), then the features;
    a missing value is written as `nan` ("" an empty field)."""
    with open(path, "w") as f:
        for i in range(len(x)):
            head = [_fmt(y[i])] + ([_fmt(w[i])] if w is not None else [])
            f.write(",".join(head + [nan if np.isnan(v) else _fmt(v) for v in x[i]]) + "\n")


def write_libsvm(path, y, x, w=None):
    """libsvm as SageMaker's XGBoost reads it: `label[:weight] index:value`,
    0-based indices, a missing value left out."""
    with open(path, "w") as f:
        for i in range(len(x)):
            head = _fmt(y[i]) + (":" + _fmt(w[i]) if w is not None else "")
            f.write(" ".join([head] + ["%d:%s" % (j, _fmt(v)) for j, v in enumerate(x[i])
                                       if not np.isnan(v)]) + "\n")


def write_features(path, x, nan="nan"):
    with open(path, "w") as f:
        for row in x:
            f.write(",".join(nan if np.isnan(v) else _fmt(v) for v in row) + "\n")


def distinct_ok(x):
    """Whether every feature has at most 256 distinct non-missing values:
    xgboost's cuts are then those values, as kiln's are."""
    return all(len(np.unique(c[~np.isnan(c)])) <= 256 for c in x.T)


def _differ(what, kiln, ref):
    """None when kiln's margins equal xgboost's (rtol 1e-5, atol 1e-4) on
    every row, else a description of the worst row."""
    kiln = kiln.reshape(ref.shape)
    ok = np.isclose(kiln, ref, rtol=1e-5, atol=1e-4)
    if ok.all():
        return None
    rows_ok = ok.reshape(len(ok), -1).all(1)
    diff = np.abs(kiln - ref).reshape(len(ok), -1).max(1)
    worst = int(diff.argmax())
    return ("%s: %d of %d rows differ; worst row %d: kiln %s, xgboost %s"
            % (what, (~rows_ok).sum(), len(rows_ok), worst,
               np.array2string(kiln.reshape(len(ok), -1)[worst], precision=6),
               np.array2string(ref.reshape(len(ok), -1)[worst], precision=6)))


def assert_same_model(model_dir, ref, x, xt, tmp):
    """kiln's model in model_dir is the model xgboost trained (ref), on
    data with exact cuts: the same margins on every training row of x and
    on at least 90% of the held-out rows xt (see the module's docstring)."""
    assert distinct_ok(x), "the premise: at most 256 distinct values a feature"
    write_features(tmp / "train-features.csv", x)
    write_features(tmp / "test-features.csv", xt)
    problems = []
    for what, data, path in (("training rows", x, tmp / "train-features.csv"),
                             ("held-out rows", xt, tmp / "test-features.csv")):
        kiln = kiln_predict(model_dir, path)["raw_score"]
        margin = ref.predict(xgb.DMatrix(data, nthread=THREADS), output_margin=True)
        problem = _differ(what, kiln, margin)
        if problem is None:
            continue
        if what == "held-out rows":
            rows_ok = np.isclose(kiln.reshape(margin.shape), margin, rtol=1e-5,
                                 atol=1e-4).reshape(len(margin), -1).all(1)
            if rows_ok.mean() >= 0.9:
                continue
        problems.append(problem)
    assert not problems, "; ".join(problems)


# --- running kiln and xgboost ----------------------------------------------------


def hp_words(params, rounds):
    return ["%s=%s" % (k, v) for k, v in params.items()] + ["num_round=%d" % rounds]


def kiln_train(model_dir, train_csv, params, rounds, validation=None, ok=True,
               content_type=None):
    """(log lines, metric events, seconds); or the CompletedProcess when
    ok is False."""
    cmd = [str(TOOL), "train", "xgboost", "--train", str(train_csv),
           "--model-dir", str(model_dir), "--threads", str(THREADS)]
    if validation is not None:
        cmd += ["--validation", str(validation)]
    if content_type is not None:
        cmd += ["--content-type", content_type]
    r = subprocess.run(cmd + hp_words(params, rounds), capture_output=True, text=True,
                       timeout=600)
    if not ok:
        return r
    assert r.returncode == 0, "kiln-algotool train failed: %s" % r.stderr
    logs, metrics, seconds = [], [], None
    for line in r.stdout.splitlines():
        d = json.loads(line)
        if "log" in d:
            logs.append(d["log"])
        elif "metric" in d:
            metrics.append(d)
        elif d.get("done"):
            seconds = d["seconds"]
    assert seconds is not None, r.stdout[-2000:]
    return logs, metrics, seconds


def kiln_predict(model_dir, features_csv):
    r = subprocess.run([str(TOOL), "predict", "xgboost", "--model-dir", str(model_dir),
                        "--data", str(features_csv)], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, "kiln-algotool predict failed: %s" % r.stderr
    return {k: np.array(v, dtype=np.float64) for k, v in json.loads(r.stdout)["fields"].items()}


def xgb_train(x, y, params, rounds, w=None, evals=(), **kw):
    d = xgb.DMatrix(x, label=y, weight=w, nthread=THREADS)
    p = dict(params, nthread=THREADS)
    if "eval_metric" in p:  # SageMaker's comma list; the library takes a list
        p["eval_metric"] = p["eval_metric"].split(",")
    watch = [(d, "train")] + [(xgb.DMatrix(ex, label=ey, nthread=THREADS), name)
                              for name, ex, ey in evals]
    result = {}
    b = xgb.train(p, d, num_boost_round=rounds, evals=watch, evals_result=result,
                  verbose_eval=False, **kw)
    return b, result


def load_artifact(model_dir):
    path = Path(model_dir) / "xgboost-model"
    assert path.is_file(), "no xgboost-model in %s: %s" % (model_dir, os.listdir(model_dir))
    b = xgb.Booster()
    b.load_model(str(path))
    return b


def trees(booster):
    """Every tree of a booster as xgboost dumps it (JSON, with stats)."""
    return [json.loads(t) for t in booster.get_dump(with_stats=True, dump_format="json")]


def walk(node, depth=0):
    yield node, depth
    for child in node.get("children", []):
        yield from walk(child, depth + 1)


# --- quality -------------------------------------------------------------------


def _auc(y, p):
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(y, p))


def _logloss(y, p):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


def _mlogloss(y, p):
    p = np.clip(p, 1e-15, 1)
    return float(-np.log(p[np.arange(len(y)), y.astype(int)]).mean())


def _accuracy(y, p):
    labels = p.argmax(1) if p.ndim == 2 and p.shape[1] > 1 else p.reshape(-1) > 0.5
    return float((labels == y).mean())


def _class_accuracy(y, p):  # multi:softmax: the class index itself
    return float((np.rint(p.reshape(-1)) == y).mean())


def _rmse(y, p):
    return float(np.sqrt(((y - p) ** 2).mean()))


def _mae(y, p):
    return float(np.abs(y - p).mean())


def _poisson_dev(y, p):
    from sklearn.metrics import mean_poisson_deviance
    return float(mean_poisson_deviance(y, np.maximum(p, 1e-300)))


def _gamma_dev(y, p):
    from sklearn.metrics import mean_gamma_deviance
    return float(mean_gamma_deviance(y, np.maximum(p, 1e-300)))


def _tweedie_dev(y, p):
    from sklearn.metrics import mean_tweedie_deviance
    return float(mean_tweedie_deviance(y, np.maximum(p, 1e-300), power=1.5))


def _pseudo_huber(y, p):
    return float((np.sqrt(1 + (y - p) ** 2) - 1).mean())


# name: (function of (y, predictions), kind, tolerance)
QUALITY = {
    "auc": (_auc, "abs", 0.01),
    "accuracy": (_accuracy, "abs", 0.01),
    "class_accuracy": (_class_accuracy, "abs", 0.01),
    "logloss": (_logloss, "rel", 0.05),
    "mlogloss": (_mlogloss, "rel", 0.05),
    "rmse": (_rmse, "rel", 0.05),
    "mae": (_mae, "rel", 0.05),
    "poisson_deviance": (_poisson_dev, "rel", 0.05),
    "gamma_deviance": (_gamma_dev, "rel", 0.05),
    "tweedie_deviance": (_tweedie_dev, "rel", 0.05),
    "pseudo_huber": (_pseudo_huber, "rel", 0.05),
}


def quality_failures(checks, y, kiln_pred, xgb_pred):
    """The checks whose kiln value is not within tolerance of xgboost's, as
    readable strings."""
    bad = []
    for name in checks:
        fn, kind, tol = QUALITY[name]
        k, x = fn(y, kiln_pred), fn(y, xgb_pred)
        if kind == "abs":
            allowed = tol
            if "accuracy" in name:  # small held-out sets: 2 rows
                allowed = max(tol, 2.0 / len(y) + 1e-12)
        else:
            allowed = tol * abs(x)
        if not abs(k - x) <= allowed:
            bad.append("%s: kiln %.6g, xgboost %.6g (difference %.3g, allowed %.3g)"
                       % (name, k, x, k - x, allowed))
    return bad


# --- the cases -----------------------------------------------------------------

# id: (dataset, objective parameters, rounds, quality checks, exact cuts)
CASES = {
    "binary:logistic-fashion": ("fashion-binary", {"objective": "binary:logistic"}, 20,
                                ["auc", "logloss", "accuracy"], True),
    "binary:logistic-wine": ("wine-binary", {"objective": "binary:logistic"}, 20,
                             ["auc", "accuracy"], True),
    "binary:logistic-bc": ("bc", {"objective": "binary:logistic"}, 30, ["auc"], False),
    "binary:logitraw-wine": ("wine-binary", {"objective": "binary:logitraw"}, 20,
                             ["auc"], True),
    "binary:logitraw-bc": ("bc", {"objective": "binary:logitraw"}, 30, ["auc"], False),
    "binary:hinge-fashion": ("fashion-binary", {"objective": "binary:hinge"}, 20,
                             ["accuracy"], True),
    "binary:hinge-wine": ("wine-binary", {"objective": "binary:hinge"}, 20,
                          ["accuracy"], True),
    "reg:logistic-diabetes": ("diabetes-01", {"objective": "reg:logistic"}, 20,
                              ["rmse"], True),
    "reg:logistic-bc": ("bc", {"objective": "reg:logistic"}, 30, ["auc"], False),
    "multi:softprob-wine": ("wine", {"objective": "multi:softprob", "num_class": 3}, 20,
                            ["mlogloss", "accuracy"], True),
    "multi:softprob-fashion": ("fashion", {"objective": "multi:softprob", "num_class": 10},
                               10, ["mlogloss", "accuracy"], True),
    "multi:softmax-wine": ("wine", {"objective": "multi:softmax", "num_class": 3}, 20,
                           ["class_accuracy"], True),
    "multi:softmax-fashion": ("fashion", {"objective": "multi:softmax", "num_class": 10},
                              10, ["class_accuracy"], True),
    "reg:squarederror-diabetes": ("diabetes", {"objective": "reg:squarederror"}, 20,
                                  ["rmse", "mae"], True),
    "count:poisson-diabetes": ("diabetes", {"objective": "count:poisson"}, 20,
                               ["poisson_deviance", "rmse"], True),
    "reg:gamma-diabetes": ("diabetes", {"objective": "reg:gamma"}, 20,
                           ["gamma_deviance", "rmse"], True),
    "reg:tweedie-diabetes": ("diabetes", {"objective": "reg:tweedie"}, 20,
                             ["tweedie_deviance", "rmse"], True),
    "reg:pseudohubererror-diabetes": ("diabetes-std", {"objective": "reg:pseudohubererror"},
                                      20, ["pseudo_huber", "rmse"], True),
    "reg:absoluteerror-diabetes": ("diabetes", {"objective": "reg:absoluteerror"}, 20,
                                   ["mae", "rmse"], True),
}

# What the score means for a quality check (AUC of logitraw: the margin).
CLASSIFICATION = ("binary:", "multi:", "reg:logistic")


class Run:
    """One case trained by both sides; kiln's predictions and xgboost's."""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Case id -> Run, each trained once for the module (kiln and xgboost)."""
    root = tmp_path_factory.mktemp("xgb-train")
    cache = {}

    def get(case):
        if case in cache:
            return cache[case]
        data, obj, rounds, checks, exact = CASES[case]
        x, y, xt, yt = dataset(data)
        params = dict(BASE, **obj)
        r = Run()
        r.case, r.params, r.rounds, r.checks, r.exact = case, params, rounds, checks, exact
        r.x, r.y, r.xt, r.yt = x, y, xt, yt
        d = root / case.replace(":", "_")
        d.mkdir()
        r.train_csv, r.test_csv, r.model = d / "train.csv", d / "test.csv", d / "model"
        write_csv(r.train_csv, y, x)
        write_features(r.test_csv, xt)
        r.logs, r.metrics, r.seconds = kiln_train(r.model, r.train_csv, params, rounds)
        r.kiln = kiln_predict(r.model, r.test_csv)
        r.booster, r.evals = xgb_train(x, y, params, rounds)
        dt = xgb.DMatrix(xt, nthread=THREADS)
        r.xgb_score = r.booster.predict(dt)
        r.xgb_margin = r.booster.predict(dt, output_margin=True)
        cache[case] = r
        return r

    return get


@pytest.mark.parametrize("case", list(CASES))
def test_quality_close_to_xgboost(runs, case):
    r = runs(case)
    kiln_score = r.kiln["score"]
    if r.params["objective"] != "multi:softprob":
        kiln_score = kiln_score.reshape(-1)
    bad = quality_failures(r.checks, r.yt, kiln_score, r.xgb_score)
    assert not bad, "%s: %s" % (case, "; ".join(bad))


@pytest.mark.parametrize("case", [c for c in CASES if CASES[c][4]])
def test_same_model_as_xgboost_when_cuts_are_exact(runs, case, tmp_path):
    r = runs(case)
    assert_same_model(r.model, r.booster, r.x, r.xt, tmp_path)


def _assert_artifact_predicts_like_kiln(model_dir, kiln, xt, objective):
    b = load_artifact(model_dir)
    dt = xgb.DMatrix(xt, nthread=THREADS)
    score, margin = b.predict(dt), b.predict(dt, output_margin=True)
    assert set(kiln) >= {"score", "raw_score"}, kiln.keys()
    np.testing.assert_allclose(kiln["raw_score"].reshape(margin.shape), margin,
                               rtol=1e-6, atol=1e-6, err_msg="raw_score")
    np.testing.assert_allclose(kiln["score"].reshape(score.shape), score,
                               rtol=1e-6, atol=1e-6, err_msg="score")
    if objective.startswith(CLASSIFICATION):
        assert "predicted_label" in kiln, kiln.keys()
        if margin.ndim == 2:
            expect = margin.argmax(1)
        else:
            expect = (margin > 0).astype(int)
        got = kiln["predicted_label"].reshape(-1)
        assert (got == expect).all(), "predicted_label differs on %d rows" % (got != expect).sum()
    return b


@pytest.mark.parametrize("case", list(CASES))
def test_artifact_loaded_by_xgboost_predicts_like_kiln(runs, case):
    r = runs(case)
    b = _assert_artifact_predicts_like_kiln(r.model, r.kiln, r.xt, r.params["objective"])
    config = json.loads(b.save_config())["learner"]
    assert config["objective"]["name"] == r.params["objective"]
    assert int(config["learner_model_param"]["num_feature"]) == r.x.shape[1]
    assert int(config["learner_model_param"]["num_class"]) == r.params.get("num_class", 0)
    groups = r.params.get("num_class", 1)
    assert b.num_boosted_rounds() == r.rounds
    assert len(b.get_dump()) == r.rounds * groups


# --- the training log and metrics ---------------------------------------------------

LOG_LINE = re.compile(r"^\[(\d+)\]((?:\t[a-z]+-[\w@.:-]+:-?[0-9.]+(?:e[+-]?\d+)?|"
                      r"\t[a-z]+-[\w@.:-]+:(?:nan|inf))+)$")


def parse_log(logs):
    """{round: {"train-logloss": value, ...}} from kiln's evaluation lines."""
    rounds = {}
    for line in logs:
        if not line.startswith("["):
            continue
        m = LOG_LINE.match(line)
        assert m, "not an xgboost evaluation line: %r" % line
        values = {}
        for item in m.group(2).split("\t")[1:]:
            name, _, v = item.rpartition(":")
            values[name] = float(v)
        rounds[int(m.group(1))] = values
    return rounds


def metric_events(metrics):
    """{("train:logloss", step): value}"""
    return {(m["metric"], m["step"]): m["value"] for m in metrics}


@pytest.mark.parametrize("case", ["binary:logistic-bc", "multi:softprob-wine",
                                  "reg:squarederror-diabetes", "reg:gamma-diabetes"])
def test_train_metrics_are_xgboosts_of_kilns_trees(runs, case):
    """Every round's train metric, as kiln logs and reports it, is what
    xgboost computes for the first trees of kiln's own model."""
    r = runs(case)
    b = load_artifact(r.model)
    dtrain = xgb.DMatrix(r.x, label=r.y, nthread=THREADS)
    rounds = parse_log(r.logs)
    events = metric_events(r.metrics)
    assert sorted(rounds) == list(range(r.rounds)), sorted(rounds)
    groups = r.params.get("num_class", 1)
    for i in range(r.rounds):
        assert list(rounds[i]) == ["train-" + m for m in _metric_names(rounds[i])]
        text = b[: i + 1].eval(dtrain, "train")  # "[0]\ttrain-logloss:0.46046"
        for item in text.split("\t")[1:]:
            name, _, v = item.rpartition(":")
            metric = name[len("train-"):]
            expect = float(v)
            assert name in rounds[i], (i, name, rounds[i])
            assert rounds[i][name] == pytest.approx(expect, rel=1e-4, abs=2e-5), \
                (case, i, name, rounds[i][name], expect)
            assert events[("train:" + metric, i)] == pytest.approx(expect, rel=1e-4, abs=2e-5)
    assert len(b.get_dump()) == r.rounds * groups


def _metric_names(values):
    return [k.split("-", 1)[1] for k in values]


# --- missing values ------------------------------------------------------------------


@pytest.mark.parametrize("data,obj,checks,exact", [
    ("bc-nan", {"objective": "binary:logistic"}, ["auc"], False),
    ("wine-nan", {"objective": "multi:softprob", "num_class": 3},
     ["mlogloss", "accuracy"], True),
    ("diabetes-nan", {"objective": "reg:squarederror"}, ["rmse"], True),
], ids=["bc-binary", "wine-multi", "diabetes-regression"])
def test_missing_values(tmp_path, data, obj, checks, exact):
    """15% of the values NaN (empty CSV fields in training, "nan" in the
    rows to predict): kiln trains, learns where missing values go, and
    agrees with xgboost."""
    x, y, xt, yt = dataset(data)
    assert np.isnan(x).mean() > 0.1 and np.isnan(xt).mean() > 0.1
    params = dict(BASE, **obj)
    write_csv(tmp_path / "train.csv", y, x, nan="")
    write_features(tmp_path / "test.csv", xt, nan="nan")
    kiln_train(tmp_path / "model", tmp_path / "train.csv", params, 20)
    kiln = kiln_predict(tmp_path / "model", tmp_path / "test.csv")
    b = _assert_artifact_predicts_like_kiln(tmp_path / "model", kiln, xt, obj["objective"])
    # some split sends missing values left, some right: directions are learned
    directions = set()
    for t in trees(b):
        for node, _ in walk(t):
            if "children" in node:
                directions.add(node["missing"] == node["yes"])
    assert directions == {True, False}, directions
    ref, _ = xgb_train(x, y, params, 20)
    dt = xgb.DMatrix(xt, nthread=THREADS)
    score = kiln["score"] if obj["objective"] == "multi:softprob" else kiln["score"].reshape(-1)
    bad = quality_failures(checks, yt, score, ref.predict(dt))
    assert not bad, bad
    if exact:
        assert_same_model(tmp_path / "model", ref, x, xt, tmp_path)


# --- sample weights --------------------------------------------------------------------


def _weights(y, seed):
    """Class 1 weighs 4 times class 0, times a random factor in [0.5, 1.5]."""
    rng = np.random.default_rng(seed)
    return (np.where(y > 0.5, 4.0, 1.0) * rng.uniform(0.5, 1.5, len(y))).astype(np.float32)


def _weighted_logloss(y, p, w):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float((w * -(y * np.log(p) + (1 - y) * np.log(1 - p))).sum() / w.sum())


@pytest.mark.parametrize("data,exact,fmt", [("wine-binary", True, "csv"),
                                            ("bc", False, "csv"),
                                            ("wine-binary", True, "libsvm")],
                         ids=["wine-exact-csv", "bc-csv", "wine-exact-libsvm"])
def test_sample_weights(tmp_path, data, exact, fmt):
    """Weighted rows: csv_weights=1 (the CSV column after the label is the
    row's weight), or libsvm's `label:weight`."""
    x, y, xt, yt = dataset(data)
    w = _weights(y, 11)
    params = dict(BASE, objective="binary:logistic", eval_metric="logloss")
    write_features(tmp_path / "test.csv", xt)
    if fmt == "csv":
        write_csv(tmp_path / "train.csv", y, x, w=w)
        _, metrics, _ = kiln_train(tmp_path / "model", tmp_path / "train.csv",
                                   dict(params, csv_weights=1), 20)
    else:
        write_libsvm(tmp_path / "train.libsvm", y, x, w=w)
        _, metrics, _ = kiln_train(tmp_path / "model", tmp_path / "train.libsvm", params, 20,
                                   content_type="text/libsvm")
    # the weight is no feature
    features = int(json.loads(load_artifact(tmp_path / "model").save_config())
                   ["learner"]["learner_model_param"]["num_feature"])
    assert features == x.shape[1], \
        "csv_weights=1: the model has %d features, the data %d: the weight column " \
        "was read as a feature" % (features, x.shape[1])
    kiln = kiln_predict(tmp_path / "model", tmp_path / "test.csv")
    b = _assert_artifact_predicts_like_kiln(tmp_path / "model", kiln, xt, "binary:logistic")
    weighted, _ = xgb_train(x, y, params, 20, w=w)
    unweighted, _ = xgb_train(x, y, params, 20)
    dt = xgb.DMatrix(xt, nthread=THREADS)
    dtrain = xgb.DMatrix(x, label=y, weight=w, nthread=THREADS)
    # The weighted training logloss: the weighted model's is far below the
    # unweighted one's (0.009 against 0.016 on breast cancer, 0.013 against
    # 0.027 on wine); xgboost with max_bin 128 lands within 0.0006.
    l_k, l_w, l_u = (_weighted_logloss(y, m.predict(dtrain), w)
                     for m in (b, weighted, unweighted))
    assert l_w < 0.8 * l_u, "the weights should matter here"
    assert abs(l_k - l_w) < 0.5 * abs(l_u - l_w), \
        "weighted training logloss: kiln %.5f, xgboost weighted %.5f, unweighted %.5f" \
        % (l_k, l_w, l_u)
    bad = quality_failures(["auc"], yt, kiln["score"].reshape(-1), weighted.predict(dt))
    assert not bad, bad
    # the train metric is the weighted logloss of kiln's trees
    events = metric_events(metrics)
    for i in (0, 9, 19):
        expect = _weighted_logloss(y, b[: i + 1].predict(dtrain), w)
        assert events[("train:logloss", i)] == pytest.approx(expect, rel=1e-4), i
    if exact:
        assert_same_model(tmp_path / "model", weighted, x, xt, tmp_path)


# --- lossguide, subsample, colsample ------------------------------------------------------


def test_lossguide_with_max_leaves(tmp_path):
    """grow_policy=lossguide, max_leaves=8, max_depth=0: at most 8 leaves a
    tree, grown best-first (deeper than a depthwise tree of 8 leaves), and
    the same trees as xgboost's (exact cuts)."""
    x, y, xt, yt = dataset("fashion-binary")
    params = dict(BASE, objective="binary:logistic", grow_policy="lossguide",
                  max_leaves=8, max_depth=0)
    write_csv(tmp_path / "train.csv", y, x)
    write_features(tmp_path / "test.csv", xt)
    kiln_train(tmp_path / "model", tmp_path / "train.csv", params, 15)
    kiln = kiln_predict(tmp_path / "model", tmp_path / "test.csv")
    b = _assert_artifact_predicts_like_kiln(tmp_path / "model", kiln, xt, "binary:logistic")
    ref, _ = xgb_train(x, y, params, 15)
    leaves = [sum(1 for n, _ in walk(t) if "leaf" in n) for t in trees(b)]
    depth = max(d for t in trees(b) for _, d in walk(t))
    ref_leaves = [sum(1 for n, _ in walk(t) if "leaf" in n) for t in trees(ref)]
    ref_depth = max(d for t in trees(ref) for _, d in walk(t))
    assert max(leaves) <= 8, leaves
    assert leaves == ref_leaves, (leaves, ref_leaves)
    assert ref_depth > 3 and depth == ref_depth, (depth, ref_depth)
    dt = xgb.DMatrix(xt, nthread=THREADS)
    bad = quality_failures(["auc", "logloss"], yt, kiln["score"].reshape(-1), ref.predict(dt))
    assert not bad, bad
    assert_same_model(tmp_path / "model", ref, x, xt, tmp_path)


def test_subsample_and_colsample_keep_quality(tmp_path):
    """Row and feature sampling (kiln's random streams are its own, so the
    trees differ from xgboost's): quality within tolerance of xgboost with
    the same fractions, and unlike kiln's own unsampled model."""
    x, y, xt, yt = dataset("fashion-binary")
    sampled = dict(BASE, objective="binary:logistic", subsample=0.7, colsample_bytree=0.5,
                   colsample_bylevel=0.8, colsample_bynode=0.8, seed=3)
    write_csv(tmp_path / "train.csv", y, x)
    write_features(tmp_path / "test.csv", xt)
    kiln_train(tmp_path / "model", tmp_path / "train.csv", sampled, 20)
    kiln = kiln_predict(tmp_path / "model", tmp_path / "test.csv")
    _assert_artifact_predicts_like_kiln(tmp_path / "model", kiln, xt, "binary:logistic")
    ref, _ = xgb_train(x, y, sampled, 20)
    dt = xgb.DMatrix(xt, nthread=THREADS)
    bad = quality_failures(["auc", "accuracy"], yt, kiln["score"].reshape(-1), ref.predict(dt))
    assert not bad, bad
    full, _ = xgb_train(x, y, dict(BASE, objective="binary:logistic"), 20)
    assert not np.allclose(kiln["raw_score"].reshape(-1),
                           full.predict(dt, output_margin=True), atol=1e-3), \
        "sampling had no effect on kiln's model"


def test_subsample_draws_rows_each_round(tmp_path):
    """subsample=0.5 with reg:squarederror (hessian 1 a row): the root's
    cover of every tree is the number of rows it drew, about half, and
    not the same rows every round."""
    x, y, xt, yt = dataset("diabetes")
    params = dict(BASE, objective="reg:squarederror", subsample=0.5, seed=5)
    write_csv(tmp_path / "train.csv", y, x)
    kiln_train(tmp_path / "model", tmp_path / "train.csv", params, 20)
    b = load_artifact(tmp_path / "model")
    covers = [t["cover"] for t in trees(b)]
    n = len(x)
    assert all(0.35 * n <= c <= 0.65 * n for c in covers), (n, covers)
    assert all(float(c).is_integer() for c in covers), covers
    assert len(set(covers)) > 3, covers


def test_colsample_bytree_limits_features_a_tree(tmp_path):
    """colsample_bytree=0.1 of 30 features: every tree splits on at most 3
    features (xgboost's max(1, floor(0.1 * 30))), a different draw a tree."""
    x, y, xt, yt = dataset("bc")
    params = dict(BASE, objective="binary:logistic", colsample_bytree=0.1, seed=1)
    write_csv(tmp_path / "train.csv", y, x)
    kiln_train(tmp_path / "model", tmp_path / "train.csv", params, 20)
    b = load_artifact(tmp_path / "model")
    used = [{n["split"] for n, _ in walk(t) if "split" in n} for t in trees(b)]
    assert all(len(u) <= 3 for u in used), used
    assert len(set().union(*used)) > 6, used


def test_colsample_bylevel_limits_features_a_level(tmp_path):
    """colsample_bylevel=0.1 of 30 features: at every depth of every tree
    the splits use at most 3 features."""
    x, y, xt, yt = dataset("bc")
    params = dict(BASE, objective="binary:logistic", colsample_bylevel=0.1, seed=2)
    write_csv(tmp_path / "train.csv", y, x)
    kiln_train(tmp_path / "model", tmp_path / "train.csv", params, 20)
    b = load_artifact(tmp_path / "model")
    for t in trees(b):
        levels = {}
        for n, d in walk(t):
            if "split" in n:
                levels.setdefault(d, set()).add(n["split"])
        assert all(len(f) <= 3 for f in levels.values()), levels


def test_colsample_bynode_draws_each_node(tmp_path):
    """colsample_bynode=1/30: every node may split on one feature of its
    own draw, so two children of one node split on different features in
    most trees (a draw shared by both would make them always the same),
    and the whole model uses many features."""
    x, y, xt, yt = dataset("bc")
    params = dict(BASE, objective="binary:logistic", colsample_bynode=1 / 30,
                  max_depth=3, seed=4)
    write_csv(tmp_path / "train.csv", y, x)
    kiln_train(tmp_path / "model", tmp_path / "train.csv", params, 20)
    b = load_artifact(tmp_path / "model")
    pairs = same = 0
    used = set()
    for t in trees(b):
        for n, _ in walk(t):
            if "split" not in n:
                continue
            used.add(n["split"])
            kids = [k for k in n["children"] if "split" in k]
            if len(kids) == 2:
                pairs += 1
                same += kids[0]["split"] == kids[1]["split"]
    assert pairs >= 20, pairs
    assert same < pairs / 2, (same, pairs)
    assert len(used) > 15, used


# --- early stopping ----------------------------------------------------------------------


def test_early_stopping_with_validation(tmp_path):
    """wine, multi:softprob, eval_metric merror,mlogloss (the last one
    decides), early_stopping_rounds=5, num_round=300: kiln stops where
    xgboost's own early stopping stops (exact cuts: the same trees), keeps
    the trees up to the stop, and saves best_iteration and best_ntree_limit
    in the model; every logged metric is xgboost's evaluation of kiln's
    trees, and SageMaker's regexes find the validation ones."""
    x, y, xt, yt = dataset("wine")
    xtr, ytr, xva, yva = x[:90], y[:90], x[90:], y[90:]
    params = dict(BASE, objective="multi:softprob", num_class=3,
                  eval_metric="merror,mlogloss")
    write_csv(tmp_path / "train.csv", ytr, xtr)
    write_csv(tmp_path / "validation.csv", yva, xva)
    logs, metrics, _ = kiln_train(tmp_path / "model", tmp_path / "train.csv",
                                  dict(params, early_stopping_rounds=5), 300,
                                  validation=tmp_path / "validation.csv")
    b = load_artifact(tmp_path / "model")
    best = b.attr("best_iteration")
    assert best is not None, b.attributes()
    best = int(best)
    rounds = b.num_boosted_rounds()
    assert rounds == best + 1 + 5 < 300, (best, rounds)
    assert b.attr("best_ntree_limit") is not None and \
        int(b.attr("best_ntree_limit")) == best + 1, b.attributes()

    ref, result = xgb_train(xtr, ytr, params, 300, evals=[("validation", xva, yva)],
                            early_stopping_rounds=5)
    assert best == ref.best_iteration, (best, ref.best_iteration)
    assert rounds == ref.num_boosted_rounds()

    logged = parse_log(logs)
    events = metric_events(metrics)
    assert sorted(logged) == list(range(rounds))
    for i in range(rounds):
        assert list(logged[i]) == ["train-merror", "train-mlogloss",
                                   "validation-merror", "validation-mlogloss"], logged[i]
        for channel in ("train", "validation"):
            for m in ("merror", "mlogloss"):
                expect = result[channel][m][i]
                assert logged[i]["%s-%s" % (channel, m)] == pytest.approx(
                    expect, rel=1e-4, abs=1e-5), (i, channel, m)
                assert events[("%s:%s" % (channel, m), i)] == pytest.approx(
                    expect, rel=1e-5, abs=1e-6), (i, channel, m)
    # the best round has the lowest validation mlogloss (the first such)
    v = [events[("validation:mlogloss", i)] for i in range(rounds)]
    assert int(np.argmin(v)) == best, v
    # SageMaker's MetricDefinitions regex on the log as CloudWatch shows it
    text = "\n".join(l.replace("\t", "#011") for l in logs)
    found = [float(s) for s in re.findall(SAGEMAKER_REGEX % "mlogloss", text)]
    assert len(found) == rounds
    assert found == pytest.approx([logged[i]["validation-mlogloss"] for i in range(rounds)])
    # predictions use every tree, as Booster.predict does
    write_features(tmp_path / "test.csv", xt)
    kiln = kiln_predict(tmp_path / "model", tmp_path / "test.csv")
    _assert_artifact_predicts_like_kiln(tmp_path / "model", kiln, xt, "multi:softprob")


# --- bad hyperparameters --------------------------------------------------------------------


@pytest.mark.parametrize("hps,mention", [
    (["objective=binary:logistic", "max_dept=3"], "max_dept"),
    (["objective=multi:softprob"], "num_class"),
    (["objective=binary:logistic", "eta=2"], "eta"),
    (["objective=rank:pairwise"], "rank:pairwise"),
], ids=["unknown-name", "num_class-missing", "eta-2", "rank-unsupported"])
def test_bad_hyperparameters(tmp_path, hps, mention):
    x, y, _, _ = dataset("wine")
    write_csv(tmp_path / "train.csv", y, x)
    r = subprocess.run([str(TOOL), "train", "xgboost", "--train", str(tmp_path / "train.csv"),
                        "--model-dir", str(tmp_path / "model"), "num_round=5"] + hps,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("HyperparameterError: "), r.stderr
    assert mention in lines[0], r.stderr
    assert '"done"' not in r.stdout
    assert not (tmp_path / "model" / "xgboost-model").exists()
