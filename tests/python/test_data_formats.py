"""kiln's CSV and libsvm readers and writers against independent ones, on
real data: pandas/numpy read what kiln writes and kiln reads what they
write (scikit-learn's bundled datasets, Fashion-MNIST, vega's cars), and
every format round-trips through kiln (tests/algos/datatool.c)."""

import gzip
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

KILN_BUILD = os.environ.get("KILN_BUILD") or ""
TOOL = Path(KILN_BUILD) / "tests" / "kiln-datatool" if KILN_BUILD else None
MNIST = Path("/usr/share/datasets/fashion-mnist")
VEGA = Path("/usr/lib/python3/dist-packages/vega_datasets/_data")

pytestmark = pytest.mark.skipif(
    not KILN_BUILD, reason="KILN_BUILD is not set: no build tree with tests/kiln-datatool")


def tool(*args, ok=True):
    r = subprocess.run([str(TOOL)] + [str(a) for a in args], capture_output=True, text=True)
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def dump(path, content_type=None):
    args = ["dump", path] + (["--content-type", content_type] if content_type else [])
    d = json.loads(tool(*args).stdout)
    if d["sparse"]:
        x = np.zeros((d["rows"], d["cols"]), dtype=np.float64)
        for i in range(d["rows"]):
            for k in range(d["indptr"][i], d["indptr"][i + 1]):
                x[i, d["indices"][k]] = d["values"][k]
    else:
        x = np.array([[np.nan if v is None else v for v in row] for row in d["dense"]],
                     dtype=np.float64).reshape(d["rows"], d["cols"])
    y = None if d["labels"] is None else np.array(d["labels"], dtype=np.float64)
    # The tool prints float32 values with 9 digits: exact as float32, not
    # as float64.
    return d, f32(x), None if y is None else f32(y)


def f32(a):
    return np.asarray(a, dtype=np.float64).astype(np.float32).astype(np.float64)


def datasets():
    from sklearn import datasets as sk

    out = {}
    for name in ("iris", "wine", "breast_cancer", "diabetes", "digits"):
        b = getattr(sk, "load_" + name)()
        out[name] = (b.data, b.target.astype(np.float64))
    return out


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "diabetes", "digits"])
def test_csv_written_by_pandas_reads_as_numpy_does(name, tmp_path):
    import pandas as pd

    x, y = datasets()[name]
    frame = pd.DataFrame(np.column_stack([y, x]))
    path = tmp_path / (name + ".csv")
    frame.to_csv(path, header=False, index=False)
    d, kx, ky = dump(path, "text/csv")
    want = np.loadtxt(path, delimiter=",", dtype=np.float32).astype(np.float64)
    assert d["rows"] == len(y) and d["cols"] == x.shape[1]
    np.testing.assert_array_equal(ky, want[:, 0])
    np.testing.assert_array_equal(kx, want[:, 1:])
    # gzip and label_size=0 of the same bytes
    gz = tmp_path / (name + ".csv.gz")
    gz.write_bytes(gzip.compress(path.read_bytes()))
    d0, kx0, ky0 = dump(gz, "text/csv;label_size=0")
    assert ky0 is None
    np.testing.assert_array_equal(kx0, want)


def test_csv_missing_values_and_kiln_csv_read_by_pandas(tmp_path):
    """vega's cars: missing horsepower and mpg become NaN, as pandas reads
    them; kiln's own CSV output reads back in pandas identically."""
    import pandas as pd

    cars = pd.read_json(VEGA / "cars.json")
    cols = ["Miles_per_Gallon", "Cylinders", "Displacement", "Horsepower",
            "Weight_in_lbs", "Acceleration"]
    frame = cars[cols]
    assert frame.isna().any().any()
    path = tmp_path / "cars.csv"
    frame.to_csv(path, header=False, index=False)
    d, kx, ky = dump(path, "text/csv;label_size=0")
    np.testing.assert_array_equal(np.isnan(kx), frame.isna().to_numpy())
    np.testing.assert_array_equal(np.nan_to_num(kx, nan=-1),
                                  np.nan_to_num(f32(frame.to_numpy()), nan=-1))
    out = tmp_path / "kiln.csv"
    tool("convert", path, out, "--to", "csv", "--content-type", "text/csv;label_size=0")
    back = pd.read_csv(out, header=None).to_numpy(dtype=np.float64)
    np.testing.assert_array_equal(np.isnan(back), np.isnan(kx))
    np.testing.assert_array_equal(f32(np.nan_to_num(back, nan=-1)),
                                  np.nan_to_num(kx, nan=-1))


