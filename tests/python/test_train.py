"""Training jobs through a real kernel: %train and %%train with their live
view, the job's files (describe.json, metrics.csv, log.txt,
output/model.tar.gz), %jobs, %describe, %metrics, %algorithms and %help,
failures and interrupts.  The oracles are the files themselves read with
Python's json, csv, re and tarfile, and SageMaker's metric regexes from
the job record applied to its log, as SageMaker applies them."""

import csv
import json
import re
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import wait_until

SK = Path("/usr/lib/python3/dist-packages/sklearn/datasets/data")


from cells import of, run


@pytest.fixture
def channels(tmp_path):
    """Breast cancer (sklearn's CSV: a count line, 30 features, the 0/1
    target last) as SageMaker channels: label first, no header."""
    rows = np.loadtxt(SK / "breast_cancer.csv", delimiter=",", skiprows=1)
    rng = np.random.default_rng(7)
    rows = rows[rng.permutation(len(rows))]
    data = np.column_stack([rows[:, -1], rows[:, :-1]])
    paths = {}
    for name, part in (("train", data[:400]), ("validation", data[400:480]),
                       ("test", data[480:])):
        d = tmp_path / "bc" / name
        d.mkdir(parents=True)
        np.savetxt(d / (name + ".csv"), part, delimiter=",", fmt="%.10g")
        paths[name] = d
    return paths


def job_dir(tmp_path, name):
    return tmp_path / "out" / name


