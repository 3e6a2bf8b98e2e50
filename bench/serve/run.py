#!/usr/bin/python3
"""bench/serve: single-row real-time inference over HTTP, kiln's endpoint
(platform/kiln-serve) beside the serving stack of SageMaker's XGBoost
container (1.7-1, algorithm mode; bench/serve/peer.py), in one run, one
after the other, on the same model, the same request and the same load.

The model: a 100-tree binary XGBoost model (binary:logistic, max_depth 6,
eta 0.3, tree_method hist, max_bin 256) trained here with the xgboost
library (Debian's 1.7.4, the version SageMaker's 1.7-1 image runs) on the
first 10,000 Fashion-MNIST training rows (Debian's dataset-fashion-mnist,
784 features in [0, 1]), class 0 (T-shirt/top) against the rest.  It is
saved as `xgboost-model` in a fresh model directory, as JSON: xgboost 1.7
writes JSON only to a name ending in .json (a bare name gets the legacy
binary format, which is what SageMaker 1.7-1's training writes; kiln loads
both), so it is saved as xgboost-model.json and renamed.

The servers, both with 2 worker processes, on 127.0.0.1, free ports:
  peer  gunicorn with peer.py's Flask app, as the container starts it
        (`-k gevent`, --worker-connections 1000 x workers, --keep-alive 2,
        --timeout 60, OMP_NUM_THREADS=1, the booster at nthread=1), without
        the container's nginx in front (a proxy hop and its own CPU; see
        the peer's tail below).  The
        worker class is gevent when Debian's python3-gevent is installed;
        without it gunicorn's sync workers are used (they close the
        connection after every response) and the table and JSON say so.
  kiln  `<build>/platform/kiln-serve --model-dir DIR --port PORT --workers 2
        --algorithm xgboost` (--kiln-serve PATH to use another binary).  If
        it is missing the peer is still measured and kiln is reported as
        not run.
  plain the same app run as one would by hand: gunicorn's default sync
        workers and no OMP_NUM_THREADS (xgboost's OpenMP threads at their
        default).  The issue's "about 86 requests/s" matches this stack,
        not the container's (which sets OMP_NUM_THREADS=1 and gevent
        workers and is an order of magnitude faster here); both are
        measured, and the targets are judged against each.
Both must answer GET /ping with 200 before anything is sent.  Before
timing, the first 20 test rows are POSTed one at a time to each server
(text/csv, one row per request); the scores, one per line, must agree with
each other, and with Booster.predict in this process, to 1e-5.

The load: wrk (Debian's 4.1.0), 2 threads, --connections (default 16)
keep-alive connections, each sending POST /invocations, Content-Type
text/csv, the first test row as its body (bench/serve/post.lua; the same
bytes to both servers), for a 2 s warm-up (discarded) and then --duration
seconds (default 10) with --latency.  Read from wrk's report: requests/s,
the latency distribution's 50% and 99%, non-2xx/3xx responses (any makes
the run fail) and socket errors (connect, read, write, timeout; reported).
wrk runs on the same machine as the server it loads, so both share its
cores with wrk's 2 threads.  The peer's tail: wrk's keep-alive connections
reach gunicorn directly, and a gevent worker whose CPU-bound handler never
yields goes on serving a connection whose next request is already there
while its other connections wait, so the peer's p50 is short and its p99
long.  In the container nginx opens a new upstream connection for every
request (its upstream has no keepalive), which evens the wait out at some
cost in requests/s.

Targets (issue: real-time endpoints): kiln >= 100x the peer's requests/s,
and kiln's p99 <= 2 ms.  Prints a table, writes <build>/bench/serve.json.
Usage (a release build is what the numbers mean):
  meson setup build-rel --buildtype=release -Dtests=disabled
  ninja -C build-rel
  /usr/bin/python3 bench/serve/run.py --build build-rel [--duration 10]
      [--connections 16] [--kiln-serve PATH]
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fashion_mnist import load  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ROWS, ROUNDS = 10000, 100
PARAMS = {"objective": "binary:logistic", "tree_method": "hist", "max_bin": 256,
          "max_depth": 6, "eta": 0.3, "nthread": 2}
WORKERS, WRK_THREADS, CHECK_ROWS, TOLERANCE = 2, 2, 20, 1e-5
TARGET_RATIO, TARGET_P99_MS = 100.0, 2.0


def csv_row(x):
    """One row as bench/fashion_mnist.write_csv writes it: %.6g of the
    pixel / 255, zeros as "0" (reads back as the same float32)."""
    px = np.rint(x * 255.0).astype(np.int64)
    return ",".join("0" if v == 0 else "%.6g" % (v / 255.0) for v in px)


def train_model(model_dir):
    """Trains the binary model; saves it as model_dir/xgboost-model (JSON)."""
    import xgboost as xgb
    x, y = load("train")
    xt, _ = load("t10k")
    t0 = time.perf_counter()
    d = xgb.DMatrix(x[:ROWS], label=(y[:ROWS] == 0).astype(np.float32), nthread=2)
    booster = xgb.train(PARAMS, d, num_boost_round=ROUNDS)
    seconds = time.perf_counter() - t0
    tmp = model_dir / "xgboost-model.json"
    booster.save_model(str(tmp))
    tmp.rename(model_dir / "xgboost-model")
    rows = [csv_row(r) for r in xt[:CHECK_ROWS]]
    # The scores of the rows as the servers will parse them (the CSV text).
    parsed = np.array([[float(v) for v in r.split(",")] for r in rows])
    booster.set_param({"nthread": 1})
    expected = booster.predict(xgb.DMatrix(parsed))
    return rows, expected, seconds, xgb.__version__


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process in its own process group, its output to a log."""

    def __init__(self, name, cmd, port, log, env=None, cwd=None):
        self.name, self.port, self.log = name, port, log
        self.url = "http://127.0.0.1:%d" % port
        self.logf = open(log, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                                     start_new_session=True)

    def wait_ready(self, timeout=60.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %d before answering /ping; its log "
                                   "(%s):\n%s" % (self.name, self.proc.returncode,
                                                  self.log, self.log_tail()))
            try:
                with urllib.request.urlopen(self.url + "/ping", timeout=1) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError("%s did not answer /ping within %.0f s; its log (%s):\n%s"
                           % (self.name, timeout, self.log, self.log_tail()))

    def log_tail(self, n=30):
        self.logf.flush()
        try:
            return "\n".join(Path(self.log).read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self):
        """SIGTERM to the process group (gunicorn stops its workers
        gracefully; wrk is done by then, so nothing is in flight), SIGKILL
        after 10 s."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        else:
            # The leader is gone; workers left in its group go too.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.logf.close()


def gevent_available():
    r = subprocess.run([sys.executable, "-c", "import gevent"], capture_output=True)
    return r.returncode == 0


def start_peer(model_dir, log, plain=False):
    """The container's stack; plain: the same app as one would run it by
    hand, gunicorn's default sync workers and OpenMP's default threads."""
    port = free_port()
    wclass = "gevent" if gevent_available() and not plain else "sync"
    gunicorn = shutil.which("gunicorn") or "/usr/bin/gunicorn"
    cmd = [gunicorn, "-k", wclass, "-w", str(WORKERS),
           "--worker-connections", str(1000 * WORKERS), "--keep-alive", "2",
           "--timeout", "60", "--log-level", "info",
           "-b", "127.0.0.1:%d" % port, "--chdir", str(HERE), "peer:app"]
    env = dict(os.environ, SM_MODEL_DIR=str(model_dir))
    if plain:
        env.pop("OMP_NUM_THREADS", None)
    else:
        env["OMP_NUM_THREADS"] = "1"
    server = Server("plain" if plain else "peer", cmd, port, log, env=env)
    server.worker_class = wclass
    return server


def start_kiln(binary, model_dir, log):
    port = free_port()
    cmd = [str(binary), "--model-dir", str(model_dir), "--port", str(port),
           "--workers", str(WORKERS), "--algorithm", "xgboost"]
    server = Server("kiln", cmd, port, log)
    server.worker_class = None
    return server


def invoke(url, body):
    req = urllib.request.Request(url + "/invocations", data=body.encode(), method="POST",
                                 headers={"Content-Type": "text/csv"})
    with urllib.request.urlopen(req, timeout=10) as r:
        if r.status != 200:
            raise RuntimeError("%s/invocations answered %d" % (url, r.status))
        text = r.read().decode()
    return [float(v) for v in text.split("\n") if v.strip()]


def check_scores(server, rows, expected):
    """POSTs each row alone; returns the scores (one per row)."""
    got = []
    for i, row in enumerate(rows):
        scores = invoke(server.url, row)
        if len(scores) != 1:
            raise RuntimeError("%s answered %d scores for row %d, not 1"
                               % (server.name, len(scores), i))
        got.append(scores[0])
    got = np.array(got)
    diff = float(np.max(np.abs(got - expected)))
    if diff > TOLERANCE:
        raise RuntimeError("%s's scores differ from xgboost's by %.3g (> %g): %s vs %s"
                           % (server.name, diff, TOLERANCE, got[:5], expected[:5]))
    return got, diff


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def to_ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text)
    if not m:
        raise ValueError("unreadable wrk latency %r" % text)
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(out):
    def find(pattern, default=None):
        m = re.search(pattern, out, re.M)
        if m is None and default is None:
            raise RuntimeError("wrk's report has no %r:\n%s" % (pattern, out))
        return m.groups() if m else default
    rps = float(find(r"^Requests/sec:\s+([0-9.]+)")[0])
    requests = int(find(r"^\s+(\d+) requests in ")[0])
    p50 = to_ms(find(r"^\s+50%\s+(\S+)")[0])
    p99 = to_ms(find(r"^\s+99%\s+(\S+)")[0])
    sock = find(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                ("0", "0", "0", "0"))
    non2xx = int(find(r"Non-2xx or 3xx responses: (\d+)", ("0",))[0])
    return {"requests_per_second": rps, "requests": requests,
            "p50_ms": round(p50, 4), "p99_ms": round(p99, 4),
            "non_2xx": non2xx,
            "socket_errors": dict(zip(("connect", "read", "write", "timeout"),
                                      map(int, sock)))}


def run_wrk(url, body_file, connections, seconds, latency):
    cmd = ["wrk", "-t", str(WRK_THREADS), "-c", str(connections), "-d", "%ds" % seconds,
           "--timeout", "5s", "-s", str(HERE / "post.lua")]
    if latency:
        cmd.append("--latency")
    cmd += [url + "/invocations", "--", str(body_file)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("wrk failed (%d): %s%s" % (r.returncode, r.stdout, r.stderr))
    return r.stdout


def measure(server, body_file, args):
    run_wrk(server.url, body_file, args.connections, args.warmup, False)
    out = run_wrk(server.url, body_file, args.connections, args.duration, True)
    res = parse_wrk(out)
    res["wrk_report"] = out
    if res["non_2xx"]:
        raise RuntimeError("%s answered %d non-2xx responses under load; its log (%s):\n%s"
                           % (server.name, res["non_2xx"], server.log, server.log_tail()))
    if server.proc.poll() is not None:
        raise RuntimeError("%s exited during the load; its log (%s):\n%s"
                           % (server.name, server.log, server.log_tail()))
    return res


def table(res):
    lines = []
    fmt = "%-6s %-20s %6s %12s %10s %10s %8s %10s"
    lines.append(fmt % ("server", "workers", "conns", "requests/s", "p50 ms", "p99 ms",
                        "non-2xx", "sock errs"))
    for name in ("peer", "plain", "kiln"):
        r = res.get(name)
        if r is None:
            lines.append("%-6s not run: %s" % (name, res.get("kiln_missing", "")))
            continue
        workers = "%d" % r["workers"] + (" (%s)" % r["worker_class"] if r.get("worker_class")
                                         else "")
        lines.append(fmt % (name, workers, r["connections"],
                            "%.1f" % r["requests_per_second"], "%.3f" % r["p50_ms"],
                            "%.3f" % r["p99_ms"], r["non_2xx"],
                            sum(r["socket_errors"].values())))
    if res.get("throughput_ratio") is not None:
        lines.append("ratio kiln/peer: requests/s %.2fx, p50 %.3fx, p99 %.3fx"
                     % (res["throughput_ratio"], res["p50_ratio"], res["p99_ratio"]))
    if res.get("throughput_ratio_plain") is not None:
        lines.append("ratio kiln/plain: requests/s %.2fx (target %s)"
                     % (res["throughput_ratio_plain"], res["targets"]["throughput_plain"]))
    t = res["targets"]
    lines.append("targets: kiln >= %.0fx the peer's requests/s: %s; kiln p99 <= %g ms: %s"
                 % (TARGET_RATIO, t["throughput"], TARGET_P99_MS, t["p99"]))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    default_build = REPO / "build-ci" if (REPO / "build-ci" / "build.ninja").exists() \
        else REPO / "build"
    ap.add_argument("--build", default=os.environ.get("KILN_BUILD") or str(default_build))
    ap.add_argument("--kiln-serve", default=None,
                    help="the kiln-serve binary (default <build>/platform/kiln-serve)")
    ap.add_argument("--duration", type=int, default=10, help="seconds measured per server")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per server")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    build = Path(args.build).resolve()
    kiln_bin = Path(args.kiln_serve) if args.kiln_serve else build / "platform" / "kiln-serve"
    for tool in ("wrk", "gunicorn"):
        if shutil.which(tool) is None:
            sys.exit("%s is not installed (tools/debian-packages.txt)" % tool)
    work = build / "bench" / "serve"
    work.mkdir(parents=True, exist_ok=True)

    # A SIGTERM stops the run like Ctrl-C: through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    servers = []
    model_dir = Path(tempfile.mkdtemp(prefix="kiln-serve-bench-"))
    try:
        rows, expected, train_s, xgb_version = train_model(model_dir)
        body_file = work / "row.csv"
        body_file.write_text(rows[0] + "\n")
        res = {"model": {"trees": ROUNDS, "rows": ROWS, "features": 784,
                         "params": PARAMS, "file": "xgboost-model (JSON)",
                         "train_seconds": round(train_s, 3)},
               "xgboost_version": xgb_version, "cores": os.cpu_count(),
               "wrk": {"threads": WRK_THREADS, "connections": args.connections,
                       "duration_s": args.duration, "warmup_s": args.warmup},
               "request": {"content_type": "text/csv", "bytes": len(rows[0]) + 1,
                           "row": "first Fashion-MNIST test row"},
               "check": {"rows": CHECK_ROWS, "tolerance": TOLERANCE}}

        run = [("peer", lambda: start_peer(model_dir, work / "peer.log")),
               ("plain", lambda: start_peer(model_dir, work / "plain.log", plain=True))]
        if kiln_bin.exists():
            run.append(("kiln", lambda: start_kiln(kiln_bin, model_dir, work / "kiln.log")))
        else:
            res["kiln_missing"] = "%s does not exist" % kiln_bin
            print("kiln-serve not found at %s (build it, or pass --kiln-serve PATH): "
                  "measuring the peer alone" % kiln_bin, file=sys.stderr)

        # Both servers up and answering the same scores before any timing.
        started = []
        for name, start in run:
            s = start()
            servers.append(s)
            s.wait_ready()
            started.append(s)
        scores = {}
        for s in started:
            got, diff = check_scores(s, rows, expected)
            scores[s.name] = got
            res["check"][s.name + "_max_abs_diff_vs_xgboost"] = diff
        if "kiln" in scores:
            d = float(np.max(np.abs(scores["kiln"] - scores["peer"])))
            res["check"]["kiln_vs_peer_max_abs_diff"] = d
            if d > TOLERANCE:
                raise RuntimeError("kiln's and the peer's scores differ by %.3g" % d)

        for s in started:
            print("measuring %s (%s): %d s warm-up, %d s timed, %d connections"
                  % (s.name, s.url, args.warmup, args.duration, args.connections),
                  file=sys.stderr)
            r = measure(s, body_file, args)
            r.update(workers=WORKERS, connections=args.connections,
                     worker_class=s.worker_class)
            if s.name in ("peer", "plain"):
                r["stack"] = ("gunicorn %s workers + Flask (bench/serve/peer.py), no nginx%s"
                              % (s.worker_class, ", OpenMP's default threads"
                                 if s.name == "plain" else ", OMP_NUM_THREADS=1"))
            res[s.name] = r

        peer, kiln = res.get("peer"), res.get("kiln")
        targets = {"throughput": "not measured", "p99": "not measured"}
        if kiln is not None:
            res["throughput_ratio"] = round(kiln["requests_per_second"]
                                            / peer["requests_per_second"], 2)
            res["p50_ratio"] = round(kiln["p50_ms"] / peer["p50_ms"], 4)
            res["p99_ratio"] = round(kiln["p99_ms"] / peer["p99_ms"], 4)
            targets["throughput"] = "met" if res["throughput_ratio"] >= TARGET_RATIO \
                else "MISSED"
            targets["p99"] = "met" if kiln["p99_ms"] <= TARGET_P99_MS else "MISSED"
            if res.get("plain") is not None:
                res["throughput_ratio_plain"] = round(
                    kiln["requests_per_second"] / res["plain"]["requests_per_second"], 2)
                targets["throughput_plain"] = "met" \
                    if res["throughput_ratio_plain"] >= TARGET_RATIO else "MISSED"
        res["targets"] = targets
    except (RuntimeError, OSError) as e:
        sys.exit("bench/serve: %s" % e)
    finally:
        for s in reversed(servers):
            s.stop()
        shutil.rmtree(model_dir, ignore_errors=True)

    out = Path(args.out) if args.out else build / "bench" / "serve.json"
    out.write_text(json.dumps(res, indent=2) + "\n")
    print(table(res))
    print("written: %s" % out)


if __name__ == "__main__":
    main()
