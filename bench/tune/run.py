#!/usr/bin/python3
"""bench/tune: a tuning job of XGBoost, kiln's %%tune (Bayesian, in the
kernel) beside scikit-learn's RandomizedSearchCV over the xgboost library
(Debian's python3-sklearn 1.2 and python3-xgboost 1.7.4), in one run, with
the same budget, the same data split and the same ranges.

Data (binary, the label 0/1):
  breast_cancer   scikit-learn's bundled load_breast_cancer (569 rows, 30
                  features), split 80/20 train/validation, stratified,
                  random_state 0: 455 and 114 rows.
  fashion_mnist   Debian's dataset-fashion-mnist, 784 features in [0, 1],
                  class 0 (T-shirt/top) against the rest: the first 10,000
                  training rows to train, the first 2,000 test rows to
                  validate.
Both sides see the same float32 values: the channels are CSV files, the
label first and no header (SageMaker's format), one file a channel
directory, written so that each field reads back as the float32 the peer
is given (breast_cancer %.9g; Fashion-MNIST bench/fashion_mnist.write_csv).

The budget: 20 training jobs, 2 at a time, each of 50 rounds of
binary:logistic with tree_method hist and max_bin 256, each on cores / 2
threads (at least 1: kiln's rule for a job of a tuning job; the peer's
estimator gets the same n_jobs in each of its 2 joblib workers), so 1
thread a job on the 2-core machine these numbers are for.  The objective:
AUC on the validation rows after the last round.
The ranges (the same on both sides; kiln's `log` is SageMaker's
Logarithmic scaling, a range without it is Linear here):
  eta               continuous(0.01, 0.5, log)   loguniform(0.01, 0.5)
  max_depth         integer(2, 10)               randint(2, 11)
  min_child_weight  continuous(0.5, 10, log)     loguniform(0.5, 10)
  subsample         continuous(0.5, 1.0)         uniform(0.5, 0.5)
  colsample_bytree  continuous(0.5, 1.0)         uniform(0.5, 0.5)
  alpha             continuous(0.001, 10, log)   loguniform(0.001, 10)
(the peer names eta learning_rate and alpha reg_alpha).

kiln: the installed kernel (--prefix, its kernelspec "kiln" found through
JUPYTER_PATH=<prefix>/share/jupyter, Jupyter's per-user directories
redirected to a temporary directory), started once with jupyter_client's
KernelManager; `%help tune` must answer without an error before anything
is timed.  Timed: one cell per data set,

  %%tune xgboost --objective validation:auc --strategy Bayesian
         --max-jobs 20 --max-parallel 2 --seed 1 --name NAME --output DIR
         --train TRAIN_DIR --validation VALID_DIR
  <the static hyperparameters and the ranges above, one a line>

from its execute_request to its status: idle on IOPub.  This includes
what SageMaker's jobs do and the peer does not: each job parses its CSV
channels, evaluates AUC on train and validation every round (SageMaker's
container always watches train), and writes its model artifact and job
record.
The best objective is BestTrainingJob.FinalHyperParameterTuningJob-
ObjectiveMetric.Value of DIR/tuning-jobs/NAME/describe.json, the counts
its TrainingJobStatusCounters.

Rescored, outside any timing: each side's best objective is the largest of
20 noisy figures (subsample and colsample_bytree draw rows and features at
random), so part of it is the luck of the draw.  To compare the
hyperparameters each search found rather than that luck, the xgboost
library trains each side's best hyperparameters (kiln's
TunedHyperParameters, the peer's best_params_) on the same split with
random_state 0..4 (2 threads) and the mean validation AUC is reported as
"rescored".  It also checks kiln's figure: kiln's best AUC should lie
within the spread of its rescored AUCs or above it (the winner's curse),
not far below.

peer: RandomizedSearchCV(XGBClassifier(n_estimators=50, tree_method="hist",
max_bin=256, n_jobs=cores / 2, random_state=0), the distributions above,
n_iter=20, n_jobs=2, scoring="roc_auc", cv=PredefinedSplit (train rows -1,
validation rows 0: one fit on train scored on validation per candidate),
refit=False, random_state=1).  Timed: fit(), the arrays in memory.  The
joblib (loky) worker pool is started and xgboost imported in it before
the first timed fit and reused by every fit (the pool's start is reported
apart), as kiln's kernel is started before its first timed cell.  On
Fashion-MNIST a worker's RSS grows past loky's 300 MB leak limit and loky
may replace it during the search (loky warns when work was waiting); the
JSON's workers_started counts the workers that are children of this
process after fit() and were not before.  A new worker's start is in the
peer's time, as it is for anyone running this search.  The best objective is
best_score_; jobs completed are the candidates with a finite score.

Reported for each data set: wall seconds of both, the ratio kiln / peer,
the best validation AUC of both and the difference, the rescored AUCs and
their difference, jobs completed.  The
issue (7, "%tune") sets no numeric target; nothing is judged met or
missed.  Prints a table and writes build/bench/tune.json (or --out).
Usage (a release build installed at the prefix is what the numbers mean):
  meson setup build-rel --buildtype=release --prefix $PWD/build-rel/prefix
  ninja -C build-rel install
  /usr/bin/python3 bench/tune/run.py [--prefix build-rel/prefix]
      [--only breast_cancer,fashion_mnist] [--out PATH]
  /usr/bin/python3 bench/tune/run.py --quick     # smoke run: breast_cancer,
                                                 # 4 jobs, 2 at a time
  /usr/bin/python3 bench/tune/run.py --peer-only # the peer alone
Exit status 0 when every data set ran on both sides (or the peer alone
with --peer-only); 1 with a message when kiln is not installed at the
prefix, `%help tune` fails, or a %%tune cell ends in an error or with no
completed job.
"""

