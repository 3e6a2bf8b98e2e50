"""Real-time endpoints through a real kernel: %deploy, %endpoints,
%undeploy, and the endpoints themselves called as their clients call them:
boto3's sagemaker-runtime invoke_endpoint (endpoint_url pointing at the
kernel) and raw HTTP on the container routes.  The oracles are
independent: the xgboost library loading the job's artifact, and
kiln-algotool's in-process predict on the same rows; protobuf messages are
decoded with the Python protobuf runtime from record.proto, as the
SageMaker SDK decodes them."""

import csv
import http.client
import io
import json
import socket
import struct
import tarfile
from pathlib import Path

import numpy as np
import pytest

import algotool
from cells import ok, run, text_of
from conftest import wait_until

SK = Path("/usr/lib/python3/dist-packages/sklearn/datasets/data")


def port_of(text, name):
    """The port in the %deploy table's url row."""
    for line in text.splitlines():
        if "http://127.0.0.1:" in line and "/endpoints/" not in line:
            return int(line.split("http://127.0.0.1:")[1].split()[0].strip("/|"))
    raise AssertionError("no url in %r" % text)


@pytest.fixture
def bc(tmp_path):
    """Breast cancer as a train channel (label first) and its features."""
    rows = np.loadtxt(SK / "breast_cancer.csv", delimiter=",", skiprows=1)
    x, y = rows[:, :-1], rows[:, -1]
    d = tmp_path / "bc"
    d.mkdir()
    np.savetxt(d / "train.csv", np.column_stack([y, x]), delimiter=",", fmt="%.10g")
    np.savetxt(tmp_path / "features.csv", x, delimiter=",", fmt="%.10g")
    return d, x, y


def runtime(port):
    import boto3
    from botocore.config import Config
    return boto3.client("sagemaker-runtime", endpoint_url="http://127.0.0.1:%d" % port,
                        region_name="us-east-1", aws_access_key_id="kiln",
                        aws_secret_access_key="kiln",
                        config=Config(retries={"max_attempts": 1}))


def csv_body(x):
    return "\n".join(",".join("%.10g" % v for v in row) for row in x) + "\n"


