"""What K-Means and PCA models look like in a cell: %describe draws
centroids and components as pictures when the features are pixels, and
%predict of a K-Means model on labelled rows tabulates the classes by
cluster with the purity (scikit-learn's contingency_matrix as the
oracle, from the same model's assignments by %transform)."""

import base64
import gzip
import struct

import numpy as np
import pytest

from cells import metrics_table, of, ok, run, text_of

MNIST = "/usr/share/datasets/fashion-mnist"


@pytest.fixture
def fashion(tmp_path):
    """2,000 Fashion-MNIST training images (features only) and 500 test
    images with their labels first, as CSV."""
    with gzip.open(MNIST + "/train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:2000]
    with gzip.open(MNIST + "/t10k-images-idx3-ubyte.gz") as f:
        xt = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:500]
    with gzip.open(MNIST + "/t10k-labels-idx1-ubyte.gz") as f:
        yt = np.frombuffer(f.read(), np.uint8, offset=8)[:500]
    np.savetxt(tmp_path / "train.csv", x / 255.0, fmt="%.4g", delimiter=",")
    np.savetxt(tmp_path / "test.csv", np.column_stack([yt, xt / 255.0]),
               fmt="%.4g", delimiter=",")
    np.savetxt(tmp_path / "features.csv", xt / 255.0, fmt="%.4g", delimiter=",")
    return tmp_path, yt


def pictures(io_):
    """(text/plain, width, height) of every PNG the cell displayed."""
    out = []
    for c in of(io_, "display_data"):
        if "image/png" in c["data"]:
            png = base64.b64decode(c["data"]["image/png"])
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            w, h = struct.unpack(">II", png[16:24])
            out.append((c["data"]["text/plain"], w, h))
    return out


def test_describe_draws_centroids_and_components(kernel, fashion):
    d, _ = fashion
    out = d / "out"
    ok(kernel, f"%train kmeans --train {d}/train.csv --name km --output {out} "
               "k=10 feature_dim=784 mini_batch_size=500 epochs=3")
    shown = pictures(ok(kernel, f"%describe km --output {out}"))
    assert [p[0] for p in shown] == ["km: 10 clusters as 28x28 images"], shown
    # one row of ten 72 px images at 2x
    assert shown[0][1] == 2 * (20 + 10 * 72 + 9 * 10), shown
    ok(kernel, f"%train pca --train {d}/train.csv --name pc --output {out} "
               "num_components=12 feature_dim=784 mini_batch_size=500")
    shown = pictures(ok(kernel, f"%describe pc --output {out}"))
    assert [p[0] for p in shown] == ["pc: 12 components as 28x28 images"], shown
    # an explicit shape must multiply to the features
    shown = pictures(ok(kernel, f"%describe pc --output {out} --image-shape 14x56"))
    assert [p[0] for p in shown] == ["pc: 12 components as 14x56 images"], shown
    content, io_ = run(kernel, f"%describe pc --output {out} --image-shape 20x20")
    assert content["status"] == "error" and content["ename"] == "UsageError"
    assert "784" in content["evalue"], content
    # a model whose features are not pixels draws none
    rows = np.loadtxt("/usr/lib/python3/dist-packages/sklearn/datasets/data/"
                      "iris.csv", delimiter=",", skiprows=1)
    np.savetxt(d / "iris.csv", rows[:, :4], delimiter=",", fmt="%.4g")
    ok(kernel, f"%train kmeans --train {d}/iris.csv --name ik --output {out} "
               "k=3 feature_dim=4")
    assert pictures(ok(kernel, f"%describe ik --output {out}")) == []


def test_predict_tabulates_classes_by_cluster(kernel, fashion):
    from sklearn.metrics.cluster import contingency_matrix

    d, labels = fashion
    out = d / "out"
    ok(kernel, f"%train kmeans --train {d}/train.csv --name km --output {out} "
               "k=10 feature_dim=784 mini_batch_size=500 epochs=3")
    io_ = ok(kernel, f"%predict km --data {d}/test.csv --output {out}")
    table = metrics_table(of(io_, "display_data"))
    names = [p[0] for p in pictures(io_)]
    assert "<chart: Classes by cluster, 10 classes x 10 clusters>" in names, names
    # the same model's assignments, from a batch transform as CSV
    ok(kernel, f"%transform km --data {d}/features.csv --output {d}/pred "
               f"--accept text/csv --root {out}")
    text = text_of(io_)
    assert "500 rows predicted" in text, text
    answers = np.loadtxt(d / "pred" / "features.csv.out", delimiter=",", ndmin=2)
    clusters = answers[:, 0].astype(int)
    m = contingency_matrix(labels, clusters)
    purity = m.max(axis=0).sum() / m.sum()
    assert table["purity"] == pytest.approx(purity, abs=5e-6), (table, purity)
    assert table["clusters used"] == len(set(clusters))
