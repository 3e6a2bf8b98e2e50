"""kiln's PCA (algos/pca) against scikit-learn and numpy on real data,
through <build>/tests/kiln-algotool:

- wine and digits (scikit-learn's bundled data) and a 6,000-row subset of
  Fashion-MNIST, regular mode, against sklearn.decomposition.PCA
  (svd_solver="full"): components equal up to sign (|cos| > 0.9999 where
  the eigenvalues are well separated), explained variance and singular
  values to 1e-4 relative, the mean, projections equal up to each
  component's sign, kiln's train:explained_variance_ratio steps equal to
  sklearn's explained_variance_ratio_;
- s is the singular values of the centred data matrix (numpy.linalg.svd),
  ascending, and v's largest-magnitude entry of every column is positive;
  with subtract_mean=false, the singular values of X itself;
- randomized mode close to the exact top components;
- the artifact model_algo-1 read by this file's own decoder of MXNet's
  NDArray format (builtin-algorithms.md section 18): a dict of float32
  's' (k,), 'v' (d, k) and 'mean' (1, d), in that order (no 'mean' without
  subtract_mean);
- a model_algo-1 built here from sklearn's numpy arrays (as mx.nd.save
  writes a dict) predicts what sklearn's transform gives;
- RecordIO-protobuf input (encoded here, dense and sparse) trains the same
  model as CSV; the test channel's score equals the one computed here;
  the model does not depend on the thread count; errors.
"""

import os
import re
import struct
from pathlib import Path

import numpy as np
import pytest

import algotool
from oracles import ndarray_decode
from oracles import fashion as _fashion

KILN_BUILD = os.environ.get("KILN_BUILD") or ""

pytestmark = pytest.mark.skipif(
    not KILN_BUILD or not (Path(KILN_BUILD) / "tests" / "kiln-algotool").exists(),
    reason="KILN_BUILD is not set, or it has no tests/kiln-algotool")

# The generic 1P progress and throughput regexes; SageMaker documents no
# PCA metric.  kiln's own explained-variance lines (named as such in
# algos/pca/pca_algo.c) use SageMaker's line style.
REGEXES = {
    "train:progress": r"#progress_metric: host=\S+, completed (\S+) %",
    "train:throughput": r"#throughput_metric: host=\S+, train throughput=(\S+) records/second",
    "train:explained_variance_ratio":
        r"#quality_metric: host=\S+, train explained_variance_ratio <score>=(\S+)",
    "test:explained_variance_ratio":
        r"#quality_metric: host=\S+, test explained_variance_ratio <score>=(\S+)",
}


# ---- helpers -------------------------------------------------------------

def write_csv(path, x):
    """Features only (label_size=0), 9 significant digits: exact for float32."""
    np.savetxt(path, np.asarray(x, dtype=np.float32), fmt="%.9g", delimiter=",")


run = algotool.run


def train(tmp, train_path, hps, test=None, content_type=None, threads=None,
          model_dir=None):
    return algotool.train("pca", tmp, train_path, hps, test, content_type,
                          threads, model_dir)


def predict(model_dir, data, content_type=None):
    fields = algotool.predict("pca", model_dir, data, content_type)
    assert set(fields) == {"projection"}
    return fields["projection"]


def ndarray_dict(pairs):
    """What mx.nd.save(path, {name: array, ...}) writes (section 18)."""
    out = struct.pack("<QQQ", 0x112, 0, len(pairs))
    flags = {np.dtype(np.float32): 0, np.dtype(np.float64): 1}
    for _, a in pairs:
        a = np.ascontiguousarray(a)
        out += struct.pack("<Iii", 0xF993FAC9, 0, a.ndim)
        out += struct.pack("<%dq" % a.ndim, *a.shape)
        out += struct.pack("<iii", 1, 0, flags[a.dtype])
        out += a.astype(a.dtype.newbyteorder("<")).tobytes()
    out += struct.pack("<Q", len(pairs))
    for name, _ in pairs:
        out += struct.pack("<Q", len(name)) + name.encode()
    return out


def artifact(model_dir):
    names, arrays = ndarray_decode((Path(model_dir) / "model_algo-1").read_bytes())
    assert all(a.dtype == np.float32 for a in arrays)
    return names, dict(zip(names, arrays))