import argparse
import json
import os
import platform
import queue
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fashion_mnist import load, write_csv  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DATASETS = ("breast_cancer", "fashion_mnist")
JOBS, PARALLEL, SEED = 20, 2, 1
QUICK_JOBS = 4
ROUNDS = 50
STATIC = (("num_round", str(ROUNDS)), ("objective", "binary:logistic"),
          ("tree_method", "hist"), ("max_bin", "256"))
# (kiln's name, scikit-learn's name, kind, low, high, log scale)
RANGES = (
    ("eta", "learning_rate", "continuous", 0.01, 0.5, True),
    ("max_depth", "max_depth", "integer", 2, 10, False),
    ("min_child_weight", "min_child_weight", "continuous", 0.5, 10.0, True),
    ("subsample", "subsample", "continuous", 0.5, 1.0, False),
    ("colsample_bytree", "colsample_bytree", "continuous", 0.5, 1.0, False),
    ("alpha", "reg_alpha", "continuous", 0.001, 10.0, True),
)
OBJECTIVE = "validation:auc"
JOB_THREADS = max(1, (os.cpu_count() or 1) // PARALLEL)
CHECK_THREADS, RESCORE_SEEDS = 2, 5


# ---- data -------------------------------------------------------------------

def load_breast_cancer_split():
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split
    x, y = load_breast_cancer(return_X_y=True)
    x = x.astype(np.float32)
    xtr, xva, ytr, yva = train_test_split(x, y, test_size=0.2, stratify=y,
                                          random_state=0)
    return xtr, ytr.astype(np.int64), xva, yva.astype(np.int64)


def load_fashion_split():
    x, y = load("train")
    xt, yt = load("t10k")
    return (x[:10000], (y[:10000] == 0).astype(np.int64),
            xt[:2000], (yt[:2000] == 0).astype(np.int64))


def write_float_csv(path, x, y):
    """label, then each float32 as %.9g (reads back as the same float32)."""
    with open(path, "w") as f:
        for label, row in zip(y, x):
            f.write("%d,%s\n" % (label, ",".join("%.9g" % v for v in row)))


def make_channels(name, work):
    """(x_train, y_train, x_valid, y_valid, train_dir, valid_dir)."""
    if name == "breast_cancer":
        xtr, ytr, xva, yva = load_breast_cancer_split()
        writer = write_float_csv
    else:
        xtr, ytr, xva, yva = load_fashion_split()
        writer = write_csv
    dirs = []
    for channel, x, y in (("train", xtr, ytr), ("validation", xva, yva)):
        d = work / name / channel
        d.mkdir(parents=True, exist_ok=True)
        writer(d / (channel + ".csv"), x, y)
        dirs.append(d)
    return xtr, ytr, xva, yva, dirs[0], dirs[1]


# ---- the peer ---------------------------------------------------------------

def peer_distributions():
    from scipy.stats import loguniform, randint, uniform
    dists = {}
    for _, name, kind, lo, hi, log in RANGES:
        if kind == "integer":
            dists[name] = randint(lo, hi + 1)
        elif log:
            dists[name] = loguniform(lo, hi)
        else:
            dists[name] = uniform(lo, hi - lo)
    return dists


def peer_estimator(**params):
    from xgboost import XGBClassifier
    base = dict(n_estimators=ROUNDS, objective="binary:logistic", tree_method="hist",
                max_bin=256, n_jobs=JOB_THREADS, random_state=0)
    base.update(params)
    return XGBClassifier(**base)


def _import_xgboost():
    import xgboost  # noqa: F401
    return os.getpid()


def start_peer_pool(parallel):
    """Starts joblib's reusable loky pool (the one RandomizedSearchCV's
    fits use) with xgboost imported in each worker; returns seconds."""
    from joblib import Parallel, delayed
    t0 = time.perf_counter()
    Parallel(n_jobs=parallel)(delayed(_import_xgboost)() for _ in range(2 * parallel))
    return time.perf_counter() - t0


def child_pids():
    """The pids of this process's children (the pool's workers among
    them), from /proc."""
    pids = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            pids.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            pass
    return pids


def peer_search(xtr, ytr, xva, yva, jobs, parallel, seed):
    from sklearn.model_selection import PredefinedSplit, RandomizedSearchCV
    x = np.concatenate([xtr, xva])
    y = np.concatenate([ytr, yva])
    fold = np.concatenate([np.full(len(xtr), -1), np.zeros(len(xva))]).astype(int)
    search = RandomizedSearchCV(peer_estimator(), peer_distributions(), n_iter=jobs,
                                n_jobs=parallel, scoring="roc_auc",
                                cv=PredefinedSplit(fold), refit=False,
                                random_state=seed)
    before = child_pids()
    t0 = time.perf_counter()
    search.fit(x, y)
    seconds = time.perf_counter() - t0
    started = len(child_pids() - before)
    scores = np.asarray(search.cv_results_["mean_test_score"], dtype=float)
    best = {k: (int(v) if isinstance(v, (int, np.integer)) else float(v))
            for k, v in search.best_params_.items()}
    return {"seconds": round(seconds, 3),
            "best_auc": round(float(search.best_score_), 6),
            "jobs": jobs, "completed": int(np.isfinite(scores).sum()),
            "workers_started": started, "best_params": best}


def rescore(xtr, ytr, xva, yva, params):
    """Validation AUCs of the xgboost library trained with params (scikit-
    learn names), CHECK_THREADS threads, random_state 0..RESCORE_SEEDS-1."""
    from sklearn.metrics import roc_auc_score
    aucs = []
    for seed in range(RESCORE_SEEDS):
        model = peer_estimator(**dict(params, n_jobs=CHECK_THREADS, random_state=seed))
        model.fit(xtr, ytr)
        aucs.append(float(roc_auc_score(yva, model.predict_proba(xva)[:, 1])))
    return {"rescored_auc": round(float(np.mean(aucs)), 6),
            "rescored_aucs": [round(a, 6) for a in aucs]}


# ---- kiln -------------------------------------------------------------------

def isolate_jupyter(prefix, tmp):
    """Only this prefix's kernelspecs and the system's; nothing from $HOME."""
    for sub in ("data", "runtime", "config", "ipython"):
        (tmp / sub).mkdir(exist_ok=True)
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    os.environ["JUPYTER_DATA_DIR"] = str(tmp / "data")
    os.environ["JUPYTER_RUNTIME_DIR"] = str(tmp / "runtime")
    os.environ["JUPYTER_CONFIG_DIR"] = str(tmp / "config")
    os.environ["IPYTHONDIR"] = str(tmp / "ipython")


class Kernel:
    """The kiln kernel through jupyter_client, one cell at a time."""

    def __init__(self, cwd):
        from jupyter_client import KernelManager
        self.km = KernelManager(kernel_name="kiln")
        self.km.start_kernel(cwd=str(cwd))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def run(self, code, timeout):
        """Executes code; returns (seconds from the execute_request to its
        idle status, the execute_reply's content, the cell's stream text,
        its error output or None).  Interrupts the kernel and raises
        RuntimeError when idle does not come within timeout seconds."""
        kc = self.kc
        t0 = time.perf_counter()
        msg_id = kc.execute(code, store_history=False, stop_on_error=True)
        deadline = t0 + timeout
        text, error, seconds = [], None, None
        while seconds is None:
            left = deadline - time.perf_counter()
            if left <= 0:
                self.km.interrupt_kernel()
                raise RuntimeError("no idle status within %.0f s for:\n%s"
                                   % (timeout, code))
            try:
                msg = kc.get_iopub_msg(timeout=min(left, 1.0))
            except queue.Empty:
                if not self.km.is_alive():
                    raise RuntimeError("the kernel died running:\n%s" % code)
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                seconds = time.perf_counter() - t0
            elif kind == "stream":
                text.append(content.get("text", ""))
            elif kind == "error":
                error = "%s: %s" % (content.get("ename"), content.get("evalue"))
        while True:
            reply = kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        return seconds, reply["content"], "".join(text), error

    def stop(self):
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=False)