def test_libsvm_against_sklearn(tmp_path):
    from sklearn.datasets import dump_svmlight_file, load_svmlight_file

    x, y = datasets()["digits"]
    src = tmp_path / "sk.libsvm"
    dump_svmlight_file(x, y, str(src), zero_based=True)
    d, kx, ky = dump(src, "text/libsvm")
    assert d["sparse"]
    np.testing.assert_array_equal(ky, y)
    np.testing.assert_array_equal(kx[:, :x.shape[1]], f32(x))
    # kiln's libsvm output, read by sklearn
    out = tmp_path / "kiln.libsvm"
    tool("convert", src, out, "--to", "libsvm")
    sx, sy = load_svmlight_file(str(out), zero_based=True, n_features=x.shape[1])
    np.testing.assert_array_equal(sx.toarray(), f32(x))
    np.testing.assert_array_equal(sy, y)
    # 1-based files keep their indices: column 0 stays empty (XGBoost's way)
    one = tmp_path / "one.libsvm"
    dump_svmlight_file(x, y, str(one), zero_based=False)
    d1, kx1, _ = dump(one)
    assert d1["cols"] == x.shape[1] + 1
    assert not kx1[:, 0].any()
    np.testing.assert_array_equal(kx1[:, 1:], f32(x))


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


@pytest.mark.parametrize("fmt,extra", [("csv", []), ("libsvm", []),
                                       ("recordio-protobuf", []),
                                       ("recordio-protobuf", ["--sparse"])])
def test_fashion_mnist_round_trips_every_format(fmt, extra, tmp_path):
    """3,000 Fashion-MNIST images: CSV -> each format (and .gz) -> back."""
    images = idx(MNIST / "t10k-images-idx3-ubyte.gz")[:3000].reshape(3000, -1)
    labels = idx(MNIST / "t10k-labels-idx1-ubyte.gz")[:3000]
    x = images.astype(np.float64) / 255.0
    src = tmp_path / "fm.csv"
    np.savetxt(src, np.column_stack([labels, x]), delimiter=",", fmt="%.8g")
    want = np.loadtxt(src, delimiter=",", dtype=np.float32).astype(np.float64)
    for suffix in ("", ".gz"):
        out = tmp_path / ("fm.out" + suffix)
        tool("convert", src, out, "--to", fmt, "--content-type", "text/csv", *extra)
        d, kx, ky = dump(out)
        assert d["rows"] == 3000
        np.testing.assert_array_equal(ky, labels)
        np.testing.assert_array_equal(kx[:, :784], want[:, 1:])
        if suffix:
            assert out.read_bytes()[:2] == b"\x1f\x8b"


def test_bad_input_names_file_line_and_column(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("1,2,3\n" * 16 + "1,2,3,4,5,6,7,8,9\n")
    r = tool("dump", path, ok=False)
    assert r.returncode == 1
    assert r.stderr.strip() == "DataError: %s line 17: 9 fields, expected 3" % path
    path.write_text("1,2,3\n0,2,abc\n")
    r = tool("dump", path, ok=False)
    assert r.stderr.strip() == "DataError: %s line 2, column 3: not a number: 'abc'" % path


@pytest.mark.parametrize("gz", [False, True])
def test_streaming_memory_is_bounded(gz, tmp_path):
    """A 100 MB channel of three files streams in batches of 500 rows with
    a peak RSS far below the data's size, and every row arrives once."""
    rows_per_file, cols = 40000, 100
    row_ids = np.arange(rows_per_file, dtype=np.int64)
    chan = tmp_path / "chan"
    chan.mkdir()
    total_rows = 0
    label_sum = feature_sum = 0.0
    for f in range(3):
        ids = row_ids + f * rows_per_file
        labels = ids % 10
        # feature j of row i: (i % 1000) / 8 + j, exact in float32
        x = (ids % 1000)[:, None] / 8.0 + np.arange(cols)[None, :]
        text = "\n".join(
            str(l) + "," + ",".join("%g" % v for v in row) for l, row in zip(labels, x)
        ) + "\n"
        data = text.encode()
        name = chan / ("part-%d.csv" % f)
        if gz:
            name = name.with_suffix(".csv.gz")
            data = gzip.compress(data, compresslevel=1)
        name.write_bytes(data)
        total_rows += len(ids)
        label_sum += float(labels.sum())
        feature_sum += float(x.sum())
    raw_mb = sum(len(p.read_bytes()) for p in chan.iterdir()) / 1e6
    got = json.loads(tool("stream", chan, "--batch", "500").stdout)
    peak_kib = got["peak_rss_kib"]  # the tool's own VmHWM
    assert got["rows"] == total_rows and got["max_batch"] == 500
    assert got["label_sum"] == label_sum
    assert got["feature_sum"] == pytest.approx(feature_sum, rel=1e-12)
    # The whole matrix alone would be 120000 x 100 floats = 48 MB.
    assert peak_kib < 16 * 1024, (peak_kib, raw_mb)