def test_train_linear_learner_end_to_end(kernel, tmp_path, channels):
    out = tmp_path / "out"
    code = (f"%%train linear-learner --train {channels['train']} "
            f"--validation {channels['validation']} --test {channels['test']} "
            f"--name bc-1 --output {out}\n"
            "predictor_type = binary_classifier\n"
            "# a comment line\n"
            "epochs = 5\n")
    content, io = run(kernel, code)
    assert content["status"] == "ok", content
    displays = of(io, "display_data")
    updates = of(io, "update_display_data")
    # one progress line and one chart, published with display ids
    ids = [d["transient"]["display_id"] for d in displays if d.get("transient")]
    assert any(i.endswith("-progress") for i in ids), ids
    assert any(i.endswith("-chart") for i in ids), ids
    charts = [d for d in displays + updates if "image/png" in d["data"]]
    assert charts, "no chart"
    meta = charts[-1]["metadata"]["image/png"]
    assert meta["width"] > 0 and meta["height"] > 0
    # the summary table
    summary = displays[-1]["data"]["text/plain"]
    assert "bc-1" in summary and "Completed" in summary, summary
    assert "test:binary_classification_accuracy" in summary

    d = job_dir(tmp_path, "bc-1")
    desc = json.loads((d / "describe.json").read_text())
    assert desc["TrainingJobStatus"] == "Completed"
    assert [t["Status"] for t in desc["SecondaryStatusTransitions"]] == \
        ["Starting", "Downloading", "Training", "Uploading", "Completed"]
    assert desc["HyperParameters"] == {"predictor_type": "binary_classifier",
                                       "epochs": "5"}
    assert [c["ChannelName"] for c in desc["InputDataConfig"]] == \
        ["train", "validation", "test"]
    final = {m["MetricName"]: m["Value"] for m in desc["FinalMetricDataList"]}
    assert final["test:binary_classification_accuracy"] > 0.85, final

    # SageMaker's metric regexes, applied to the log as SageMaker does,
    # find the values the job recorded.
    log = (d / "log.txt").read_text()
    for m in desc["AlgorithmSpecification"]["MetricDefinitions"]:
        found = re.findall(m["Regex"], log)
        if m["Name"] in final and found:
            assert float(found[-1]) == pytest.approx(final[m["Name"]], rel=1e-5), m
    assert re.findall(r"#quality_metric: host=\S+, epoch=\S+, train \S+_objective "
                      r"<loss>=(\S+)", log), log[:2000]

    # metrics.csv: step,metric,value,time
    with open(d / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert rows and set(rows[0]) == {"step", "metric", "value", "time"}
    steps = [int(r["step"]) for r in rows if r["metric"] == "train:objective_loss"]
    assert steps == list(range(len(steps))) and len(steps) >= 1

    # the artifact: model_algo-1 at the root of a gzip tar
    with tarfile.open(d / "output" / "model.tar.gz", "r:gz") as t:
        assert t.getnames() == ["model_algo-1"]
    assert desc["ModelArtifacts"]["S3ModelArtifacts"] == \
        "file://" + str((d / "output" / "model.tar.gz").resolve())

    # %jobs, %describe, %metrics read it back
    content, io = run(kernel, f"%jobs --output {out}")
    assert content["status"] == "ok"
    text = of(io, "display_data")[0]["data"]["text/plain"]
    assert "bc-1" in text and "linear-learner" in text and "Completed" in text
    content, io = run(kernel, f"%describe bc-1 --output {out}")
    assert content["status"] == "ok"
    assert of(io, "display_data")[0]["data"]["application/json"]["TrainingJobName"] == "bc-1"
    content, io = run(kernel, f"%metrics bc-1 --output {out}")
    assert content["status"] == "ok"
    assert "image/png" in of(io, "display_data")[0]["data"]
    content, io = run(kernel, f"%describe bc-2 --output {out}")
    assert content["status"] == "error" and content["ename"] == "KeyError"
    assert "did you mean bc-1?" in content["evalue"]


def test_train_kmeans_default_name_and_line_form(kernel, tmp_path):
    x = np.loadtxt(SK / "iris.csv", delimiter=",", skiprows=1)[:, :4]
    p = tmp_path / "iris.csv"
    np.savetxt(p, x, delimiter=",", fmt="%.3g")
    out = tmp_path / "out"
    content, io = run(kernel, f"%train kmeans --train {p} --output {out} k=3 feature_dim=4")
    assert content["status"] == "ok", content
    jobs = [j for j in out.iterdir() if j.is_dir()]
    assert len(jobs) == 1
    assert re.fullmatch(r"kmeans-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-\d{3}", jobs[0].name)
    desc = json.loads((jobs[0] / "describe.json").read_text())
    # unsupervised CSV is read as text/csv;label_size=0: 4 features
    assert desc["TrainingJobStatus"] == "Completed"


def test_bad_hyperparameters_start_no_job(kernel, tmp_path, channels):
    out = tmp_path / "out"
    content, _ = run(kernel, f"%train linear-learner --train {channels['train']} "
                             f"--output {out} predictor_type=binary_classifier "
                             f"mini_batch_siz=10")
    assert content["status"] == "error"
    assert content["ename"] == "HyperparameterError"
    assert "unknown hyperparameter 'mini_batch_siz'" in content["evalue"]
    assert "did you mean mini_batch_size?" in content["evalue"]
    assert not out.exists() or not any(out.iterdir())
    content, _ = run(kernel, f"%train kmeans --train {channels['train']} "
                             f"--output {out} k=1 feature_dim=30")
    assert content["ename"] == "HyperparameterError"
    assert "k must be an integer ≥ 2, got '1'" in content["evalue"]
    content, _ = run(kernel, f"%train kmean --train {channels['train']}")
    assert content["ename"] == "UsageError"
    assert "did you mean kmeans?" in content["evalue"]
    # the kernel keeps its state
    content, io = run(kernel, "6 * 7")
    assert of(io, "execute_result")[0]["data"]["text/plain"] == "42"


def test_failed_job_has_a_record(kernel, tmp_path, channels):
    out = tmp_path / "out"
    # feature_dim that the data contradicts: the job starts, then fails
    content, _ = run(kernel, f"%train kmeans --train {channels['train']} "
                             f"--content-type text/csv --name km-bad "
                             f"--output {out} k=2 feature_dim=31")
    assert content["status"] == "error"
    assert content["ename"] == "DataError"
    assert "training job km-bad failed" in content["evalue"]
    desc = json.loads((out / "km-bad" / "describe.json").read_text())
    assert desc["TrainingJobStatus"] == "Failed"
    assert desc["FailureReason"].startswith("ClientError: ")
    assert len(desc["FailureReason"]) <= 1024
    assert not (out / "km-bad" / "output" / "model.tar.gz").exists()


def test_a_detected_format_must_be_one_the_algorithm_reads(kernel, tmp_path):
    """libsvm files in a channel without a content type: XGBoost trains on
    them, Linear Learner and K-Means refuse them (SageMaker's containers
    read only CSV and RecordIO) with a ClientError naming the format."""
    from sklearn.datasets import dump_svmlight_file, load_iris

    x, y = load_iris(return_X_y=True)
    (tmp_path / "svm").mkdir()
    dump_svmlight_file(x, y, tmp_path / "svm" / "train.libsvm")
    out = tmp_path / "out"
    for algo, hps in (("linear-learner", "predictor_type=multiclass_classifier "
                                         "num_classes=3"),
                      ("kmeans", "k=3 feature_dim=4")):
        content, _ = run(kernel, f"%train {algo} --train {tmp_path}/svm --name {algo}-svm "
                                 f"--output {out} {hps}")
        assert content["status"] == "error", content
        desc = json.loads((out / f"{algo}-svm" / "describe.json").read_text())
        assert desc["TrainingJobStatus"] == "Failed"
        reason = desc["FailureReason"]
        assert reason.startswith("ClientError: channel train holds text/libsvm"), reason
        assert "text/csv and application/x-recordio-protobuf" in reason, reason
    content, _ = run(kernel, f"%train xgboost --train {tmp_path}/svm --name xgb-svm "
                             f"--output {out} num_round=2 objective=multi:softmax num_class=3")
    assert content["status"] == "ok", content


def test_interrupt_stops_a_job_within_a_second(kernel, tmp_path):
    # Enough work to run for many seconds: Fashion-MNIST-sized random data.
    rng = np.random.default_rng(0)
    x = rng.random((20000, 200)).astype(np.float32)
    p = tmp_path / "big.csv"
    np.savetxt(p, x, delimiter=",", fmt="%.4g")
    out = tmp_path / "out"
    c = kernel.client
    msg_id = c.send_execute(
        f"%train kmeans --train {p} --name km-stop --output {out} "
        f"k=50 feature_dim=200 epochs=1000 mini_batch_size=500")
    # wait for Training, then interrupt
    desc_path = out / "km-stop" / "describe.json"
    assert wait_until(lambda: desc_path.exists() and
                      '"Training"' in desc_path.read_text(), 60)
    time.sleep(0.3)
    t0 = time.monotonic()
    kernel.km.interrupt_kernel()
    rep = c.reply("shell", msg_id, 5.0)
    assert rep is not None, "no execute_reply after the interrupt"
    assert time.monotonic() - t0 < 1.5
    assert rep["content"]["status"] == "error", rep["content"]
    assert rep["content"]["ename"] == "Interrupted"
    c.iopub_until_idle(msg_id, 5)
    desc = json.loads(desc_path.read_text())
    assert desc["TrainingJobStatus"] == "Stopped"
    assert desc["SecondaryStatus"] == "Stopped"
    assert not (out / "km-stop" / "output" / "model.tar.gz").exists()
    content, io = run(kernel, "1 + 1")
    assert content["status"] == "ok"


def test_algorithms_and_help(kernel):
    content, io = run(kernel, "%algorithms")
    text = of(io, "display_data")[0]["data"]["text/plain"]
    for name in ("kmeans", "linear-learner", "pca"):
        assert name in text
    content, io = run(kernel, "%help kmeans")
    data = of(io, "display_data")[0]["data"]
    assert "extra_center_factor" in data["text/plain"]
    assert "test:msd" in data["text/plain"]
    assert "<table" in data["text/html"]


def complete(kernel, code, cursor=None):
    rep, _ = kernel.client.request(
        "complete_request",
        {"code": code, "cursor_pos": len(code) if cursor is None else cursor})
    return rep["content"]


def test_completion_and_inspect(kernel):
    rep = complete(kernel, "%train line")
    assert rep["matches"] == ["linear-learner"]
    assert rep["cursor_start"] == 7
    rep = complete(kernel, "%train kmeans --train x mini")
    assert rep["matches"] == ["mini_batch_size="]
    rep = complete(kernel, "%%train pca --train x\nnum_c")
    assert rep["matches"] == ["num_components = "]
    rep = complete(kernel, "%help km")
    assert rep["matches"] == ["kmeans"]
    rep, _ = kernel.client.request(
        "inspect_request",
        {"code": "%train linear-learner --train x", "cursor_pos": 10,
         "detail_level": 0})
    rep = rep["content"]
    assert rep["found"] and "predictor_type" in rep["data"]["text/plain"]
