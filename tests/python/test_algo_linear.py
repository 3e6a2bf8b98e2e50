"""kiln's linear-learner (algos/linear) against scikit-learn on real data,
through <build>/tests/kiln-algotool:

- binary classification on breast_cancer vs LogisticRegression (accuracy,
  probabilities), regression on diabetes vs LinearRegression (R^2),
  multiclass on wine vs multinomial LogisticRegression and on a
  Fashion-MNIST subset vs SGDClassifier;
- the artifact model_algo-1 opened with Python's zipfile, its params read by
  this file's own decoder of MXNet's NDArray format
  (builtin-algorithms.md section 18), and kiln's predictions recomputed from
  the decoded weights in numpy;
- the log lines read with SageMaker's own MetricDefinitions regexes (from a
  real linear-learner hyperparameter tuning job) give back every metric
  kiln reported;
- RecordIO-protobuf input gives the same model as CSV; errors.
"""

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

from oracles import idx, ndarray_decode

KILN_BUILD = os.environ.get("KILN_BUILD") or ""
TOOL = Path(KILN_BUILD) / "tests" / "kiln-algotool" if KILN_BUILD else None
DATATOOL = Path(KILN_BUILD) / "tests" / "kiln-datatool" if KILN_BUILD else None
MNIST = Path("/usr/share/datasets/fashion-mnist")

pytestmark = pytest.mark.skipif(
    not KILN_BUILD or not (Path(KILN_BUILD) / "tests" / "kiln-algotool").exists(),
    reason="KILN_BUILD is not set, or it has no tests/kiln-algotool")

# SageMaker's MetricDefinitions for linear-learner, as a real
# DescribeHyperParameterTuningJob lists them (builtin-algorithms.md section 0).
SAGEMAKER_REGEXES = {
    "test:dcg": r"#quality_metric: host=\S+, test dcg <score>=(\S+)",
    "train:progress": r"#progress_metric: host=\S+, completed (\S+) %",
    "test:binary_f_beta": r"#quality_metric: host=\S+, test binary_f_\S+ <score>=(\S+)",
    "train:objective_loss": r"#quality_metric: host=\S+, epoch=\S+, train \S+_objective <loss>=(\S+)",
    "validation:macro_precision": r"#quality_metric: host=\S+, validation macro_precision <score>=(\S+)",
    "validation:dcg": r"#quality_metric: host=\S+, validation dcg <score>=(\S+)",
    "test:mse": r"#quality_metric: host=\S+, test mse <loss>=(\S+)",
    "validation:binary_f_beta": r"#quality_metric: host=\S+, validation binary_f_\S+ <score>=(\S+)",
    "validation:objective_loss": r"#quality_metric: host=\S+, epoch=\S+, validation \S+_objective <loss>=(\S+)",
    "validation:objective_loss:final": r"#quality_metric: host=\S+, validation \S+_objective <loss>=(\S+)",
    "test:macro_recall": r"#quality_metric: host=\S+, test macro_recall <score>=(\S+)",
    "test:absolute_loss": r"#quality_metric: host=\S+, test absolute_loss <loss>=(\S+)",
    "train:recall": r"#quality_metric: host=\S+, train recall <score>=(\S+)",
    "train:mse": r"#quality_metric: host=\S+, train mse <loss>=(\S+)",
    "train:precision": r"#quality_metric: host=\S+, train precision <score>=(\S+)",
    "train:objective_loss:final": r"#quality_metric: host=\S+, train \S+_objective <loss>=(\S+)",
    "validation:recall": r"#quality_metric: host=\S+, validation recall <score>=(\S+)",
    "test:multiclass_accuracy": r"#quality_metric: host=\S+, test multiclass_accuracy <score>=(\S+)",
    "validation:precision": r"#quality_metric: host=\S+, validation precision <score>=(\S+)",
    "validation:multiclass_accuracy": r"#quality_metric: host=\S+, validation multiclass_accuracy <score>=(\S+)",
    "train:binary_f_beta": r"#quality_metric: host=\S+, train binary_f_\S+ <score>=(\S+)",
    "test:recall": r"#quality_metric: host=\S+, test recall <score>=(\S+)",
    "test:macro_precision": r"#quality_metric: host=\S+, test macro_precision <score>=(\S+)",
    "test:macro_f_beta": r"#quality_metric: host=\S+, test macro_f_\S+ <score>=(\S+)",
    "test:objective_loss": r"#quality_metric: host=\S+, test \S+_objective <loss>=(\S+)",
    "test:precision": r"#quality_metric: host=\S+, test precision <score>=(\S+)",
    "validation:multiclass_top_k_accuracy": r"#quality_metric: host=\S+, validation multiclass_top_k_accuracy_\S+ <score>=(\S+)",
    "train:binary_classification_accuracy": r"#quality_metric: host=\S+, train binary_classification_accuracy <score>=(\S+)",
    "validation:mse": r"#quality_metric: host=\S+, validation mse <loss>=(\S+)",
    "test:multiclass_top_k_accuracy": r"#quality_metric: host=\S+, test multiclass_top_k_accuracy_\S+ <score>=(\S+)",
    "validation:binary_classification_accuracy": r"#quality_metric: host=\S+, validation binary_classification_accuracy <score>=(\S+)",
    "train:absolute_loss": r"#quality_metric: host=\S+, train absolute_loss <loss>=(\S+)",
    "validation:macro_recall": r"#quality_metric: host=\S+, validation macro_recall <score>=(\S+)",
    "train:throughput": r"#throughput_metric: host=\S+, train throughput=(\S+) records/second",
    "test:binary_classification_accuracy": r"#quality_metric: host=\S+, test binary_classification_accuracy <score>=(\S+)",
    "validation:absolute_loss": r"#quality_metric: host=\S+, validation absolute_loss <loss>=(\S+)",
    "validation:macro_f_beta": r"#quality_metric: host=\S+, validation macro_f_\S+ <score>=(\S+)",
}
# What the dump lacks, in the same pattern: rmse and roc_auc_score (listed
# by the documentation), multiclass_balanced_accuracy and
# multiclass_log_loss (printed by the 2024 container), and the train:
# variants of the multiclass metrics (kiln's final scores on the training
# sample when there is no validation channel).
for _ch in ("train", "validation", "test"):
    for _name, _kind in (("rmse", "loss"), ("roc_auc_score", "score"),
                         ("multiclass_balanced_accuracy", "score"),
                         ("multiclass_log_loss", "score")):
        SAGEMAKER_REGEXES[_ch + ":" + _name] = \
            r"#quality_metric: host=\S+, %s %s <%s>=(\S+)" % (_ch, _name, _kind)
