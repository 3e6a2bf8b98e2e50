"""kiln's XGBoost objectives and metrics (algos/xgboost/xgb_objective.c,
xgb_metric.c) against the xgboost library 1.7.4 itself, through
<build>/tests/algos/xgboost/kiln-xgb-metric-tool:

- metrics: xgboost trains a few rounds on real data (sklearn's bundled
  breast_cancer, wine, iris and diabetes), with and without sample weights;
  kiln gets xgboost's margins (predict(output_margin=True)), applies the
  objective's eval transform and the metric, and must print the same name
  and value as xgboost's own Booster.eval line;
- SageMaker's own metrics (accuracy, balanced_accuracy, f1*, precision*,
  recall*, mse, rmse, mae, r2: the 1.7-1 container's feval): kiln on the
  margins against sklearn.metrics as the container calls it, on the same
  real data, through xgboost's feval plumbing, and at float32 bit level;
- gradients: xgboost's gradient and hessian at a margin, read off a one-row,
  one-round tree (reg_lambda 0, eta 1: the leaf is -g/h and its cover is h),
  against kiln's; plus xgboost's closed forms (from its sources) in numpy at
  many random points;
- transforms: kiln's predict transform of xgboost's margins against
  xgboost's predict(); base_score to margin against a 0-round booster;
- labels: what xgboost refuses, kiln refuses too, naming the row.
"""

import json
import math
import os
import subprocess
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

xgb = pytest.importorskip("xgboost")

KILN_BUILD = os.environ.get("KILN_BUILD") or ""
TOOL = (Path(KILN_BUILD) / "tests" / "algos" / "xgboost" / "kiln-xgb-metric-tool"
        if KILN_BUILD else None)
SKLEARN_DATA = Path("/usr/lib/python3/dist-packages/sklearn/datasets/data")

pytestmark = pytest.mark.skipif(
    TOOL is None or not TOOL.exists(),
    reason="KILN_BUILD is not set, or it has no kiln-xgb-metric-tool")


# --- data -------------------------------------------------------------------

def _sklearn_csv(name):
    """sklearn's bundled CSVs: a count line, then features and the target."""
    a = np.loadtxt(SKLEARN_DATA / name, delimiter=",", skiprows=1)
    return a[:, :-1].astype(np.float32), a[:, -1].astype(np.float32)


@lru_cache(maxsize=None)
def dataset(name):
    if name == "diabetes":
        from sklearn.datasets import load_diabetes
        d = load_diabetes()
        return d.data.astype(np.float32), d.target.astype(np.float32)
    return _sklearn_csv({"wine": "wine_data"}.get(name, name) + ".csv")


def weights_for(n, seed=7):
    return np.random.default_rng(seed).uniform(0.2, 3.0, n).astype(np.float32)


# --- the tool ---------------------------------------------------------------

def write(path, values):
    np.savetxt(path, np.asarray(values, dtype=np.float32).reshape(-1), fmt="%.9g")
    return str(path)


def run_tool(*args, check=True):
    r = subprocess.run([str(TOOL), *map(str, args)], capture_output=True,
                       text=True, timeout=60)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def kiln_metric(tmp_path, objective, metric, margin, label, weight, params):
    files = [write(tmp_path / "m.txt", margin), write(tmp_path / "y.txt", label),
             write(tmp_path / "w.txt", weight) if weight is not None else "-"]
    out = run_tool("metric", objective, metric, *files,
                   *("%s=%s" % kv for kv in params.items())).stdout.split()
    return out[0], float(out[1])


def xgb_train_eval(params, d, rounds, metrics):
    """Train, and xgboost's value of every metric on d after the last round,
    by the name xgboost prints ({name: value}).  The values come from the
    evaluation lines during training: Booster.eval on a booster that
    xgb.train returned repeats the last metric under every name in
    xgboost 1.7.4."""
    result = {}
    plist = list(params.items()) + [("eval_metric", m) for m in metrics]
    bst = xgb.train(plist, d, rounds, evals=[(d, "eval")],
                    evals_result=result, verbose_eval=False)
    return bst, {name: values[-1] for name, values in result["eval"].items()}


def close(a, b, rel=1e-5, abs_=1e-9):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


# --- metrics against Booster.eval ---------------------------------------------

