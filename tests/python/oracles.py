"""Independent decoders and real data shared by the algorithm tests
(tests/python/test_algo_*.py, test_xgb_*.py): an MXNet NDArray file read
from the published layout (shared/reference/builtin-algorithms.md §18),
and Fashion-MNIST from Debian's dataset-fashion-mnist IDX files."""

import gzip
import struct
from pathlib import Path

import numpy as np

MNIST = Path("/usr/share/datasets/fashion-mnist")


def ndarray_decode(b):
    """An MXNet NDArray file (section 18), strictly: the 0x112 header, V2
    dense records on cpu 0, then the names; nothing may follow.  Returns
    (names, arrays); names is [] for a list file."""
    magic, reserved, n = struct.unpack_from("<QQQ", b, 0)
    assert magic == 0x112 and reserved == 0
    at, arrays = 24, []
    dtypes = {0: np.float32, 1: np.float64, 4: np.int32, 6: np.int64}
    for _ in range(n):
        rec, stype, ndim = struct.unpack_from("<Iii", b, at)
        assert rec == 0xF993FAC9 and stype == 0
        shape = struct.unpack_from("<%dq" % ndim, b, at + 12)
        at += 12 + 8 * ndim
        dev_type, dev_id, flag = struct.unpack_from("<iii", b, at)
        assert (dev_type, dev_id) == (1, 0)
        at += 12
        dt = np.dtype(dtypes[flag]).newbyteorder("<")
        count = int(np.prod(shape))
        arrays.append(np.frombuffer(b, dt, count, at).reshape(shape).copy())
        at += count * dt.itemsize
    n_names, = struct.unpack_from("<Q", b, at)
    at += 8
    names = []
    for _ in range(n_names):
        ln, = struct.unpack_from("<Q", b, at)
        names.append(b[at + 8:at + 8 + ln].decode())
        at += 8 + ln
    assert at == len(b), "%d bytes after the names" % (len(b) - at)
    return names, arrays


def idx(path):
    """An IDX file (gzip), as a uint8 array of its shape."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion(split, rows):
    """The first `rows` images of split "train" or "t10k" as float32
    features in [0, 1], 784 a row."""
    x = idx(MNIST / ("%s-images-idx3-ubyte.gz" % split))[:rows].reshape(rows, 784)
    return (x.astype(np.float32) / np.float32(255)).astype(np.float32)


def fashion_labels(split, rows):
    return idx(MNIST / ("%s-labels-idx1-ubyte.gz" % split))[:rows]