def sklearn_data(name):
    from sklearn import datasets
    return getattr(datasets, "load_" + name)().data.astype(np.float32)


def fashion(rows):
    return _fashion("train", rows)


def separated(values, rel=1e-2):
    """For each of the descending values, whether its neighbours are at
    least rel (relative) away: only then is its eigenvector determined."""
    v = np.asarray(values, dtype=np.float64)
    ok = []
    for i in range(len(v)):
        gaps = [abs(v[i] - v[j]) for j in (i - 1, i + 1) if 0 <= j < len(v)]
        ok.append(min(gaps) > rel * v[i])
    return np.array(ok)


def check_against_sklearn(x, names, a, metrics, k, proj=None):
    """kiln's artifact (and projections) against PCA(svd_solver="full")."""
    from sklearn.decomposition import PCA
    x64 = x.astype(np.float64)
    sk = PCA(n_components=k, svd_solver="full").fit(x64)
    d = x.shape[1]
    assert names == ["s", "v", "mean"]
    s, v, mean = a["s"].astype(np.float64), a["v"].astype(np.float64), a["mean"]
    assert s.shape == (k,) and v.shape == (d, k) and mean.shape == (1, d)
    # ascending singular values: sklearn's order reversed
    assert np.all(np.diff(s) >= 0)
    s_desc, v_desc = s[::-1], v[:, ::-1]
    np.testing.assert_allclose(s_desc, sk.singular_values_, rtol=1e-4)
    np.testing.assert_allclose(s_desc ** 2 / (len(x) - 1), sk.explained_variance_,
                               rtol=1e-4)
    np.testing.assert_allclose(mean[0], sk.mean_, rtol=1e-5, atol=1e-6 * np.abs(x).max())
    # s is the singular values of the centred data matrix
    sv = np.linalg.svd(x64 - x64.mean(0), compute_uv=False)[:k]
    np.testing.assert_allclose(s_desc, sv, rtol=1e-4)
    # components: unit columns, equal to sklearn's up to sign where the
    # eigenvalues are well separated
    np.testing.assert_allclose(np.linalg.norm(v, axis=0), 1, rtol=1e-5)
    cos = np.abs((v_desc * sk.components_.T).sum(0))
    sep = separated(sk.explained_variance_)
    assert sep.sum() >= min(3, k)
    assert np.all(cos[sep] > 0.9999), cos
    # kiln's sign convention: the entry of largest magnitude is positive
    arg = np.abs(v).argmax(axis=0)
    assert np.all(v[arg, np.arange(k)] > 0)
    # train:explained_variance_ratio: per component (largest first), and
    # the sum as the final value
    steps = sorted(m for m in metrics["train:explained_variance_ratio"] if m[0] >= 0)
    assert [m[0] for m in steps] == list(range(k))
    np.testing.assert_allclose([m[1] for m in steps], sk.explained_variance_ratio_,
                               rtol=1e-4)
    final = [m[1] for m in metrics["train:explained_variance_ratio"] if m[0] == -1]
    assert final == [pytest.approx(sk.explained_variance_ratio_.sum(), rel=1e-4)]
    if proj is not None:
        want = sk.transform(x64)[:, ::-1]
        signs = np.sign((v[:, ::-1] * sk.components_.T).sum(0))[::-1]
        scale = np.abs(want).max()
        sep_asc = sep[::-1]
        np.testing.assert_allclose((proj * signs)[:, sep_asc], want[:, sep_asc],
                                   atol=2e-4 * scale)
        # and exactly (x - mean) . v from the artifact
        np.testing.assert_allclose(proj, (x64 - mean.astype(np.float64)) @ v,
                                   atol=1e-5 * scale)
    return sk


def check_regexes(logs, metrics, test=False):
    text = "\n".join(logs)
    progress = [float(v) for v in re.findall(REGEXES["train:progress"], text)]
    assert progress == [100]
    assert len(re.findall(REGEXES["train:throughput"], text)) == 1
    for name in ("train:explained_variance_ratio", "test:explained_variance_ratio"):
        found = [float(v) for v in re.findall(REGEXES[name], text)]
        if name.startswith("test") and not test:
            assert found == []
            continue
        final = [m[1] for m in metrics[name] if m[0] == -1]
        assert len(found) == 1 and found[0] == pytest.approx(final[0], rel=1e-9)
    assert ("Test data is not provided." in logs) == (not test)


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