# (objective, dataset, extra params, eval metrics); every case runs with and
# without sample weights.  xgboost's own rmse and mae are spelled "rmse@" and
# "mae@" here (xgboost drops the parameter and prints "rmse"): plain "rmse"
# and "mae" are SageMaker's own (tested below).
METRIC_CASES = [
    ("binary:logistic", "breast_cancer", {},
     ["logloss", "error", "error@0.7", "error@0.5", "auc", "aucpr", "rmse@",
      "mae@", "ndcg", "map", "ndcg@10", "map@10-", "ndcg-", "pre@5"]),
    ("binary:logistic", "breast_cancer", {"scale_pos_weight": 2.5},
     ["logloss", "auc"]),
    ("binary:logitraw", "breast_cancer", {}, ["logloss", "error", "auc", "aucpr"]),
    ("binary:hinge", "breast_cancer", {}, ["error", "auc", "logloss"]),
    ("reg:logistic", "breast_cancer", {}, ["rmse@", "logloss", "error@0.3"]),
    ("multi:softprob", "wine", {"num_class": 3},
     ["mlogloss", "merror", "auc", "aucpr"]),
    ("multi:softmax", "iris", {"num_class": 3},
     ["merror", "mlogloss", "auc", "aucpr"]),
    ("reg:squarederror", "diabetes", {},
     ["rmse@", "mae@", "mape", "rmsle", "mphe"]),
    ("reg:squarederror", "diabetes", {"huber_slope": 30}, ["mphe"]),
    ("reg:pseudohubererror", "diabetes", {"huber_slope": 50}, ["mphe", "rmse@"]),
    ("reg:absoluteerror", "diabetes", {}, ["mae@", "rmse@"]),
    ("reg:squaredlogerror", "diabetes", {}, ["rmsle", "rmse@"]),
    ("reg:gamma", "diabetes", {},
     ["gamma-nloglik", "gamma-deviance", "rmse@", "poisson-nloglik"]),
    ("count:poisson", "diabetes", {}, ["poisson-nloglik", "rmse@", "mae@"]),
    ("reg:tweedie", "diabetes", {},
     ["tweedie-nloglik@1.5", "tweedie-nloglik@1.2", "rmse@"]),
    ("reg:tweedie", "diabetes", {"tweedie_variance_power": 1.8},
     ["tweedie-nloglik@1.8", "gamma-deviance"]),
]


def _case_id(case):
    obj, data, extra, _ = case
    return "%s-%s%s" % (obj, data, "".join("-%s=%s" % kv for kv in extra.items()))


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case", METRIC_CASES, ids=[_case_id(c) for c in METRIC_CASES])
def test_metric_matches_xgboost(case, weighted, tmp_path):
    objective, data, extra, metrics = case
    X, y = dataset(data)
    w = weights_for(len(y)) if weighted else None
    d = xgb.DMatrix(X, label=y, weight=w)
    params = {"objective": objective, "max_depth": 3, "eta": 0.3, "seed": 0,
              "tree_method": "hist", "nthread": 1, **extra}
    bst, expected = xgb_train_eval(params, d, 4, metrics)
    margin = bst.predict(d, output_margin=True)
    for metric in metrics:
        name, value = kiln_metric(tmp_path, objective, metric, margin, y, w, extra)
        assert name in expected, (metric, name, list(expected))
        assert close(value, expected[name], 1e-6), (metric, value, expected[name])


def test_auc_of_one_class_is_nan_as_in_xgboost(tmp_path):
    X, y = dataset("breast_cancer")
    keep = y == 1
    d = xgb.DMatrix(X[keep], label=y[keep])
    bst, expected = xgb_train_eval({"objective": "binary:logistic", "nthread": 1},
                                   d, 2, ["auc"])
    margin = bst.predict(d, output_margin=True)
    name, value = kiln_metric(tmp_path, "binary:logistic", "auc", margin,
                              y[keep], None, {})
    assert math.isnan(value) and math.isnan(expected[name])
    # xgboost 1.7.4 stops on aucpr here ("Check failed: auc <= local_area
    # (nan vs. 1)"); kiln's value is NaN, as for auc.
    with pytest.raises(xgb.core.XGBoostError):
        xgb_train_eval({"objective": "binary:logistic", "nthread": 1}, d, 1, ["aucpr"])
    name, value = kiln_metric(tmp_path, "binary:logistic", "aucpr", margin,
                              y[keep], None, {})
    assert name == "aucpr" and math.isnan(value)


def test_auc_with_tied_predictions_and_weights(tmp_path):
    """Coarse margins make many ties: one step of the curve per tie."""
    rng = np.random.default_rng(3)
    n = 300
    y = (rng.uniform(size=n) < 0.4).astype(np.float32)
    margin = np.round(rng.normal(size=n) + y, 0).astype(np.float32)
    w = weights_for(n, 11)
    X = np.zeros((n, 1), dtype=np.float32)
    for weight in (None, w):
        d = xgb.DMatrix(X, label=y, weight=weight, base_margin=margin)
        # eta 0: one round of zero leaves, the margins stay the base margins
        _, expected = xgb_train_eval({"objective": "binary:logistic", "eta": 0.0,
                                      "nthread": 1}, d, 1,
                                     ["auc", "aucpr", "ndcg", "map"])
        for metric in ["auc", "aucpr", "ndcg", "map"]:
            name, value = kiln_metric(tmp_path, "binary:logistic", metric,
                                      margin, y, weight, {})
            assert close(value, expected[name], 1e-6), (metric, value, expected[name])


