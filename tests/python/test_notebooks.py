"""Every notebook under notebooks/ (and labs/) runs headless, the way
papermill runs it: parameters injected after the cell tagged `parameters`
(papermill's Python translator), then nbclient with
raise_on_iopub_timeout=True.  Plus the main job itself: nbconvert --execute
to HTML on notebooks/tour.ipynb."""

import ast
import math
import os
import re
import shutil
import subprocess

import nbformat
import pytest
from nbclient import NotebookClient

import conftest
from cells import metrics_table

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
}


# --- papermill's Python translator (papermill/translators.py) ---------------------


def _escape(s):
    s = s.encode("unicode_escape").decode("utf-8")
    return '"{}"'.format(s.replace('"', r"\""))


def translate(val):
    if val is None:
        return "None"
    if isinstance(val, str):
        return _escape(val)
    if isinstance(val, bool):
        return repr(val)
    if isinstance(val, int):
        return str(val)
    if isinstance(val, float):
        if math.isfinite(val):
            return repr(val)
        return "float('%s')" % val
    if isinstance(val, dict):
        return "{" + ", ".join("%s: %s" % (_escape(str(k)), translate(v)) for k, v in val.items()) + "}"
    if isinstance(val, list):
        return "[" + ", ".join(translate(v) for v in val) + "]"
    return _escape(str(val))


def codify(parameters):
    content = "# Parameters\n"
    for name, val in parameters.items():
        content += "%s = %s\n" % (name, translate(val))
    return content


def parameters_of(cell_source):
    """name = literal lines of a parameters cell, as Python values."""
    params = {}
    for line in cell_source.splitlines():
        m = re.match(r"^\s*([A-Za-z_]\w*)\s*=\s*(.+?)\s*$", line)
        if not m:
            continue
        try:
            params[m.group(1)] = ast.literal_eval(m.group(2))
        except (ValueError, SyntaxError):
            continue
    return params


def inject_parameters(nb, parameters):
    """papermill.parameterize.parameterize_notebook, for the python
    translator: a code cell tagged injected-parameters goes right after the
    first cell tagged parameters (replacing an earlier injected cell), or at
    the top when there is none."""
    newcell = nbformat.v4.new_code_cell(source=codify(parameters))
    newcell.metadata["tags"] = ["injected-parameters"]

    def tagged(cell, tag):
        return tag in cell.get("metadata", {}).get("tags", [])

    injected = [i for i, c in enumerate(nb.cells) if tagged(c, "injected-parameters")]
    params = [i for i, c in enumerate(nb.cells) if tagged(c, "parameters")]
    if injected:
        before = nb.cells[: injected[0]]
        after = nb.cells[injected[0] + 1 :]
    elif params:
        before = nb.cells[: params[0] + 1]
        after = nb.cells[params[0] + 1 :]
    else:
        before = []
        after = nb.cells
    nb.cells = before + [newcell] + after
    nb.metadata.setdefault("papermill", {})["parameters"] = parameters
    return nb


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

    client = NotebookClient(
        nb,
        kernel_name="kiln",
        timeout=600,
        startup_timeout=60,
        raise_on_iopub_timeout=True,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()

    assert nb.metadata["language_info"]["name"] == "kiln"
    errors = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            if out.output_type == "error":
                errors.append((i, cell.source[:60], out.ename, out.evalue))
    assert not errors, errors
    nbformat.validate(nb)
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
    tuning = _cell_outputs(nb, "%%tune xgboost --objective validation:logloss --max-jobs $jobs")
    charts = _charts(tuning)
    assert len(charts) >= 2, sorted(charts)
    for png, meta in charts.values():
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and meta["width"] > 0, meta
    text = _outputs_text(tuning)
    assert re.search(r"tuning bc-tune \(Bayesian\): 10 of 10 jobs done", text), text
    assert any("<table" in o.get("data", {}).get("text/html", "") and
               name in o["data"].get("text/plain", "") for o in tuning), text

    # %describe shows the record as JSON, with a table of the jobs
    shown = _cell_outputs(nb, "%describe bc-tune")
    records = [o.data["application/json"] for o in shown
               if "application/json" in o.get("data", {})]
    assert records and records[0]["HyperParameterTuningJobName"] == "bc-tune", records
    assert name in _outputs_text(shown)

    # the best model on the test channel, in-process
    predicted = _cell_outputs(nb, "%predict bc-tune")
    assert name in _outputs_text(predicted), _outputs_text(predicted)
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
    shown = _outputs_text(_cell_outputs(nb, "!/usr/bin/python3 -c"))
    assert "overall best " + overall["TrainingJobName"] in shown, shown

    # %jobs: the tuning jobs' table first
    listing = [o for o in _cell_outputs(nb, "%jobs") if "data" in o]
    first = listing[0].data["text/plain"]
    assert re.search(r"^bc-tune\s", first, re.M) and re.search(r"^bc-tune-2\s", first, re.M), first


def _cell_outputs(nb, start):
    """The outputs of the code cell whose source starts with `start`."""
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(start)]
    assert len(cells) == 1, (start, [c.source[:60] for c in cells])
    return cells[0].outputs


