"""Shared set-up for kiln's Python test suite (tests/python).

Environment (tools/check sets all three):
  KILN_PREFIX      an install prefix of kiln (meson install); the kernelspec is
                   found as $KILN_PREFIX/share/jupyter/kernels/kiln.
                   Default: build-ci/prefix if it exists, else ~/.local.
  KILN_BUILD       a meson build tree (for the C unit tests).
  KILN_ASAN_BUILD  a meson build tree configured with
                   -Db_sanitize=address,undefined; its kernel runs as the
                   kernelspec "kiln-asan" (stderr captured, reports fatal).
  KILN_TEST_KERNELS  comma-separated kernel names the protocol and fault
                   tests run against (default "kiln" plus "kiln-asan" when
                   KILN_ASAN_BUILD is set).  "python3" (Debian's ipykernel)
                   works too, which is how the harness itself is checked.

Everything Jupyter reads from $HOME is redirected to a temporary directory
before jupyter_client is used, so the user's own kernelspecs, config and
runtime files never leak into a run.
"""

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

# --- environment: must run before jupyter_client looks anything up ----------

_TMP = Path(tempfile.mkdtemp(prefix="kiln-pytest-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)


def _default_prefix():
    ci = REPO / "build-ci" / "prefix"
    if (ci / "share" / "jupyter" / "kernels" / "kiln").is_dir():
        return ci
    return Path.home() / ".local"


KILN_PREFIX = Path(os.environ.get("KILN_PREFIX") or _default_prefix()).resolve()
KILN_BUILD = os.environ.get("KILN_BUILD") or ""
KILN_ASAN_BUILD = os.environ.get("KILN_ASAN_BUILD") or ""
ASAN_LOG_DIR = _TMP / "asan-logs"
ASAN_SHARE = _TMP / "asan-share"

for sub in ("data", "runtime", "config", "ipython"):
    (_TMP / sub).mkdir()
os.environ["JUPYTER_DATA_DIR"] = str(_TMP / "data")
os.environ["JUPYTER_RUNTIME_DIR"] = str(_TMP / "runtime")
os.environ["JUPYTER_CONFIG_DIR"] = str(_TMP / "config")
os.environ["IPYTHONDIR"] = str(_TMP / "ipython")
os.environ.pop("JUPYTER_PREFER_ENV_PATH", None)
# ipykernel (the reference kernel) is noisy about debugpy and frozen modules.
os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"

ASAN_OPTIONS = (
    "halt_on_error=1:abort_on_error=1:detect_leaks=1:"
    "detect_stack_use_after_return=1:strict_string_checks=1:disable_coredump=1"
)
# fontconfig's own leak at start-up, when a chart is drawn (lsan.supp).
LSAN_OPTIONS = "suppressions=%s" % (REPO / "tests" / "plotting" / "lsan.supp")
UBSAN_OPTIONS = "halt_on_error=1:abort_on_error=1:print_stacktrace=1:disable_coredump=1"


def _write_asan_kernelspec():
    """The kernelspec "kiln-asan": the ASan build's kiln-kernel behind a
    wrapper that sends its stderr to ASAN_LOG_DIR/kernel-<pid>.log."""
    binary = Path(KILN_ASAN_BUILD).resolve() / "kernel" / "kiln-kernel"
    spec_dir = ASAN_SHARE / "kernels" / "kiln-asan"
    spec_dir.mkdir(parents=True)
    ASAN_LOG_DIR.mkdir()
    wrapper = spec_dir / "run-kernel.sh"
    # exec keeps the pid: the log is named after the kernel's own pid, and
    # jupyter_client's signals reach the kernel itself.
    wrapper.write_text(
        "#!/bin/sh\n"
        "ulimit -c 0\n"
        'exec "%s" -f "$1" 2>"%s/kernel-$$.log"\n' % (binary, ASAN_LOG_DIR)
    )
    wrapper.chmod(0o755)
    spec = {
        "argv": [str(wrapper), "{connection_file}"],
        "display_name": "Kiln (ASan+UBSan)",
        "language": "kiln",
        "interrupt_mode": "signal",
        "env": {"ASAN_OPTIONS": ASAN_OPTIONS, "UBSAN_OPTIONS": UBSAN_OPTIONS,
                "LSAN_OPTIONS": LSAN_OPTIONS},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    for logo in (KILN_PREFIX / "share" / "jupyter" / "kernels" / "kiln").glob("logo-*"):
        shutil.copy(logo, spec_dir)


HAVE_ASAN = bool(KILN_ASAN_BUILD)
if HAVE_ASAN:
    _write_asan_kernelspec()

_paths = [str(KILN_PREFIX / "share" / "jupyter")]
if HAVE_ASAN:
    _paths.append(str(ASAN_SHARE))
os.environ["JUPYTER_PATH"] = os.pathsep.join(_paths)

# Children (jupyter nbconvert, jupyter console) inherit all of the above.

_default_kernels = "kiln,kiln-asan" if HAVE_ASAN else "kiln"
TEST_KERNELS = [
    k.strip()
    for k in (os.environ.get("KILN_TEST_KERNELS") or _default_kernels).split(",")
    if k.strip()
]


# --- kernel-specific code samples ---------------------------------------------------

# The protocol and fault tests are language-neutral except for these
# snippets; "python3" is there so the harness can be checked against
# Debian's ipykernel.
SAMPLES = {
    "kiln": {
        "print": lambda text: "%%echo %s" % text,
        "error": "1 / 0",
        "error_ename": "ZeroDivisionError",
        # an error that comes late enough that later requests are queued
        "slow_error": "!sleep 0.5\n1 / 0",
        "sleep": "!sleep 30",
        "interrupted_ename": "Interrupted",
        "complete": ("%ec", "%echo"),
        "inspect": "%echo",
        "incomplete": "x = [1,",
        "invalid": "x = )",
        "define_x": "x = 6",
        "expr_ok": ("x * 7", "42"),
        "expr_bad": "no_such_variable_here",
        "result": ("6 * 7", "42"),
    },
    "python3": {
        "print": lambda text: "print(%r)" % text,
        "error": "1 / 0",
        "error_ename": "ZeroDivisionError",
        "slow_error": "import time; time.sleep(0.5); 1 / 0",
        "sleep": "import subprocess; subprocess.run(['sleep', '30'])",
        "interrupted_ename": "KeyboardInterrupt",
        "complete": ("prin", "print"),
        "inspect": "print",
        "incomplete": "x = [1,",
        "invalid": "x = )",
        "define_x": "x = 6",
        "expr_ok": ("x * 7", "42"),
        "expr_bad": "no_such_variable_here",
        "result": ("6 * 7", "42"),
    },
}


def samples_for(kernel_name):
    return SAMPLES["python3" if kernel_name.startswith("python") else "kiln"]


# --- sanitizer logs ----------------------------------------------------------------

SANITIZER_MARKERS = (
    "AddressSanitizer",
    "LeakSanitizer",
    "UndefinedBehaviorSanitizer",
    "runtime error:",
    "SUMMARY: ",
)


def asan_log(pid):
    return ASAN_LOG_DIR / ("kernel-%d.log" % pid)


def sanitizer_report(text):
    """The sanitizer report in a kernel's stderr, or "" when there is none."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if any(m in line for m in SANITIZER_MARKERS):
            return "\n".join(lines[max(0, i - 2) : i + 40])
    return ""


def check_asan_log(pid):
    """Fail if the ASan kernel with this pid reported anything."""
    path = asan_log(pid)
    assert path.exists(), "the ASan kernel's stderr log %s is missing" % path
    report = sanitizer_report(path.read_text(errors="replace"))
    assert not report, "sanitizer report from kiln-asan (pid %d):\n%s" % (pid, report)


# --- starting kernels ----------------------------------------------------------------


def free_ports(n):
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def kernel_pid(km):
    return km.provisioner.process.pid


class ManagedKernel:
    """A kernel started by jupyter_client's KernelManager, with a RawClient."""

    def __init__(self, name, cwd):
        from jupyter_client import KernelManager

        from kiln_wire import RawClient

        self.name = name
        self.km = KernelManager(kernel_name=name)
        self.km.start_kernel(cwd=str(cwd))
        self.pid = kernel_pid(self.km)
        self.client = RawClient(self.km.get_connection_info())
        self.ready = self.client.wait_ready(timeout=60)

    def alive(self):
        return self.km.is_alive()

    def stop(self):
        self.client.close()
        if self.km.has_kernel:
            if self.km.is_alive():
                self.km.shutdown_kernel(now=False)
            else:
                self.km.cleanup_resources(restart=False)
        if self.name == "kiln-asan":
            check_asan_log(self.pid)


class HandKernel:
    """A kernel started by hand from its kernelspec's argv, on a connection
    file the test writes (any transport, any key)."""

    def __init__(self, name, workdir, transport="tcp", key=None):
        from jupyter_client.kernelspec import KernelSpecManager

        from kiln_wire import RawClient, new_id

        self.name = name
        workdir = Path(workdir)
        ports = free_ports(5)
        if transport == "ipc":
            ip = str(workdir / "kiln-ipc")
        else:
            ip = "127.0.0.1"
        self.info = {
            "shell_port": ports[0],
            "iopub_port": ports[1],
            "stdin_port": ports[2],
            "control_port": ports[3],
            "hb_port": ports[4],
            "ip": ip,
            "key": new_id() if key is None else key,
            "transport": transport,
            "signature_scheme": "hmac-sha256",
            "kernel_name": name,
        }
        self.connection_file = workdir / ("kernel-%s.json" % new_id()[:8])
        self.connection_file.write_text(json.dumps(self.info))
        self.connection_file.chmod(0o600)
        spec = KernelSpecManager().get_kernel_spec(name)
        argv = [a.replace("{connection_file}", str(self.connection_file)) for a in spec.argv]
        env = dict(os.environ)
        env.update(spec.env or {})
        self.stderr_path = workdir / ("stderr-%s.log" % self.connection_file.stem)
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                argv,
                cwd=str(workdir),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,
            )
        self.pid = self.proc.pid
        self.client = RawClient(self.info)
        self.ready = self.client.wait_ready(timeout=60)

    def alive(self):
        return self.proc.poll() is None

    def stderr(self):
        return self.stderr_path.read_text(errors="replace")

    def stop(self):
        if self.alive():
            try:
                msg_id = self.client.send("control", "shutdown_request", {"restart": False})
                self.client.reply("control", msg_id, 5)
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self.client.close()
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        if self.name == "kiln-asan":
            check_asan_log(self.pid)


# --- fixtures --------------------------------------------------------------------------


@pytest.fixture(params=TEST_KERNELS)
def kernel_name(request):
    return request.param


@pytest.fixture
def samples(kernel_name):
    return samples_for(kernel_name)


@pytest.fixture
def kernel(kernel_name, tmp_path):
    """A fresh kernel (KernelManager-started) with a RawClient at .client."""
    k = ManagedKernel(kernel_name, tmp_path)
    try:
        yield k
    finally:
        k.stop()


@pytest.fixture
def hand_kernel(kernel_name, tmp_path):
    """A factory: hand_kernel(transport=..., key=...) starts a kernel by hand."""
    started = []

    def start(**kw):
        k = HandKernel(kernel_name, tmp_path, **kw)
        started.append(k)
        return k

    try:
        yield start
    finally:
        for k in started:
            k.stop()


# --- jupyter_kernel_test: a skipped test is a failed test -----------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """jupyter_kernel_test skips a test whose sample attribute is unset
    (raise SkipTest with no reason).  The issue asks for none skipped, so
    such a skip is turned into a failure.  Skips with a reason (say, no ASan
    build given) stay skips."""
    outcome = yield
    report = outcome.get_result()
    cls = getattr(item, "cls", None)
    if not (report.skipped and cls is not None):
        return
    try:
        from jupyter_kernel_test import KernelTests
    except ImportError:
        return
    if not issubclass(cls, KernelTests):
        return
    reason = ""
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        reason = report.longrepr[2]
    if reason.strip() in ("", "Skipped", "Skipped:"):
        report.outcome = "failed"
        report.longrepr = (
            "jupyter_kernel_test skipped %s: a sample attribute is missing "
            "(the suite must run with nothing skipped)" % item.name
        )


def wait_until(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