def raw(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict(r.getheaders()), data


def booster_of(tmp_path, job):
    """The xgboost library's Booster loaded from the job's artifact."""
    import xgboost as xgb
    b = xgb.Booster()
    b.load_model(str(artifact_dir(tmp_path, job, job + "-art") / "xgboost-model"))
    return b


def artifact_dir(tmp_path, job, where):
    d = tmp_path / where
    d.mkdir()
    with tarfile.open(tmp_path / "out" / job / "output" / "model.tar.gz") as t:
        t.extractall(d)
    return d


# --- XGBoost through boto3 -----------------------------------------------------------


def test_xgboost_endpoint_answers_boto3_like_the_library(kernel, tmp_path, bc):
    train, x, y = bc
    out = tmp_path / "out"
    ok(kernel, f"%train xgboost --train {train} --name bc-xgb --output {out} "
               "objective=binary:logistic num_round=20 max_depth=3")
    text = text_of(ok(kernel, f"%deploy bc-xgb --output {out}"))
    assert "InService" in text and "bc-xgb" in text, text
    port = port_of(text, "bc-xgb")

    import xgboost as xgb
    want = booster_of(tmp_path, "bc-xgb").predict(xgb.DMatrix(x))

    rt = runtime(port)
    # one row, the endpoint's default Accept: text/csv, one score a line
    r = rt.invoke_endpoint(EndpointName="bc-xgb", ContentType="text/csv",
                           Body=csv_body(x[:1]))
    assert r["ContentType"] == "text/csv"
    got = np.array([float(v) for v in r["Body"].read().decode().split()])
    np.testing.assert_allclose(got, want[:1], rtol=0, atol=1e-6)
    # every row, JSON
    r = rt.invoke_endpoint(EndpointName="bc-xgb", ContentType="text/csv",
                           Accept="application/json", Body=csv_body(x),
                           CustomAttributes="trace=7")
    assert r["ContentType"] == "application/json"
    assert r["CustomAttributes"] == "trace=7"
    doc = json.loads(r["Body"].read())
    got = np.array([p["score"] for p in doc["predictions"]])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    # libsvm, the container's default request type (0-based indices)
    lines = [" ".join(["0"] + ["%d:%.10g" % (j, v) for j, v in enumerate(row)])
             for row in x[:5]]
    r = rt.invoke_endpoint(EndpointName="bc-xgb", ContentType="text/libsvm",
                           Accept="application/jsonlines", Body="\n".join(lines))
    got = [json.loads(l)["score"] for l in r["Body"].read().decode().splitlines()]
    np.testing.assert_allclose(got, want[:5], rtol=0, atol=1e-6)

    # a model error: ModelError with the container's status and message
    with pytest.raises(rt.exceptions.ModelError) as e:
        rt.invoke_endpoint(EndpointName="bc-xgb", ContentType="text/csv", Body="1,2,3\n")
    err = e.value.response
    assert err["Error"]["Code"] == "ModelError"
    assert err["OriginalStatusCode"] == 400, err
    assert "3 fields, expected 30" in err["OriginalMessage"], err
    # an endpoint that does not exist: ValidationError
    with pytest.raises(rt.exceptions.ValidationError) as e:
        rt.invoke_endpoint(EndpointName="nope", ContentType="text/csv", Body="1\n")
    assert "nope" in str(e.value)
    # still serving
    r = rt.invoke_endpoint(EndpointName="bc-xgb", ContentType="text/csv",
                           Body=csv_body(x[:2]))
    assert len(r["Body"].read().decode().split()) == 2

    text = text_of(ok(kernel, "%endpoints"))
    assert "bc-xgb" in text and str(port) in text, text
    text = text_of(ok(kernel, "%undeploy bc-xgb"))
    assert "stopped" in text
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


# --- the container routes and bad payloads -------------------------------------------


def test_container_routes_and_bad_payloads(kernel, tmp_path, bc):
    train, x, y = bc
    out = tmp_path / "out"
    ok(kernel, f"%train xgboost --train {train} --name bad-xgb --output {out} "
               "objective=binary:logistic num_round=5")
    port = port_of(text_of(ok(kernel, f"%deploy bad-xgb --output {out} --workers 2")),
                   "bad-xgb")
    status, headers, body = raw(port, "GET", "/ping")
    assert status == 200 and body == b""
    status, _, body = raw(port, "GET", "/execution-parameters")
    assert status == 200 and json.loads(body)["MaxPayloadInMB"] == 6
    good = csv_body(x[:3])
    status, headers, body = raw(port, "POST", "/invocations", good,
                                 {"Content-Type": "text/csv"})
    assert status == 200 and headers["Content-Type"] == "text/csv"
    assert len(body.split()) == 3

    def bad(payload, ctype, want_status, want_text, accept=None):
        h = {"Content-Type": ctype} if ctype else {}
        if accept:
            h["Accept"] = accept
        status, headers, body = raw(port, "POST", "/invocations", payload, h)
        assert status == want_status, (status, body[:300])
        assert headers["Content-Type"] == "application/json"
        doc = json.loads(body)
        assert doc["code"] == want_status and want_text in doc["message"], doc

    bad(csv_body(x[:1, :10]), "text/csv", 400, "10 fields, expected 30")
    bad("1,abc," + ",".join(["1"] * 27) + "\n", "text/csv", 400, "not a number")
    bad(b"", "text/csv", 400, "no records")
    bad(b"1" * (7 * 1024 * 1024), "text/csv", 413, "more than the 6291456")
    bad(good, "application/x-foo", 415, "text/libsvm, text/csv")
    bad(good, "text/csv", 406, "answers with text/csv", accept="image/png")
    status, _, body = raw(port, "GET", "/invocations")
    assert status == 405
    status, _, body = raw(port, "GET", "/nowhere")
    assert status == 404
    # a broken connection mid-request does not hurt the endpoint
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\n"
              b"Content-Length: 1000\r\n\r\n1,2,3")
    s.close()
    status, _, body = raw(port, "POST", "/invocations", good, {"Content-Type": "text/csv"})
    assert status == 200 and len(body.split()) == 3
    # the kernel is fine too
    assert "bad-xgb" in text_of(ok(kernel, "%endpoints"))
    rep, io_ = run(kernel, f"%deploy bad-xgb --output {out}")
    assert rep["status"] == "error" and "already running" in rep["evalue"]
    rep, io_ = run(kernel, "%undeploy nothing-here")
    assert rep["status"] == "error" and "bad-xgb" in rep["evalue"]
    rep, io_ = run(kernel, f"%deploy no-such-job --output {out}")
    assert rep["status"] == "error" and "no-such-job" in rep["evalue"]
    ok(kernel, "%undeploy bad-xgb")


