"""kiln's RecordIO-protobuf writer and reader against the SageMaker SDK's.

The oracle is the SDK's own code path, rebuilt here from its description
(reference/sagemaker-contract.md §6): `write_numpy_to_dense_tensor`,
`write_spmatrix_to_sparse_tensor`, `_write_recordio` and
`read_recordio`/`read_records`, on Python classes that protoc generates at
test time from kiln's algos/data/record.proto, serialized by Debian's
python3-protobuf as the SDK's are.

kiln is driven through tests/kiln-datatool (tests/algos/datatool.c) of the
build tree KILN_BUILD: `convert` (kiln_data_load + kiln_data_write) and
`dump` (kiln_data_load printed as JSON).

Data: scikit-learn's bundled iris, wine and breast_cancer, and the first
2000 Fashion-MNIST images (Debian's dataset-fashion-mnist), dense and as a
scipy CSR matrix, in Float32, Float64 and Int32 tensors.
"""

import gzip
import importlib.util
import io
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse

import conftest

KILN_BUILD = os.environ.get("KILN_BUILD") or ""
TOOL = Path(KILN_BUILD) / "tests" / "kiln-datatool" if KILN_BUILD else None
MNIST = Path("/usr/share/datasets/fashion-mnist")
MNIST_ROWS = 2000

pytestmark = pytest.mark.skipif(
    not KILN_BUILD, reason="KILN_BUILD is not set: no build tree with tests/kiln-datatool")


# ---- the SDK, rebuilt on record_pb2 ----------------------------------------


