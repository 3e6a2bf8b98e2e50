"""The kernel process under valgrind's memcheck: a session of real cells
(every kind of line and magic, errors, an interrupt, user_expressions,
complete/inspect/history) and a clean shutdown must leave no invalid
access, no uninitialised read and no leaked block.

valgrind slows the kernel ~30x, so the session is short; it still covers
every handler.  Skipped only when valgrind is not installed."""

import json
import re
import shutil
import time

import jupyter_client
import pytest

import conftest

CELLS = [
    "6 * 7",
    "x = 'kiln'\nx",
    "%echo hello $x",
    "1 / 0",
    "!echo out; echo err 1>&2; exit 3",
    "%%html\n<b>hi</b>",
    '%%json\n{"a": [1, 2]}',
    "%%json\n{bad",
    "%who",
    "?echo",
    "%help",
    "%lsmagic",
    "[1, 2.5, None, True, {'k': -1e-7}]",
    "%clear",
    "%nosuch",
    "y = (1 +\n 2)\ny ** 30",
    "'é' * 3",
    "float('nan')",
]


def valgrind_kernel(tmp_path):
    """A KernelManager whose kernel runs under valgrind, and its log."""
    binary = conftest.KILN_PREFIX / "bin" / "kiln-kernel"
    log = tmp_path / "valgrind.log"
    spec_dir = tmp_path / "share" / "kernels" / "kiln-valgrind"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": ["valgrind", "--leak-check=full",
                 "--show-leak-kinds=definite,indirect",
                 "--errors-for-leak-kinds=definite,indirect",
                 "--track-origins=yes", "--log-file=%s" % log,
                 "--suppressions=%s" % (conftest.REPO / "tests" / "plotting"
                                        / "fontconfig.supp"),
                 str(binary), "-f", "{connection_file}"],
        "display_name": "Kiln (valgrind)",
        "language": "kiln",
        "interrupt_mode": "signal",
    }))
    ksm = jupyter_client.kernelspec.KernelSpecManager(
        kernel_dirs=[str(tmp_path / "share" / "kernels")])
    return jupyter_client.KernelManager(kernel_name="kiln-valgrind",
                                        kernel_spec_manager=ksm), log


def interrupted(km, kc, code, after):
    """Execute code, interrupt the kernel `after` seconds later, and return
    the execute_reply's content."""
    msg_id = kc.execute(code)
    time.sleep(after)
    km.interrupt_kernel()
    while True:
        reply = kc.get_shell_msg(timeout=120)
        if reply["parent_header"]["msg_id"] == msg_id:
            return reply["content"]


