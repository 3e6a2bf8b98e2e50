"""The short example notebooks, one per algorithm or group of magics:
notebooks/kmeans.ipynb, pca.ipynb, linear-learner.ipynb and jobs.ipynb.

Each runs as papermill runs it (values injected in a cell tagged
injected-parameters right after the cell tagged parameters, rendered by
papermill's Python translator), in an empty working directory, through
nbclient with raise_on_iopub_timeout=True, and must finish in seconds with
no error.  Then its key outputs are checked: the jobs' records with the
injected hyperparameters, metrics in range (against an independent oracle
where there is one: numpy's SVD for PCA, scikit-learn's least squares for
the regressor), the charts, and the files it wrote.  test_notebooks.py runs
the same notebooks once more with their default parameters."""

import json
import re
import tarfile
import time

import nbformat
import numpy as np
import pytest

import conftest
from cells import metrics_table
from papermill_like import (charts_of, execute, inject_parameters,
                            outputs_of, outputs_text, tags)

NOTEBOOKS = conftest.REPO / "notebooks"

# The values each notebook is run with: not its defaults, so the checks see
# that they arrived.
EXAMPLES = {
    "kmeans.ipynb": {"k": 3, "epochs": 4, "seed": 11, "out": "jobs"},
    "pca.ipynb": {"components": 8, "out": "jobs"},
    "linear-learner.ipynb": {"epochs": 25, "batch": 32, "out": "jobs"},
    "jobs.ipynb": {"rounds": 15, "out": "jobs"},
}

# "Short and fast": each runs in seconds; this bound only catches a
# notebook that has grown into a benchmark.
MAX_SECONDS = 60

# --- running one notebook ----------------------------------------------------------


def run_example(name, tmp_path):
    """(executed notebook, its working directory); fails on any error
    output or when it takes more than MAX_SECONDS."""
    nb = nbformat.read(str(NOTEBOOKS / name), as_version=4)
    inject_parameters(nb, EXAMPLES[name])
    workdir = tmp_path / "work"
    workdir.mkdir()
    start = time.monotonic()
    execute(nb, workdir, timeout=300)
    seconds = time.monotonic() - start
    assert seconds < MAX_SECONDS, "%s took %.1f s" % (name, seconds)
    return nb, workdir


def describe(root, job):
    desc = json.loads((root / job / "describe.json").read_text())
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    return desc


def final_metrics(desc):
    return {m["MetricName"]: m["Value"] for m in desc["FinalMetricDataList"]}


def artifact_names(root, job):
    with tarfile.open(root / job / "output" / "model.tar.gz") as t:
        return t.getnames()


# --- the notebooks' shape -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_is_a_short_parameterised_notebook(name):
    """A markdown introduction first, a cell tagged parameters whose every
    line is a literal (so papermill, and test_notebooks' default run,
    re-render all of them), the kiln kernelspec with the ipython3 lexer for
    nbconvert's highlighting, and no stored outputs."""
    import ast

    nb = nbformat.read(str(NOTEBOOKS / name), as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert nb.metadata["kernelspec"]["name"] == "kiln"
    assert nb.metadata["kernelspec"]["language"] == "kiln"
    assert nb.metadata["language_info"]["pygments_lexer"] == "ipython3"
    params = [c for c in nb.cells if "parameters" in tags(c)]
    assert len(params) == 1 and params[0].cell_type == "code", name
    names = []
    for line in params[0].source.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        target, _, value = line.partition("=")
        ast.literal_eval(value.strip())
        names.append(target.strip())
    assert set(EXAMPLES[name]) <= set(names), (names, EXAMPLES[name])
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), name
    assert len(code) <= 12, "%s is not short: %d code cells" % (name, len(code))


# --- K-Means ---------------------------------------------------------------------------


