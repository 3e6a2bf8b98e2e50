"""Every notebook under notebooks/ (and labs/) runs headless, the way
papermill runs it: parameters injected after the cell tagged `parameters`
(papermill's Python translator), then nbclient with
raise_on_iopub_timeout=True, with each lab's key outputs checked against
an independent oracle.  Plus nbconvert --execute to HTML on
notebooks/tour.ipynb and the training notebook (the main job, the first
lab, is in test_report.py)."""

import os
import re
import shutil
import subprocess

import nbformat
import pytest
from nbclient import NotebookClient

import conftest
from cells import metrics_table
from papermill_like import (charts_of, execute, inject_parameters, outputs_of,
                            outputs_text, parameters_of)

REPO = conftest.REPO


def _notebooks():
    found = sorted((REPO / "notebooks").glob("*.ipynb"))
    if (REPO / "labs").is_dir():
        found += sorted((REPO / "labs").rglob("*.ipynb"))
    return [p for p in found if ".ipynb_checkpoints" not in p.parts]


NOTEBOOKS = _notebooks()

# The values papermill would be given (-p NAME VALUE) for a notebook; a
# notebook not listed gets its own parameters back, re-rendered.
PARAMETERS = {
    "notebooks/tour.ipynb": {"name": "papermill", "n": 2},
    "notebooks/training.ipynb": {"images": 3000, "epochs": 6, "out": "jobs"},
    "notebooks/xgboost.ipynb": {"rounds": 150, "early_stop": 8, "out": "jobs"},
    "notebooks/hosting.ipynb": {"rounds": 30, "port": conftest.free_ports(1)[0],
                                "workers": 3, "out": "jobs"},
    "notebooks/tuning.ipynb": {"jobs": 10, "parallel": 2, "seed": 3, "out": "jobs"},
    "notebooks/scripts.ipynb": {"rows": 4, "name": "papermill"},
}


def _rel(path):
    return str(path.relative_to(REPO))