def tune_cell(name, output, train_dir, valid_dir, jobs, parallel, seed):
    head = ("%%%%tune xgboost --objective %s --strategy Bayesian --max-jobs %d "
            "--max-parallel %d --seed %d --name %s --output %s --train %s "
            "--validation %s" % (OBJECTIVE, jobs, parallel, seed, name, output,
                                 train_dir, valid_dir))
    lines = [head] + ["%s = %s" % kv for kv in STATIC]
    for hp, _, kind, lo, hi, log in RANGES:
        lines.append("%s = %s(%s, %s%s)" % (hp, kind, lo, hi, ", log" if log else ""))
    return "\n".join(lines) + "\n"


def kiln_check(kernel):
    """None when `%help tune` answers without an error, else why not."""
    seconds, reply, text, error = kernel.run("%help tune", 60)
    if reply.get("status") != "ok":
        return "%%help tune: %s" % (error or reply.get("evalue") or reply.get("status"))
    return None


def kiln_tune(kernel, name, work, train_dir, valid_dir, jobs, parallel, seed, timeout):
    output = work / "kiln-output"
    tuning = "bench-" + name.replace("_", "-")
    cell = tune_cell(tuning, output, train_dir, valid_dir, jobs, parallel, seed)
    seconds, reply, text, error = kernel.run(cell, timeout)
    if reply.get("status") != "ok":
        raise RuntimeError("kiln's %%%%tune on %s ended in an error: %s\n%s"
                           % (name, error or reply.get("evalue"), text[-2000:]))
    record = output / "tuning-jobs" / tuning / "describe.json"
    try:
        d = json.loads(record.read_text())
    except (OSError, ValueError) as e:
        raise RuntimeError("kiln's %%%%tune on %s left no readable %s: %s"
                           % (name, record, e))
    best = d.get("BestTrainingJob") or {}
    metric = best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
    counters = d.get("TrainingJobStatusCounters") or {}
    if "Value" not in metric:
        raise RuntimeError("kiln's %%%%tune on %s has no best training job (status %s, "
                           "counters %s)" % (name, d.get("HyperParameterTuningJobStatus"),
                                             counters))
    return {"seconds": round(seconds, 3),
            "best_auc": round(float(metric["Value"]), 6),
            "objective_metric": metric.get("MetricName"),
            "jobs": jobs, "completed": int(counters.get("Completed", 0)),
            "status_counters": counters,
            "status": d.get("HyperParameterTuningJobStatus"),
            "best_training_job": best.get("TrainingJobName"),
            "best_params": best.get("TunedHyperParameters") or {},
            "tuning_job": tuning, "cell": cell}