def test_kmeans_notebook(tmp_path):
    nb, work = run_example("kmeans.ipynb", tmp_path)
    root = work / "jobs"
    desc = describe(root, "iris-kmeans")
    assert desc["AlgorithmSpecification"]["TrainingImage"].startswith("kiln/kmeans")
    hp = desc["HyperParameters"]
    assert hp["k"] == "3" and hp["epochs"] == "4" and hp["init_method"] == "kmeans++", hp
    assert {c["ContentType"] for c in desc["InputDataConfig"]} == {"text/csv;label_size=1"}
    assert desc["ModelArtifacts"]["S3ModelArtifacts"] == \
        (root / "iris-kmeans" / "output" / "model.tar.gz").as_uri()
    assert artifact_names(root, "iris-kmeans") == ["model_algo-1"]
    # scikit-learn's k-means on iris (k=3) leaves a mean squared distance
    # of about 0.53; 30 test rows scatter around it
    msd = final_metrics(desc)["test:msd"]
    assert 0.2 < msd < 1.0, msd

    training = outputs_of(nb, "%train kmeans")
    assert any(t.startswith("<chart: iris-kmeans") for t in charts_of(training)), training

    predicted = outputs_of(nb, "%predict iris-kmeans --data")
    assert "30 rows predicted by training job iris-kmeans" in outputs_text(predicted)
    assert metrics_table(predicted)["clusters used"] == 3
    assert "<chart: Cluster sizes, 3 bars>" in charts_of(predicted)

    body = outputs_text(outputs_of(nb, "%predict iris-kmeans --body"))
    answer = json.loads(body)["predictions"]
    assert len(answer) == 1 and answer[0]["closest_cluster"] in (0, 1, 2), body
    assert 0 <= answer[0]["distance_to_cluster"] < 1, body

    # the transform: species and cluster for all 150 flowers; setosa is a
    # cluster of its own
    pairs = []
    for out in sorted((work / "data" / "kmeans" / "clusters").rglob("*.out")):
        pairs += [tuple(line.split(",")) for line in out.read_text().split()]
    assert len(pairs) == 150, len(pairs)
    setosa = {c for s, c in pairs if s == "0"}
    assert len(setosa) == 1, setosa
    assert all(s == "0" for s, c in pairs if c in setosa)
    record = json.loads((root / "transform-jobs" / "iris-clusters" / "describe.json").read_text())
    assert record["TransformJobStatus"] == "Completed", record
    counted = outputs_text(outputs_of(nb, "%transform iris-kmeans"))
    assert re.search(r"^\s+50 0,%s$" % re.escape(setosa.pop()), counted, re.M), counted


# --- PCA -------------------------------------------------------------------------------


def test_pca_notebook(tmp_path):
    nb, work = run_example("pca.ipynb", tmp_path)
    root = work / "jobs"
    pixels = np.loadtxt(work / "data" / "pca" / "digits" / "digits.csv", delimiter=",")
    assert pixels.shape == (1797, 64)
    # the oracle: numpy's SVD of the centred pixels
    centred = pixels - pixels.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    ratios = s ** 2 / (s ** 2).sum()
    expected = ratios[:8].sum()

    exact = describe(root, "digits-pca")
    assert exact["HyperParameters"]["num_components"] == "8", exact["HyperParameters"]
    assert artifact_names(root, "digits-pca") == ["model_algo-1"]
    got = final_metrics(exact)["train:explained_variance_ratio"]
    assert got == pytest.approx(expected, abs=1e-5), (got, expected)
    randomized = describe(root, "digits-pca-randomized")
    assert randomized["HyperParameters"]["algorithm_mode"] == "randomized"
    got_r = final_metrics(randomized)["train:explained_variance_ratio"]
    assert got_r == pytest.approx(expected, abs=1e-3) and got_r <= got + 1e-6, (got_r, got)

    # scikit-learn's numbers, printed by the notebook, agree
    printed = outputs_text(outputs_of(nb, "!/usr/bin/python3 -c"))
    m = re.search(r"total (\d\.\d{4})", printed)
    assert m and float(m.group(1)) == pytest.approx(got, abs=1e-4), printed

    # a chart for each job, a point per component
    for job in ("digits-pca", "digits-pca-randomized"):
        charts = charts_of(outputs_of(nb, "%%train pca --train $data/digits --name %s " % job))
        assert any(t.startswith("<chart: %s" % job) for t in charts), charts

    # the projections: a line per image, the largest component last, each
    # column the projection on one of numpy's components (up to sign)
    proj = np.loadtxt(work / "data" / "pca" / "projections" / "digits.csv.out", delimiter=",")
    assert proj.shape == (1797, 8), proj.shape
    for j in range(8):
        r = np.corrcoef(proj[:, 7 - j], centred @ vt[j])[0, 1]
        assert abs(r) > 0.999, (j, r)
    record = json.loads((root / "transform-jobs" / "digits-projections" / "describe.json").read_text())
    assert record["TransformJobStatus"] == "Completed", record


# --- Linear Learner --------------------------------------------------------------------


