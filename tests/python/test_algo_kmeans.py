"""kiln's k-means (algos/kmeans) against scikit-learn on real data, through
<build>/tests/kiln-algotool:

- iris and wine (scikit-learn's bundled data) and a 10,000-row subset of
  Fashion-MNIST: the inertia of kiln's centroids, computed here in numpy
  from the artifact, within a few percent of sklearn.cluster.KMeans';
- the artifact model_algo-1 read by this file's own decoder of MXNet's
  NDArray format (builtin-algorithms.md section 18): an unnamed list of one
  float32 (k, feature_dim) array and nothing else;
- predictions equal to the nearest centroid computed in numpy, with the
  Euclidean (not squared) distance;
- a "bring your own model" file built here with struct from sklearn's
  centroids (as mx.nd.save writes a list of one array) predicts what
  sklearn predicts;
- SageMaker's MetricDefinitions regexes read test:msd and test:ssd back
  from kiln's log lines, equal to the values computed here;
- RecordIO-protobuf input (encoded here, dense and sparse) trains the same
  model as CSV; the model does not depend on the thread count; errors.
"""

import os
import re
import struct
from pathlib import Path

import numpy as np
import pytest

import algotool
from oracles import fashion, ndarray_decode

KILN_BUILD = os.environ.get("KILN_BUILD") or ""

pytestmark = pytest.mark.skipif(
    not KILN_BUILD or not (Path(KILN_BUILD) / "tests" / "kiln-algotool").exists(),
    reason="KILN_BUILD is not set, or it has no tests/kiln-algotool")

# SageMaker's MetricDefinitions for kmeans (the SDK's documentation of
# metric_definitions uses exactly these) and the generic progress and
# throughput ones of the first-party algorithms.
SAGEMAKER_REGEXES = {
    "test:msd": r"#quality_metric: host=\S+, test msd <loss>=(\S+)",
    "test:ssd": r"#quality_metric: host=\S+, test ssd <loss>=(\S+)",
    "train:progress": r"#progress_metric: host=\S+, completed (\S+) %",
    "train:throughput": r"#throughput_metric: host=\S+, train throughput=(\S+) records/second",
}


# ---- helpers -------------------------------------------------------------

def write_csv(path, x):
    """Features only (k-means' CSV has label_size=0), 9 significant digits:
    exact for float32."""
    np.savetxt(path, np.asarray(x, dtype=np.float32), fmt="%.9g", delimiter=",")


run = algotool.run


def train(tmp, train_path, hps, test=None, content_type=None, threads=None,
          model_dir=None):
    return algotool.train("kmeans", tmp, train_path, hps, test, content_type,
                          threads, model_dir)


def predict(model_dir, data, content_type=None):
    return algotool.predict("kmeans", model_dir, data, content_type)


def ndarray_list(arrays):
    """What mx.nd.save(path, [arrays...]) writes (section 18)."""
    out = struct.pack("<QQQ", 0x112, 0, len(arrays))
    flags = {np.dtype(np.float32): 0, np.dtype(np.float64): 1}
    for a in arrays:
        a = np.ascontiguousarray(a)
        out += struct.pack("<Iii", 0xF993FAC9, 0, a.ndim)
        out += struct.pack("<%dq" % a.ndim, *a.shape)
        out += struct.pack("<iii", 1, 0, flags[a.dtype])
        out += a.astype(a.dtype.newbyteorder("<")).tobytes()
    return out + struct.pack("<Q", 0)


def centroids(model_dir):
    names, arrays = ndarray_decode((Path(model_dir) / "model_algo-1").read_bytes())
    assert names == [] and len(arrays) == 1
    c = arrays[0]
    assert c.dtype == np.float32 and c.ndim == 2
    return c.astype(np.float64)