# --- first-party algorithms and every content type -----------------------------------


def _record_decoder(tmp_path):
    """aialgs.data.Record from record.proto, compiled with protoc."""
    import importlib
    import subprocess
    import sys
    proto = Path(__file__).resolve().parents[2] / "algos" / "data" / "record.proto"
    subprocess.run(["protoc", "--proto_path", str(proto.parent), "--python_out",
                    str(tmp_path), str(proto)], check=True)
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module("record_pb2")
    finally:
        sys.path.pop(0)


def _records(pb, data):
    out, at = [], 0
    while at < len(data):
        magic, length = struct.unpack_from("<II", data, at)
        assert magic == 0xCED7230A
        at += 8
        r = pb.Record()
        r.ParseFromString(data[at:at + length])
        out.append(r)
        at += length + (-length % 4)
    return out


def _recordio_request(pb, x):
    body = b""
    for row in x:
        r = pb.Record()
        r.features["values"].float32_tensor.values.extend(row.tolist())
        b = r.SerializeToString()
        body += struct.pack("<II", 0xCED7230A, len(b)) + b + b"\0" * (-len(b) % 4)
    return body


@pytest.mark.parametrize("algo,hps,fields", [
    ("linear-learner", "predictor_type=binary_classifier epochs=3",
     ["score", "predicted_label"]),
    ("kmeans", "k=3 feature_dim=30", ["closest_cluster", "distance_to_cluster"]),
    ("pca", "num_components=4 feature_dim=30 mini_batch_size=100", ["projection"]),
])
def test_first_party_endpoint_every_content_type(kernel, tmp_path, bc, algo, hps, fields):
    train, x, y = bc
    out = tmp_path / "out"
    job = "ep-" + algo
    ch = train
    if algo != "linear-learner":  # unsupervised: features only
        ch = tmp_path / "unsup"
        ch.mkdir()
        np.savetxt(ch / "train.csv", x, delimiter=",", fmt="%.10g")
        ct = " --content-type 'text/csv;label_size=0'"
    else:
        ct = ""
    ok(kernel, f"%train {algo} --train {ch}{ct} --name {job} --output {out} {hps}")
    port = port_of(text_of(ok(kernel, f"%deploy {job} --output {out}")), job)
    want = algotool.predict(algo, artifact_dir(tmp_path, job, "art"),
                            tmp_path / "features.csv", "text/csv;label_size=0")
    rows = x[:7]
    rt = runtime(port)
    key = "projections" if algo == "pca" else "predictions"

    def check(pred_rows):
        assert len(pred_rows) == len(rows)
        assert list(pred_rows[0].keys()) == fields, pred_rows[0]
        for f in fields:
            got = np.array([np.ravel(p[f]) for p in pred_rows], dtype=np.float64)
            np.testing.assert_allclose(got, want[f][:len(rows)].reshape(len(rows), -1),
                                       rtol=1e-5, atol=1e-5)

    # CSV in, the default Accept (application/json) out
    r = rt.invoke_endpoint(EndpointName=job, ContentType="text/csv", Body=csv_body(rows))
    assert r["ContentType"] == "application/json"
    check(json.loads(r["Body"].read())[key])
    # JSON in (dense "features" and "data.features.values"), JSON lines out
    inst = [{"features": row.tolist()} for row in rows[:4]] + \
           [{"data": {"features": {"values": row.tolist()}}} for row in rows[4:]]
    r = rt.invoke_endpoint(EndpointName=job, ContentType="application/json",
                           Accept="application/jsonlines",
                           Body=json.dumps({"instances": inst}))
    check([json.loads(l) for l in r["Body"].read().decode().splitlines()])
    # sparse JSON lines in, CSV out
    lines = []
    for row in rows:
        nz = np.nonzero(row)[0]
        lines.append(json.dumps({"data": {"features": {
            "keys": nz.tolist(), "shape": [30], "values": row[nz].tolist()}}}))
    r = rt.invoke_endpoint(EndpointName=job, ContentType="application/jsonlines",
                           Accept="text/csv", Body="\n".join(lines))
    table = [list(map(float, l)) for l in csv.reader(io.StringIO(r["Body"].read().decode()))]
    widths = [want[f].reshape(len(x), -1).shape[1] for f in fields]
    pred_rows = []
    for t in table:
        d, at = {}, 0
        for f, w in zip(fields, widths):
            d[f] = t[at:at + w]
            at += w
        pred_rows.append(d)
    check(pred_rows)
    # RecordIO-protobuf both ways
    pb = _record_decoder(tmp_path)
    r = rt.invoke_endpoint(EndpointName=job, ContentType="application/x-recordio-protobuf",
                           Accept="application/x-recordio-protobuf",
                           Body=_recordio_request(pb, rows))
    recs = _records(pb, r["Body"].read())
    check([{f: list(rec.label[f].float32_tensor.values) for f in fields} for rec in recs])
    ok(kernel, f"%undeploy {job}")


