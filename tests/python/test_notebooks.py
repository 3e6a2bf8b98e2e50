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