def peer_params_of(tuned):
    """kiln's TunedHyperParameters (strings) in the peer's names."""
    out = {}
    for hp, name, kind, *_ in RANGES:
        if hp in tuned:
            v = float(tuned[hp])
            out[name] = int(round(v)) if kind == "integer" else v
    return out


# ---- the run ----------------------------------------------------------------

def bench_dataset(name, work, kernel, jobs, parallel, seed, timeout):
    print("%s: writing the channels ..." % name, file=sys.stderr, flush=True)
    xtr, ytr, xva, yva, train_dir, valid_dir = make_channels(name, work)
    res = {"train_rows": len(xtr), "validation_rows": len(xva),
           "features": int(xtr.shape[1]),
           "train_positive": int(ytr.sum()), "validation_positive": int(yva.sum())}
    if kernel is not None:
        print("%s: kiln %%%%tune, %d jobs, %d at a time ..." % (name, jobs, parallel),
              file=sys.stderr, flush=True)
        k = kiln_tune(kernel, name, work, train_dir, valid_dir, jobs, parallel, seed,
                      timeout)
        res["kiln"] = k
    print("%s: peer RandomizedSearchCV, %d candidates, n_jobs=%d ..."
          % (name, jobs, parallel), file=sys.stderr, flush=True)
    res["peer"] = peer_search(xtr, ytr, xva, yva, jobs, parallel, seed)
    print("%s: rescoring the best hyperparameters ..." % name, file=sys.stderr,
          flush=True)
    res["peer"].update(rescore(xtr, ytr, xva, yva, res["peer"]["best_params"]))
    if "kiln" in res:
        k, p = res["kiln"], res["peer"]
        params = peer_params_of(k["best_params"])
        if len(params) != len(RANGES):
            raise RuntimeError("kiln's best training job on %s lacks tuned "
                               "hyperparameters: %s" % (name, k["best_params"]))
        k.update(rescore(xtr, ytr, xva, yva, params))
        res["time_ratio"] = round(k["seconds"] / p["seconds"], 3)
        res["auc_difference"] = round(k["best_auc"] - p["best_auc"], 6)
        res["rescored_auc_difference"] = round(k["rescored_auc"] - p["rescored_auc"], 6)
    return res