# --- inference pipelines -------------------------------------------------------------


def test_pipeline_pca_then_kmeans(kernel, tmp_path, bc):
    """PCA's projections feed k-means, as a PipelineModel chains containers:
    the endpoint's answer is k-means applied (in process) to PCA's
    projections of the rows."""
    train, x, y = bc
    out = tmp_path / "out"
    ch = tmp_path / "unsup"
    ch.mkdir()
    np.savetxt(ch / "train.csv", x, delimiter=",", fmt="%.10g")
    ok(kernel, f"%train pca --train {ch} --content-type 'text/csv;label_size=0' "
               f"--name p-pca --output {out} num_components=3 feature_dim=30 "
               "mini_batch_size=100")
    proj = algotool.predict("pca", artifact_dir(tmp_path, "p-pca", "pca"),
                            tmp_path / "features.csv", "text/csv;label_size=0")["projection"]
    pch = tmp_path / "proj"
    pch.mkdir()
    np.savetxt(pch / "train.csv", proj, delimiter=",", fmt="%.9g")
    ok(kernel, f"%train kmeans --train {pch} --content-type 'text/csv;label_size=0' "
               f"--name p-km --output {out} k=4 feature_dim=3")
    text = text_of(ok(kernel, f"%deploy p-pca p-km --endpoint chain --output {out}"))
    assert "p-pca (pca)" in text and "p-km (kmeans)" in text, text
    port = port_of(text, "chain")
    r = runtime(port).invoke_endpoint(EndpointName="chain", ContentType="text/csv",
                                      Body=csv_body(x[:20]))
    got = json.loads(r["Body"].read())["predictions"]
    np.savetxt(tmp_path / "proj20.csv", proj[:20], delimiter=",", fmt="%.9g")
    want = algotool.predict("kmeans", artifact_dir(tmp_path, "p-km", "km"),
                            tmp_path / "proj20.csv", "text/csv;label_size=0")
    np.testing.assert_array_equal([p["closest_cluster"] for p in got],
                                  want["closest_cluster"].ravel())
    np.testing.assert_allclose([p["distance_to_cluster"] for p in got],
                               want["distance_to_cluster"].ravel(), rtol=1e-4, atol=1e-4)
    # an error inside the pipeline names the model it happened in
    status, _, body = raw(port, "POST", "/invocations", "1,2\n", {"Content-Type": "text/csv"})
    assert status == 400 and "model 1 of 2 (p-pca, pca)" in json.loads(body)["message"]
    ok(kernel, "%undeploy chain")