for _name, _printed in (("multiclass_accuracy", "multiclass_accuracy"),
                        ("multiclass_top_k_accuracy", r"multiclass_top_k_accuracy_\S+"),
                        ("dcg", "dcg"), ("macro_f_beta", r"macro_f_\S+"),
                        ("macro_precision", "macro_precision"),
                        ("macro_recall", "macro_recall")):
    SAGEMAKER_REGEXES["train:" + _name] = \
        r"#quality_metric: host=\S+, train %s <score>=(\S+)" % _printed


# --- running kiln -----------------------------------------------------------


def write_csv(path, y, x):
    """label first, float32 values as %.9g (they read back exactly)."""
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    with open(path, "w") as f:
        for label, row in zip(y, x):
            f.write("%.9g," % label + ",".join("%.9g" % v for v in row) + "\n")


def train(tmp, train_csv, hps, validation=None, test=None, content_type=None,
          model="model", ok=True):
    cmd = [str(TOOL), "train", "linear-learner", "--train", str(train_csv),
           "--model-dir", str(tmp / model)]
    if validation is not None:
        cmd += ["--validation", str(validation)]
    if test is not None:
        cmd += ["--test", str(test)]
    if content_type:
        cmd += ["--content-type", content_type]
    r = subprocess.run(cmd + list(hps), capture_output=True, text=True)
    if not ok:
        return r
    assert r.returncode == 0, r.stderr
    logs, metrics = [], []
    for line in r.stdout.splitlines():
        d = json.loads(line)
        if "log" in d:
            logs.append(d["log"])
        elif "metric" in d:
            metrics.append(d)
    return logs, metrics, tmp / model


