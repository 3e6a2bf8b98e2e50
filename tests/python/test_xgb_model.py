"""kiln's XGBoost model (algos/xgboost/xgb_model.c, xgb_json.c, xgb_binary.c)
against the xgboost library 1.7.4 (Debian's python3-xgboost, what SageMaker's
1.7-1 container runs), through <build>/tests/algos/xgboost/kiln-xgb-model-tool:

- models trained by xgboost on scikit-learn's bundled data (breast cancer,
  wine, iris, diabetes; and the same with 10% of the values NaN) for the
  objectives SageMaker serves, depthwise and lossguide, saved as JSON, as
  UBJSON and in the legacy binary format (an extension-less name, what
  SageMaker's containers write): kiln's margins are xgboost's bit for bit,
  dense and sparse, on one thread and on several; transformed predictions
  agree to 1e-6;
- kiln's JSON of any of them is byte for byte the JSON xgboost writes for
  the same model, and xgboost loads it from an extension-less
  "xgboost-model" and predicts the same; early stopping's attributes come
  through;
- pruned trees (tree_method exact with gamma), random forests
  (num_parallel_tree), dart, feature importance (get_score), and corrupt
  files, which are a DataError, never a crash.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

xgb = pytest.importorskip("xgboost")

KILN_BUILD = os.environ.get("KILN_BUILD") or ""
TOOL = (Path(KILN_BUILD) / "tests" / "algos" / "xgboost" / "kiln-xgb-model-tool"
        if KILN_BUILD else None)
SKLEARN_DATA = Path("/usr/lib/python3/dist-packages/sklearn/datasets/data")

pytestmark = pytest.mark.skipif(
    TOOL is None or not TOOL.exists(),
    reason="KILN_BUILD is not set, or it has no kiln-xgb-model-tool")


# ---- data -------------------------------------------------------------------


def sklearn_csv(name):
    """A bundled CSV whose first line is "rows,features,...": X, y."""
    a = np.loadtxt(SKLEARN_DATA / name, delimiter=",", skiprows=1)
    return a[:, :-1], a[:, -1]


def diabetes():
    X = np.loadtxt(SKLEARN_DATA / "diabetes_data_raw.csv.gz")
    y = np.loadtxt(SKLEARN_DATA / "diabetes_target.csv.gz")
    return X, y


def with_nans(X, fraction=0.1, seed=7):
    X = X.copy()
    X[np.random.default_rng(seed).random(X.shape) < fraction] = np.nan
    return X


DATA = {
    "breast_cancer": lambda: sklearn_csv("breast_cancer.csv"),
    "wine": lambda: sklearn_csv("wine_data.csv"),
    "iris": lambda: sklearn_csv("iris.csv"),
    "diabetes": diabetes,
}


def load_data(name):
    base = name.removesuffix("+nan")
    X, y = DATA[base]()
    return (with_nans(X) if name.endswith("+nan") else X), y


def write_csv(path, X):
    """Features only, float32 values as text, NaN as an empty field."""
    X = np.asarray(X, dtype=np.float32)
    lines = (",".join("" if np.isnan(v) else repr(float(v)) for v in row)
             for row in X)
    path.write_text("\n".join(lines) + "\n")
    return path


# ---- the tool ---------------------------------------------------------------


def tool(*args, check=True):
    r = subprocess.run([str(TOOL), *map(str, args)], capture_output=True,
                       text=True, timeout=300)
    if check and r.returncode != 0:
        raise AssertionError("kiln-xgb-model-tool %s: %s" % (args, r.stderr))
    return r


def kiln_predict(model, csv, *flags):
    out = tool("predict", model, csv, *flags).stdout
    return np.array([[float(v) for v in line.split(",")]
                     for line in out.splitlines()], dtype=np.float32)


def xgb_predict(bst, X, margin):
    p = bst.predict(xgb.DMatrix(X), output_margin=margin)
    p = np.asarray(p, dtype=np.float32)
    return p.reshape(len(X), -1)


# ---- models -----------------------------------------------------------------

# (objective, data, extra parameters)
CASES = [
    ("binary:logistic", "breast_cancer", {}),
    ("binary:logistic", "breast_cancer+nan", {}),
    ("binary:logitraw", "breast_cancer+nan", {}),
    ("binary:hinge", "breast_cancer", {}),
    ("multi:softprob", "wine", {"num_class": 3}),
    ("multi:softprob", "iris+nan", {"num_class": 3}),
    ("multi:softmax", "wine+nan", {"num_class": 3}),
    ("reg:squarederror", "diabetes", {}),
    ("reg:squarederror", "diabetes+nan", {"base_score": 150}),
    ("count:poisson", "diabetes", {"max_delta_step": 0.5}),
    ("reg:gamma", "diabetes+nan", {}),
    ("reg:tweedie", "diabetes", {"tweedie_variance_power": 1.3}),
    ("binary:logistic", "breast_cancer", {"scale_pos_weight": 0.3}),
]

POLICIES = {
    "depthwise": {"max_depth": 6},
    "lossguide": {"tree_method": "hist", "grow_policy": "lossguide",
                  "max_leaves": 24, "max_depth": 0},
}


def case_id(case):
    obj, data, extra = case
    return "%s-%s%s" % (obj, data, "-" + "-".join(extra) if extra else "")


def train(obj, data, extra, policy, rounds=25, **kw):
    X, y = load_data(data)
    params = {"objective": obj, "eta": 0.3, "seed": 0, "nthread": 1}
    params.update(POLICIES[policy])
    params.update(extra)
    return xgb.train(params, xgb.DMatrix(X, label=y), rounds, **kw), X, y


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("xgb-model")


def save_all(bst, d):
    """The model as JSON, UBJSON and legacy binary (extension-less)."""
    d.mkdir(parents=True, exist_ok=True)
    paths = {"json": d / "model.json", "ubj": d / "model.ubj",
             "binary": d / "xgboost-model"}
    for p in paths.values():
        bst.save_model(str(p))
    assert paths["binary"].read_bytes()[:4] == b"binf"
    return paths


# ---- predictions ------------------------------------------------------------


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_predictions_match_xgboost(case, policy, workdir):
    obj, data, extra = case
    bst, X, _ = train(obj, data, extra, policy)
    d = workdir / ("%s-%s" % (case_id(case), policy)).replace(":", "_")
    paths = save_all(bst, d)
    csv = write_csv(d / "x.csv", X)
    want_margin = xgb_predict(bst, X, True)
    want = xgb_predict(bst, X, False)
    for fmt, path in paths.items():
        for flags in ([], ["--sparse"]):
            got = kiln_predict(path, csv, "--margin", *flags)
            # Same float operations in the same order: identical bits.
            np.testing.assert_array_equal(got, want_margin,
                                          err_msg="%s %s margin" % (fmt, flags))
            got = kiln_predict(path, csv, *flags)
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6,
                                       err_msg="%s %s" % (fmt, flags))


def test_threads_and_blocks(workdir):
    """20000 rows (several threads, many blocks of 64 and a ragged last
    block) give the same margins as one thread and as xgboost."""
    bst, X, _ = train("multi:softprob", "wine+nan", {"num_class": 3},
                      "depthwise", rounds=40)
    rows = np.tile(X, (113, 1))[:20003]
    rows = rows + np.random.default_rng(3).normal(0, 0.01, rows.shape)
    d = workdir / "threads"
    paths = save_all(bst, d)
    csv = write_csv(d / "x.csv", rows)
    want = xgb_predict(bst, rows.astype(np.float32), True)
    one = kiln_predict(paths["binary"], csv, "--margin")
    many = kiln_predict(paths["binary"], csv, "--margin", "--threads", 8)
    sparse = kiln_predict(paths["binary"], csv, "--margin", "--sparse",
                          "--threads", 8)
    np.testing.assert_array_equal(one, want)
    np.testing.assert_array_equal(many, want)
    np.testing.assert_array_equal(sparse, want)


def test_fewer_columns_are_missing(workdir):
    """Data narrower than the model: the missing columns are missing, as
    xgboost allows at prediction."""
    bst, X, _ = train("binary:logistic", "breast_cancer+nan", {}, "depthwise")
    d = workdir / "narrow"
    paths = save_all(bst, d)
    narrow = X[:, :20]
    csv = write_csv(d / "x.csv", narrow)
    padded = np.hstack([narrow, np.full((len(X), 10), np.nan)])
    want = xgb_predict(bst, padded, True)
    for flags in ([], ["--sparse"]):
        got = kiln_predict(paths["json"], csv, "--margin", *flags)
        np.testing.assert_array_equal(got, want)


def test_ntree_limit(workdir):
    bst, X, _ = train("multi:softprob", "iris", {"num_class": 3}, "depthwise",
                      rounds=10)
    d = workdir / "ntrees"
    paths = save_all(bst, d)
    csv = write_csv(d / "x.csv", X)
    for rounds in (1, 4, 10):
        want = np.asarray(bst.predict(xgb.DMatrix(X), output_margin=True,
                                      iteration_range=(0, rounds)),
                          dtype=np.float32)
        got = kiln_predict(paths["json"], csv, "--margin", "--ntrees",
                           3 * rounds)
        np.testing.assert_array_equal(got, want)


# ---- kiln's JSON ------------------------------------------------------------


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_json_is_xgboosts(case, policy, workdir):
    """kiln's JSON of every format is the bytes xgboost writes for the
    model (trained without early stopping, so its attributes are the
    ones kiln keeps), and xgboost reads it from "xgboost-model"."""
    obj, data, extra = case
    bst, X, _ = train(obj, data, extra, policy, rounds=8)
    d = workdir / ("json-%s-%s" % (case_id(case), policy)).replace(":", "_")
    paths = save_all(bst, d)
    # kiln does not keep boost_from_average, which xgboost clears when the
    # user gives base_score; it only matters before the first tree.
    want = bytes(bst.save_raw("json")).replace(
        b'"boost_from_average":"0"', b'"boost_from_average":"1"')
    for fmt, path in paths.items():
        out = d / ("kiln-%s" % fmt) / "xgboost-model"
        out.parent.mkdir()
        tool("tojson", path, out)
        assert out.read_bytes() == want, fmt
        back = xgb.Booster()
        back.load_model(str(out))
        np.testing.assert_array_equal(xgb_predict(back, X, True),
                                      xgb_predict(bst, X, True))
        np.testing.assert_array_equal(xgb_predict(back, X, False),
                                      xgb_predict(bst, X, False))


def test_early_stopping_attributes(workdir):
    X, y = load_data("breast_cancer")
    dtrain = xgb.DMatrix(X[:400], label=y[:400])
    dvalid = xgb.DMatrix(X[400:], label=y[400:])
    bst = xgb.train({"objective": "binary:logistic", "eta": 0.5,
                     "max_depth": 4}, dtrain, 200,
                    evals=[(dvalid, "validation")], early_stopping_rounds=5,
                    verbose_eval=False)
    assert bst.best_iteration < 199
    d = workdir / "early"
    paths = save_all(bst, d)
    for fmt, path in paths.items():
        info = json.loads(tool("info", path).stdout)
        assert info["best_iteration"] == bst.best_iteration, fmt
        assert info["best_ntree_limit"] == int(bst.attr("best_ntree_limit"))
        out = d / ("kiln-%s" % fmt) / "xgboost-model"
        out.parent.mkdir()
        tool("tojson", path, out)
        back = xgb.Booster()
        back.load_model(str(out))
        assert back.attr("best_iteration") == bst.attr("best_iteration")
        assert back.attr("best_ntree_limit") == bst.attr("best_ntree_limit")
        assert back.best_iteration == bst.best_iteration


# ---- other trees ------------------------------------------------------------


def test_pruned_trees(workdir):
    """tree_method exact with gamma prunes: pruned nodes stay in the arrays,
    unreached, and come back out as xgboost wrote them."""
    X, y = load_data("diabetes+nan")
    bst = xgb.train({"tree_method": "exact", "gamma": 3000, "max_depth": 8,
                     "eta": 0.5}, xgb.DMatrix(X, label=y), 10)
    tree_json = json.loads(bytes(bst.save_raw("json")))
    trees = tree_json["learner"]["gradient_booster"]["model"]["trees"]
    assert any(t["tree_param"]["num_deleted"] != "0" for t in trees)
    d = workdir / "pruned"
    paths = save_all(bst, d)
    csv = write_csv(d / "x.csv", X)
    want = xgb_predict(bst, X, True)
    for fmt, path in paths.items():
        np.testing.assert_array_equal(kiln_predict(path, csv, "--margin"),
                                      want)
        tool("tojson", path, d / ("kiln-" + fmt))
        assert (d / ("kiln-" + fmt)).read_bytes() == bytes(bst.save_raw("json"))


def test_random_forest(workdir):
    X, y = load_data("iris+nan")
    bst = xgb.train({"objective": "multi:softprob", "num_class": 3,
                     "num_parallel_tree": 4, "subsample": 0.8,
                     "colsample_bynode": 0.8, "max_depth": 4},
                    xgb.DMatrix(X, label=y), 3)
    d = workdir / "forest"
    paths = save_all(bst, d)
    csv = write_csv(d / "x.csv", X)
    for path in paths.values():
        info = json.loads(tool("info", path).stdout)
        assert info["trees"] == 3 * 3 * 4
        np.testing.assert_array_equal(kiln_predict(path, csv, "--margin"),
                                      xgb_predict(bst, X, True))


def test_dart(workdir):
    """dart's tree weights are folded into the leaves: the same margins."""
    X, y = load_data("diabetes")
    bst = xgb.train({"booster": "dart", "rate_drop": 0.3, "skip_drop": 0.2,
                     "max_depth": 4, "seed": 1}, xgb.DMatrix(X, label=y), 15)
    d = workdir / "dart"
    paths = save_all(bst, d)
    csv = write_csv(d / "x.csv", X)
    want = xgb_predict(bst, X, True)
    for fmt, path in paths.items():
        np.testing.assert_array_equal(kiln_predict(path, csv, "--margin"),
                                      want, err_msg=fmt)
        out = d / ("kiln-%s" % fmt) / "xgboost-model"
        out.parent.mkdir()
        tool("tojson", path, out)
        back = xgb.Booster()
        back.load_model(str(out))
        np.testing.assert_array_equal(xgb_predict(back, X, True), want)