# --- lifetime ------------------------------------------------------------------------


def test_kernel_shutdown_stops_endpoints(kernel_name, tmp_path, bc):
    from conftest import ManagedKernel
    train, x, y = bc
    out = tmp_path / "out"
    k = ManagedKernel(kernel_name, tmp_path)
    try:
        ok(k, f"%train xgboost --train {train} --name sd --output {out} num_round=3")
        port = port_of(text_of(ok(k, f"%deploy sd --output {out}")), "sd")
        port2 = port_of(text_of(ok(k, f"%deploy sd --endpoint sd-two --output {out}")),
                        "sd-two")
        assert port2 != port
        # one endpoint_url reaches both names
        r = runtime(port).invoke_endpoint(EndpointName="sd-two", ContentType="text/csv",
                                          Body=csv_body(x[:1]))
        assert len(r["Body"].read().split()) == 1
        # counted as sd-two's invocation, not as the port's endpoint's
        rows = {l.split()[0]: l for l in text_of(ok(k, "%endpoints")).splitlines()[2:]}
        assert "1 (0 errors)" in rows["sd-two"] and "0 (0 errors)" in rows["sd"], rows
    finally:
        k.stop()
    assert not k.alive()

    def closed(p):
        try:
            socket.create_connection(("127.0.0.1", p), timeout=1).close()
            return False
        except OSError:
            return True
    assert wait_until(lambda: closed(port) and closed(port2), 10)


# --- %predict -----------------------------------------------------------------------


def metrics_of(io_):
    """{metric: value} from %predict's metrics table (text/plain)."""
    for m in io_:
        if m["msg_type"] != "display_data":
            continue
        text = m["content"]["data"].get("text/plain", "")
        lines = text.splitlines()
        if lines and lines[0].split()[:2] == ["metric", "value"]:
            out = {}
            for line in lines[2:]:
                name, _, value = line.rstrip().rpartition(" ")
                if name.strip():
                    out[name.strip()] = float(value)
            return out
    raise AssertionError("no metrics table")


def pngs(io_):
    return [m["content"]["data"]["text/plain"] for m in io_
            if m["msg_type"] == "display_data" and "image/png" in m["content"]["data"]]


def test_predict_binary_over_http_matches_sklearn(kernel, tmp_path, bc):
    from sklearn.metrics import (accuracy_score, f1_score, log_loss, precision_score,
                                 recall_score, roc_auc_score)
    train, x, y = bc
    out = tmp_path / "out"
    ok(kernel, f"%train xgboost --train {train} --name pr-xgb --output {out} "
               "objective=binary:logistic num_round=10 max_depth=2")
    ok(kernel, f"%deploy pr-xgb --output {out}")
    io_ = ok(kernel, f"%predict pr-xgb --data {train} --rows 5")
    text = text_of(io_)
    assert "569 rows predicted by endpoint pr-xgb" in text and "over HTTP" in text, text
    import xgboost as xgb
    prob = booster_of(tmp_path, "pr-xgb").predict(xgb.DMatrix(x))
    pred = (prob > 0.5).astype(int)
    got = metrics_of(io_)
    want = {"accuracy": accuracy_score(y, pred), "precision": precision_score(y, pred),
            "recall": recall_score(y, pred), "F1": f1_score(y, pred),
            "ROC AUC": roc_auc_score(y, prob), "log loss": log_loss(y, prob)}
    for k, v in want.items():
        assert abs(got[k] - v) < 1e-5, (k, got[k], v)
    charts = pngs(io_)
    assert len(charts) == 3, charts  # confusion matrix, ROC, precision-recall
    assert any("Confusion matrix" in c for c in charts)
    # the same job in-process gives the same numbers
    ok(kernel, "%undeploy pr-xgb")
    io2 = ok(kernel, f"%predict pr-xgb --data {train} --output {out}")
    assert "in-process" in text_of(io2)
    assert metrics_of(io2) == got
    # a raw body and answer
    io3 = ok(kernel, f"%predict pr-xgb --output {out} --body '{csv_body(x[:1]).strip()}' "
                     "--accept application/jsonlines")
    lines = [json.loads(l) for l in text_of(io3).splitlines() if l.startswith("{")]
    np.testing.assert_allclose([l["score"] for l in lines], prob[:1], atol=1e-6)
    # a binary answer is shown as its size and first bytes: a RecordIO frame
    io4 = ok(kernel, f"%predict pr-xgb --output {out} --body '{csv_body(x[:1]).strip()}' "
                     "--accept application/x-recordio-protobuf")
    head, *hexes = text_of(io4).splitlines()
    size = int(head.split()[0])
    assert head == "%d bytes (binary), the first %d:" % (size, min(size, 64)), head
    raw = bytes.fromhex("".join(hexes))
    assert len(raw) == min(size, 64) and raw[:4] == struct.pack("<I", 0xCED7230A), raw


