"""kiln-algotool (tests/algos/algotool.c) from Python, for the algorithm
tests: train an algorithm on files and read back its log lines and
metrics, predict with a model directory."""

import json
import os
import subprocess
from pathlib import Path

import numpy as np

KILN_BUILD = os.environ.get("KILN_BUILD") or ""
TOOL = Path(KILN_BUILD) / "tests" / "kiln-algotool" if KILN_BUILD else None


def run(*args, ok=True):
    """The tool with args; with ok, it must succeed."""
    r = subprocess.run([str(TOOL)] + [str(a) for a in args], capture_output=True, text=True)
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def train(algo, tmp, train_path, hps, test=None, content_type=None,
          threads=None, model_dir=None):
    """(model_dir, log lines, {metric: [(step, value), ...]})."""
    model_dir = model_dir or tmp / "model"
    args = ["train", algo, "--train", train_path, "--model-dir", model_dir]
    if test is not None:
        args += ["--test", test]
    if content_type:
        args += ["--content-type", content_type]
    if threads:
        args += ["--threads", threads]
    out = run(*(args + ["%s=%s" % kv for kv in hps.items()])).stdout
    logs, metrics, done = [], {}, None
    for line in out.splitlines():
        o = json.loads(line)
        if "log" in o:
            logs.append(o["log"])
        elif "metric" in o:
            metrics.setdefault(o["metric"], []).append((o["step"], o["value"]))
        elif o.get("done"):
            done = o
    assert done is not None, out
    return model_dir, logs, metrics


def predict(algo, model_dir, data, content_type=None):
    """{field: rows x width array} of every row of data."""
    args = ["predict", algo, "--model-dir", model_dir, "--data", data]
    if content_type:
        args += ["--content-type", content_type]
    o = json.loads(run(*args).stdout)
    return {k: np.array(v, dtype=np.float64) for k, v in o["fields"].items()}