def test_importance(workdir):
    bst, X, _ = train("multi:softprob", "wine+nan", {"num_class": 3},
                      "lossguide", rounds=30)
    d = workdir / "importance"
    paths = save_all(bst, d)
    rows = [line.split(",") for line in
            tool("importance", paths["binary"]).stdout.splitlines()]
    got = {"f%s" % r[0]: [float(v) for v in r[1:]] for r in rows}
    for col, kind in enumerate(("weight", "total_gain", "total_cover")):
        want = bst.get_score(importance_type=kind)
        assert sorted(got) == sorted(want), kind
        for f, v in want.items():
            assert got[f][col] == pytest.approx(v, rel=1e-6), (kind, f)


# ---- corrupt files ----------------------------------------------------------


def test_corrupt_files_are_data_errors(workdir):
    bst, X, _ = train("binary:logistic", "breast_cancer", {}, "depthwise",
                      rounds=3)
    d = workdir / "corrupt"
    paths = save_all(bst, d)
    blobs = {fmt: p.read_bytes() for fmt, p in paths.items()}
    cases = []
    for fmt, data in blobs.items():
        step = max(1, len(data) // 97)
        cases += [("%s-cut-%d" % (fmt, n), data[:n])
                  for n in range(0, len(data), step)]
    text = blobs["json"].decode()
    cases += [
        ("cycle",
         text.replace('"left_children":[1,', '"left_children":[0,', 1)),
        ("child-out-of-range",
         text.replace('"right_children":[2,', '"right_children":[99,', 1)),
        ("feature-out-of-range",
         re.sub(r'"split_indices":\[\d+', '"split_indices":[1000', text, 1)),
        ("string-for-array",
         text.replace('"split_conditions":[', '"split_conditions":"x","y":[',
                      1)),
        ("categorical",
         text.replace('"split_type":[0,', '"split_type":[1,', 1)),
        ("unknown-objective", text.replace("binary:logistic", "rank:pairwise")),
        ("pickle", b"\x80\x04\x95" + b"\0" * 40),
    ]
    for name, data in cases:
        p = d / ("bad-" + name)
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
        r = tool("info", p, check=False)
        assert r.returncode in (0, 1), (name, r.returncode, r.stderr)
        if r.returncode == 1:
            assert r.stderr.startswith("DataError: "), (name, r.stderr)
            assert str(p) in r.stderr, (name, r.stderr)
    for name in ("cycle", "child-out-of-range", "feature-out-of-range",
                 "string-for-array", "categorical",
                 "unknown-objective", "pickle"):
        r = tool("info", d / ("bad-" + name), check=False)
        assert r.returncode == 1, name
    assert "categorical splits are not supported" in tool(
        "info", d / "bad-categorical", check=False).stderr
    assert "rank:pairwise" in tool(
        "info", d / "bad-unknown-objective", check=False).stderr