def test_predict_regression_multiclass_and_clusters(kernel, tmp_path):
    from sklearn.metrics import accuracy_score, mean_absolute_error, r2_score
    out = tmp_path / "out"
    # diabetes, a regression: label first
    from sklearn.datasets import load_diabetes, load_wine
    xd, yd = load_diabetes(return_X_y=True)
    ch = tmp_path / "diab"
    ch.mkdir()
    np.savetxt(ch / "train.csv", np.column_stack([yd, xd]), delimiter=",", fmt="%.10g")
    ok(kernel, f"%train xgboost --train {ch} --name reg --output {out} "
               "objective=reg:squarederror num_round=20")
    io_ = ok(kernel, f"%predict reg --data {ch} --output {out}")
    import xgboost as xgb
    p = booster_of(tmp_path, "reg").predict(xgb.DMatrix(xd))
    got = metrics_of(io_)
    assert abs(got["RMSE"] - np.sqrt(np.mean((p - yd) ** 2))) < 1e-3
    assert abs(got["MAE"] - mean_absolute_error(yd, p)) < 1e-3
    assert abs(got["R²"] - r2_score(yd, p)) < 1e-5
    assert any("Predicted against actual" in c for c in pngs(io_))
    # wine, 3 classes, softprob rows
    xw, yw = load_wine(return_X_y=True)
    ch = tmp_path / "wine"
    ch.mkdir()
    np.savetxt(ch / "train.csv", np.column_stack([yw, xw]), delimiter=",", fmt="%.10g")
    ok(kernel, f"%train xgboost --train {ch} --name wine --output {out} "
               "objective=multi:softprob num_class=3 num_round=5")
    io_ = ok(kernel, f"%predict wine --data {ch} --output {out}")
    pw = booster_of(tmp_path, "wine").predict(xgb.DMatrix(xw)).argmax(axis=1)
    assert abs(metrics_of(io_)["accuracy"] - accuracy_score(yw, pw)) < 1e-9
    assert any("3 classes" in c for c in pngs(io_))
    # k-means: cluster sizes, no labels needed
    ch = tmp_path / "km"
    ch.mkdir()
    np.savetxt(ch / "train.csv", xw, delimiter=",", fmt="%.10g")
    ok(kernel, f"%train kmeans --train {ch} --content-type 'text/csv;label_size=0' "
               f"--name km --output {out} k=3 feature_dim=13")
    io_ = ok(kernel, f"%predict km --data {ch} --output {out}")
    assert metrics_of(io_)["clusters used"] >= 1
    assert any("Cluster sizes" in c for c in pngs(io_))


def test_predict_errors(kernel, tmp_path, bc):
    train, x, y = bc
    out = tmp_path / "out"
    for code, want in [
        (f"%predict nothing --data {train} --output {out}", "neither a running endpoint"),
        ("%predict nothing", "--data PATH or --body TEXT"),
        ("%predict nothing --data a --body b", "one of them"),
    ]:
        rep, _ = run(kernel, code)
        assert rep["status"] == "error" and want in rep["evalue"], (code, rep)


# --- %transform ----------------------------------------------------------------------