def predict(model_dir, data_csv, ok=True):
    r = subprocess.run([str(TOOL), "predict", "linear-learner", "--model-dir",
                        str(model_dir), "--data", str(data_csv)],
                       capture_output=True, text=True)
    if not ok:
        return r
    assert r.returncode == 0, r.stderr
    return {k: np.array(v, dtype=np.float64)
            for k, v in json.loads(r.stdout)["fields"].items()}


def features_only(path, x):
    np.savetxt(path, np.asarray(x, dtype=np.float32), delimiter=",", fmt="%.9g")


# --- the artifact, decoded independently ------------------------------------


def decode_artifact(model_dir):
    with zipfile.ZipFile(model_dir / "model_algo-1") as z:
        assert z.namelist() == ["additional-params.json", "manifest.json",
                                "mx-mod-symbol.json", "mx-mod-0000.params"]
        assert z.testzip() is None
        manifest = json.loads(z.read("manifest.json"))
        extra = json.loads(z.read("additional-params.json"))
        symbol = json.loads(z.read("mx-mod-symbol.json"))
        names, arrays = ndarray_decode(z.read("mx-mod-0000.params"))
        assert len(names) == len(arrays)
        params = dict(zip(names, arrays))
    assert manifest == {"additional-params.json": "json", "mx-mod": "mxnet_module",
                        "version": 1}
    assert set(params) == {"arg:fc0_weight", "arg:fc0_bias"}
    w, b = params["arg:fc0_weight"], params["arg:fc0_bias"]
    assert w.dtype == np.float32 and b.dtype == np.float32
    # the symbol: data -> dot(data, fc0_weight) -> broadcast_add(fc0_bias)
    # -> an output op labelled out_label, MXNet's JSON graph
    nodes = symbol["nodes"]
    names = [n["name"] for n in nodes]
    assert names[:2] == ["data", "fc0_weight"] and "fc0_bias" in names
    assert names[5] == "out_label"
    assert [n["op"] for n in nodes[:6]] == ["null", "null", "dot", "null",
                                            "broadcast_add", "null"]
    assert nodes[2]["inputs"] == [[0, 0, 0], [1, 0, 0]]
    assert nodes[4]["inputs"] == [[2, 0, 0], [3, 0, 0]]
    assert nodes[6]["inputs"] == [[4, 0, 0], [5, 0, 0]]
    assert symbol["arg_nodes"] == [0, 1, 3, 5]
    assert symbol["heads"] == [[6, 0, 0]]
    assert symbol["node_row_ptr"] == list(range(8))
    assert symbol["attrs"]["mxnet_version"][0] == "int"
    assert nodes[1]["attrs"]["__shape__"] == "(%d, %d)" % w.shape
    assert nodes[3]["attrs"]["__shape__"] == "(1, %d)" % w.shape[1]
    assert b.shape == (1, w.shape[1])
    return extra, nodes[6]["op"], w.astype(np.float64), b.astype(np.float64)


# --- the log against SageMaker's regexes -------------------------------------


def check_regexes(logs, metrics):
    """Every metric kiln reported is what SageMaker's regex reads from the
    log, in the same order; every log line a regex matches is a metric."""
    names = {m["metric"] for m in metrics}
    unknown = names - set(SAGEMAKER_REGEXES)
    assert not unknown, "metrics without a SageMaker regex: %s" % unknown
    for name, regex in SAGEMAKER_REGEXES.items():
        want = [m["value"] for m in metrics if m["metric"] == name]
        got = []
        for line in logs:
            mo = re.search(regex, line)
            if mo:
                got.append(float(mo.group(1)))
        assert len(got) == len(want), (name, got, want)
        # kiln-algotool prints metric values with 9 digits, the log in full
        np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-8,
                                   atol=0, err_msg=name)
    return names


# --- data --------------------------------------------------------------------


def dataset(name, seed=0):
    from sklearn import datasets
    b = getattr(datasets, "load_" + name)()
    idx = np.random.RandomState(seed).permutation(len(b.target))
    return b.data[idx].astype(np.float32), b.target[idx].astype(np.float64)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# --- tests ---------------------------------------------------------------------