def table(res):
    lines = []
    fmt = "%-14s %5s %9s %9s %8s  %-9s %9s %9s %9s  %s"
    lines.append(fmt % ("data", "jobs", "kiln s", "peer s", "ratio", "AUC", "kiln",
                        "peer", "diff", "completed kiln/peer"))
    for name in DATASETS:
        r = res["datasets"].get(name)
        if r is None:
            continue
        k, p = r.get("kiln"), r["peer"]
        done = "%s/%d" % (k["completed"] if k else "-", p["completed"])
        lines.append(fmt % (
            name, p["jobs"],
            "%.2f" % k["seconds"] if k else "-", "%.2f" % p["seconds"],
            "%.3fx" % r["time_ratio"] if k else "-", "best",
            "%.5f" % k["best_auc"] if k else "-", "%.5f" % p["best_auc"],
            "%+.5f" % r["auc_difference"] if k else "-", done))
        lines.append(fmt % (
            "", "", "", "", "", "rescored",
            "%.5f" % k["rescored_auc"] if k else "-", "%.5f" % p["rescored_auc"],
            "%+.5f" % r["rescored_auc_difference"] if k else "-", ""))
    lines.append("kiln: %%%%tune Bayesian, execute_request to idle; peer: "
                 "RandomizedSearchCV.fit (pool start %.2f s, apart); %d at a time, "
                 "%d thread(s) a job; AUC on validation, rescored: the xgboost "
                 "library's mean over %d seeds at each side's best hyperparameters"
                 % (res["peer_pool_start_seconds"], res["max_parallel"],
                    res["job_threads"], RESCORE_SEEDS))
    if res.get("kiln_missing"):
        lines.append("kiln not run: %s" % res["kiln_missing"])
    return "\n".join(line.rstrip() for line in lines)