def transform_record(out, name):
    return json.loads((out / "transform-jobs" / name / "describe.json").read_text())


def test_transform_directory_line_multirecord(kernel, tmp_path, bc):
    train, x, y = bc
    out = tmp_path / "out"
    ok(kernel, f"%train xgboost --train {train} --name tx --output {out} "
               "objective=binary:logistic num_round=8")
    import xgboost as xgb
    want = booster_of(tmp_path, "tx").predict(xgb.DMatrix(x))
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "a.csv").write_text(csv_body(x[:300]))
    (src / "sub" / "b.csv").write_text(csv_body(x[300:]))
    (src / ".hidden.csv").write_text("not,data\n")
    dest = tmp_path / "pred"
    text = text_of(ok(kernel, f"%transform tx --data {src} --output {dest} --name t1 "
                              f"--root {out}"))
    assert "Completed" in text, text
    got_a = [float(v) for v in (dest / "a.csv.out").read_text().splitlines()]
    got_b = [float(v) for v in (dest / "sub" / "b.csv.out").read_text().splitlines()]
    np.testing.assert_allclose(got_a + got_b, want, atol=1e-6)
    assert sorted(p.name for p in dest.rglob("*.out")) == ["a.csv.out", "b.csv.out"]
    rec = transform_record(out, "t1")
    assert rec["TransformJobStatus"] == "Completed"
    assert rec["BatchStrategy"] == "MultiRecord"
    assert rec["TransformInput"]["SplitType"] == "Line"
    assert rec["KilnStatistics"]["Requests"] == 2  # one a file: both fit in 6 MB
    assert rec["KilnStatistics"]["Records"] == len(x)

    # SingleRecord, joined with the input, small payloads
    text = text_of(ok(kernel, f"%transform tx --data {src}/a.csv --output {dest}/j "
                              f"--name t2 --root {out} --strategy SingleRecord "
                              "--join-source Input --accept text/csv"))
    lines = (dest / "j" / "a.csv.out").read_text().splitlines()
    assert len(lines) == 300
    for i in (0, 123, 299):
        fields = lines[i].split(",")
        np.testing.assert_allclose([float(v) for v in fields[:-1]], x[i], rtol=1e-9)
        assert abs(float(fields[-1]) - want[i]) < 1e-6
    assert transform_record(out, "t2")["KilnStatistics"]["Requests"] == 300

    # a labelled channel: the label filtered out of the requests, joined
    # back, and only label and score written ("$[0,-1]"); "$[1:3]" is
    # end-inclusive: three columns
    ok(kernel, f"%transform tx --data {train} --output {dest}/f --name t4 --root {out} "
               "--input-filter '$[1:]' --join-source Input --output-filter '$[0,-1]' "
               "--accept text/csv")
    pairs = np.loadtxt(dest / "f" / "train.csv.out", delimiter=",")
    np.testing.assert_array_equal(pairs[:, 0], y)
    np.testing.assert_allclose(pairs[:, 1], want, atol=1e-6)
    rec = transform_record(out, "t4")
    assert rec["DataProcessing"] == {"InputFilter": "$[1:]", "OutputFilter": "$[0,-1]",
                                     "JoinSource": "Input"}, rec
    ok(kernel, f"%transform tx --data {src}/a.csv --output {dest}/g --name t5 --root {out} "
               "--join-source Input --output-filter '$[1:3]' --accept text/csv")
    three = np.loadtxt(dest / "g" / "a.csv.out", delimiter=",")
    np.testing.assert_allclose(three, x[:300, 1:4], rtol=1e-9)
    for flt, want_text in [("'$.features'", "not one kiln reads"),
                           ("'$[40]'", "beyond the 31 of a line (InputFilter")]:
        rep, _ = run(kernel, f"%transform tx --data {train} --output {dest}/h --root {out} "
                             f"--input-filter {flt}")
        assert rep["status"] == "error" and want_text in rep["evalue"], (flt, rep)

    # MultiRecord under a 1 MB payload: several requests for a bigger file
    big = tmp_path / "big.csv"
    big.write_text(csv_body(np.tile(x, (12, 1))))
    assert big.stat().st_size > 1024 * 1024
    ok(kernel, f"%transform tx --data {big} --output {dest}/big --name t3 --root {out} "
               "--max-payload 1")
    stats = transform_record(out, "t3")["KilnStatistics"]
    assert stats["Requests"] > 1 and stats["Records"] == 12 * len(x)
    got = [float(v) for v in (dest / "big" / "big.csv.out").read_text().splitlines()]
    np.testing.assert_allclose(got, np.tile(want, 12), atol=1e-6)