@pytest.fixture(scope="module")
def pb(tmp_path_factory):
    """record_pb2 generated from kiln's record.proto by protoc."""
    out = tmp_path_factory.mktemp("record_pb2")
    proto_dir = conftest.REPO / "algos" / "data"
    subprocess.run(["protoc", "--proto_path=%s" % proto_dir, "--python_out=%s" % out,
                    str(proto_dir / "record.proto")], check=True)
    spec = importlib.util.spec_from_file_location("record_pb2", out / "record_pb2.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_KMAGIC = 0xCED7230A
_PADDING = {i: b"\x00" * i for i in range(4)}


def _resolve_type(dtype):
    if dtype == np.dtype(int):
        return "Int32"
    if dtype == np.dtype(float):
        return "Float64"
    if dtype == np.dtype("float32"):
        return "Float32"
    raise ValueError("Unsupported dtype {} on array".format(dtype))


def _tensor(resolved_type, value):
    return {"Int32": value.int32_tensor, "Float64": value.float64_tensor,
            "Float32": value.float32_tensor}[resolved_type]


def _write_feature_tensor(resolved_type, record, vector):
    _tensor(resolved_type, record.features["values"]).values.extend(vector)


def _write_label_tensor(resolved_type, record, scalar):
    _tensor(resolved_type, record.label["values"]).values.extend([scalar])


def _write_keys_tensor(resolved_type, record, vector):
    _tensor(resolved_type, record.features["values"]).keys.extend(vector)


def _write_shape(resolved_type, record, scalar):
    _tensor(resolved_type, record.features["values"]).shape.extend([scalar])


def _write_recordio(f, data):
    length = len(data)
    f.write(struct.pack("I", _KMAGIC))
    f.write(struct.pack("I", length))
    pad = (((length + 3) >> 2) << 2) - length
    f.write(data)
    f.write(_PADDING[pad])


def _check_labels(array, labels):
    if labels is not None:
        if not len(labels.shape) == 1:
            raise ValueError("Labels must be a Vector")
        if labels.shape[0] not in array.shape:
            raise ValueError("Label shape {} not compatible with array shape {}".format(
                labels.shape, array.shape))


def write_numpy_to_dense_tensor(pb, file, array, labels=None):
    if not len(array.shape) == 2:
        raise ValueError("Array must be a Matrix")
    _check_labels(array, labels)
    resolved_type = _resolve_type(array.dtype)
    resolved_label_type = _resolve_type(labels.dtype) if labels is not None else None
    record = pb.Record()
    for index, vector in enumerate(array):
        record.Clear()
        _write_feature_tensor(resolved_type, record, vector)
        if labels is not None:
            _write_label_tensor(resolved_label_type, record, labels[index])
        _write_recordio(file, record.SerializeToString())


def write_spmatrix_to_sparse_tensor(pb, file, array, labels=None):
    if not scipy.sparse.issparse(array):
        raise TypeError("Array must be sparse")
    if not len(array.shape) == 2:
        raise ValueError("Array must be a Matrix")
    _check_labels(array, labels)
    resolved_type = _resolve_type(array.dtype)
    resolved_label_type = _resolve_type(labels.dtype) if labels is not None else None
    csr_array = array.tocsr()
    n_rows, n_cols = csr_array.shape
    record = pb.Record()
    for row_idx in range(n_rows):
        record.Clear()
        row = csr_array.getrow(row_idx)
        _write_feature_tensor(resolved_type, record, row.data)
        _write_keys_tensor(resolved_type, record, row.indices.astype(np.uint64))
        if labels is not None:
            _write_label_tensor(resolved_label_type, record, labels[row_idx])
        _write_shape(resolved_type, record, n_cols)
        _write_recordio(file, record.SerializeToString())


def read_recordio(f):
    while True:
        try:
            (read_kmagic,) = struct.unpack("I", f.read(4))
        except struct.error:
            return
        assert read_kmagic == _KMAGIC
        (len_record,) = struct.unpack("I", f.read(4))
        pad = (((len_record + 3) >> 2) << 2) - len_record
        yield f.read(len_record)
        if pad:
            f.read(pad)


def read_records(pb, file):
    records = []
    for data in read_recordio(file):
        record = pb.Record()
        record.ParseFromString(data)
        records.append(record)
    return records


# ---- data -------------------------------------------------------------------


def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def _sklearn(name):
    from sklearn import datasets

    bunch = getattr(datasets, "load_" + name)()
    return bunch.data, bunch.target


def _mnist():
    images = _idx(MNIST / "train-images-idx3-ubyte.gz")[:MNIST_ROWS]
    labels = _idx(MNIST / "train-labels-idx1-ubyte.gz")[:MNIST_ROWS]
    # pixels in [0, 1] as a training script scales them
    return images.reshape(len(images), -1) / 255.0, labels


DATASETS = ["iris", "wine", "breast_cancer", "fashion_mnist"]
_cache = {}


def load(name):
    """(X, y) as float32, the values kiln holds."""
    if name not in _cache:
        if name == "fashion_mnist":
            if not (MNIST / "train-images-idx3-ubyte.gz").exists():
                pytest.skip("dataset-fashion-mnist is not installed")
            x, y = _mnist()
        else:
            x, y = _sklearn(name)
        _cache[name] = (np.asarray(x, dtype=np.float32), np.asarray(y, dtype=np.float32))
    return _cache[name]


def write_csv(path, x, y):
    """Label first, no header; %.9g reads back as the same float32."""
    with open(path, "w") as f:
        for label, row in zip(y, x):
            f.write(",".join("%.9g" % v for v in (label, *row)) + "\n")


TENSORS = {"float32": np.float32, "float64": np.float64, "int32": int}


def as_tensor(values, tensor):
    """What the SDK is given for a tensor type: float32 or float64 arrays,
    or numpy's default int (truncated toward zero, as astype does)."""
    return values.astype(TENSORS[tensor])


# ---- kiln -------------------------------------------------------------------


def datatool(*args):
    assert TOOL.exists(), "%s was not built" % TOOL
    proc = subprocess.run([str(TOOL), *map(str, args)], capture_output=True, text=True)
    return proc


def kiln_convert(src, dst, *args):
    proc = datatool("convert", src, dst, *args)
    assert proc.returncode == 0, proc.stderr
    return dst.read_bytes()


def kiln_dump(path, *args):
    proc = datatool("dump", path, *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def dumped(values):
    """JSON floats (null = NaN) as float32."""
    return np.array([np.nan if v is None else v for v in values], dtype=np.float32)


def assert_same_float32(got, want):
    got = np.asarray(got, dtype=np.float32)
    want = np.asarray(want, dtype=np.float32)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)  # NaN equals NaN here


# ---- kiln writes what the SDK writes ----------------------------------------


@pytest.mark.parametrize("tensor", sorted(TENSORS))
@pytest.mark.parametrize("name", DATASETS)
def test_dense_bytes_match_sdk(pb, tmp_path, name, tensor):
    x, y = load(name)
    src = tmp_path / "train.csv"
    write_csv(src, x, y)
    ours = kiln_convert(src, tmp_path / "kiln.rec", "--to", "recordio-protobuf",
                        "--content-type", "text/csv",
                        "--tensor", tensor, "--label-tensor", tensor)
    sdk = io.BytesIO()
    write_numpy_to_dense_tensor(pb, sdk, as_tensor(x, tensor), as_tensor(y, tensor))
    assert len(ours) == len(sdk.getvalue())
    assert ours == sdk.getvalue()


@pytest.mark.parametrize("tensor", sorted(TENSORS))
@pytest.mark.parametrize("name", DATASETS)
def test_sparse_bytes_match_sdk(pb, tmp_path, name, tensor):
    """A dense dataset written by the sparse writer: its non-zero values,
    as write_spmatrix_to_sparse_tensor writes a csr_matrix of the array."""
    x, y = load(name)
    src = tmp_path / "train.csv"
    write_csv(src, x, y)
    ours = kiln_convert(src, tmp_path / "kiln.rec", "--to", "recordio-protobuf",
                        "--content-type", "text/csv", "--sparse",
                        "--tensor", tensor, "--label-tensor", tensor)
    sdk = io.BytesIO()
    matrix = scipy.sparse.csr_matrix(as_tensor(x, tensor))
    write_spmatrix_to_sparse_tensor(pb, sdk, matrix, as_tensor(y, tensor))
    assert ours == sdk.getvalue()


@pytest.mark.parametrize("tensor", sorted(TENSORS))
def test_sparse_round_trip_is_byte_exact(pb, tmp_path, tensor):
    """SDK sparse file -> kiln (a sparse dataset) -> kiln's sparse writer:
    the same bytes, shape [784] included, though the last columns of these
    images may hold no value."""
    x, y = load("fashion_mnist")
    sdk = tmp_path / "sdk.rec"
    with open(sdk, "wb") as f:
        write_spmatrix_to_sparse_tensor(pb, f, scipy.sparse.csr_matrix(as_tensor(x, tensor)),
                                        as_tensor(y, tensor))
    ours = kiln_convert(sdk, tmp_path / "kiln.rec", "--to", "recordio-protobuf",
                        "--sparse", "--tensor", tensor, "--label-tensor", tensor)
    assert ours == sdk.read_bytes()


def test_sdk_reads_kiln_records(pb, tmp_path):
    """read_records on kiln's file gives the rows back: mixed tensor types
    for features and label, as the SDK resolves them separately."""
    x, y = load("wine")
    src = tmp_path / "train.csv"
    write_csv(src, x, y)
    out = tmp_path / "kiln.rec"
    kiln_convert(src, out, "--to", "recordio-protobuf", "--tensor", "float64",
                 "--label-tensor", "int32")
    with open(out, "rb") as f:
        records = read_records(pb, f)
    assert len(records) == len(x)
    for i, record in enumerate(records):
        assert list(record.features.keys()) == ["values"]
        assert record.features["values"].WhichOneof("value") == "float64_tensor"
        values = np.array(record.features["values"].float64_tensor.values)
        np.testing.assert_array_equal(values, x[i].astype(np.float64))
        assert list(record.label["values"].int32_tensor.values) == [int(y[i])]


# ---- kiln reads what the SDK writes -----------------------------------------


@pytest.mark.parametrize("tensor", sorted(TENSORS))
@pytest.mark.parametrize("name", DATASETS)
def test_kiln_reads_sdk_dense(pb, tmp_path, name, tensor):
    x, y = load(name)
    path = tmp_path / "sdk.rec"
    with open(path, "wb") as f:
        write_numpy_to_dense_tensor(pb, f, as_tensor(x, tensor), as_tensor(y, tensor))
    got = kiln_dump(path, "--content-type", "application/x-recordio-protobuf")
    assert got["rows"] == len(x) and got["cols"] == x.shape[1]
    assert got["sparse"] is False and got["weights"] is None
    want_x = as_tensor(x, tensor).astype(np.float32)
    assert_same_float32([dumped(r) for r in got["dense"]], want_x)
    assert_same_float32(dumped(got["labels"]), as_tensor(y, tensor).astype(np.float32))


@pytest.mark.parametrize("tensor", sorted(TENSORS))
@pytest.mark.parametrize("name", DATASETS)
def test_kiln_reads_sdk_sparse(pb, tmp_path, name, tensor):
    x, y = load(name)
    matrix = scipy.sparse.csr_matrix(as_tensor(x, tensor))
    path = tmp_path / "sdk.rec"
    with open(path, "wb") as f:
        write_spmatrix_to_sparse_tensor(pb, f, matrix, as_tensor(y, tensor))
    got = kiln_dump(path)  # detected from the magic
    assert got["sparse"] is True
    assert got["rows"] == matrix.shape[0] and got["cols"] == matrix.shape[1]
    assert got["indptr"] == matrix.indptr.tolist()
    assert got["indices"] == matrix.indices.tolist()
    assert_same_float32(dumped(got["values"]), matrix.data.astype(np.float32))
    assert_same_float32(dumped(got["labels"]), as_tensor(y, tensor).astype(np.float32))


def test_kiln_reads_float64_beyond_float32(pb, tmp_path):
    """Float64 values become the nearest float32 (beyond its range:
    infinities); NaN and infinities pass through; no labels."""
    rng = np.random.default_rng(7)
    x = rng.normal(scale=1e3, size=(50, 9))
    x[0, :4] = [1e300, -1e300, np.nan, np.inf]
    x[1, :2] = [1e-300, 0.1]
    path = tmp_path / "sdk.rec"
    with open(path, "wb") as f:
        write_numpy_to_dense_tensor(pb, f, x)
    got = kiln_dump(path)
    assert got["labels"] is None
    with np.errstate(over="ignore"):
        want = x.astype(np.float32)
    assert_same_float32([dumped(r) for r in got["dense"]], want)


def test_kiln_reads_int32_negative(pb, tmp_path):
    x = np.array([[-1, 2**31 - 1, -2**31], [0, -7, 300]], dtype=int)
    y = np.array([-3, 4], dtype=int)
    path = tmp_path / "sdk.rec"
    with open(path, "wb") as f:
        write_numpy_to_dense_tensor(pb, f, x, y)
    got = kiln_dump(path)
    assert_same_float32([dumped(r) for r in got["dense"]], x.astype(np.float32))
    assert_same_float32(dumped(got["labels"]), y.astype(np.float32))


def test_kiln_error_names_record_and_byte(pb, tmp_path):
    """A broken record after good ones: the message names the file, the
    record and its byte offset, in a plain file and in a gzip stream, past
    the first read buffers (6 MB of good records first)."""
    x, y = load("fashion_mnist")
    buf = io.BytesIO()
    write_numpy_to_dense_tensor(pb, buf, x, y)
    good = buf.getvalue()
    broken = good + struct.pack("<II", 0x12345678, 4) + b"\0" * 4
    nrec = len(x)
    want = "record %d (byte %d): bad magic 0x12345678, expected 0xced7230a" % (
        nrec + 1, len(good))
    plain = tmp_path / "train.rec"
    plain.write_bytes(broken)
    proc = datatool("dump", plain)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "DataError: %s %s" % (plain, want)
    packed = tmp_path / "train.rec.gz"
    packed.write_bytes(gzip.compress(broken))
    proc = datatool("dump", packed)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "DataError: %s %s" % (packed, want)