def main():
    ap = argparse.ArgumentParser(description="bench/tune: kiln's %%tune beside "
                                 "RandomizedSearchCV over xgboost (see the docstring)")
    ap.add_argument("--prefix",
                    default=os.environ.get("KILN_PREFIX") or str(REPO / "build-ci" / "prefix"),
                    help="kiln's install prefix (default $KILN_PREFIX, else build-ci/prefix)")
    ap.add_argument("--only", default=",".join(DATASETS))
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: breast_cancer only, %d jobs" % QUICK_JOBS)
    ap.add_argument("--peer-only", action="store_true", help="do not start kiln")
    ap.add_argument("--jobs", type=int, default=None,
                    help="training jobs a tuning (default %d, --quick %d)"
                    % (JOBS, QUICK_JOBS))
    ap.add_argument("--timeout", type=float, default=3600,
                    help="seconds a %%%%tune cell may take")
    ap.add_argument("--out", default=str(REPO / "build" / "bench" / "tune.json"))
    ap.add_argument("--keep", action="store_true",
                    help="keep the work directory (channels, kiln's output)")
    args = ap.parse_args()
    only = ["breast_cancer"] if args.quick else [d for d in args.only.split(",") if d]
    for d in only:
        if d not in DATASETS:
            sys.exit("bench/tune: unknown data set %r (%s)" % (d, ", ".join(DATASETS)))
    jobs = args.jobs or (QUICK_JOBS if args.quick else JOBS)

    import jupyter_client
    import sklearn
    import xgboost

    prefix = Path(args.prefix).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="kiln-bench-tune-"))
    # A SIGTERM stops the run like Ctrl-C: through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    kernel = None
    res = {"jobs": jobs, "max_parallel": PARALLEL, "job_threads": JOB_THREADS,
           "seed": SEED, "rounds": ROUNDS,
           "objective": OBJECTIVE, "strategy": {"kiln": "Bayesian", "peer": "Random"},
           "static": dict(STATIC),
           "ranges": {hp: {"kind": kind, "low": lo, "high": hi,
                           "scaling": "Logarithmic" if log else "Auto (Linear)",
                           "peer_name": name}
                      for hp, name, kind, lo, hi, log in RANGES},
           "quick": args.quick, "kiln_prefix": str(prefix),
           "versions": {"xgboost": xgboost.__version__, "sklearn": sklearn.__version__,
                        "jupyter_client": jupyter_client.__version__},
           "machine": {"arch": platform.machine(), "cpus": os.cpu_count(),
                       "python": platform.python_version()},
           "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "datasets": {}}
    try:
        if args.peer_only:
            res["kiln_missing"] = "--peer-only"
        else:
            spec = prefix / "share" / "jupyter" / "kernels" / "kiln" / "kernel.json"
            if not spec.exists():
                raise RuntimeError("no kiln kernelspec at %s (meson install --prefix %s, "
                                   "or --peer-only)" % (spec, prefix))
            isolate_jupyter(prefix, tmp)
            kernel = Kernel(tmp)
            why = kiln_check(kernel)
            if why is not None:
                raise RuntimeError("kiln at %s cannot tune: %s (or --peer-only)"
                                   % (prefix, why))
        print("starting the peer's worker pool ...", file=sys.stderr, flush=True)
        res["peer_pool_start_seconds"] = round(start_peer_pool(PARALLEL), 3)
        for name in only:
            res["datasets"][name] = bench_dataset(name, tmp, kernel, jobs, PARALLEL,
                                                  SEED, args.timeout)
    except RuntimeError as e:
        sys.exit("bench/tune: %s" % e)
    finally:
        if kernel is not None:
            kernel.stop()
        if args.keep:
            print("kept: %s" % tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2) + "\n")
    print(table(res))
    print("written: %s" % out)


if __name__ == "__main__":
    main()