def test_linear_learner_notebook(tmp_path):
    nb, work = run_example("linear-learner.ipynb", tmp_path)
    root = work / "jobs"
    data = work / "data" / "linear-learner"

    reg = describe(root, "diabetes-regressor")
    hp = reg["HyperParameters"]
    assert hp["predictor_type"] == "regressor" and hp["epochs"] == "25", hp
    assert hp["mini_batch_size"] == "32", hp
    assert artifact_names(root, "diabetes-regressor") == ["model_algo-1"]
    # the oracle: least squares on the same train channel, scored on the
    # same test channel
    train = np.loadtxt(data / "diabetes" / "train" / "train.csv", delimiter=",")
    test = np.loadtxt(data / "diabetes" / "test" / "test.csv", delimiter=",")
    design = np.c_[train[:, 1:], np.ones(len(train))]
    w, *_ = np.linalg.lstsq(design, train[:, 0], rcond=None)
    residual = test[:, 0] - np.c_[test[:, 1:], np.ones(len(test))] @ w
    oracle_rmse = float(np.sqrt(np.mean(residual ** 2)))
    rmse = final_metrics(reg)["test:rmse"]
    assert rmse < 1.1 * oracle_rmse, (rmse, oracle_rmse)

    predicted = outputs_of(nb, "%predict diabetes-regressor")
    metrics = metrics_table(predicted)
    assert metrics["RMSE"] == pytest.approx(rmse, rel=1e-4), (metrics, rmse)
    assert metrics["R²"] > 0.35, metrics
    assert "<chart: Predicted against actual>" in charts_of(predicted)
    training = outputs_of(nb, "%%train linear-learner --train $data/diabetes")
    assert "<chart: diabetes-regressor, 2 metrics>" in charts_of(training)

    clf = describe(root, "wine-classifier")
    hp = clf["HyperParameters"]
    assert hp["predictor_type"] == "multiclass_classifier" and hp["num_classes"] == "3", hp
    final = final_metrics(clf)
    assert final["test:multiclass_accuracy"] >= 0.85, final
    predicted = outputs_of(nb, "%predict wine-classifier")
    metrics = metrics_table(predicted)
    assert metrics["accuracy"] == pytest.approx(final["test:multiclass_accuracy"], abs=1e-6)
    assert "<chart: Confusion matrix, 3 classes>" in charts_of(predicted)


# --- %jobs, %describe, %metrics ----------------------------------------------------------


def test_jobs_notebook(tmp_path):
    nb, work = run_example("jobs.ipynb", tmp_path)
    root = work / "jobs"
    xgb = describe(root, "iris-xgboost")
    assert xgb["HyperParameters"]["num_round"] == "15", xgb["HyperParameters"]
    lin = describe(root, "iris-linear")
    assert lin["HyperParameters"]["epochs"] == "15", lin["HyperParameters"]
    assert artifact_names(root, "iris-xgboost") == ["xgboost-model"]
    assert final_metrics(xgb)["validation:merror"] < 0.2

    # %jobs: newest first, as a table with an HTML twin
    listing = [o for o in outputs_of(nb, "%jobs") if "data" in o]
    assert listing and "<table" in listing[0].data["text/html"], listing
    rows = [line.split()[:3] for line in listing[0].data["text/plain"].splitlines()]
    assert rows[0][:2] == ["job", "algorithm"], rows
    jobs = [r for r in rows if r and r[0] in ("iris-linear", "iris-xgboost")]
    assert jobs == [["iris-linear", "linear-learner", "Completed"],
                    ["iris-xgboost", "xgboost", "Completed"]], rows

    # %describe: the record as JSON, then the feature importance chart
    shown = outputs_of(nb, "%describe iris-xgboost")
    records = [o.data["application/json"] for o in shown if "application/json" in o.get("data", {})]
    assert len(records) == 1, shown
    assert records[0] == json.loads((root / "iris-xgboost" / "describe.json").read_text())
    assert any("feature importance" in t for t in charts_of(shown)), charts_of(shown).keys()

    # %metrics: the job's chart again, one line a metric
    charts = charts_of(outputs_of(nb, "%metrics iris-xgboost"))
    assert list(charts) == ["<chart: iris-xgboost, 4 metrics>"], list(charts)

    # the files, as the notebook lists them
    listed = outputs_text(outputs_of(nb, "!ls -R $out/iris-linear"))
    for name in ("describe.json", "log.txt", "metrics.csv", "model.tar.gz"):
        assert name in listed, listed
    assert "step,metric,value,time" in listed, listed
    assert re.search(r"^#quality_metric: host=algo-1, epoch=0, train ", listed, re.M), listed