def _outputs_text(outputs):
    parts = []
    for out in outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/plain", "") + "\n")
    return "".join(parts)


def _charts(outputs):
    """{title (the text/plain twin): (PNG bytes, metadata)} of the images."""
    import base64

    found = {}
    for out in outputs:
        if "image/png" in out.get("data", {}):
            png = base64.b64decode(out.data["image/png"])
            found[out.data["text/plain"]] = (png, out.metadata.get("image/png", {}))
    return found


def _endpoint_url(outputs):
    """The url row of %deploy's table."""
    m = re.search(r"^url\s+(http://127\.0\.0\.1:(\d+))\s*$", _outputs_text(outputs), re.M)
    assert m, _outputs_text(outputs)
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
    boto = _outputs_text(_cell_outputs(nb, "!/usr/bin/python3 -c \"import boto3"))
    assert re.match(r"85 scores from boto3, the first \['[0-9.e-]+', ", boto), boto

    # %deploy's table, then %endpoints listing it with the injected workers
    deploy = _outputs_text(_cell_outputs(nb, "%deploy bc-xgb"))
    assert "InService" in deploy and "bc-xgb (xgboost)" in deploy, deploy
    assert 'EndpointName="breast-cancer"' in deploy, deploy
    url = _endpoint_url(_cell_outputs(nb, "%deploy bc-xgb"))
    listing = _cell_outputs(nb, "%endpoints")
    assert any("text/html" in o.get("data", {}) for o in listing), listing
    rows = [l.split() for l in _outputs_text(listing).splitlines()]
    assert rows[0][:3] == ["endpoint", "models", "url"], rows
    row = next(r for r in rows if r and r[0] == "breast-cancer")
    assert row[1:5] == ["bc-xgb", "(xgboost)", url, "3"], row

    # %predict over HTTP: the metrics table and the three charts
    http = _cell_outputs(nb, "%predict breast-cancer")
    assert "85 rows predicted by endpoint breast-cancer" in _outputs_text(http)
    assert "over HTTP" in _outputs_text(http)
    metrics = metrics_table(http)
    assert metrics["accuracy"] > 0.9 and metrics["ROC AUC"] > 0.95, metrics
    assert set(metrics) >= {"precision", "recall", "F1", "log loss"}, metrics
    charts = _charts(http)
    titles = sorted(charts)
    assert len(titles) == 3, titles
    assert titles[0] == "<chart: Confusion matrix, 2 classes>", titles
    assert titles[1] == "<chart: Precision-recall curve>", titles
    assert titles[2].startswith("<chart: ROC curve (AUC 0."), titles
    for png, meta in charts.values():
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
        assert meta["width"] > 200 and meta["height"] > 200, meta
    # the job in-process: the same numbers
    local = _cell_outputs(nb, "%predict bc-xgb")
    assert "in-process" in _outputs_text(local), _outputs_text(local)
    assert metrics_table(local) == metrics

    # the pipeline: PCA then k-means, two clusters
    chain = _cell_outputs(nb, "%deploy bc-pca bc-kmeans")
    text = _outputs_text(chain)
    assert "bc-pca (pca) → bc-kmeans (kmeans)" in text, text
    assert _endpoint_url(chain) != url
    assert "85 rows predicted by endpoint bc-clusters" in text, text
    assert metrics_table(chain)["clusters used"] == 2
    assert "<chart: Cluster sizes, 2 bars>" in _charts(chain)

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
    last = _outputs_text(nb.cells[-1].outputs)
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
            url = _endpoint_url(_cell_outputs(nb, "%deploy bc-xgb"))
            code = snippet.replace("http://127.0.0.1:8080", url)
            seen["run"] = subprocess.run(["/usr/bin/python3", "-c", code], cwd=str(workdir),
                                         capture_output=True, text=True, timeout=120)

    def on_cell_executed(cell, cell_index, execute_reply):
        if cell_index == len(nb.cells) - 1:
            ports = [int(_endpoint_url(_cell_outputs(nb, start)).rpartition(":")[2])
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
    """The main job, as tools/setup runs it: the training notebook to an
    HTML report whose charts are images in the page."""
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
