"""kiln-serve, the standalone endpoint (platform/serve_main.c): a model
directory (an unpacked model.tar.gz) served on a SageMaker container's
routes, started as a container starts it (the SAGEMAKER_* environment), and
stopped by SIGTERM with exit status 0.  The oracle is the xgboost library
loading the same directory's model."""

import http.client
import json
import os
import signal
import subprocess
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest

import algotool
import conftest
from conftest import free_ports, wait_until

SK = Path("/usr/lib/python3/dist-packages/sklearn/datasets/data")
SERVE = conftest.KILN_PREFIX / "bin" / "kiln-serve"


def post(port, body, ctype="text/csv", accept=None, path="/invocations"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Content-Type": ctype}
    if accept:
        h["Accept"] = accept
    c.request("POST", path, body=body, headers=h)
    r = c.getresponse()
    return r.status, r.getheader("Content-Type"), r.read()


def pinged(port):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        c.request("GET", "/ping")
        return c.getresponse().status == 200
    except OSError:
        return False


@pytest.fixture
def bc_model(tmp_path):
    """An XGBoost model of breast cancer trained by kiln, as a model dir."""
    rows = np.loadtxt(SK / "breast_cancer.csv", delimiter=",", skiprows=1)
    x, y = rows[:, :-1], rows[:, -1]
    np.savetxt(tmp_path / "train.csv", np.column_stack([y, x]), delimiter=",", fmt="%.10g")
    model, _, _ = algotool.train("xgboost", tmp_path, tmp_path / "train.csv",
                                 {"objective": "binary:logistic", "num_round": 10})
    return model, x


def start(args, env=None):
    p = subprocess.Popen([str(SERVE)] + [str(a) for a in args], stderr=subprocess.PIPE,
                         text=True, env=dict(os.environ, **(env or {})),
                         start_new_session=True)
    return p


def test_serves_a_model_dir_and_stops_on_sigterm(bc_model):
    model, x = bc_model
    port, = free_ports(1)
    p = start(["--model-dir", model, "--port", port, "--workers", 2])
    try:
        assert wait_until(lambda: pinged(port), 10), p.stderr.read() if p.poll() else ""
        import xgboost as xgb
        b = xgb.Booster()
        b.load_model(str(model / "xgboost-model"))
        want = b.predict(xgb.DMatrix(x[:25]))
        body = "\n".join(",".join("%.10g" % v for v in r) for r in x[:25])
        status, ctype, data = post(port, body)
        assert status == 200 and ctype == "text/csv"
        np.testing.assert_allclose([float(v) for v in data.split()], want, atol=1e-6)
        status, ctype, data = post(port, body, accept="application/json",
                                   path="/endpoints/kiln-serve/invocations")
        assert status == 200
        np.testing.assert_allclose([p_["score"] for p_ in json.loads(data)["predictions"]],
                                   want, atol=1e-6)
        status, _, data = post(port, "1,2,3\n")
        assert status == 400 and b"3 fields, expected 30" in data
        assert pinged(port)
    finally:
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=10) == 0
    err = p.stderr.read()
    assert "serving" in err and "stopped (SIGTERM)" in err, err
    assert not pinged(port)


def test_container_environment_and_bad_arguments(bc_model, tmp_path):
    model, x = bc_model
    port, = free_ports(1)
    # SAGEMAKER_BIND_TO_PORT as an inference pipeline's container gets it
    p = start(["--model-dir", model], env={"SAGEMAKER_BIND_TO_PORT": str(port),
                                           "SAGEMAKER_MODEL_SERVER_WORKERS": "1"})
    try:
        assert wait_until(lambda: pinged(port), 10)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/execution-parameters")
        assert json.loads(c.getresponse().read())["MaxConcurrentTransforms"] == 1
    finally:
        p.send_signal(signal.SIGINT)
        assert p.wait(timeout=10) == 0
    for args, want in [
        ([], "--model-dir is required"),
        (["--model-dir", model, "--port", "0"], "expected 1..65535"),
        (["--model-dir", model, "--workers", "x"], "expected 1..64"),
        (["--model-dir", model, "--bogus", "1"], "unknown option --bogus"),
        (["--model-dir", tmp_path / "nowhere"], "nowhere"),
        (["--model-dir", model, "--algorithm", "kmean"], "kmean"),
    ]:
        r = subprocess.run([str(SERVE)] + [str(a) for a in args], capture_output=True,
                           text=True, timeout=10)
        assert r.returncode in (1, 2) and want in r.stderr, (args, r.returncode, r.stderr)
    # a port in use is a clear failure, not a hang
    q = start(["--model-dir", model, "--port", port])
    try:
        assert wait_until(lambda: pinged(port), 10)
        r = subprocess.run([str(SERVE), "--model-dir", model, "--port", str(port)],
                           capture_output=True, text=True, timeout=10)
        assert r.returncode == 1 and "cannot listen" in r.stderr, r.stderr
    finally:
        q.send_signal(signal.SIGTERM)
        q.wait(timeout=10)
