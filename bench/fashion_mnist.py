"""Fashion-MNIST for the benchmarks (bench/algos, bench/xgboost), from
Debian's dataset-fashion-mnist IDX files: the images as float32 features
in [0, 1], and a CSV writer whose text reads back as those floats."""

import gzip
from pathlib import Path

import numpy as np

MNIST = Path("/usr/share/datasets/fashion-mnist")


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split):
    """Split "train" or "t10k": (x float32 n x 784 in [0, 1], y int64)."""
    x = idx(MNIST / f"{split}-images-idx3-ubyte.gz").reshape(-1, 784)
    y = idx(MNIST / f"{split}-labels-idx1-ubyte.gz")
    return x.astype(np.float32) / np.float32(255.0), y.astype(np.int64)


def write_csv(path, x, y=None):
    """label first (if any), features as %.6g of v/255, zeros as "0": the
    text of each pixel value reads back as the same float32 as x holds.
    An existing file is kept (the data does not change between runs)."""
    if path.exists():
        return
    text = np.array(["0" if v == 0 else "%.6g" % (v / 255.0) for v in range(256)])
    pixels = np.rint(x * 255.0).astype(np.int64)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        for start in range(0, len(x), 5000):
            rows = text[pixels[start:start + 5000]]
            if y is None:
                f.write("\n".join(",".join(r) for r in rows) + "\n")
            else:
                f.write("\n".join(str(int(l)) + "," + ",".join(r)
                                  for l, r in zip(y[start:start + 5000], rows)) + "\n")
    tmp.rename(path)