@pytest.mark.parametrize("name,k", [("wine", 5), ("digits", 20)])
def test_small_datasets_against_sklearn(tmp_path, name, k):
    x = sklearn_data(name)
    write_csv(tmp_path / "train.csv", x)
    model_dir, logs, metrics = train(tmp_path, tmp_path / "train.csv",
                                     {"num_components": k, "feature_dim": x.shape[1],
                                      "mini_batch_size": 50})
    names, a = artifact(model_dir)
    proj = predict(model_dir, tmp_path / "train.csv")
    check_against_sklearn(x, names, a, metrics, k, proj)
    check_regexes(logs, metrics)
    assert "%d feature(s) found in 'data'." % x.shape[1] in logs


def test_fashion_mnist_subset(tmp_path):
    x = fashion(6000)
    write_csv(tmp_path / "train.csv", x[:5000])
    write_csv(tmp_path / "test.csv", x[5000:])
    model_dir, logs, metrics = train(tmp_path, tmp_path / "train.csv",
                                     {"num_components": 50, "feature_dim": 784,
                                      "mini_batch_size": 500},
                                     test=tmp_path / "test.csv")
    names, a = artifact(model_dir)
    proj = predict(model_dir, tmp_path / "train.csv")
    check_against_sklearn(x[:5000], names, a, metrics, 50, proj)
    check_regexes(logs, metrics, test=True)
    # the test channel: the share of its squared deviation from the
    # model's mean that the components keep
    xt = x[5000:].astype(np.float64) - a["mean"].astype(np.float64)
    p = xt @ a["v"].astype(np.float64)
    want = (p ** 2).sum() / (xt ** 2).sum()
    got = [m[1] for m in metrics["test:explained_variance_ratio"]]
    assert got == [pytest.approx(want, rel=1e-5)]


def test_without_mean(tmp_path):
    x = sklearn_data("wine")
    write_csv(tmp_path / "train.csv", x)
    model_dir, logs, metrics = train(tmp_path, tmp_path / "train.csv",
                                     {"num_components": 4, "feature_dim": 13,
                                      "mini_batch_size": 64, "subtract_mean": "False"})
    names, a = artifact(model_dir)
    assert names == ["s", "v"]
    x64 = x.astype(np.float64)
    u, sv, vt = np.linalg.svd(x64, full_matrices=False)
    np.testing.assert_allclose(a["s"][::-1], sv[:4], rtol=1e-4)
    cos = np.abs((a["v"][:, ::-1].astype(np.float64) * vt[:4].T).sum(0))
    assert np.all(cos > 0.9999)
    proj = predict(model_dir, tmp_path / "train.csv")
    scale = np.abs(proj).max()
    np.testing.assert_allclose(proj, x64 @ a["v"].astype(np.float64), atol=1e-5 * scale)
    # the ratio's total is then the uncentred sum of squares
    final = [m[1] for m in metrics["train:explained_variance_ratio"] if m[0] == -1][0]
    assert final == pytest.approx((sv[:4] ** 2).sum() / (x64 ** 2).sum(), rel=1e-4)


def test_randomized_close_to_exact(tmp_path):
    from sklearn.decomposition import PCA
    x = fashion(4000)
    write_csv(tmp_path / "train.csv", x)
    model_dir, logs, metrics = train(tmp_path, tmp_path / "train.csv",
                                     {"num_components": 20, "feature_dim": 784,
                                      "mini_batch_size": 500,
                                      "algorithm_mode": "randomized"})
    assert "randomized mode: a sketch of 40 columns (num_components 20 + " \
           "extra_components 20)" in logs
    names, a = artifact(model_dir)
    assert names == ["s", "v", "mean"]
    sk = PCA(n_components=20, svd_solver="full").fit(x.astype(np.float64))
    s = a["s"][::-1].astype(np.float64)
    np.testing.assert_allclose(s, sk.singular_values_, rtol=1e-3)
    cos = np.abs((a["v"][:, ::-1].astype(np.float64) * sk.components_.T).sum(0))
    sep = separated(sk.explained_variance_)
    assert np.all(cos[:10][sep[:10]] > 0.999), cos
    # explained variance within 1e-4 of the exact solution's
    final = [m[1] for m in metrics["train:explained_variance_ratio"] if m[0] == -1][0]
    assert final == pytest.approx(sk.explained_variance_ratio_.sum(), rel=1e-4)
    # fewer extra components: still close on the top ones
    model_dir, _, _ = train(tmp_path, tmp_path / "train.csv",
                            {"num_components": 20, "feature_dim": 784,
                             "mini_batch_size": 500, "algorithm_mode": "randomized",
                             "extra_components": 2},
                            model_dir=tmp_path / "m2")
    _, a2 = artifact(model_dir)
    cos = np.abs((a2["v"][:, ::-1].astype(np.float64) * sk.components_.T).sum(0))
    assert np.all(cos[:5] > 0.999), cos