def sq_dists(x, c):
    x = np.asarray(x, dtype=np.float64)
    return ((x[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)


def inertia(x, c):
    return float(sq_dists(x, c).min(axis=1).sum())


def check_predictions(model_dir, data_path, x, c):
    p = predict(model_dir, data_path)
    assert set(p) == {"closest_cluster", "distance_to_cluster"}
    cl, dist = p["closest_cluster"][:, 0], p["distance_to_cluster"][:, 0]
    d2 = sq_dists(x, c)
    best = d2.min(axis=1)
    assert np.all(cl == np.round(cl)) and cl.min() >= 0 and cl.max() < len(c)
    chosen = d2[np.arange(len(x)), cl.astype(int)]
    # the nearest centroid (a near-tie may go either way)
    np.testing.assert_allclose(chosen, best, rtol=1e-5, atol=1e-6)
    assert np.mean(cl == d2.argmin(axis=1)) > 0.999
    # Euclidean, not squared
    np.testing.assert_allclose(dist, np.sqrt(best), rtol=1e-5, atol=1e-5)
    return cl


def check_regexes(logs, metrics):
    """SageMaker's regexes find exactly the values kiln reported."""
    text = "\n".join(logs)
    for name in ("test:msd", "test:ssd"):
        found = [float(v) for v in re.findall(SAGEMAKER_REGEXES[name], text)]
        if name in metrics:
            assert len(found) == 1, (name, found)
            assert found[0] == pytest.approx(metrics[name][-1][1], rel=1e-8)
        else:
            assert found == []
    progress = [float(v) for v in re.findall(SAGEMAKER_REGEXES["train:progress"], text)]
    assert progress and progress[-1] == 100
    assert re.findall(SAGEMAKER_REGEXES["train:throughput"], text)


def sklearn_data(name):
    from sklearn import datasets
    return getattr(datasets, "load_" + name)().data.astype(np.float32)


# ---- RecordIO-protobuf, encoded here ---------------------------------------

def varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def field(num, payload):
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def record(values, keys=None, shape=None):
    """aialgs.data.Record with features["values"] a Float32Tensor."""
    t = field(1, struct.pack("<%df" % len(values), *values))
    if keys is not None:
        t += field(2, b"".join(varint(k) for k in keys))
        t += field(3, varint(shape))
    entry = field(1, b"values") + field(2, field(2, t))
    return field(1, entry)


def recordio(records):
    out = b""
    for r in records:
        out += struct.pack("<II", 0xCED7230A, len(r)) + r + b"\0" * (-len(r) % 4)
    return out


# ---- tests ---------------------------------------------------------------------

@pytest.mark.parametrize("name,k", [("iris", 3), ("wine", 3)])
def test_small_datasets_against_sklearn(tmp_path, name, k):
    from sklearn.cluster import KMeans
    x = sklearn_data(name)
    write_csv(tmp_path / "train.csv", x)
    model_dir, logs, metrics = train(tmp_path, tmp_path / "train.csv",
                                     {"k": k, "feature_dim": x.shape[1]},
                                     test=tmp_path / "train.csv")
    c = centroids(model_dir)
    assert c.shape == (k, x.shape[1])
    sk = KMeans(n_clusters=k, n_init=10, random_state=0).fit(x.astype(np.float64))
    ours, theirs = inertia(x, c), inertia(x, sk.cluster_centers_)
    assert ours <= theirs * 1.03, (ours, theirs)
    check_predictions(model_dir, tmp_path / "train.csv", x, c)
    # test:msd on the same rows is the inertia over the row count
    assert metrics["test:msd"][-1][1] == pytest.approx(ours / len(x), rel=1e-5)
    check_regexes(logs, metrics)
    assert "shrinking %d centers into %d" % (10 * k, k) in logs


def test_fashion_mnist_subset_against_sklearn(tmp_path):
    from sklearn.cluster import KMeans
    x, xt = fashion("train", 10000), fashion("t10k", 2000)
    write_csv(tmp_path / "train.csv", x)
    write_csv(tmp_path / "test.csv", xt)
    model_dir, logs, metrics = train(tmp_path, tmp_path / "train.csv",
                                     {"k": 10, "feature_dim": 784,
                                      "eval_metrics": '["msd","ssd"]'},
                                     test=tmp_path / "test.csv")
    c = centroids(model_dir)
    sk = KMeans(n_clusters=10, n_init=10, random_state=0).fit(x.astype(np.float64))
    ours, theirs = inertia(x, c), inertia(x, sk.cluster_centers_)
    assert ours <= theirs * 1.02, (ours, theirs)
    ssd = inertia(xt, c)
    assert metrics["test:ssd"][-1] == (-1, pytest.approx(ssd, rel=1e-5))
    assert metrics["test:msd"][-1] == (-1, pytest.approx(ssd / len(xt), rel=1e-5))
    assert [s for s, _ in metrics["train:msd"]] == [0]
    check_regexes(logs, metrics)
    check_predictions(model_dir, tmp_path / "test.csv", xt, c)


def test_bring_your_own_model(tmp_path):
    """model_algo-1 built from sklearn's centroids as the bring-your-own-model
    notebook does (mx.nd.save of a list of one array), float32 and float64."""
    from sklearn.cluster import KMeans
    x = sklearn_data("wine")
    write_csv(tmp_path / "data.csv", x)
    sk = KMeans(n_clusters=4, n_init=3, random_state=1).fit(x.astype(np.float64))
    for dtype in (np.float32, np.float64):
        model_dir = tmp_path / ("byom-" + np.dtype(dtype).name)
        model_dir.mkdir()
        c = sk.cluster_centers_.astype(dtype)
        (model_dir / "model_algo-1").write_bytes(ndarray_list([c]))
        cl = check_predictions(model_dir, tmp_path / "data.csv", x,
                               c.astype(np.float32).astype(np.float64))
        assert np.mean(cl == sk.predict(x.astype(np.float64))) > 0.99


def test_recordio_dense_and_sparse(tmp_path):
    x = sklearn_data("iris")
    x[x < 1.0] = 0  # some zeros, left out of the sparse records
    write_csv(tmp_path / "train.csv", x)
    (tmp_path / "dense.rec").write_bytes(recordio(record(list(r)) for r in x))
    sparse = []
    for r in x:
        keys = [int(j) for j in np.flatnonzero(r)]
        sparse.append(record([float(r[j]) for j in keys], keys, x.shape[1]))
    (tmp_path / "sparse.rec").write_bytes(recordio(sparse))
    hps = {"k": 3, "feature_dim": 4, "init_method": "kmeans++"}
    m_csv, _, _ = train(tmp_path, tmp_path / "train.csv", hps, model_dir=tmp_path / "csv")
    m_den, _, _ = train(tmp_path, tmp_path / "dense.rec", hps,
                        content_type="application/x-recordio-protobuf",
                        model_dir=tmp_path / "den")
    m_spa, _, met = train(tmp_path, tmp_path / "sparse.rec", hps,
                          test=tmp_path / "sparse.rec",
                          content_type="application/x-recordio-protobuf",
                          model_dir=tmp_path / "spa")
    a = (m_csv / "model_algo-1").read_bytes()
    assert a == (m_den / "model_algo-1").read_bytes()
    np.testing.assert_allclose(centroids(m_spa), centroids(m_csv), rtol=1e-4, atol=1e-4)
    assert met["test:msd"][-1][1] == pytest.approx(inertia(x, centroids(m_spa)) / len(x),
                                                   rel=1e-5)
    # predictions from RecordIO input
    p = predict(m_csv, tmp_path / "sparse.rec", "application/x-recordio-protobuf")
    q = predict(m_csv, tmp_path / "train.csv")
    assert np.array_equal(p["closest_cluster"], q["closest_cluster"])
    np.testing.assert_allclose(p["distance_to_cluster"], q["distance_to_cluster"], rtol=1e-5)


def test_same_model_whatever_the_threads(tmp_path):
    x = fashion("train", 3000)
    write_csv(tmp_path / "train.csv", x)
    hps = {"k": 5, "feature_dim": 784, "mini_batch_size": 700, "epochs": 2}
    a, _, _ = train(tmp_path, tmp_path / "train.csv", hps, threads=1, model_dir=tmp_path / "a")
    b, _, _ = train(tmp_path, tmp_path / "train.csv", hps, threads=3, model_dir=tmp_path / "b")
    assert (a / "model_algo-1").read_bytes() == (b / "model_algo-1").read_bytes()


def test_errors(tmp_path):
    x = sklearn_data("iris")
    write_csv(tmp_path / "train.csv", x)
    r = run("train", "kmeans", "--train", tmp_path / "train.csv", "--model-dir",
            tmp_path / "m", "k=3", "feature_dim=5", ok=False)
    assert r.returncode == 1
    assert r.stderr.strip() == "DataError: the train channel has 4 columns, feature_dim is 5"
    r = run("train", "kmeans", "--train", tmp_path / "train.csv", "--model-dir",
            tmp_path / "m", "k=1", "feature_dim=4", ok=False)
    assert r.stderr.strip() == "HyperparameterError: k must be an integer ≥ 2, got '1'"
    r = run("train", "kmeans", "--train", tmp_path / "train.csv", "--model-dir",
            tmp_path / "m", "k=200", "feature_dim=4", ok=False)
    assert r.stderr.strip() == ("HyperparameterError: k = 200 clusters need at least "
                                "200 rows; the train channel has 150")
    # a corrupt artifact
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "model_algo-1").write_bytes(b"\x12\x01" + b"\0" * 20)
    r = run("predict", "kmeans", "--model-dir", bad, "--data", tmp_path / "train.csv",
            ok=False)
    assert r.returncode == 1
    assert r.stderr.strip() == ("DataError: %s/model_algo-1: truncated at byte 16: "
                                "expected the array count (uint64) (8 bytes), 6 left" % bad)
    two = ndarray_list([np.zeros((3, 4), np.float32), np.zeros((3, 4), np.float32)])
    (bad / "model_algo-1").write_bytes(two)
    r = run("predict", "kmeans", "--model-dir", bad, "--data", tmp_path / "train.csv",
            ok=False)
    assert r.stderr.strip() == ("DataError: %s/model_algo-1: 2 arrays, expected one array "
                                "of k-means centroids (k x feature_dim)" % bad)