def check_log(log):
    """No error and no definite or indirect leak in valgrind's log."""
    text = log.read_text()
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    assert summary, "valgrind wrote no summary (killed before exit?):\n" + text[-3000:]
    assert summary.group(1) == "0", text[-6000:]
    assert "definitely lost" not in text or "definitely lost: 0 bytes" in text, text[-6000:]


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_kernel_session_is_valgrind_clean(tmp_path):
    km, log = valgrind_kernel(tmp_path)
    km.start_kernel(cwd=str(tmp_path))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        statuses = []
        for code in CELLS:
            reply = kc.execute_interactive(code, timeout=60,
                                           output_hook=lambda m: None)
            statuses.append(reply["content"]["status"])
        assert statuses.count("error") == 3  # 1 / 0, %%json {bad, %nosuch
        reply = kc.execute_interactive(
            "x", user_expressions={"a": "x * 2", "b": "nope"}, timeout=60,
            output_hook=lambda m: None)
        exprs = reply["content"]["user_expressions"]
        assert exprs["a"]["data"]["text/plain"] == "'kilnkiln'"
        assert exprs["b"]["status"] == "error"
        for request in (lambda: kc.complete("%ec"),
                        lambda: kc.inspect("%echo"),
                        lambda: kc.history(hist_access_type="search",
                                           pattern="*", unique=True, n=3)):
            msg_id = request()
            while kc.get_shell_msg(timeout=60)["parent_header"]["msg_id"] != msg_id:
                pass
        assert interrupted(km, kc, "!sleep 30", 2)["ename"] == "Interrupted"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)

    check_log(log)


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_endpoints_are_valgrind_clean(tmp_path):
    """Training, an endpoint answering HTTP (its threads), %predict over
    HTTP (libcurl), a bad request, %transform, and a shutdown with the
    endpoint still running."""
    import http.client

    import numpy as np
    rows = np.loadtxt("/usr/lib/python3/dist-packages/sklearn/datasets/data/"
                      "breast_cancer.csv", delimiter=",", skiprows=1)[:120]
    (tmp_path / "bc").mkdir()
    np.savetxt(tmp_path / "bc" / "train.csv",
               np.column_stack([rows[:, -1], rows[:, :-1]]), delimiter=",",
               fmt="%.10g")
    np.savetxt(tmp_path / "x.csv", rows[:5, :-1], delimiter=",", fmt="%.10g")
    km, log = valgrind_kernel(tmp_path)
    km.start_kernel(cwd=str(tmp_path))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)

        def ok(code):
            reply = kc.execute_interactive(code, timeout=120,
                                           output_hook=lambda m: None)
            assert reply["content"]["status"] == "ok", reply["content"]

        ok("%train xgboost --train bc --name vg num_round=3 max_depth=2")
        ok("%deploy vg --port 0 --workers 2")
        ok("%predict vg --data bc --rows 2")
        ok("%transform vg --data x.csv --output pred --name vg-t")
        port = None
        for p in range(8080, 8180):
            try:
                c = http.client.HTTPConnection("127.0.0.1", p, timeout=60)
                c.request("GET", "/ping")
                if c.getresponse().status == 200:
                    port = p
                    break
            except OSError:
                continue
        assert port is not None
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("POST", "/invocations", body="1,2\n",
                  headers={"Content-Type": "text/csv"})
        assert c.getresponse().status == 400
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    check_log(log)


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_tuning_is_valgrind_clean(tmp_path):
    """Tuning jobs: parallel training jobs on their threads, the Bayesian
    surrogate (LAPACKE), early stopping, Hyperband, a warm start reading the
    parent's record, %describe and %jobs of tuning jobs, a bad definition,
    and an interrupt stopping a tuning job."""
    import numpy as np
    rows = np.loadtxt("/usr/lib/python3/dist-packages/sklearn/datasets/data/"
                      "breast_cancer.csv", delimiter=",", skiprows=1)[:150]
    for name, part in (("tr", rows[:100]), ("va", rows[100:])):
        (tmp_path / name).mkdir()
        np.savetxt(tmp_path / name / "data.csv",
                   np.column_stack([part[:, -1], part[:, :-1]]), delimiter=",",
                   fmt="%.10g")
    km, log = valgrind_kernel(tmp_path)
    km.start_kernel(cwd=str(tmp_path))
    kc = km.client()
    kc.start_channels()
    channels = "--train tr --validation va"
    try:
        kc.wait_for_ready(timeout=120)

        def run(code):
            return kc.execute_interactive(code, timeout=300,
                                          output_hook=lambda m: None)["content"]

        assert run("%%tune xgboost --objective validation:logloss --max-jobs 4 "
                   "--max-parallel 2 --early-stopping Auto --seed 1 --name p1 "
                   + channels + "\nnum_round = 4\n"
                   "eta = continuous(0.01, 0.5, log)\n"
                   "max_depth = integer(1, 3)\n")["status"] == "ok"
        assert run("%%tune xgboost --objective validation:logloss --max-jobs 2 "
                   "--seed 2 --name c1 --warm-start p1 " + channels +
                   "\nnum_round = 4\neta = continuous(0.01, 0.5, log)\n"
                   "max_depth = integer(1, 3)\n")["status"] == "ok"
        assert run("%%tune xgboost --objective validation:logloss --strategy "
                   "Hyperband --max-jobs 3 --max-parallel 2 --seed 3 --name h1 "
                   + channels + "\nnum_round = 9\n"
                   "max_depth = categorical(1, 2, 3)\n")["status"] == "ok"
        assert run("%describe c1")["status"] == "ok"
        assert run("%jobs")["status"] == "ok"
        bad = run("%%tune xgboost --objective validation:nope --max-jobs 2 "
                  + channels + "\neta = continuous(0.5, 0.1)\n")
        assert bad["status"] == "error"
        reply = interrupted(km, kc, "%%tune xgboost --objective validation:logloss "
                            "--strategy Random --max-jobs 50 --max-parallel 2 "
                            "--name i1 " + channels + "\nnum_round = 5000\n"
                            "eta = continuous(0.001, 0.01)\n", 20)
        assert reply["ename"] == "Interrupted"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    check_log(log)