def test_transform_recordio_and_failures(kernel, tmp_path, bc):
    train, x, y = bc
    out = tmp_path / "out"
    ok(kernel, f"%train linear-learner --train {train} --name tl --output {out} "
               "predictor_type=binary_classifier epochs=2")
    want = algotool.predict("linear-learner", artifact_dir(tmp_path, "tl", "art"),
                            tmp_path / "features.csv", "text/csv;label_size=0")
    pb = _record_decoder(tmp_path)
    src = tmp_path / "rec"
    src.mkdir()
    (src / "part.rec").write_bytes(_recordio_request(pb, x[:50]))
    dest = tmp_path / "pred"
    ok(kernel, f"%transform tl --data {src} --output {dest} --name r1 --root {out} "
               "--split-type RecordIO --accept application/jsonlines --assemble-with Line")
    rows = [json.loads(l) for l in (dest / "part.rec.out").read_text().splitlines()]
    assert len(rows) == 50
    np.testing.assert_allclose([r["score"] for r in rows], want["score"][:50].ravel(),
                               rtol=1e-5, atol=1e-6)
    # RecordIO cut by lines: a clear error saying which split type to give
    rep, _ = run(kernel, f"%transform tl --data {src} --output {dest}/lines --name r0 "
                         f"--root {out} --split-type Line")
    assert rep["status"] == "error", rep
    assert "part.rec" in rep["evalue"] and "--split-type RecordIO" in rep["evalue"], rep
    # one good file, one broken: the job fails, naming the file; the good
    # file's output is written, the broken one's is not
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "good.csv").write_text(csv_body(x[:10]))
    (mixed / "bad.csv").write_text(csv_body(x[:5]) + "1,2,3\n")
    rep, io_ = run(kernel, f"%transform tl --data {mixed} --output {dest}/m --name r2 "
                           f"--root {out}")
    assert rep["status"] == "error" and "bad.csv" in rep["evalue"], rep
    assert (dest / "m" / "good.csv.out").exists()
    assert not (dest / "m" / "bad.csv.out").exists()
    rec = transform_record(out, "r2")
    assert rec["TransformJobStatus"] == "Failed"
    assert "bad.csv" in rec["FailureReason"] and "3 fields" in rec["FailureReason"]
    # SplitType None: the whole file in one request, over the payload limit
    big = tmp_path / "big.csv"
    big.write_text(csv_body(np.tile(x, (12, 1))))
    rep, _ = run(kernel, f"%transform tl --data {big} --output {dest}/n --name r3 "
                         f"--root {out} --split-type None --max-payload 1")
    assert rep["status"] == "error" and "MaxPayloadInMB" in rep["evalue"], rep
    # a transform job's name is unique
    rep, _ = run(kernel, f"%transform tl --data {src} --output {dest}/again --name r1 "
                         f"--root {out} --split-type RecordIO")
    assert rep["status"] == "error" and "exists already" in rep["evalue"], rep
    # bad options
    for code, want_text in [
        (f"%transform tl --data {big} --output {dest}/x --root {out} --split-type Lines",
         "Lines"),
        (f"%transform tl --data {big} --output {dest}/x --root {out} --max-payload 0",
         "--max-payload"),
        (f"%transform nope --data {big} --output {dest}/x --root {out}", "nope"),
        (f"%transform tl --data {tmp_path}/missing --output {dest}/x --root {out}",
         "missing"),
    ]:
        rep, _ = run(kernel, code)
        assert rep["status"] == "error" and want_text in rep["evalue"], (code, rep)