def test_binary_breast_cancer_against_logistic_regression(tmp_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = dataset("breast_cancer")
    n = 400
    write_csv(tmp_path / "train.csv", y[:n], x[:n])
    write_csv(tmp_path / "test.csv", y[n:], x[n:])
    features_only(tmp_path / "x_test.csv", x[n:])
    logs, metrics, model = train(tmp_path, tmp_path / "train.csv",
                                 ["predictor_type=binary_classifier"],
                                 test=tmp_path / "test.csv")
    out = predict(model, tmp_path / "x_test.csv")
    score, label = out["score"][:, 0], out["predicted_label"][:, 0]
    acc = (label == y[n:]).mean()

    sk = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    sk.fit(x[:n].astype(np.float64), y[:n])
    acc_sk = sk.score(x[n:].astype(np.float64), y[n:])
    prob_sk = sk.predict_proba(x[n:].astype(np.float64))[:, 1]
    assert acc >= acc_sk - 0.03, (acc, acc_sk)
    assert np.corrcoef(score, prob_sk)[0, 1] > 0.9

    # the artifact: P(1) = sigmoid(x W + b), label = P > threshold
    extra, op, w, b = decode_artifact(model)
    assert op == "LogisticRegressionOutput"
    assert extra["predictor_type"] == "binary_classifier"
    assert extra["loss_type"] == "logistic"
    assert extra["metrics_params"]["f_beta"] == 1.0
    assert w.shape == (30, 1)
    thr = extra["threshold"]
    assert 0 < thr < 1 and extra["metrics_params"]["threshold"] == thr
    p = sigmoid(x[n:].astype(np.float64) @ w + b)[:, 0]
    np.testing.assert_allclose(score, p, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(label, (score > thr).astype(float))
    # the test metrics kiln logged are the ones numpy computes from the model
    final = {m["metric"]: m["value"] for m in metrics if m["step"] == -1}
    from sklearn.metrics import roc_auc_score
    assert final["test:binary_classification_accuracy"] == pytest.approx(acc)
    assert final["test:roc_auc_score"] == pytest.approx(roc_auc_score(y[n:], score),
                                                        abs=1e-6)
    names = check_regexes(logs, metrics)
    assert {"train:objective_loss", "train:objective_loss:final", "test:objective_loss",
            "test:binary_f_beta", "test:precision", "test:recall",
            "train:progress", "train:throughput"} <= names
    assert any(l.startswith("Best model found for hyperparameters: {\"optimizer\": "
                            "\"adam\"") for l in logs)


def test_regression_diabetes_against_linear_regression(tmp_path):
    from sklearn.linear_model import LinearRegression, Ridge
    from sklearn.metrics import r2_score

    x, y = dataset("diabetes")
    n = 300
    write_csv(tmp_path / "train.csv", y[:n], x[:n])
    write_csv(tmp_path / "val.csv", y[n:], x[n:])
    features_only(tmp_path / "x_val.csv", x[n:])
    logs, metrics, model = train(tmp_path, tmp_path / "train.csv",
                                 ["predictor_type=regressor", "mini_batch_size=32",
                                  "epochs=40"],
                                 validation=tmp_path / "val.csv")
    pred = predict(model, tmp_path / "x_val.csv")["score"][:, 0]
    r2 = r2_score(y[n:], pred)
    r2_ols = r2_score(y[n:], LinearRegression().fit(x[:n], y[:n]).predict(x[n:]))
    r2_ridge = r2_score(y[n:], Ridge(alpha=1e-3).fit(x[:n], y[:n]).predict(x[n:]))
    assert r2 > max(r2_ols, r2_ridge) - 0.05, (r2, r2_ols, r2_ridge)

    extra, op, w, b = decode_artifact(model)
    assert op == "LinearRegressionOutput"
    assert extra["predictor_type"] == "regressor" and extra["loss_type"] == "squared_loss"
    # the normalisation is folded in: raw features in, raw labels out
    np.testing.assert_allclose(pred, (x[n:].astype(np.float64) @ w + b)[:, 0],
                               rtol=1e-5, atol=1e-3)
    final = {m["metric"]: m["value"] for m in metrics if m["step"] == -1}
    mse = np.mean((pred - y[n:]) ** 2)
    assert final["validation:mse"] == pytest.approx(mse, rel=1e-4)
    assert final["validation:rmse"] == pytest.approx(np.sqrt(mse), rel=1e-4)
    assert final["validation:objective_loss:final"] == pytest.approx(mse, rel=1e-4)
    assert final["validation:absolute_loss"] == pytest.approx(
        np.mean(np.abs(pred - y[n:])), rel=1e-4)
    check_regexes(logs, metrics)
    # per epoch: model 0's training loss in normalised units, validation raw
    assert len([m for m in metrics if m["metric"] == "validation:objective_loss"]) >= 1


def test_multiclass_wine_against_multinomial_logistic_regression(tmp_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = dataset("wine")  # the file is sorted by class: shuffled here
    n = 120
    write_csv(tmp_path / "train.csv", y[:n], x[:n])
    write_csv(tmp_path / "test.csv", y[n:], x[n:])
    features_only(tmp_path / "x_test.csv", x[n:])
    logs, metrics, model = train(tmp_path, tmp_path / "train.csv",
                                 ["predictor_type=multiclass_classifier",
                                  "num_classes=3", "mini_batch_size=16"],
                                 test=tmp_path / "test.csv")
    out = predict(model, tmp_path / "x_test.csv")
    prob, label = out["score"], out["predicted_label"][:, 0]
    sk = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    sk.fit(x[:n].astype(np.float64), y[:n])
    acc_sk = sk.score(x[n:].astype(np.float64), y[n:])
    acc = (label == y[n:]).mean()
    assert acc >= acc_sk - 0.05, (acc, acc_sk)

    extra, op, w, b = decode_artifact(model)
    assert op == "SoftmaxOutput" and w.shape == (13, 3)
    z = x[n:].astype(np.float64) @ w + b
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose(prob, p, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(label, prob.argmax(1))
    final = {m["metric"]: m["value"] for m in metrics if m["step"] == -1}
    from sklearn.metrics import f1_score, precision_score, recall_score
    assert final["test:multiclass_accuracy"] == pytest.approx(acc)
    assert final["test:macro_precision"] == pytest.approx(
        precision_score(y[n:], label, average="macro", zero_division=0), abs=1e-9)
    assert final["test:macro_recall"] == pytest.approx(
        recall_score(y[n:], label, average="macro", zero_division=0), abs=1e-9)
    assert final["test:macro_f_beta"] == pytest.approx(
        f1_score(y[n:], label, average="macro", zero_division=0), abs=1e-9)
    assert final["test:multiclass_top_k_accuracy"] == 1.0  # k = 3 of 3 classes
    check_regexes(logs, metrics)


@pytest.mark.skipif(not (MNIST / "train-images-idx3-ubyte.gz").exists(),
                    reason="no Fashion-MNIST (dataset-fashion-mnist)")
def test_multiclass_fashion_mnist_subset_against_sgd(tmp_path):
    from sklearn.linear_model import SGDClassifier

    x = idx(MNIST / "train-images-idx3-ubyte.gz").reshape(-1, 784)[:8000]
    y = idx(MNIST / "train-labels-idx1-ubyte.gz")[:8000].astype(np.float64)
    x = (x.astype(np.float32) / np.float32(255)).astype(np.float32)
    n = 6000
    write_csv(tmp_path / "train.csv", y[:n], x[:n])
    features_only(tmp_path / "x_test.csv", x[n:])
    logs, metrics, model = train(tmp_path, tmp_path / "train.csv",
                                 ["predictor_type=multiclass_classifier",
                                  "num_classes=10"])
    out = predict(model, tmp_path / "x_test.csv")
    acc = (out["predicted_label"][:, 0] == y[n:]).mean()
    sgd = SGDClassifier(max_iter=15, tol=None, random_state=0).fit(x[:n], y[:n])
    acc_sk = sgd.score(x[n:], y[n:])
    assert acc >= acc_sk - 0.01, (acc, acc_sk)
    assert acc > 0.78
    extra, op, w, b = decode_artifact(model)
    z = x[n:].astype(np.float64) @ w + b
    np.testing.assert_array_equal(out["predicted_label"][:, 0], z.argmax(1))
    check_regexes(logs, metrics)
    # num_models auto: 3 models of 10 outputs, as many columns as 32 of 1
    best = [l for l in logs if l.startswith("Best model found")]
    assert len(best) == 1


def test_recordio_trains_the_same_model_as_csv(tmp_path):
    x, y = dataset("breast_cancer", seed=3)
    write_csv(tmp_path / "train.csv", y, x)
    for kind, extra_args in (("dense", []), ("sparse", ["--sparse"])):
        r = subprocess.run([str(DATATOOL), "convert", str(tmp_path / "train.csv"),
                            str(tmp_path / ("train-%s.rec" % kind)), "--to",
                            "recordio-protobuf", "--content-type", "text/csv"]
                           + extra_args, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    hps = ["predictor_type=binary_classifier", "mini_batch_size=100",
           "unbias_data=false"]
    _, _, m_csv = train(tmp_path, tmp_path / "train.csv", hps, model="csv")
    _, _, m_rec = train(tmp_path, tmp_path / "train-dense.rec", hps, model="rec",
                        content_type="application/x-recordio-protobuf")
    # the same rows in, the same bytes out (training is deterministic)
    assert (m_csv / "model_algo-1").read_bytes() == (m_rec / "model_algo-1").read_bytes()
    _, _, m_sp = train(tmp_path, tmp_path / "train-sparse.rec", hps, model="sparse",
                       content_type="application/x-recordio-protobuf")
    features_only(tmp_path / "x.csv", x)
    a = predict(m_csv, tmp_path / "x.csv")["score"]
    b = predict(m_sp, tmp_path / "x.csv")["score"]
    # sparse rows take the sparse path: the same model up to float rounding
    np.testing.assert_allclose(a, b, atol=2e-3)


def test_save_load_predict_and_errors(tmp_path):
    x, y = dataset("iris")
    yb = (y == 2).astype(np.float64)
    write_csv(tmp_path / "train.csv", yb, x)
    features_only(tmp_path / "x.csv", x)
    _, _, model = train(tmp_path, tmp_path / "train.csv",
                        ["predictor_type=binary_classifier", "loss=hinge_loss",
                         "num_models=4"])
    copy = tmp_path / "copy"
    shutil.copytree(model, copy)
    a, b = predict(model, tmp_path / "x.csv"), predict(copy, tmp_path / "x.csv")
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    extra, op, w, bias = decode_artifact(model)
    assert op == "SVMOutput" and extra["loss_type"] == "hinge_loss"
    assert extra["metrics_params"]["margin"] == 1.0
    # hinge_loss: the score is the raw margin
    np.testing.assert_allclose(a["score"][:, 0], (x.astype(np.float64) @ w + bias)[:, 0],
                               rtol=1e-5, atol=1e-5)

    r = train(tmp_path, tmp_path / "train.csv",
              ["predictor_type=multiclass_classifier"], ok=False)
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "HyperparameterError: num_classes is required when predictor_type is "
        "multiclass_classifier (an integer from 3 to 1000000)")
    r = train(tmp_path, tmp_path / "train.csv",
              ["predictor_type=regressor", "loss=hinge_loss"], ok=False)
    assert "loss 'hinge_loss' cannot be used with predictor_type regressor" in r.stderr

    write_csv(tmp_path / "bad.csv", y, x)  # labels 0, 1, 2
    r = train(tmp_path, tmp_path / "bad.csv", ["predictor_type=binary_classifier"],
              ok=False)
    assert r.returncode == 1
    assert r.stderr.startswith("DataError: train channel row ")
    assert "expected 0 or 1 for binary_classifier" in r.stderr

    (copy / "model_algo-1").write_bytes(b"PK\x03\x04 not really a zip")
    r = predict(copy, tmp_path / "x.csv", ok=False)
    assert r.returncode == 1
    assert r.stderr.startswith("DataError: model_algo-1: ")
    with zipfile.ZipFile(model / "model_algo-1") as z:
        members = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(copy / "model_algo-1", "w") as z:
        for n, data in members.items():
            if n != "mx-mod-symbol.json":
                z.writestr(n, data)
    r = predict(copy, tmp_path / "x.csv", ok=False)
    assert r.stderr.strip() == (
        "DataError: model_algo-1: the ZIP archive has no mx-mod-symbol.json (a "
        "linear learner model holds additional-params.json, manifest.json, "
        "mx-mod-symbol.json and mx-mod-0000.params)")
    with zipfile.ZipFile(copy / "model_algo-1", "w") as z:
        for n, data in members.items():
            z.writestr(n, data[:-9] if n == "mx-mod-0000.params" else data)
    r = predict(copy, tmp_path / "x.csv", ok=False)
    assert r.stderr.startswith("DataError: model_algo-1: mx-mod-0000.params")