def test_metric_names_as_xgboost_prints_them(tmp_path):
    X, y = dataset("breast_cancer")
    d = xgb.DMatrix(X[:50], label=y[:50])
    names = ["error@.7", "error@0.70", "error@1e-1", "ndcg@-", "map@3-",
             "rmse@3", "auc@2", "tweedie-nloglik@1.50"]
    for metric in names:
        bst, expected = xgb_train_eval({"objective": "binary:logistic", "nthread": 1},
                                       d, 1, [metric])
        margin = bst.predict(d, output_margin=True)
        [(xname, xvalue)] = expected.items()
        name, value = kiln_metric(tmp_path, "binary:logistic", metric, margin,
                                  y[:50], None, {})
        assert name == xname
        assert close(value, xvalue), (metric, value, xvalue)


def test_unknown_metric_is_a_hyperparameter_error(tmp_path):
    r = run_tool("metric", "binary:logistic", "xyz", write(tmp_path / "m", [0]),
                 write(tmp_path / "y", [0]), check=False)
    assert r.returncode == 1
    assert "unknown eval_metric 'xyz'; expected one of" in r.stderr
    assert "logloss" in r.stderr


# --- SageMaker's own metrics: the container's feval, sklearn as the oracle ----
#
# SageMaker's XGBoost 1.7-1 container computes fifteen eval_metric names
# itself, in a feval handed to xgboost.train: xgboost 1.7 gives a feval the
# raw margins (n, or n x K for multi:*), the container turns them into
# labels (margin > 0, or the row's argmax) and calls sklearn.metrics without
# weights.  The oracle below does that with sklearn; kiln gets the margins
# untransformed (the tool's "feval" command).

SM_CLASSIFICATION = ["accuracy", "balanced_accuracy", "f1", "f1_binary",
                     "f1_macro", "precision", "precision_macro",
                     "precision_micro", "recall", "recall_macro", "recall_micro"]
SM_REGRESSION = ["mse", "rmse", "mae", "r2"]
SM_ALL = SM_CLASSIFICATION + SM_REGRESSION


def sm_predicted_labels(margin):
    margin = np.asarray(margin)
    if margin.ndim == 2:
        return np.argmax(margin, axis=-1)
    return (margin > 0.0).astype(int)