def test_recordio_dense_and_sparse(tmp_path):
    x = sklearn_data("digits")[:600]
    write_csv(tmp_path / "train.csv", x)
    dense = recordio(record(list(r)) for r in x)
    (tmp_path / "dense.rec").write_bytes(dense)
    sparse = recordio(record([float(v) for v in r[r != 0]],
                             [int(j) for j in np.nonzero(r)[0]], 64) for r in x)
    (tmp_path / "sparse.rec").write_bytes(sparse)
    hps = {"num_components": 6, "feature_dim": 64, "mini_batch_size": 100}
    m_csv, _, _ = train(tmp_path, tmp_path / "train.csv", hps, model_dir=tmp_path / "c")
    _, ref = artifact(m_csv)
    for name in ("dense", "sparse"):
        for mode in ("regular", "randomized"):
            model_dir, _, _ = train(tmp_path, tmp_path / ("%s.rec" % name),
                                    dict(hps, algorithm_mode=mode),
                                    content_type="application/x-recordio-protobuf",
                                    model_dir=tmp_path / (name + mode))
            _, a = artifact(model_dir)
            np.testing.assert_allclose(a["s"], ref["s"], rtol=1e-4)
            np.testing.assert_allclose(a["mean"], ref["mean"], rtol=1e-5, atol=1e-6)
            cos = np.abs((a["v"].astype(np.float64) * ref["v"]).sum(0))
            assert np.all(cos[-4:] > 0.9999), (name, mode, cos)
    # sparse input to predict: the same projections as dense CSV
    p_csv = predict(m_csv, tmp_path / "train.csv")
    p_rec = predict(m_csv, tmp_path / "sparse.rec",
                    content_type="application/x-recordio-protobuf")
    np.testing.assert_allclose(p_rec, p_csv, atol=1e-4 * np.abs(p_csv).max())