def test_there_are_notebooks():
    assert (REPO / "notebooks" / "tour.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_rel)
def test_notebook_runs_like_papermill(path, tmp_path):
    nb = nbformat.read(str(path), as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "kiln"
    assert nb.metadata["kernelspec"]["language"] == "kiln"
    # a private copy of the notebook's folder: notebooks may write files
    workdir = tmp_path / "work"
    shutil.copytree(path.parent, workdir)

    param_cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    parameters = PARAMETERS.get(_rel(path))
    if parameters is None and param_cells:
        parameters = parameters_of(param_cells[0].source)
    if parameters:
        inject_parameters(nb, parameters)
        idx = next(i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", []))
        if param_cells:
            assert "parameters" in nb.cells[idx - 1].metadata.get("tags", [])

    execute(nb, workdir)
    # the injected values were seen by the notebook
    if _rel(path) == "notebooks/tour.ipynb":
        text = _all_text(nb)
        assert "hello from papermill: 2 cells" in text, text[:2000]
    if _rel(path) == "notebooks/training.ipynb":
        _check_training(nb, workdir / "jobs")
    if _rel(path) == "notebooks/xgboost.ipynb":
        _check_xgboost(nb, workdir / "jobs")
    if _rel(path) == "notebooks/hosting.ipynb":
        _check_hosting(nb, workdir, workdir / "jobs")
    if _rel(path) == "notebooks/tuning.ipynb":
        _check_tuning(nb, workdir / "jobs")
    if _rel(path) == "notebooks/scripts.ipynb":
        _check_scripts(nb, workdir)
    # the labs: their checks are in the labs' section at the end of the file
    check = LAB_CHECKS.get(_rel(path))
    if check is not None:
        check(nb, workdir)


def _check_scripts(nb, workdir):
    """%%writefile saved the file with the injected $rows; %%script ran it
    with Python; %%bash substituted the kernel's variable and left HOME to
    bash."""
    assert (workdir / "squares.py").read_text().count("else 4\n") == 1
    ran = outputs_text(outputs_of(nb, "%%script /usr/bin/python3"))
    assert ran == "0 0\n1 1\n2 4\nhello from Python, papermill\n", ran
    shell = outputs_text(outputs_of(nb, "%%bash"))
    assert shell == "HOME is set, the kernel's rows is 4\n2 4\n3 9\n", shell


def _check_training(nb, root):
    """The training notebook: three completed jobs under the injected
    output root, with their artifacts, a chart per job, and metrics in
    range."""
    import json
    import tarfile

    jobs = {"bc-linear": "linear-learner", "fashion-kmeans": "kmeans", "fashion-pca": "pca"}
    for name, algo in jobs.items():
        desc = json.loads((root / name / "describe.json").read_text())
        assert desc["TrainingJobStatus"] == "Completed", desc
        assert desc["AlgorithmSpecification"]["TrainingImage"].startswith("kiln/" + algo)
        with tarfile.open(root / name / "output" / "model.tar.gz") as t:
            assert t.getnames() == ["model_algo-1"]
    final = {m["MetricName"]: m["Value"] for m in json.loads(
        (root / "bc-linear" / "describe.json").read_text())["FinalMetricDataList"]}
    assert final["test:binary_classification_accuracy"] > 0.9, final
    # injected epochs reached the job
    hp = json.loads((root / "fashion-kmeans" / "describe.json").read_text())["HyperParameters"]
    assert hp["epochs"] == "6", hp
    charts = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    # a live chart per job (its final state) and one from %metrics
    assert len(charts) >= 4, len(charts)
    for o in charts:
        meta = o.metadata["image/png"]
        assert meta["width"] == 640 and meta["height"] == 320, meta


def _check_xgboost(nb, root):
    """The XGBoost notebook: two completed jobs under the injected output
    root with the injected hyperparameters, xgboost-model artifacts that
    the xgboost library loaded and predicted with (its own output in the
    notebook), early stopping's best iteration, and the charts."""
    import json
    import tarfile

    descs = {}
    for name in ("bc-xgb", "wine-xgb"):
        desc = json.loads((root / name / "describe.json").read_text())
        assert desc["TrainingJobStatus"] == "Completed", desc
        assert desc["AlgorithmSpecification"]["TrainingImage"].startswith("kiln/xgboost")
        with tarfile.open(root / name / "output" / "model.tar.gz") as t:
            assert t.getnames() == ["xgboost-model"]
        descs[name] = desc
    hp = descs["bc-xgb"]["HyperParameters"]
    assert hp["num_round"] == "150" and hp["early_stopping_rounds"] == "8", hp
    final = {m["MetricName"]: m["Value"] for m in descs["bc-xgb"]["FinalMetricDataList"]}
    assert final["validation:auc"] > 0.95 and final["validation:logloss"] < 0.3, final
    final = {m["MetricName"]: m["Value"] for m in descs["wine-xgb"]["FinalMetricDataList"]}
    assert final["validation:merror"] < 0.2, final
    # the log has xgboost's evaluation lines, which SageMaker's regexes read
    log = (root / "bc-xgb" / "log.txt").read_text()
    assert re.search(r"^\[0\]\ttrain-auc:[0-9.]+\ttrain-logloss:[0-9.]+\t"
                     r"validation-auc:[0-9.]+\tvalidation-logloss:[0-9.]+$", log, re.M), log[:2000]
    # the xgboost library's own output: it loaded the artifact, stopped early
    text = _all_text(nb)
    m = re.search(r"xgboost 1\.7\.\d+ best_iteration (\d+) trees (\d+)", text)
    assert m, text[-3000:]
    best, trees = int(m.group(1)), int(m.group(2))
    assert trees == best + 1 + 8 and trees < 150, (best, trees)
    m = re.search(r"test accuracy (\d\.\d+)", text)
    assert m and float(m.group(1)) > 0.9, text[-3000:]
    charts = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    # a live chart per job (its final state) and one from %metrics; %describe
    # may add the feature importance
    metric_charts = [o for o in charts if "metrics>" in o["data"].get("text/plain", "")]
    assert len(metric_charts) >= 3, [o["data"].get("text/plain") for o in charts]
    for o in metric_charts:
        meta = o.metadata["image/png"]
        assert meta["width"] == 640 and meta["height"] == 320, meta


def _check_tuning(nb, root):
    """The tuning notebook: a Bayesian tuning job with the injected job
    count, parallelism and seed, its live chart and best-jobs table, its
    record read back by %describe, the best model's test metrics from
    %predict, a warm-started child with early stopping whose overall best
    is the best over both, and %jobs listing both tuning jobs first."""
    import json

    desc = json.loads((root / "tuning-jobs" / "bc-tune" / "describe.json").read_text())
    assert desc["HyperParameterTuningJobStatus"] == "Completed", desc
    cfg = desc["HyperParameterTuningJobConfig"]
    assert cfg["Strategy"] == "Bayesian" and cfg["RandomSeed"] == 3, cfg
    assert cfg["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 10,
                                     "MaxParallelTrainingJobs": 2}, cfg["ResourceLimits"]
    assert cfg["HyperParameterTuningJobObjective"] == {"Type": "Minimize",
                                                       "MetricName": "validation:logloss"}
    assert desc["TrainingJobStatusCounters"]["Completed"] == 10, desc["TrainingJobStatusCounters"]
    best = desc["BestTrainingJob"]
    value = best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    assert 0 < value < 0.2, best
    name = best["TrainingJobName"]
    assert re.fullmatch(r"bc-tune-\d{3}-[0-9a-f]{8}", name), name
    job = json.loads((root / name / "describe.json").read_text())
    assert job["TuningJobArn"] == desc["HyperParameterTuningJobArn"], job.get("TuningJobArn")
    assert job["HyperParameters"]["_tuning_objective_metric"] == "validation:logloss"
    assert job["HyperParameters"]["num_round"] == "30", job["HyperParameters"]
    final = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert abs(final["validation:logloss"] - value) < 1e-9, (final, value)
    import csv

    with open(root / "tuning-jobs" / "bc-tune" / "analytics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 10, rows
    done = [r for r in rows if r["TrainingJobStatus"] == "Completed"]
    assert min(float(r["FinalObjectiveValue"]) for r in done) == pytest.approx(value, rel=1e-6)

    # the %%tune cell: the live chart and the per-parameter charts, the
    # progress line and the table naming the best job
    tuning = outputs_of(nb, "%%tune xgboost --objective validation:logloss --max-jobs $jobs")
    charts = charts_of(tuning)
    assert len(charts) >= 2, sorted(charts)
    for png, meta in charts.values():
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and meta["width"] > 0, meta
    text = outputs_text(tuning)
    assert re.search(r"tuning bc-tune \(Bayesian\): 10 of 10 jobs done", text), text
    assert any("<table" in o.get("data", {}).get("text/html", "") and
               name in o["data"].get("text/plain", "") for o in tuning), text

    # %describe shows the record as JSON, with a table of the jobs
    shown = outputs_of(nb, "%describe bc-tune")
    records = [o.data["application/json"] for o in shown
               if "application/json" in o.get("data", {})]
    assert records and records[0]["HyperParameterTuningJobName"] == "bc-tune", records
    assert name in outputs_text(shown)

    # the best model on the test channel, in-process
    predicted = outputs_of(nb, "%predict bc-tune")
    assert name in outputs_text(predicted), outputs_text(predicted)
    metrics = metrics_table(predicted)
    assert metrics["accuracy"] > 0.9 and metrics["ROC AUC"] > 0.95, metrics

    # the warm-started child: early stopping on, the overall best over both
    child = json.loads((root / "tuning-jobs" / "bc-tune-2" / "describe.json").read_text())
    assert child["HyperParameterTuningJobStatus"] == "Completed", child
    assert child["HyperParameterTuningJobConfig"]["TrainingJobEarlyStoppingType"] == "Auto"
    assert child["WarmStartConfig"] == {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "bc-tune"}],
        "WarmStartType": "IdenticalDataAndAlgorithm"}, child["WarmStartConfig"]
    overall = child["OverallBestTrainingJob"]
    own = child["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    overall_value = overall["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    assert abs(overall_value - min(value, own)) < 1e-9, (overall, value, own)
    counters = child["TrainingJobStatusCounters"]
    assert sum(counters.values()) == 8 and counters["InProgress"] == 0, counters
    shown = outputs_text(outputs_of(nb, "!/usr/bin/python3 -c"))
    assert "overall best " + overall["TrainingJobName"] in shown, shown

    # %jobs: the tuning jobs' table first
    listing = [o for o in outputs_of(nb, "%jobs") if "data" in o]
    first = listing[0].data["text/plain"]
    assert re.search(r"^bc-tune\s", first, re.M) and re.search(r"^bc-tune-2\s", first, re.M), first


def _endpoint_url(outputs):
    """The url row of %deploy's table."""
    m = re.search(r"^url\s+(http://127\.0\.0\.1:(\d+))\s*$", outputs_text(outputs), re.M)
    assert m, outputs_text(outputs)
    return m.group(1)


def _check_hosting(nb, workdir, root):
    """The hosting notebook: the jobs, the endpoints' tables, %predict's
    metrics and charts over HTTP and in-process (the same), the pipeline's
    cluster sizes, the transform jobs' files, and both endpoints stopped."""
    import json
    import tarfile

    import numpy as np

    for name, algo in {"bc-xgb": "xgboost", "bc-pca": "pca", "bc-kmeans": "kmeans"}.items():
        desc = json.loads((root / name / "describe.json").read_text())
        assert desc["TrainingJobStatus"] == "Completed", desc
        assert desc["AlgorithmSpecification"]["TrainingImage"].startswith("kiln/" + algo)
    hp = json.loads((root / "bc-xgb" / "describe.json").read_text())["HyperParameters"]
    assert hp["num_round"] == "30" and hp["objective"] == "binary:logistic", hp
    # k-means learnt from PCA's projections: three features a row
    hp = json.loads((root / "bc-kmeans" / "describe.json").read_text())["HyperParameters"]
    assert hp["feature_dim"] == "3", hp

    # boto3 from the notebook's own shell cell: every test row scored
    boto = outputs_text(outputs_of(nb, "!/usr/bin/python3 -c \"import boto3"))
    assert re.match(r"85 scores from boto3, the first \['[0-9.e-]+', ", boto), boto

    # %deploy's table, then %endpoints listing it with the injected workers
    deploy = outputs_text(outputs_of(nb, "%deploy bc-xgb"))
    assert "InService" in deploy and "bc-xgb (xgboost)" in deploy, deploy
    assert 'EndpointName="breast-cancer"' in deploy, deploy
    url = _endpoint_url(outputs_of(nb, "%deploy bc-xgb"))
    listing = outputs_of(nb, "%endpoints")
    assert any("text/html" in o.get("data", {}) for o in listing), listing
    rows = [l.split() for l in outputs_text(listing).splitlines()]
    assert rows[0][:3] == ["endpoint", "models", "url"], rows
    row = next(r for r in rows if r and r[0] == "breast-cancer")
    assert row[1:5] == ["bc-xgb", "(xgboost)", url, "3"], row

    # %predict over HTTP: the metrics table and the three charts
    http = outputs_of(nb, "%predict breast-cancer")
    assert "85 rows predicted by endpoint breast-cancer" in outputs_text(http)
    assert "over HTTP" in outputs_text(http)
    metrics = metrics_table(http)
    assert metrics["accuracy"] > 0.9 and metrics["ROC AUC"] > 0.95, metrics
    assert set(metrics) >= {"precision", "recall", "F1", "log loss"}, metrics
    charts = charts_of(http)
    titles = sorted(charts)
    assert len(titles) == 3, titles
    assert titles[0] == "<chart: Confusion matrix, 2 classes>", titles
    assert titles[1] == "<chart: Precision-recall curve>", titles
    assert titles[2].startswith("<chart: ROC curve (AUC 0."), titles
    for png, meta in charts.values():
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
        assert meta["width"] > 200 and meta["height"] > 200, meta
    # the job in-process: the same numbers
    local = outputs_of(nb, "%predict bc-xgb")
    assert "in-process" in outputs_text(local), outputs_text(local)
    assert metrics_table(local) == metrics

    # the pipeline: PCA then k-means, two clusters
    chain = outputs_of(nb, "%deploy bc-pca bc-kmeans")
    text = outputs_text(chain)
    assert "bc-pca (pca) → bc-kmeans (kmeans)" in text, text
    assert _endpoint_url(chain) != url
    assert "85 rows predicted by endpoint bc-clusters" in text, text
    assert metrics_table(chain)["clusters used"] == 2
    assert "<chart: Cluster sizes, 2 bars>" in charts_of(chain)

    # the transforms' files: PCA's projections of the training rows, and
    # the test rows joined with XGBoost's scores, which are the xgboost
    # library's predictions from the job's artifact
    proj = np.loadtxt(workdir / "data" / "projections" / "train.csv.out", delimiter=",")
    assert proj.shape == (398, 3), proj.shape
    joined = np.loadtxt(workdir / "data" / "scored" / "test.csv.out", delimiter=",")
    features = np.loadtxt(workdir / "data" / "features" / "test" / "test.csv", delimiter=",")
    assert joined.shape == (85, 31), joined.shape
    np.testing.assert_array_equal(joined[:, :30], features)
    import xgboost as xgb

    with tarfile.open(root / "bc-xgb" / "output" / "model.tar.gz") as t:
        model = t.extractfile("xgboost-model").read()
    booster = xgb.Booster()
    booster.load_model(bytearray(model))
    np.testing.assert_allclose(joined[:, 30], booster.predict(xgb.DMatrix(features)),
                               rtol=0, atol=1e-6)
    for name, join in (("bc-pca-train", "None"), ("bc-xgb-test", "Input")):
        rec = json.loads((root / "transform-jobs" / name / "describe.json").read_text())
        assert rec["TransformJobStatus"] == "Completed", rec
        assert rec["DataProcessing"]["JoinSource"] == join, rec

    # both endpoints stopped at the end
    last = outputs_text(nb.cells[-1].outputs)
    assert "endpoint breast-cancer stopped after 2 invocations (0 errors)" in last, last
    assert "endpoint bc-clusters stopped after 1 invocation (0 errors)" in last, last
    assert "no endpoints are running" in last, last


def test_hosting_boto3_snippet(tmp_path):
    """The boto3 code the hosting notebook shows runs, as written, in a
    Python process against the endpoint the notebook started (its
    endpoint_url swapped for the one %deploy printed), and gets the xgboost
    library's predictions; once the notebook has run, while its kernel is
    still up, nothing listens on the endpoints' ports."""
    import socket

    path = REPO / "notebooks" / "hosting.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    workdir = tmp_path / "work"
    shutil.copytree(path.parent, workdir)
    # a port of its own: the papermill-style test may have just used the other
    inject_parameters(nb, dict(PARAMETERS[_rel(path)], port=conftest.free_ports(1)[0]))
    snippets = [m for c in nb.cells if c.cell_type == "markdown"
                for m in re.findall(r"```python\n(.*?)```", c.source, re.S)]
    assert len(snippets) == 1, snippets
    snippet = snippets[0]
    assert 'endpoint_url="http://127.0.0.1:8080"' in snippet, snippet
    after = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
                 and "```python" in c.source)
    seen = {}

    def closed(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return False
        except OSError:
            return True

    def on_cell_start(cell, cell_index):
        if cell_index > after and "ran" not in seen:
            seen["ran"] = True
            url = _endpoint_url(outputs_of(nb, "%deploy bc-xgb"))
            code = snippet.replace("http://127.0.0.1:8080", url)
            seen["run"] = subprocess.run(["/usr/bin/python3", "-c", code], cwd=str(workdir),
                                         capture_output=True, text=True, timeout=120)

    def on_cell_executed(cell, cell_index, execute_reply):
        if cell_index == len(nb.cells) - 1:
            ports = [int(_endpoint_url(outputs_of(nb, start)).rpartition(":")[2])
                     for start in ("%deploy bc-xgb", "%deploy bc-pca")]
            seen["closed"] = {p: closed(p) for p in ports}

    client = NotebookClient(
        nb,
        kernel_name="kiln",
        timeout=600,
        startup_timeout=60,
        raise_on_iopub_timeout=True,
        resources={"metadata": {"path": str(workdir)}},
        on_cell_start=on_cell_start,
        on_cell_executed=on_cell_executed,
    )
    client.execute()
    run = seen["run"]
    assert run.returncode == 0, run.stdout + run.stderr
    m = re.fullmatch(r"85 scores, the first \[(.*)\]\n", run.stdout)
    assert m, run.stdout
    got = [float(v) for v in m.group(1).split(",")]

    import tarfile

    import numpy as np
    import xgboost as xgb

    booster = xgb.Booster()
    with tarfile.open(workdir / "jobs" / "bc-xgb" / "output" / "model.tar.gz") as t:
        booster.load_model(bytearray(t.extractfile("xgboost-model").read()))
    features = np.loadtxt(workdir / "data" / "features" / "test" / "test.csv", delimiter=",")
    np.testing.assert_allclose(got, booster.predict(xgb.DMatrix(features[:3])), atol=1e-6)
    assert seen["closed"] and all(seen["closed"].values()), seen["closed"]


def _all_text(nb):
    """The text of every output.  Consecutive stream outputs are joined as
    a front end shows them, with nothing between: a command's output can
    reach the kernel in pieces that split a line."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif "data" in out:
                parts.append("\n")
                for v in out.data.values():
                    parts.append((v if isinstance(v, str) else str(v)) + "\n")
        parts.append("\n")
    return "".join(parts)


def test_training_to_html_with_nbconvert(tmp_path):
    """The training notebook to an HTML report whose charts are images in
    the page, by nbconvert as a user runs it."""
    shutil.copytree(REPO / "notebooks", tmp_path / "notebooks")
    out = tmp_path / "report"
    r = subprocess.run(
        ["/usr/bin/jupyter", "nbconvert", "--to", "html", "--execute",
         "--ExecutePreprocessor.kernel_name=kiln",
         "--ExecutePreprocessor.timeout=600",
         "--output-dir", str(out), str(tmp_path / "notebooks" / "training.ipynb")],
        capture_output=True, text=True, timeout=600, cwd=str(tmp_path),
        env=dict(os.environ),
    )
    assert r.returncode == 0, r.stdout + r.stderr
    text = (out / "training.html").read_text()
    assert text.count('src="data:image/png;base64,') >= 4
    assert "Completed" in text and "test:binary_classification_accuracy" in text
    assert "Traceback" not in text and "output_error" not in text


def test_tour_to_html_with_nbconvert(tmp_path):
    """The main job, as tools/setup runs it."""
    out = tmp_path / "report"
    r = subprocess.run(
        [
            "/usr/bin/jupyter",
            "nbconvert",
            "--to",
            "html",
            "--execute",
            "--ExecutePreprocessor.kernel_name=kiln",
            "--ExecutePreprocessor.timeout=600",
            "--output-dir",
            str(out),
            str(REPO / "notebooks" / "tour.ipynb"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=str(tmp_path),
        env=dict(os.environ),
    )
    assert r.returncode == 0, r.stdout + r.stderr
    html = out / "tour.html"
    assert html.exists() and html.stat().st_size > 1000
    text = html.read_text()
    # outputs of the notebook, not just its sources
    assert "hello from kiln: 3 cells, answer 42" in text
    assert "a shell says hello" in text  # the output (the source is highlighted)


# --- the labs: the SageMaker course labs rebuilt on kiln (labs/) ---------------------
#
# Each lab gets small sizes, and a free port where it deploys, through the
# papermill-style injection above, and a check of what it showed and wrote.
# A lab without an entry here runs with its own parameters and is checked
# for error outputs only.

_LAB_PORTS = conftest.free_ports(4)

LAB_PARAMETERS = {
    "labs/01-builtin-algorithms.ipynb": {"rounds": 20, "epochs": 6, "seed": 7, "out": "jobs"},
    "labs/04-hosting.ipynb": {"rounds": 20, "port": _LAB_PORTS[0], "workers": 2, "out": "jobs"},
    "labs/05-tuning.ipynb": {"jobs": 8, "parallel": 1, "rounds": 20, "seed": 3,
                             "port": _LAB_PORTS[1], "out": "jobs"},
    "labs/06-data-formats.ipynb": {"images": 1500, "rounds": 5, "epochs": 3, "seed": 7,
                                   "out": "jobs"},
    "labs/02-kmeans-fashion-mnist.ipynb": {"images": 2500, "k": 10, "epochs": 4,
                                           "port": _LAB_PORTS[2], "out": "jobs"},
    "labs/03-pca-kmeans-pipeline.ipynb": {"images": 2500, "components": 20, "k": 10,
                                          "port": _LAB_PORTS[3], "out": "jobs"},
}
PARAMETERS.update(LAB_PARAMETERS)


def _lab_job(root, name, algo):
    """A completed job's describe.json, after checking its status, its
    algorithm and its artifact (the names inside model.tar.gz)."""
    import json
    import tarfile

    desc = json.loads((root / name / "describe.json").read_text())
    assert desc["TrainingJobStatus"] == "Completed", desc.get("FailureReason")
    assert desc["AlgorithmSpecification"]["TrainingImage"].startswith("kiln/" + algo), desc
    member = {"xgboost": "xgboost-model"}.get(algo, "model_algo-1")
    with tarfile.open(root / name / "output" / "model.tar.gz") as t:
        assert t.getnames() == [member], t.getnames()
    return desc


def _lab_final(desc):
    return {m["MetricName"]: m["Value"] for m in desc["FinalMetricDataList"]}


def _lab_model_bytes(root, name):
    import tarfile

    with tarfile.open(root / name / "output" / "model.tar.gz") as t:
        return t.extractfile(t.getnames()[0]).read()


def _lab_live_chart(nb, start, job, metrics):
    """The %%train cell starting with `start` shows the job's metrics chart
    (its final state), a real PNG of SageMaker's chart size, and its summary
    table says Completed."""
    outputs = outputs_of(nb, start)
    charts = charts_of(outputs)
    title = "<chart: %s, %d metrics>" % (job, metrics)
    assert title in charts, sorted(charts)
    png, meta = charts[title]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000, len(png)
    assert meta == {"width": 640, "height": 320}, meta
    text = outputs_text(outputs)
    assert re.search(r"^status\s+Completed\s*$", text, re.M), text
    return outputs


def _lab_predicted(nb, start, rows, by):
    """%predict's outputs in the cell starting with `start`: the line naming
    how many rows went where, and its metrics table."""
    outputs = outputs_of(nb, start)
    text = outputs_text(outputs)
    assert "%d rows predicted by %s" % (rows, by) in text, text
    return outputs, metrics_table(outputs)


def _check_lab01(nb, workdir):
    """Lab 1: XGBoost and Linear Learner on breast cancer.  Both jobs
    completed with the injected rounds and epochs and SageMaker's
    artifacts; each %%train cell shows its live chart; %describe shows the
    record and the feature importance; %metrics charts again; the artifacts'
    listings are shown; %predict scores both on the 85 test rows with the
    metrics, the confusion matrix and the curves, Linear Learner's the same
    as its job's own test metrics; %jobs lists both."""
    root = workdir / "jobs"
    xgb = _lab_job(root, "bc-xgb", "xgboost")
    linear = _lab_job(root, "bc-linear", "linear-learner")
    assert xgb["HyperParameters"]["num_round"] == "20", xgb["HyperParameters"]
    assert linear["HyperParameters"]["epochs"] == "6", linear["HyperParameters"]
    assert [c["ChannelName"] for c in linear["InputDataConfig"]] == ["train", "validation", "test"]
    assert _lab_final(xgb)["validation:auc"] > 0.95, _lab_final(xgb)
    linear_final = _lab_final(linear)
    assert linear_final["test:binary_classification_accuracy"] > 0.9, linear_final

    _lab_live_chart(nb, "%%train xgboost", "bc-xgb", 4)
    _lab_live_chart(nb, "%%train linear-learner", "bc-linear", 2)

    shown = outputs_of(nb, "%describe bc-xgb")
    records = [o.data["application/json"] for o in shown if "application/json" in o.get("data", {})]
    assert records and records[0]["TrainingJobName"] == "bc-xgb", records
    assert records[0]["ModelArtifacts"]["S3ModelArtifacts"].endswith("/bc-xgb/output/model.tar.gz")
    assert "<chart: bc-xgb: feature importance, 20 bars>" in charts_of(shown), sorted(charts_of(shown))
    names = outputs_text(outputs_of(nb, "!/usr/bin/python3 -c \"from sklearn"))
    assert "f27 worst concave points" in names, names
    assert "<chart: bc-linear, 2 metrics>" in charts_of(outputs_of(nb, "%metrics bc-linear"))

    listing = outputs_text(outputs_of(nb, "!ls $out/bc-xgb"))
    assert re.search(r" xgboost-model$", listing, re.M), listing
    assert re.search(r" model_algo-1$", listing, re.M), listing
    assert "Early stop condition met" in listing or "Best model found" in listing, listing

    for job in ("bc-xgb", "bc-linear"):
        outputs, metrics = _lab_predicted(nb, "%predict " + job, 85, "training job " + job)
        assert metrics["accuracy"] > 0.9 and metrics["ROC AUC"] > 0.95, (job, metrics)
        assert set(metrics) >= {"precision", "recall", "F1", "log loss"}, metrics
        titles = sorted(charts_of(outputs))
        assert titles[0] == "<chart: Confusion matrix, 2 classes>", titles
        assert titles[1] == "<chart: Precision-recall curve>", titles
        assert titles[2].startswith("<chart: ROC curve (AUC 0."), titles
        if job == "bc-linear":
            assert metrics["accuracy"] == pytest.approx(
                linear_final["test:binary_classification_accuracy"], abs=1e-6), (metrics, linear_final)

    jobs = outputs_text(outputs_of(nb, "%jobs"))
    assert re.search(r"^bc-linear\s+linear-learner\s+Completed", jobs, re.M), jobs
    assert re.search(r"^bc-xgb\s+xgboost\s+Completed", jobs, re.M), jobs


def _check_lab04(nb, workdir):
    """Lab 4: the endpoint on the injected port; GET /ping; boto3's
    invoke_endpoint answering CSV and JSON with the xgboost library's
    predictions of the artifact; boto3's confusion matrix and %predict's
    over HTTP agreeing; one raw JSON Lines answer; the batch transform's
    label,score file and its record; the endpoint stopped at the end."""
    import json

    import numpy as np
    import xgboost as xgb

    root = workdir / "jobs"
    port = LAB_PARAMETERS["labs/04-hosting.ipynb"]["port"]
    desc = _lab_job(root, "bc-xgb", "xgboost")
    assert desc["HyperParameters"]["num_round"] == "20", desc["HyperParameters"]
    _lab_live_chart(nb, "%%train xgboost", "bc-xgb", 4)

    deploy = outputs_of(nb, "%deploy bc-xgb")
    assert _endpoint_url(deploy) == "http://127.0.0.1:%d" % port
    text = outputs_text(deploy)
    assert "InService" in text and 'EndpointName="bc-endpoint"' in text, text
    listing = outputs_text(outputs_of(nb, "%endpoints"))
    assert re.search(r"^bc-endpoint\s+bc-xgb \(xgboost\)\s+http://127\.0\.0\.1:%d\s+2\s" % port,
                     listing, re.M), listing
    ping = outputs_text(outputs_of(nb, "!curl"))
    assert ping.strip() == "GET /ping: HTTP 200", ping

    # the xgboost library's predictions from the job's artifact
    booster = xgb.Booster()
    booster.load_model(bytearray(_lab_model_bytes(root, "bc-xgb")))
    test = np.loadtxt(workdir / "data" / "bc" / "test" / "test.csv", delimiter=",")
    assert test.shape == (85, 31), test.shape
    expected = booster.predict(xgb.DMatrix(test[:, 1:]))

    boto = [c for c in nb.cells
            if c.cell_type == "code" and c.source.startswith("%%script /usr/bin/python3\nimport boto3")]
    assert len(boto) == 2, [c.source[:60] for c in boto]
    first = outputs_text(boto[0].outputs)
    m = re.search(r"^ContentType text/csv answer \[(.*)\]$", first, re.M)
    assert m, first
    csv_scores = [float(v.strip(" '")) for v in m.group(1).split(",")]
    np.testing.assert_allclose(csv_scores, expected[:3], rtol=0, atol=1e-6)
    m = re.search(r"^ContentType application/json answer (\{.*\})$", first, re.M)
    assert m, first
    json_scores = [p["score"] for p in json.loads(m.group(1))["predictions"]]
    np.testing.assert_allclose(json_scores, expected[:3], rtol=0, atol=1e-6)
    assert "labels %s" % [int(v) for v in test[:3, 0]] in first, first

    second = outputs_text(boto[1].outputs)
    assert second.startswith("85 rows scored by boto3\n"), second
    cells = {}
    for a in (0, 1):
        m = re.search(r"^%d\s+(\d+)\s+(\d+)$" % a, second, re.M)
        assert m, second
        cells[a] = (int(m.group(1)), int(m.group(2)))
    predicted = (expected > 0.5).astype(int)
    for a in (0, 1):
        assert cells[a] == (int(((test[:, 0] == a) & (predicted == 0)).sum()),
                            int(((test[:, 0] == a) & (predicted == 1)).sum())), (cells, a)
    accuracy = float((predicted == test[:, 0]).mean())
    assert "accuracy %.4f" % accuracy in second, (second, accuracy)

    outputs, metrics = _lab_predicted(nb, "%predict bc-endpoint --data", 85, "endpoint bc-endpoint")
    assert "over HTTP" in outputs_text(outputs)
    assert metrics["accuracy"] == pytest.approx(accuracy, abs=1e-6) and metrics["ROC AUC"] > 0.95, metrics
    assert "<chart: Confusion matrix, 2 classes>" in charts_of(outputs), sorted(charts_of(outputs))

    raw = outputs_text(outputs_of(nb, "row = "))
    m = re.fullmatch(r'\{"score": ([0-9.e-]+)\}\n?', raw.strip() + "\n")
    assert m and float(m.group(1)) < 0.5, raw  # scikit-learn's first tumour is malignant

    lines = (workdir / "data" / "batch" / "test.csv.out").read_text().split()
    pairs = np.array([[float(v) for v in line.split(",")] for line in lines])
    assert pairs.shape == (85, 2), pairs.shape
    np.testing.assert_array_equal(pairs[:, 0], test[:, 0])
    np.testing.assert_allclose(pairs[:, 1], expected, rtol=0, atol=1e-6)
    rec = json.loads((root / "transform-jobs" / "bc-batch" / "describe.json").read_text())
    assert rec["TransformJobStatus"] == "Completed", rec
    assert rec["DataProcessing"] == {"InputFilter": "$[1:]", "OutputFilter": "$[0,-1]",
                                     "JoinSource": "Input"}, rec["DataProcessing"]
    scored = outputs_text(outputs_of(nb, "%%script /usr/bin/python3\nimport json"))
    assert "batch transform: 85 rows, accuracy %.4f" % accuracy in scored, scored

    last = outputs_text(outputs_of(nb, "%undeploy bc-endpoint"))
    m = re.search(r"endpoint bc-endpoint stopped after (\d+) invocations \(0 errors\)", last)
    assert m and int(m.group(1)) >= 5, last
    assert "no endpoints are running" in last, last


def _check_lab05(nb, workdir):
    """Lab 5: a Bayesian and a Random tuning job with the same injected
    budget, seed and ranges, both recorded Completed; the Bayesian one's
    first, random proposals the same as Random search's; the comparison
    printed from the records (best of each, best so far after every job);
    the best models on the test channel; the Bayesian best deployed on the
    injected port, queried, and stopped."""
    import csv
    import json

    root = workdir / "jobs"
    params = LAB_PARAMETERS["labs/05-tuning.ipynb"]
    jobs = params["jobs"]
    descs, rows = {}, {}
    for name, strategy in (("bc-bayes", "Bayesian"), ("bc-random", "Random")):
        desc = json.loads((root / "tuning-jobs" / name / "describe.json").read_text())
        assert desc["HyperParameterTuningJobStatus"] == "Completed", desc
        cfg = desc["HyperParameterTuningJobConfig"]
        assert cfg["Strategy"] == strategy and cfg["RandomSeed"] == params["seed"], cfg
        assert cfg["ResourceLimits"] == {"MaxNumberOfTrainingJobs": jobs,
                                         "MaxParallelTrainingJobs": params["parallel"]}, cfg
        assert cfg["HyperParameterTuningJobObjective"] == {"Type": "Minimize",
                                                           "MetricName": "validation:logloss"}
        assert desc["TrainingJobStatusCounters"]["Completed"] == jobs, desc["TrainingJobStatusCounters"]
        assert desc["TrainingJobDefinition"]["StaticHyperParameters"]["num_round"] == str(params["rounds"])
        descs[name] = desc
        with open(root / "tuning-jobs" / name / "analytics.csv", newline="") as f:
            rows[name] = sorted(csv.DictReader(f), key=lambda r: r["TrainingJobName"])
        assert len(rows[name]) == jobs, rows[name]
    ranges = [d["HyperParameterTuningJobConfig"]["ParameterRanges"] for d in descs.values()]
    assert ranges[0] == ranges[1], ranges
    # random proposals until the Gaussian process has d + 1 = 5 results
    tuned = ("eta", "max_depth", "min_child_weight", "subsample")
    for a, b in zip(rows["bc-bayes"][:5], rows["bc-random"][:5]):
        assert [a[k] for k in tuned] == [b[k] for k in tuned], (a, b)

    best = {n: d["BestTrainingJob"] for n, d in descs.items()}
    values = {n: b["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for n, b in best.items()}
    for name in best:
        assert 0 < values[name] < 0.3, values
        assert min(float(r["FinalObjectiveValue"]) for r in rows[name]) == pytest.approx(values[name], rel=1e-9)
        _lab_job(root, best[name]["TrainingJobName"], "xgboost")

    for name, strategy in (("bc-bayes", "Bayesian"), ("bc-random", "Random")):
        tuning = outputs_of(nb, "%%tune xgboost --objective validation:logloss --strategy " + strategy)
        text = outputs_text(tuning)
        assert re.search(r"tuning %s \(%s\): %d of %d jobs done, 0 running; best validation:logloss "
                         r"[0-9.e-]+ \(%s\); [0-9.]+ s; Completed" % (name, strategy, jobs, jobs,
                                                                     best[name]["TrainingJobName"]),
                         text), text
        charts = charts_of(tuning)
        assert "validation:logloss by training job: %d completed, 0 stopped; best %s" % (
            jobs, "%g" % values[name]) in charts, sorted(charts)
        assert len(charts) == 5, sorted(charts)  # the live chart, then one a tuned parameter

    compared = outputs_text(outputs_of(nb, "!/usr/bin/python3 -c \"import csv, json"))
    for name, strategy in (("bc-bayes", "Bayesian"), ("bc-random", "Random")):
        line = "%-9s %-8s seed %d, %d jobs: best %s validation:logloss %.6f" % (
            name, strategy, params["seed"], jobs, best[name]["TrainingJobName"], values[name])
        assert line in compared, (line, compared)
    table = re.findall(r"^\s+(\d+)\s+([0-9.]+)\s+([0-9.]+)$", compared, re.M)
    assert [int(t[0]) for t in table] == list(range(1, jobs + 1)), compared
    assert float(table[-1][1]) == pytest.approx(values["bc-bayes"], abs=1e-6), table
    assert float(table[-1][2]) == pytest.approx(values["bc-random"], abs=1e-6), table
    assert all(t[1] == t[2] for t in table[:5]), table

    local = {}
    for name in best:
        by = "training job %s (the best of tuning job %s)" % (best[name]["TrainingJobName"], name)
        _, local[name] = _lab_predicted(nb, "%predict " + name, 85, by)
        assert local[name]["accuracy"] > 0.9, local[name]

    deploy = outputs_of(nb, "%deploy bc-bayes")
    assert _endpoint_url(deploy) == "http://127.0.0.1:%d" % params["port"]
    assert "%s (xgboost)" % best["bc-bayes"]["TrainingJobName"] in outputs_text(deploy)
    outputs, metrics = _lab_predicted(nb, "%predict bc-tuned", 85, "endpoint bc-tuned")
    assert metrics == local["bc-bayes"], (metrics, local["bc-bayes"])
    assert "<chart: Confusion matrix, 2 classes>" in charts_of(outputs)
    last = outputs_text(outputs_of(nb, "%undeploy bc-tuned"))
    assert "endpoint bc-tuned stopped after 1 invocation (0 errors)" in last, last


def _check_lab06(nb, workdir):
    """Lab 6: the same rows as CSV, RecordIO-protobuf and libsvm channels,
    each previewed; XGBoost from each (CSV and RecordIO the same model byte
    for byte, libsvm another, its zeros missing values), the comparison
    printed from the records; Linear Learner the same from CSV and RecordIO;
    the libsvm model worse on the same rows as CSV; raw answers in three
    Accept types; batch transforms of RecordIO (JSON Lines) and CSV
    (label left out) agreeing."""
    import json

    import numpy as np

    root = workdir / "jobs"
    params = LAB_PARAMETERS["labs/06-data-formats.ipynb"]
    n = params["images"]
    sizes = {"train": n * 70 // 100, "validation": n * 15 // 100, "test": n * 15 // 100}
    data = workdir / "data"
    ext = {"csv": "csv", "recordio": "pbr", "libsvm": "libsvm"}
    for fmt in ext:
        for channel, rows in sizes.items():
            f = data / fmt / channel / ("%s.%s" % (channel, ext[fmt]))
            assert f.is_file() and f.stat().st_size > 0, f
            if fmt != "recordio":
                assert len(f.read_text().splitlines()) == rows, (f, rows)
    csv_test = np.loadtxt(data / "csv" / "test" / "test.csv", delimiter=",")
    assert csv_test.shape == (sizes["test"], 785), csv_test.shape
    libsvm_test = (data / "libsvm" / "test" / "test.libsvm").read_text().splitlines()
    libsvm_labels = [float(line.split()[0]) for line in libsvm_test]
    np.testing.assert_array_equal(libsvm_labels, csv_test[:, 0])  # the same rows, the same order

    heads = {"csv": "data/csv/train: text/csv, 785 columns",
             "recordio": "data/recordio/train: application/x-recordio-protobuf, dense, 784 features, labelled",
             "libsvm": "data/libsvm/train: text/libsvm, sparse"}
    for fmt, line in heads.items():
        assert line in outputs_text(outputs_of(nb, "%%head data/%s/train" % fmt)), fmt
    # od's first words: RecordIO's magic, then the record's length
    od = outputs_text(outputs_of(nb, "%head data/recordio/train"))
    assert re.search(r"^0000000 ced7230a ", od, re.M), od

    types = {"csv": "text/csv", "recordio": "application/x-recordio-protobuf", "libsvm": "text/libsvm"}
    descs = {}
    for fmt, ctype in types.items():
        job = "xgb-" + fmt
        descs[fmt] = _lab_job(root, job, "xgboost")
        assert [c["ContentType"] for c in descs[fmt]["InputDataConfig"]] == [ctype, ctype]
        assert descs[fmt]["HyperParameters"]["num_round"] == str(params["rounds"])
        _lab_live_chart(nb, "%%train xgboost --train data/" + fmt + "/train", job, 4)
    models = {fmt: _lab_model_bytes(root, "xgb-" + fmt) for fmt in types}
    assert models["csv"] == models["recordio"]
    assert models["libsvm"] != models["csv"]
    assert _lab_final(descs["csv"]) == _lab_final(descs["recordio"])
    assert _lab_final(descs["csv"])["validation:merror"] < 0.5, _lab_final(descs["csv"])

    import hashlib

    compare = "!/usr/bin/python3 -c \"import hashlib, json, tarfile; \\\njobs = "
    compared = outputs_text(outputs_of(nb, compare + "('xgb-csv'"))
    for fmt, ctype in types.items():
        final = _lab_final(descs[fmt])
        line = "%-13s %-32s %-18.6f %-20.6f %s" % ("xgb-" + fmt, ctype, final["validation:merror"],
                                                   final["validation:mlogloss"],
                                                   hashlib.md5(models[fmt]).hexdigest())
        assert line in compared, (line, compared)

    linear = {fmt: _lab_job(root, "ll-" + fmt, "linear-learner") for fmt in ("csv", "recordio")}
    assert _lab_model_bytes(root, "ll-csv") == _lab_model_bytes(root, "ll-recordio")
    accuracy = _lab_final(linear["csv"])["test:multiclass_accuracy"]
    assert accuracy == _lab_final(linear["recordio"])["test:multiclass_accuracy"] and accuracy > 0.6, accuracy
    compared = outputs_text(outputs_of(nb, compare + "('ll-csv'"))
    md5 = hashlib.md5(_lab_model_bytes(root, "ll-csv")).hexdigest()
    assert compared.count("test:multiclass_accuracy %.6f  md5 of model_algo-1 %s" % (accuracy, md5)) == 2, compared

    by = "training job xgb-libsvm"
    _, own = _lab_predicted(nb, "%predict xgb-libsvm --data data/libsvm/test", sizes["test"], by)
    _, zeros = _lab_predicted(nb, "%predict xgb-libsvm --data data/csv/test", sizes["test"], by)
    assert own["accuracy"] > 0.6 and own["accuracy"] != zeros["accuracy"], (own, zeros)
    _, other = _lab_predicted(nb, "%predict xgb-csv --data data/recordio/test", sizes["test"],
                              "training job xgb-csv")
    assert other["accuracy"] > 0.6, other

    raw = outputs_text(outputs_of(nb, "%predict xgb-csv --body")).split()
    m = re.fullmatch(r'(\d)\s\{"predictions":\s\[\{"score":\s(\d)\}\]\}\s\{"score":\s(\d)\}',
                     " ".join(raw))
    assert m and m.group(1) == m.group(2) == m.group(3), raw

    answers = [json.loads(line) for line in
               (data / "ll-predictions" / "test.pbr.out").read_text().splitlines()]
    assert len(answers) == sizes["test"] and all(len(a["score"]) == 10 for a in answers), answers[:2]
    lines = (data / "ll-csv-predictions" / "test.csv.out").read_text().splitlines()
    assert len(lines) == sizes["test"], len(lines)
    labels = [int(float(line.split(",")[-1])) for line in lines]
    assert labels == [a["predicted_label"] for a in answers]
    assert np.mean(np.array(labels) == csv_test[:, 0]) == pytest.approx(accuracy, abs=1e-6)
    for name in ("ll-recordio-test", "ll-csv-test"):
        rec = json.loads((root / "transform-jobs" / name / "describe.json").read_text())
        assert rec["TransformJobStatus"] == "Completed", rec


def _purity_from(outputs):
    table = metrics_table(outputs)
    assert table["clusters used"] >= 8, table
    return table["purity"]


def _artifact_arrays(root, job, workdir):
    """(names, arrays) of job's model_algo-1, an MXNet NDArray file, read
    by the tests' own decoder (oracles.ndarray_decode)."""
    import tarfile

    from oracles import ndarray_decode

    dest = workdir / ("unpacked-" + job)
    with tarfile.open(root / job / "output" / "model.tar.gz") as t:
        t.extractall(dest)
    return ndarray_decode((dest / "model_algo-1").read_bytes())


def _recordio_rows(workdir, channel):
    """(features, labels) of a dense RecordIO-protobuf channel, decoded by
    protoc's Python code for kiln's record.proto (the SDK's decoder)."""
    import importlib.util
    import subprocess

    import numpy as np

    from test_data_recordio import read_records

    proto_dir = conftest.REPO / "algos" / "data"
    subprocess.run(["protoc", f"--proto_path={proto_dir}", f"--python_out={workdir}",
                    str(proto_dir / "record.proto")], check=True)
    spec = importlib.util.spec_from_file_location("record_pb2", workdir / "record_pb2.py")
    pb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pb)
    xs, ys = [], []
    for path in sorted(channel.iterdir()):
        with open(path, "rb") as f:
            for r in read_records(pb, f):
                xs.append(list(r.features["values"].float32_tensor.values))
                ys.append(r.label["values"].float32_tensor.values[0])
    return np.array(xs, dtype=np.float64), np.array(ys).astype(int)


def _kmeans_oracle_purity(root, job, workdir, features, labels, components=None):
    """The purity of job's centroids by hand: the MXNet NDArray file in
    its artifact read with numpy (algotool's reader), each row given to its
    nearest centroid, scikit-learn's contingency_matrix."""
    from sklearn.metrics.cluster import contingency_matrix

    (centres,) = _artifact_arrays(root, job, workdir)[1]
    x = features if components is None else components(features)
    d = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    m = contingency_matrix(labels, d.argmin(axis=1))
    return m.max(axis=0).sum() / m.sum()


def _check_lab02(nb, workdir):
    """K-Means on Fashion-MNIST: the centroids drawn as 28x28 pictures,
    the purity of the test channel's clusters equal to one computed from the
    artifact by hand, the same answers from the endpoint over HTTP."""
    import numpy as np

    root = workdir / "jobs"
    params = LAB_PARAMETERS["labs/02-kmeans-fashion-mnist.ipynb"]
    _lab_job(root, "fashion-kmeans", "kmeans")
    charts = charts_of(outputs_of(nb, "%describe fashion-kmeans"))
    assert "fashion-kmeans: 10 clusters as 28x28 images" in charts, sorted(charts)
    live = charts_of(outputs_of(nb, "%train kmeans"))
    assert "<chart: fashion-kmeans, 1 metric>" in live, sorted(live)
    predicted = outputs_of(nb, "%predict fashion-kmeans --data data/fm/test")
    assert "<chart: Classes by cluster, 10 classes x 10 clusters>" in charts_of(predicted)
    purity = _purity_from(predicted)
    data = np.loadtxt(workdir / "data" / "fashion.csv", delimiter=",")
    assert len(data) == params["images"]
    x, y = _recordio_rows(workdir, workdir / "data" / "fm" / "test")
    assert x.shape == (params["images"] // 5, 784), x.shape
    assert purity == pytest.approx(
        _kmeans_oracle_purity(root, "fashion-kmeans", workdir, x, y), abs=1e-3)
    assert 0.35 < purity < 0.9, purity
    hosted = outputs_of(nb, "%deploy fashion-kmeans")
    text = outputs_text(hosted)
    assert "over HTTP" in text and "stopped after 1 invocation (0 errors)" in text, text
    assert _purity_from(hosted) == pytest.approx(purity, abs=1e-9)


def _check_lab03(nb, workdir):
    """PCA then K-Means: the components drawn as pictures, the projections
    equal to the PCA model's by hand, the pipeline endpoint's clusters as
    pure as those computed from both artifacts by hand."""
    import numpy as np

    root = workdir / "jobs"
    params = LAB_PARAMETERS["labs/03-pca-kmeans-pipeline.ipynb"]
    k = params["components"]
    _lab_job(root, "fashion-pca", "pca")
    _lab_job(root, "fashion-pca-kmeans", "kmeans")
    charts = charts_of(outputs_of(nb, "%train pca"))
    assert f"fashion-pca: {k} components as 28x28 images" in charts, sorted(charts)
    names, arrays = _artifact_arrays(root, "fashion-pca", workdir)
    a = dict(zip(names, arrays))
    assert a["v"].shape == (784, k), a["v"].shape
    proj = np.loadtxt(next((workdir / "data" / "projections").iterdir()), delimiter=",",
                      ndmin=2)
    train = np.loadtxt(next((workdir / "data" / "fm" / "train").iterdir()), delimiter=",",
                       ndmin=2)
    assert proj.shape == (len(train), k), proj.shape

    def project(x):
        return (x - a["mean"].reshape(1, -1)) @ a["v"]

    assert np.allclose(project(train[:, 1:]), proj, atol=2e-3 * np.abs(proj).max())
    predicted = outputs_of(nb, "%predict fashion-pipeline")
    text = outputs_text(predicted)
    assert "predicted by endpoint fashion-pipeline" in text and "over HTTP" in text, text
    purity = _purity_from(predicted)
    test = np.loadtxt(next((workdir / "data" / "fm" / "test").iterdir()), delimiter=",",
                      ndmin=2)
    assert purity == pytest.approx(
        _kmeans_oracle_purity(root, "fashion-pca-kmeans", workdir, test[:, 1:],
                              test[:, 0].astype(int), project), abs=1e-3)
    assert 0.35 < purity < 0.9, purity


LAB_CHECKS = {
    "labs/02-kmeans-fashion-mnist.ipynb": _check_lab02,
    "labs/03-pca-kmeans-pipeline.ipynb": _check_lab03,
    "labs/01-builtin-algorithms.ipynb": _check_lab01,
    "labs/04-hosting.ipynb": _check_lab04,
    "labs/05-tuning.ipynb": _check_lab05,
    "labs/06-data-formats.ipynb": _check_lab06,
}
