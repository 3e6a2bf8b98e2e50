"""%split and %head through a real kernel, on real data (scikit-learn's
bundled datasets and python3-vega-datasets), checked against pandas."""

import csv
import json
from pathlib import Path

import pytest

VEGA = Path("/usr/lib/python3/dist-packages/vega_datasets/_data")


def run(kernel, code):
    rep, io = kernel.client.execute(code, timeout=60)
    return rep["content"], io


def outputs(io, kind):
    return [m["content"] for m in io if m["msg_type"] == kind]


def display_text(io):
    return "\n".join(c["data"].get("text/plain", "") for c in outputs(io, "display_data"))


def display_html(io):
    return "\n".join(c["data"].get("text/html", "") for c in outputs(io, "display_data"))


@pytest.fixture
def iris_csv(tmp_path):
    """Iris as people have it: a header, the text label last."""
    from sklearn.datasets import load_iris

    data = load_iris(as_frame=True)
    frame = data.frame.copy()
    frame["species"] = [data.target_names[t] for t in data.target]
    frame = frame.drop(columns=["target"])
    path = tmp_path / "iris.csv"
    frame.to_csv(path, index=False)
    return path, frame


def read_rows(path):
    with open(path, newline="") as f:
        return [row for row in csv.reader(f)]


def test_split_iris_csv(kernel, tmp_path, iris_csv):
    src, frame = iris_csv
    out = tmp_path / "channels"
    content, io = run(kernel, "%%split %s --label species --into %s --seed 7" % (src, out))
    assert content["status"] == "ok", content
    text = display_text(io)
    assert "150 rows under a header" in text, text
    assert "0 = setosa, 1 = versicolor, 2 = virginica" in text, text
    assert "<table" in display_html(io)

    labels = json.loads((out / "labels.json").read_text())
    assert labels["classes"] == ["setosa", "versicolor", "virginica"]
    assert labels["mapping"] == {"setosa": 0, "versicolor": 1, "virginica": 2}
    assert labels["label"] == "species" and labels["column"] == 4

    counts = {}
    seen = []
    for ch in ("train", "validation", "test"):
        rows = read_rows(out / ch / (ch + ".csv"))
        counts[ch] = len(rows)
        seen += rows
    # 0.7 / 0.15 / 0.15 of 150, rounded to add up.
    assert counts == {"train": 105, "validation": 22, "test": 23} or \
        sum(counts.values()) == 150 and counts["train"] == 105, counts
    # Every source row appears once, label first, features as written.
    want = sorted(
        [str(["setosa", "versicolor", "virginica"].index(r.species))]
        + [repr(float(v)) for v in r[:4]]
        for r in frame.itertuples(index=False)
    )
    got = sorted([row[0]] + [repr(float(v)) for v in row[1:]] for row in seen)
    assert got == want

    # The same seed gives the same bytes; another seed another order.
    again = tmp_path / "again"
    run(kernel, "%%split %s --label species --into %s --seed 7" % (src, again))
    other = tmp_path / "other"
    run(kernel, "%%split %s --label 4 --into %s --seed 8 --header" % (src, other))
    for ch in ("train", "validation", "test"):
        a = (out / ch / (ch + ".csv")).read_bytes()
        assert a == (again / ch / (ch + ".csv")).read_bytes()
    assert (out / "train" / "train.csv").read_bytes() != \
        (other / "train" / "train.csv").read_bytes()


def test_split_fractions_and_formats(kernel, tmp_path, iris_csv):
    src, frame = iris_csv
    out = tmp_path / "lib"
    content, io = run(kernel, "%%split %s --label species --into %s --train 0.8 "
                              "--validation 0.2 --format libsvm --no-shuffle" % (src, out))
    assert content["status"] == "ok", content
    assert not (out / "test").exists()
    from sklearn.datasets import load_svmlight_file

    x, y = load_svmlight_file(str(out / "train" / "train.libsvm"), zero_based=True,
                              n_features=4)
    assert x.shape == (120, 4)
    # No shuffle: the first 120 source rows, in order.
    import numpy as np

    np.testing.assert_allclose(x.toarray(), frame.iloc[:120, :4].to_numpy(), rtol=1e-6)
    assert list(y[:3]) == [0, 0, 0]

    rec = tmp_path / "rec"
    content, io = run(kernel, "%%split %s --label species --into %s "
                              "--format recordio-protobuf" % (src, rec))
    assert content["status"] == "ok", content
    data = (rec / "train" / "train.pbr").read_bytes()
    assert data[:4] == bytes([0x0a, 0x23, 0xd7, 0xce])

    content, io = run(kernel, "%%head %s --rows 3" % (rec / "train"))
    assert content["status"] == "ok", content
    text = display_text(io)
    assert "application/x-recordio-protobuf, dense, 4 features, labelled" in text, text
    assert len([l for l in text.splitlines() if l.strip()]) == 2 + 3 + 1, text


def test_split_weather_drop_and_errors(kernel, tmp_path):
    src = VEGA / "seattle-weather.csv"
    out = tmp_path / "weather"
    content, io = run(kernel, "%%split %s --label weather --into %s" % (src, out))
    assert content["status"] == "error"
    assert content["ename"] == "DataError"
    assert "column 'date' (position 0) holds text: '2012/01/01'" in content["evalue"], content

    content, io = run(kernel, "%%split %s --label weather --drop date --into %s" % (src, out))
    assert content["status"] == "ok", content
    text = display_text(io)
    assert "0 = drizzle, 1 = fog, 2 = rain, 3 = snow, 4 = sun" in text, text
    assert "4 features" in text, text
    rows = read_rows(out / "train" / "train.csv")
    assert all(len(r) == 5 for r in rows)

    content, io = run(kernel, "%%split %s --label wether --into %s" % (src, out))
    assert content["ename"] == "UsageError"
    assert "no such column" in content["evalue"] and "weather" in content["evalue"]

    content, io = run(kernel, "%%split %s --label weather --drop date --into %s "
                              "--train 0.9 --test 0.3" % (src, out))
    assert content["ename"] == "UsageError" and "add up to 1.2" in content["evalue"], content
    # The kernel is still up and keeps its state.
    content, io = run(kernel, "x = 6 * 7\nx")
    assert content["status"] == "ok"


def test_head_formats(kernel, tmp_path, iris_csv):
    src, frame = iris_csv
    content, io = run(kernel, "%%head %s" % src)
    assert content["status"] == "ok", content
    text = display_text(io)
    assert "text/csv, 5 columns, with a header row" in text, text
    assert "sepal length (cm)" in text and "setosa" in text
    html = display_html(io)
    assert html.count("<tr>") == 6, html  # header + 5 rows

    svm = tmp_path / "a.libsvm"
    svm.write_text("1 0:0.5 3:2\n0 1:1.5\n")
    content, io = run(kernel, "%%head %s --rows 10" % svm)
    assert content["status"] == "ok", content
    text = display_text(io)
    assert "text/libsvm, sparse, 4 features, labelled" in text, text
    assert "0:0.5 3:2" in text and "1:1.5" in text, text

    content, io = run(kernel, "%%head %s --rows 0" % svm)
    assert content["ename"] == "UsageError"
    content, io = run(kernel, "%%head %s" % (tmp_path / "missing.csv"))
    assert content["ename"] == "OSError" and "missing.csv" in content["evalue"]