def test_very_sparse_recordio_against_sklearn(tmp_path):
    """2% dense rows: regular mode sums x x^T over the stored entries,
    randomized mode multiplies entry by entry (pca_scatter.c,
    pca_randomized.c); both against sklearn on the dense matrix."""
    from sklearn.decomposition import PCA
    rng = np.random.default_rng(7)
    n, d, k = 2000, 300, 5
    # six groups of rows, each with its own 20 columns used more often and
    # its own scale, so that the top components stand apart
    group = rng.choice(6, size=n, p=[0.3, 0.25, 0.2, 0.12, 0.08, 0.05])
    own = (np.arange(d)[None, :] // 20) == group[:, None]
    mask = rng.random((n, d)) < np.where(own, 0.25, 0.01)
    scale = (1.0 + group)[:, None] * np.where(own, 2.0, 1.0)
    x = np.where(mask, rng.gamma(2.0, 1.0, (n, d)) * scale, 0).astype(np.float32)
    assert mask.mean() < 1 / 32  # the entry-by-entry paths
    recs = [record([float(v) for v in r[r != 0]], [int(j) for j in np.nonzero(r)[0]], d)
            for r in x]
    (tmp_path / "train.rec").write_bytes(recordio(recs))
    sk = PCA(n_components=k, svd_solver="full").fit(x.astype(np.float64))
    sep = separated(sk.explained_variance_)
    for mode, rtol, tol in (("regular", 1e-6, 0.9999), ("randomized", 1e-3, 0.999)):
        model_dir, _, metrics = train(tmp_path, tmp_path / "train.rec",
                                      {"num_components": k, "feature_dim": d,
                                       "mini_batch_size": 200, "algorithm_mode": mode},
                                      content_type="application/x-recordio-protobuf",
                                      model_dir=tmp_path / mode)
        names, a = artifact(model_dir)
        assert names == ["s", "v", "mean"]
        np.testing.assert_allclose(a["s"][::-1], sk.singular_values_, rtol=rtol)
        np.testing.assert_allclose(a["mean"][0], sk.mean_, rtol=1e-5)
        cos = np.abs((a["v"][:, ::-1].astype(np.float64) * sk.components_.T).sum(0))
        assert np.all(cos[sep] > tol), (mode, cos)
        p = predict(model_dir, tmp_path / "train.rec",
                    content_type="application/x-recordio-protobuf")
        want = (x.astype(np.float64) - a["mean"].astype(np.float64)) @ a["v"]
        np.testing.assert_allclose(p, want, atol=1e-5 * np.abs(want).max())


def test_numpy_made_model_predicts_like_sklearn(tmp_path):
    """A model_algo-1 written here from numpy arrays, as mx.nd.save writes a
    dict (SageMaker's order and shapes), loads in kiln and projects as
    sklearn's transform does (in ascending order)."""
    from sklearn.decomposition import PCA
    x = sklearn_data("wine").astype(np.float64)
    sk = PCA(n_components=4, svd_solver="full").fit(x)
    model_dir = tmp_path / "byom"
    model_dir.mkdir()
    (model_dir / "model_algo-1").write_bytes(ndarray_dict([
        ("s", sk.singular_values_[::-1].astype(np.float32)),
        ("v", np.ascontiguousarray(sk.components_[::-1].T).astype(np.float32)),
        ("mean", sk.mean_.reshape(1, -1).astype(np.float32)),
    ]))
    write_csv(tmp_path / "x.csv", x)
    proj = predict(model_dir, tmp_path / "x.csv")
    want = sk.transform(x)[:, ::-1]
    np.testing.assert_allclose(proj, want, atol=1e-4 * np.abs(want).max())
    # float64 arrays and a (d,) mean load as well
    (model_dir / "model_algo-1").write_bytes(ndarray_dict([
        ("mean", sk.mean_),
        ("v", np.ascontiguousarray(sk.components_[::-1].T)),
        ("s", sk.singular_values_[::-1].copy()),
    ]))
    proj = predict(model_dir, tmp_path / "x.csv")
    np.testing.assert_allclose(proj, want, atol=1e-4 * np.abs(want).max())


def test_threads_same_model(tmp_path):
    x = fashion(3000)
    write_csv(tmp_path / "train.csv", x)
    hps = {"num_components": 10, "feature_dim": 784, "mini_batch_size": 500}
    out = []
    for t in (1, 2):
        model_dir, _, _ = train(tmp_path, tmp_path / "train.csv", hps, threads=t,
                                model_dir=tmp_path / ("m%d" % t))
        out.append(artifact(model_dir)[1])
    np.testing.assert_allclose(out[0]["s"], out[1]["s"], rtol=1e-6)
    np.testing.assert_allclose(out[0]["v"], out[1]["v"], atol=1e-5)


def test_errors(tmp_path):
    x = sklearn_data("wine")
    write_csv(tmp_path / "train.csv", x)
    base = ["train", "pca", "--train", tmp_path / "train.csv", "--model-dir",
            tmp_path / "m"]
    r = run(*base, "feature_dim=13", "mini_batch_size=10", "num_components=14", ok=False)
    assert r.returncode == 1
    assert r.stderr.strip() == ("HyperparameterError: num_components = 14 is more "
                                "than feature_dim = 13: PCA finds at most "
                                "feature_dim components")
    r = run(*base, "feature_dim=12", "mini_batch_size=10", "num_components=2", ok=False)
    assert r.returncode == 1
    assert r.stderr.strip() == ("DataError: the train channel has 13 columns, "
                                "feature_dim is 12")
    r = run(*base, "feature_dim=13", "num_components=2", ok=False)
    assert "missing required hyperparameter 'mini_batch_size'" in r.stderr
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "model_algo-1").write_bytes(b"\x12\x01\0\0")
    r = run("predict", "pca", "--model-dir", tmp_path / "bad", "--data",
            tmp_path / "train.csv", ok=False)
    assert r.returncode == 1 and r.stderr.startswith("DataError: ")
    assert "model_algo-1" in r.stderr