def sklearn_oracle(name, margin, label):
    """What the container's feval reports for name (float32 labels and
    margins, as DMatrix.get_label() and Booster.predict give them), or NaN
    where sklearn raises."""
    import warnings
    from sklearn import metrics as skm
    margin = np.asarray(margin, dtype=np.float32)
    label = np.asarray(label, dtype=np.float32)
    funcs = {
        "accuracy": skm.accuracy_score,
        "balanced_accuracy": skm.balanced_accuracy_score,
        "f1": lambda a, b: skm.f1_score(a, b, average="macro"),
        "f1_binary": lambda a, b: skm.f1_score(a, b, average="binary"),
        "f1_macro": lambda a, b: skm.f1_score(a, b, average="macro"),
        "precision": skm.precision_score,
        "precision_macro": lambda a, b: skm.precision_score(a, b, average="macro"),
        "precision_micro": lambda a, b: skm.precision_score(a, b, average="micro"),
        "recall": skm.recall_score,
        "recall_macro": lambda a, b: skm.recall_score(a, b, average="macro"),
        "recall_micro": lambda a, b: skm.recall_score(a, b, average="micro"),
        "mse": skm.mean_squared_error,
        "rmse": lambda a, b: skm.mean_squared_error(a, b, squared=False),
        "mae": skm.mean_absolute_error,
        "r2": skm.r2_score,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if name in SM_CLASSIFICATION:
                if margin.size == 0:
                    return 0.0
                return funcs[name](label, sm_predicted_labels(margin))
            return funcs[name](label, margin)
        except ValueError:
            return math.nan


def kiln_feval(tmp_path, objective, metric, margin, label, weight=None, params=None):
    files = [write(tmp_path / "m.txt", margin), write(tmp_path / "y.txt", label),
             write(tmp_path / "w.txt", weight) if weight is not None else "-"]
    out = run_tool("feval", objective, metric, *files,
                   *("%s=%s" % kv for kv in (params or {}).items())).stdout.split()
    return out[0], float(out[1])


def same_as_sklearn(name, got, want):
    """mse, rmse and mae are float32 in sklearn (and in kiln): bit for bit;
    the rest are float64 from counts, or r2's float64 sums."""
    if isinstance(want, np.float32):
        return np.float32(got) == want
    return close(got, float(want), 1e-12, 1e-15)


# (objective, dataset, extra params); every case with and without weights
# (which the container never reads).
SM_CASES = [
    ("binary:logistic", "breast_cancer", {}),
    ("binary:logitraw", "breast_cancer", {}),
    ("binary:hinge", "breast_cancer", {}),
    ("reg:logistic", "breast_cancer", {}),
    ("multi:softprob", "wine", {"num_class": 3}),
    ("multi:softmax", "wine", {"num_class": 3}),
    ("multi:softmax", "iris", {"num_class": 3}),
    ("reg:squarederror", "diabetes", {}),
    ("count:poisson", "diabetes", {}),
    ("reg:gamma", "diabetes", {}),
]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case", SM_CASES, ids=[_case_id(c + ([],)) for c in SM_CASES])
def test_sagemaker_metrics_match_sklearn(case, weighted, tmp_path):
    objective, data, extra = case
    X, y = dataset(data)
    w = weights_for(len(y)) if weighted else None
    d = xgb.DMatrix(X, label=y, weight=w)
    params = {"objective": objective, "max_depth": 2, "eta": 0.1, "seed": 0,
              "tree_method": "hist", "nthread": 1, **extra}
    # few, shallow rounds: predictions far from perfect, every class confused
    bst = xgb.train(params, d, 3)
    margin = bst.predict(d, output_margin=True)
    defined = 0
    for metric in SM_ALL:
        name, value = kiln_feval(tmp_path, objective, metric, margin, y, w, extra)
        want = sklearn_oracle(metric, margin, y)
        assert name == metric
        assert same_as_sklearn(metric, value, want), (metric, value, want)
        defined += not math.isnan(value)
    # two classes define all fifteen; wine and iris (n x K margins) have no
    # "binary" average and no regression metric; diabetes's integer targets
    # are many classes: no "binary" average
    assert defined == {"breast_cancer": 15, "wine": 8, "iris": 8, "diabetes": 12}[data]


def container_feval(names):
    """The container's feval, written from its description: sklearn on what
    xgboost hands a feval (margins), unweighted."""
    def feval(preds, dmatrix):
        y = dmatrix.get_label()
        return [(n, float(sklearn_oracle(n, preds, y))) for n in names]
    return feval


@pytest.mark.filterwarnings("ignore:`feval` is deprecated")
@pytest.mark.parametrize("objective,data,extra", [
    ("binary:logistic", "breast_cancer", {}),
    ("multi:softmax", "wine", {"num_class": 3}),
    ("count:poisson", "diabetes", {}),
])
def test_sagemaker_metrics_through_xgboost_feval(objective, data, extra, tmp_path):
    """xgboost.train(feval=...) as the container calls it: the values it logs
    (through "%f", six decimals) are kiln's on the margins -- which also shows
    that xgboost 1.7.4 hands feval margins, not probabilities."""
    X, y = dataset(data)
    w = weights_for(len(y))
    d = xgb.DMatrix(X, label=y, weight=w)
    # the names the container can compute here (the others raise in sklearn
    # and fail the job: "binary" averages of more than two classes,
    # regression metrics of n x K margins)
    names = [n for n in SM_ALL
             if not (data != "breast_cancer" and n in ("f1_binary", "precision", "recall"))
             and not (objective.startswith("multi:") and n in SM_REGRESSION)]
    result = {}
    bst = xgb.train({"objective": objective, "max_depth": 2, "eta": 0.1,
                     "nthread": 1, **extra}, d, 3,
                    evals=[(d, "train")], feval=container_feval(names),
                    evals_result=result, verbose_eval=False)
    margin = bst.predict(d, output_margin=True)
    for n in names:
        _, value = kiln_feval(tmp_path, objective, n, margin, y, w, extra)
        logged = result["train"][n][-1]
        assert float("%f" % value) == logged, (n, value, logged)
    if objective == "binary:logistic":
        # on probabilities every row would be class 1
        p = bst.predict(d)
        assert result["train"]["accuracy"][-1] != round(float(np.mean(y == 1)), 6)
        assert np.mean((p > 0.5) == (margin > 0)) == 1.0


@pytest.mark.filterwarnings("ignore:`feval` is deprecated")
def test_container_logs_the_feval_rmse_not_xgboosts(tmp_path, capsys):
    """eval_metric=rmse with reg:squarederror in the container: rmse goes to
    feval, eval_metric is left empty, so xgboost adds its default -- rmse --
    and the line has rmse twice.  The EvaluationMonitor (the container's
    callback) prints the later, feval's value: kiln's "rmse".  xgboost's own
    is kiln's "rmse@"."""
    X, y = dataset("diabetes")
    w = weights_for(len(y))
    d = xgb.DMatrix(X, label=y, weight=w)
    params = {"objective": "reg:squarederror", "max_depth": 2, "nthread": 1}
    result = {}
    bst = xgb.train(params, d, 2, evals=[(d, "train"), (d, "validation")],
                    feval=container_feval(["rmse"]), evals_result=result,
                    verbose_eval=False, callbacks=[xgb.callback.EvaluationMonitor()])
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[-1].count("rmse") == 2  # train and validation, once each
    builtin, feval = result["train"]["rmse"][-2:]
    margin = bst.predict(d, output_margin=True)
    _, kiln_rmse = kiln_feval(tmp_path, "reg:squarederror", "rmse", margin, y, w)
    _, kiln_builtin = kiln_metric(tmp_path, "reg:squarederror", "rmse@", margin, y, w, {})
    assert float("%f" % kiln_rmse) == feval
    assert close(kiln_builtin, builtin, 1e-6)
    assert not close(kiln_rmse, kiln_builtin, 1e-4)  # weights: they differ
    assert "train-rmse:%.5f" % feval in printed[-1]
    assert "train-rmse:%.5f" % builtin not in printed[-1]


def test_sagemaker_regression_sums_like_numpy_float32(tmp_path):
    """sklearn's mse and mae are float32 means: numpy's pairwise sums, in
    chunks of 8192.  Bit for bit at sizes around every block boundary."""
    rng = np.random.default_rng(21)
    for n in [1, 3, 7, 8, 9, 127, 128, 129, 1000, 8192, 8193, 20000, 50000]:
        y = (rng.normal(size=n) * 300 + 50).astype(np.float32)
        m = (rng.normal(size=n) * 300).astype(np.float32)
        for metric in ["mse", "rmse", "mae", "r2"]:
            _, value = kiln_feval(tmp_path, "reg:squarederror", metric, m, y)
            want = sklearn_oracle(metric, m, y)
            assert same_as_sklearn(metric, value, want), (n, metric, value, want)


def test_sagemaker_metrics_edge_cases(tmp_path):
    """Where sklearn raises (NaN in kiln) and the container's own zero."""
    cases = [
        # labels 0 and 2 with predictions 0 and 1: three classes, no binary
        ([1.0, -1.0, 1.0], [0, 2, 2]),
        # two classes without 1: "pos_label=1 is not a valid label"
        ([-1.0, -1.0, -2.0], [0, 2, 2]),
        # one class, not 1: zero_division gives 0
        ([-1.0, -2.0, -3.0], [0, 0, 0]),
        # fractional labels: "continuous"
        ([0.5, -0.5, 1.0], [0.25, 1, 0]),
        # margins exactly 0 are class 0
        ([0.0, 0.0, 1.0], [0, 1, 1]),
        # one row: r2 is NaN
        ([0.3], [1]),
        # constant labels
        ([2.0, 2.0, 2.0], [2, 2, 2]),
        ([2.0, 2.0, 3.0], [2, 2, 2]),
    ]
    for margin, label in cases:
        for metric in SM_ALL:
            _, value = kiln_feval(tmp_path, "reg:squarederror", metric, margin, label)
            want = sklearn_oracle(metric, margin, label)
            assert same_as_sklearn(metric, value, want), (margin, label, metric, value, want)
    # no rows: the container's preds.size check gives 0 for classification;
    # sklearn refuses empty regression inputs
    for metric in SM_ALL:
        _, value = kiln_feval(tmp_path, "binary:logistic", metric, [], [])
        if metric in SM_CLASSIFICATION:
            assert value == 0.0
        else:
            assert math.isnan(value)


def test_sagemaker_names_and_unknown_spellings(tmp_path):
    m, y = write(tmp_path / "m", [0.5]), write(tmp_path / "y", [1])
    for bad in ["accuracy@0.5", "F1", "mse@2", "r2@"]:
        r = run_tool("feval", "binary:logistic", bad, m, y, check=False)
        assert r.returncode == 1 and "unknown eval_metric '%s'" % bad in r.stderr
    r = run_tool("feval", "binary:logistic", "xyz", m, y, check=False)
    for name in SM_ALL:
        assert name in r.stderr
    # xgboost itself knows none of the container's names but rmse and mae
    X, yy = dataset("breast_cancer")
    d = xgb.DMatrix(X[:50], label=yy[:50])
    for name in ["accuracy", "f1", "r2", "mse"]:
        with pytest.raises(xgb.core.XGBoostError):
            xgb_train_eval({"objective": "binary:logistic", "nthread": 1}, d, 1, [name])


# --- gradients: xgboost's own, read off one-row trees ------------------------

def xgb_gradient(objective, margin, label, weight, params):
    """xgboost's (g, h) per output group at one row: with reg_lambda 0 and
    eta 1 a one-node tree's leaf is -G/H and its cover H."""
    k = params.get("num_class", 1) if objective.startswith("multi:") else 1
    X = np.zeros((1, 1), dtype=np.float32)
    bm = np.asarray(margin, dtype=np.float32).reshape(1, k) if k > 1 else [margin]
    d = xgb.DMatrix(X, label=[label], weight=[weight], base_margin=bm)
    p = {"objective": objective, "reg_lambda": 0.0, "eta": 1.0, "max_depth": 1,
         "min_child_weight": 0, "tree_method": "hist", "nthread": 1, **params}
    bst = xgb.train(p, d, 1)
    out = []
    for tree in bst.get_dump(dump_format="json", with_stats=True):
        t = json.loads(tree)
        out.append((-t["leaf"] * t["cover"], t["cover"]))
    return out


def kiln_gradient(tmp_path, objective, margin, label, weight, params):
    files = [write(tmp_path / "m.txt", margin), write(tmp_path / "y.txt", label),
             write(tmp_path / "w.txt", weight) if weight is not None else "-"]
    out = run_tool("grad", objective, *files,
                   *("%s=%s" % kv for kv in params.items())).stdout
    return np.array([[float(v) for v in line.split()]
                     for line in out.strip().splitlines()])


# (objective, params, [(margin, label, weight)]); reg:absoluteerror is not
# here: xgboost replaces its leaves by residual medians (closed form below).
GRADIENT_CASES = [
    ("reg:squarederror", {}, [(0.3, 1.2, 1.0), (-2.0, 1.0, 2.5), (4.0, -3.0, 0.5)]),
    ("reg:squarederror", {"scale_pos_weight": 3.0}, [(0.3, 1.0, 1.5), (0.3, 0.0, 1.5)]),
    ("reg:squaredlogerror", {}, [(0.3, 1.2, 1.0), (2.0, 0.5, 2.0), (-0.5, 3.0, 1.0)]),
    ("reg:logistic", {}, [(0.3, 1.0, 1.0), (-2.0, 0.25, 2.0)]),
    ("binary:logistic", {}, [(0.3, 1.0, 1.0), (-2.0, 0.0, 2.0), (5.0, 1.0, 0.5)]),
    ("binary:logistic", {"scale_pos_weight": 3.0}, [(0.3, 1.0, 1.5), (0.3, 0.0, 1.5)]),
    ("binary:logitraw", {}, [(0.3, 1.0, 1.0), (-2.0, 0.0, 2.0)]),
    ("binary:hinge", {}, [(0.3, 1.0, 1.0), (0.5, 1.0, 2.0), (-0.2, 0.0, 1.5),
                          (2.0, 1.0, 1.0), (-3.0, 0.0, 2.0)]),
    ("reg:pseudohubererror", {}, [(0.3, 2.5, 1.0), (-1.0, 4.0, 2.0)]),
    ("reg:pseudohubererror", {"huber_slope": 3.0}, [(0.3, 2.5, 1.0), (5.0, -4.0, 0.5)]),
    ("reg:gamma", {}, [(0.3, 2.0, 1.0), (-1.0, 0.5, 2.0), (1.5, 10.0, 0.5)]),
    ("reg:tweedie", {}, [(0.3, 2.0, 1.0), (-1.0, 0.0, 2.0), (1.0, 5.0, 0.5)]),
    ("reg:tweedie", {"tweedie_variance_power": 1.2}, [(0.3, 2.0, 1.0), (1.0, 0.0, 2.0)]),
    ("count:poisson", {}, [(0.3, 2.0, 1.0), (-1.0, 0.0, 2.0), (1.0, 4.0, 0.5)]),
    ("multi:softprob", {"num_class": 3},
     [([0.3, -1.0, 2.0], 1, 1.5), ([0.0, 0.0, 0.0], 0, 1.0), ([-5.0, -6.0, -4.0], 2, 2.0)]),
    ("multi:softmax", {"num_class": 4}, [([1.0, 2.0, -1.0, 0.5], 3, 1.0)]),
]


@pytest.mark.parametrize("case", GRADIENT_CASES,
                         ids=["%s%s" % (c[0], "".join("-%s=%s" % kv for kv in c[1].items()))
                              for c in GRADIENT_CASES])
def test_gradient_matches_xgboost(case, tmp_path):
    objective, params, points = case
    for margin, label, weight in points:
        expected = np.array(xgb_gradient(objective, margin, label, weight, params))
        got = kiln_gradient(tmp_path, objective, margin, [label], [weight], params)
        assert got.shape == expected.shape
        for (g, h), (xg, xh) in zip(got, expected):
            assert close(g, xg, 1e-6, 1e-7), (objective, margin, label, g, xg)
            assert close(h, xh, 1e-6, 1e-37), (objective, margin, label, h, xh)


# --- gradients: xgboost's closed forms in numpy at many points -----------------

def closed_form(objective, m, y, w, p):
    """(g, h) as xgboost 1.7's sources write them (float32 throughout)."""
    f = np.float32
    m, y, w = m.astype(f), y.astype(f), w.astype(f)
    spw = np.where(y == f(1), w * f(p.get("scale_pos_weight", 1.0)), w)
    if objective == "reg:squarederror":
        return (m - y) * spw, np.ones_like(m) * spw
    if objective in ("binary:logistic", "reg:logistic", "binary:logitraw"):
        s = f(1) / (f(1) + np.exp(-m))
        return (s - y) * spw, np.maximum(s * (f(1) - s), f(1e-16)) * spw
    if objective == "reg:squaredlogerror":
        x = np.maximum(m, f(-1 + 1e-6))
        g = (np.log1p(x) - np.log1p(y)) / (x + f(1))
        h = np.maximum((-np.log1p(x) + np.log1p(y) + f(1)) / (x + f(1)) ** 2, f(1e-6))
        return g * spw, h * spw
    if objective == "reg:pseudohubererror":
        d = f(p.get("huber_slope", 1.0))
        z = m - y
        q = np.sqrt(f(1) + z * z / (d * d))
        return z / q * w, d * d / ((d * d + z * z) * q) * w
    if objective == "reg:absoluteerror":
        return np.sign(m - y) * w, w
    if objective == "reg:gamma":
        return (f(1) - y / np.exp(m)) * w, y / np.exp(m) * w
    if objective == "reg:tweedie":
        r = f(p.get("tweedie_variance_power", 1.5))
        a, b = np.exp((f(1) - r) * m), np.exp((f(2) - r) * m)
        return (-y * a + b) * w, (-y * (f(1) - r) * a + (f(2) - r) * b) * w
    if objective == "count:poisson":
        return (np.exp(m) - y) * w, np.exp(m + f(0.7)) * w
    if objective == "binary:hinge":
        t = y * f(2) - f(1)
        inside = m * t < f(1)
        return (np.where(inside, -t * w, f(0)),
                np.where(inside, w, np.finfo(f).tiny))
    raise AssertionError(objective)


CLOSED_FORM_CASES = [
    ("reg:squarederror", {}, "any"), ("reg:squarederror", {"scale_pos_weight": 2.0}, "binary"),
    ("reg:logistic", {}, "unit"), ("binary:logistic", {"scale_pos_weight": 4.0}, "binary"),
    ("binary:logitraw", {}, "binary"), ("binary:hinge", {}, "binary"),
    ("reg:squaredlogerror", {}, "positive"), ("reg:pseudohubererror", {"huber_slope": 2.0}, "any"),
    ("reg:absoluteerror", {}, "any"), ("reg:gamma", {}, "positive"),
    ("reg:tweedie", {"tweedie_variance_power": 1.3}, "nonneg"), ("count:poisson", {}, "nonneg"),
]


@pytest.mark.parametrize("objective,params,labels", CLOSED_FORM_CASES,
                         ids=[c[0] + "".join("-%s=%s" % kv for kv in c[1].items())
                              for c in CLOSED_FORM_CASES])
def test_gradient_matches_closed_form(objective, params, labels, tmp_path):
    rng = np.random.default_rng(5)
    n = 400
    m = rng.normal(scale=2.0, size=n).astype(np.float32)
    y = {"any": rng.normal(scale=3.0, size=n),
         "binary": rng.integers(0, 2, n),
         "unit": rng.uniform(size=n),
         "positive": rng.gamma(2.0, 2.0, n) + 0.01,
         "nonneg": rng.poisson(2.0, n)}[labels].astype(np.float32)
    w = weights_for(n, 9)
    got = kiln_gradient(tmp_path, objective, m, y, w, params)
    g, h = closed_form(objective, m, y, w, params)
    np.testing.assert_allclose(got[:, 0], g, rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(got[:, 1], h, rtol=2e-6, atol=1e-30)


# --- transforms and base_score --------------------------------------------------

TRANSFORM_CASES = [
    ("binary:logistic", "breast_cancer", {}), ("binary:logitraw", "breast_cancer", {}),
    ("binary:hinge", "breast_cancer", {}), ("reg:logistic", "breast_cancer", {}),
    ("multi:softprob", "wine", {"num_class": 3}), ("multi:softmax", "iris", {"num_class": 3}),
    ("reg:gamma", "diabetes", {}), ("count:poisson", "diabetes", {}),
    ("reg:tweedie", "diabetes", {}), ("reg:squarederror", "diabetes", {}),
]


@pytest.mark.parametrize("objective,data,params", TRANSFORM_CASES,
                         ids=[c[0] for c in TRANSFORM_CASES])
def test_predict_transform_matches_xgboost(objective, data, params, tmp_path):
    X, y = dataset(data)
    d = xgb.DMatrix(X, label=y)
    bst = xgb.train({"objective": objective, "max_depth": 3, "nthread": 1, **params}, d, 3)
    margin = bst.predict(d, output_margin=True)
    expected = bst.predict(d).reshape(-1)
    out = run_tool("transform", objective, "predict", write(tmp_path / "m.txt", margin),
                   *("%s=%s" % kv for kv in params.items())).stdout
    got = np.array([float(v) for v in out.split()])
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("objective,base_score", [
    ("binary:logistic", 0.3), ("reg:logistic", 0.8), ("binary:logitraw", 0.5),
    ("reg:gamma", 2.0), ("count:poisson", 0.25), ("reg:tweedie", 7.0),
    ("reg:squarederror", 2.5), ("binary:hinge", 0.3), ("reg:pseudohubererror", -1.5),
    ("binary:logitraw", 0.3), ("reg:squaredlogerror", 2.0), ("reg:absoluteerror", 0.7),
])
def test_base_score_to_margin_matches_xgboost(objective, base_score):
    X = np.zeros((2, 1), dtype=np.float32)
    label = [0.0, 1.0] if objective != "reg:gamma" else [1.0, 2.0]
    d = xgb.DMatrix(X, label=label)
    bst = xgb.train({"objective": objective, "base_score": base_score}, d, 0)
    expected = float(bst.predict(d, output_margin=True)[0])
    got = float(run_tool("margin", objective, base_score).stdout)
    assert close(got, expected, 1e-7, 1e-9), (got, expected)


# --- labels ------------------------------------------------------------------

LABEL_CASES = [
    # (objective, labels, params, bad row (1-based) or None)
    ("binary:logistic", [0, 1, 1.5, 0], {}, 3),
    ("binary:logistic", [0, 1, 0.25, 1], {}, None),
    ("reg:logistic", [0.5, -0.1], {}, 2),
    ("reg:gamma", [1.0, 2.0, 0.0], {}, 3),
    ("reg:gamma", [1.0, 2.0, 0.5], {}, None),
    ("count:poisson", [1, -1, 2], {}, 2),
    ("count:poisson", [0, 1, 2], {}, None),
    ("reg:tweedie", [0, 3, -0.5], {}, 3),
    ("reg:squaredlogerror", [0, -1.0], {}, 2),
    ("reg:squaredlogerror", [0, -0.5], {}, None),
    ("multi:softprob", [0, 1, 3, 2], {"num_class": 3}, 3),
    ("multi:softmax", [0, -1, 2], {"num_class": 3}, 2),
    ("multi:softmax", [0, 1, 2], {"num_class": 3}, None),
]


@pytest.mark.parametrize("objective,labels,params,bad_row", LABEL_CASES,
                         ids=["%s-%s" % (c[0], c[3]) for c in LABEL_CASES])
def test_label_checks_agree_with_xgboost(objective, labels, params, bad_row, tmp_path):
    X = np.arange(len(labels), dtype=np.float32).reshape(-1, 1)
    d = xgb.DMatrix(X, label=labels)
    xgb_refuses = False
    try:
        xgb.train({"objective": objective, "nthread": 1, **params}, d, 1)
    except xgb.core.XGBoostError:
        xgb_refuses = True
    r = run_tool("labels", objective, write(tmp_path / "y.txt", labels),
                 *("%s=%s" % kv for kv in params.items()), check=False)
    assert xgb_refuses == (bad_row is not None)
    if bad_row is None:
        assert r.returncode == 0 and r.stdout.strip() == "ok", r.stdout
    else:
        assert r.returncode == 1, r.stdout
        assert r.stdout.startswith("DataError: label ")
        assert "in row %d: %s needs" % (bad_row, objective) in r.stdout
