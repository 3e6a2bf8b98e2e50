"""A lab in a real browser: Debian's classic notebook server (jupyter
notebook 6.4) on loopback with the kiln kernelspec, Debian's chromium
driven headless through chromedriver (selenium), every cell run from the
page, and the rendered page checked the way a reader sees it: each chart
an <img> the browser decoded, no error output, no rate-limit notice, no
dialog.  A full-page screenshot goes to build/browser/<lab>.png.

The test is skipped only when chromium cannot start (the WebDriver session
is not created); anything else that goes wrong fails it.  The server, the
kernel it started, chromedriver and chromium are stopped whatever happens,
and the test fails if any of their processes outlive it.
"""

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request

import psutil
import pytest

import conftest

REPO = conftest.REPO
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
JUPYTER = "/usr/bin/jupyter"
TOKEN = "kiln-browser-test-token"
RUN_TIMEOUT = 600  # seconds for all of a lab's cells, with the defaults of its parameters
SHOTS = REPO / "build" / "browser"

# The pages, each run with the defaults of its `parameters` cell: the labs,
# and the training notebook (K-Means and PCA charts besides).
LABS = ["labs/01-builtin-algorithms.ipynb"]
PAGES = LABS + ["notebooks/training.ipynb"]
# The charts each page must show at least (one when not listed).
MIN_CHARTS = {"notebooks/training.ipynb": 4}


# --- the notebook server -------------------------------------------------------------


def _api(port, method, path, timeout=10):
    req = urllib.request.Request(
        "http://127.0.0.1:%d%s" % (port, path),
        method=method,
        headers={"Authorization": "token " + TOKEN},
        data=b"" if method == "POST" else None,
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        body = resp.read()
    return json.loads(body) if body else None


class NotebookServer:
    """`jupyter notebook` (classic) on 127.0.0.1, serving root, its log in
    log_path.  The environment is conftest's: temporary Jupyter dirs and a
    JUPYTER_PATH holding the kiln prefix's share/jupyter."""

    def __init__(self, root, log_path):
        self.port = conftest.free_ports(1)[0]
        self.log_path = log_path
        argv = [
            JUPYTER, "notebook",
            "--no-browser",
            "--ip=127.0.0.1",
            "--port=%d" % self.port,
            "--port-retries=0",
            "--notebook-dir=%s" % root,
            "--NotebookApp.token=%s" % TOKEN,
            "--NotebookApp.password=",
        ]
        if os.geteuid() == 0:
            argv.append("--allow-root")  # CI runs as root
        with open(log_path, "wb") as log:
            self.proc = subprocess.Popen(
                argv, cwd=str(root), env=dict(os.environ), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def log(self):
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "jupyter notebook exited:\n" + self.log()
            try:
                return _api(self.port, "GET", "/api/status")
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        raise AssertionError("jupyter notebook not answering after %ds:\n%s" % (timeout, self.log()))

    def processes(self):
        """The server and everything it started (its kernels are in
        sessions of their own, but still its children)."""
        try:
            me = psutil.Process(self.proc.pid)
            return [me] + me.children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def stop(self):
        """Kernels shut down through the REST API, then the server through
        /api/shutdown; SIGTERM and SIGKILL if either hangs."""
        if self.proc.poll() is None:
            try:
                for s in _api(self.port, "GET", "/api/sessions"):
                    _api(self.port, "DELETE", "/api/sessions/" + s["id"], timeout=30)
                _api(self.port, "POST", "/api/shutdown")
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(10)


# --- chromium --------------------------------------------------------------------------


def _start_chromium(profile, log_path):
    """A headless chromium under chromedriver, or a skip saying why it
    could not start.  --no-sandbox: CI runs as root, where chromium's
    sandbox refuses to start."""
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking",
                "--user-data-dir=%s" % profile, "--window-size=1280,1000"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(CHROMEDRIVER, log_path=str(log_path))
    try:
        driver = webdriver.Chrome(service=service, options=opts)
    except WebDriverException as e:
        if service.process is not None:
            service.stop()
        why = " ".join(str(e.msg or e).split())
        pytest.skip("chromium cannot start (%s under %s): %s" % (CHROMIUM, CHROMEDRIVER, why))
    return driver, service


def _browser_processes(service):
    """chromedriver and its descendants (chromium, its zygotes, renderers)."""
    if service.process is None:
        return []
    try:
        me = psutil.Process(service.process.pid)
        return [me] + me.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _processes_mentioning(path):
    """Processes whose command line names path: chromium's helpers (the
    crash handler forks away from chromedriver's tree) all carry its
    --user-data-dir or a folder inside it."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        if any(str(path) in a for a in (p.info["cmdline"] or ())):
            found.append(p)
    return found


def _stop_all(procs):
    """Give procs a moment to finish exiting, then kill the ones still
    there; their descriptions (empty when all had gone)."""
    def alive(p):
        try:
            return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    procs = list({p.pid: p for p in procs}.values())
    _, survivors = psutil.wait_procs([p for p in procs if alive(p)], timeout=5)
    left = []
    for p in survivors:
        try:
            if alive(p):
                left.append("%d %s" % (p.pid, " ".join(p.cmdline())[:120]))
                p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(survivors, timeout=10)
    return left


# --- the page ----------------------------------------------------------------------------


def _wait_js(driver, script, timeout, what, diagnose=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if driver.execute_script(script):
            return
        time.sleep(0.25)
    if driver.execute_script(script):
        return
    raise AssertionError("timed out after %ds waiting for %s%s"
                         % (timeout, what, ("\n" + diagnose()) if diagnose else ""))


def _wait_done(driver, timeout, diagnose):
    """Until JS_STATE says done; a dialog fails at once."""
    deadline = time.monotonic() + timeout
    while True:
        state = driver.execute_script(JS_STATE)
        if state == "done":
            return
        assert not state.startswith("dialog"), "Run All stopped by a %s\n%s" % (state, diagnose())
        assert time.monotonic() < deadline, (
            "timed out after %ds waiting for Run All to finish\n%s" % (timeout, diagnose()))
        time.sleep(0.25)


JS_LOADED = """
return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded
          && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()
          && Jupyter.notebook.kernel.info_reply
          && Jupyter.notebook.kernel.info_reply.status === 'ok'
          && !Jupyter.notebook.kernel_busy);
"""

# Where Run All is: "done" when no cell is still queued or running (the
# `*` prompt), the kernel is idle and its indicator shows it; a dialog's
# text when one is up (the kernel died or restarted: the queued cells
# would keep their `*` for ever); "running" otherwise.
JS_STATE = """
var dialogs = Array.prototype.filter.call(document.querySelectorAll('.modal'), function (m) {
    return getComputedStyle(m).display !== 'none';
});
if (dialogs.length) return 'dialog: ' + dialogs[0].innerText.replace(/\\s+/g, ' ').slice(0, 300);
var nb = Jupyter.notebook;
var running = nb.get_cells().some(function (c) {
    return c.cell_type === 'code' && c.input_prompt_number === '*';
});
var icon = document.getElementById('kernel_indicator_icon');
return (!running && !nb.kernel_busy && icon.className === 'kernel_idle_icon') ? 'done' : 'running';
"""

JS_PROGRESS = """
var cells = Jupyter.notebook.get_cells().filter(function (c) { return c.cell_type === 'code'; });
return cells.map(function (c) { return c.input_prompt_number === undefined ? null : c.input_prompt_number; });
"""

# What the page shows: per code cell its prompt and its rendered outputs.
JS_REPORT = """
var out = {cells: [], errors: [], images: [], dialogs: [], notices: [], kernel: null};
var nb = Jupyter.notebook;
out.kernel = nb.kernel ? nb.kernel.name : null;
nb.get_cells().forEach(function (c, i) {
    if (c.cell_type !== 'code') return;
    var el = c.element[0];
    out.cells.push({index: i, prompt: c.input_prompt_number === undefined ? null : c.input_prompt_number,
                    source: c.get_text().slice(0, 60)});
    el.querySelectorAll('.output_error').forEach(function (e) {
        out.errors.push({index: i, text: e.innerText.slice(0, 400)});
    });
    el.querySelectorAll('.output_subarea').forEach(function (e) {
        var t = e.innerText;
        if (/IOPub (data|message) rate exceeded|Traceback \\(most recent call last\\)/.test(t))
            out.notices.push({index: i, text: t.slice(0, 400)});
    });
    el.querySelectorAll('.output_area img').forEach(function (img) {
        out.images.push({index: i, png: img.src.indexOf('data:image/png;base64,') === 0,
                         complete: img.complete, width: img.naturalWidth,
                         height: img.naturalHeight, alt: img.alt || ''});
    });
});
document.querySelectorAll('.modal.in, .modal.show').forEach(function (m) {
    out.dialogs.push(m.innerText.slice(0, 400));
});
var kn = document.getElementById('notification_kernel');
if (kn && kn.offsetParent !== null && kn.innerText.trim()) out.notices.push({index: -1, text: kn.innerText});
return out;
"""


def _full_page_screenshot(driver, path):
    """The whole notebook, not just the viewport.  The classic page scrolls
    inside #site, whose height its resize handler sets from the window's,
    so the viewport is grown until #site has nothing left to scroll (up to
    a height chromium captures in one piece)."""
    width, height = 1280, 1000
    for _ in range(5):
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        driver.execute_script("window.dispatchEvent(new Event('resize'));")
        time.sleep(0.3)
        hidden = driver.execute_script(
            "var s = document.getElementById('site');"
            "return s.scrollHeight - s.clientHeight;")
        if hidden <= 0 or height >= 16000:
            break
        height = min(height + hidden + 40, 16000)
    driver.execute_script("document.getElementById('site').scrollTop = 0;")
    path.parent.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(path)), "no screenshot from chromium"


def _copy_lab(rel, dest):
    """The lab's folder (notebook and data) into dest; the lab's path there."""
    src = (REPO / rel).parent
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest / (REPO / rel).name


@pytest.mark.timeout(RUN_TIMEOUT + 300)
@pytest.mark.parametrize("lab", PAGES)
def test_lab_in_chromium(lab, tmp_path):
    """Run All in the classic notebook page; the charts are decoded images,
    nothing is an error; a screenshot under build/browser/."""
    assert (REPO / lab).is_file(), "%s is missing" % lab
    nb_json = json.loads((REPO / lab).read_text())
    assert nb_json["metadata"]["kernelspec"]["name"] == "kiln", nb_json["metadata"]
    root = tmp_path / "root"
    path = _copy_lab(lab, root)
    shot = SHOTS / (path.stem + ".png")
    if shot.exists():
        shot.unlink()

    profile = tmp_path / "chromium-profile"
    driver, service = _start_chromium(profile, tmp_path / "chromedriver.log")
    server = None
    watched = []
    try:
        watched += _browser_processes(service)
        server = NotebookServer(root, tmp_path / "notebook-server.log")
        server.wait_ready()
        specs = _api(server.port, "GET", "/api/kernelspecs")
        assert "kiln" in specs["kernelspecs"], (
            "the notebook server does not see the kiln kernelspec (JUPYTER_PATH=%s): %s"
            % (os.environ.get("JUPYTER_PATH"), sorted(specs["kernelspecs"])))
        argv0 = specs["kernelspecs"]["kiln"]["spec"]["argv"][0]
        assert argv0.startswith(str(conftest.KILN_PREFIX)), (argv0, conftest.KILN_PREFIX)

        driver.get("http://127.0.0.1:%d/notebooks/%s?token=%s" % (server.port, path.name, TOKEN))
        _wait_js(driver, JS_LOADED, 90, "the notebook page and its kiln kernel",
                 lambda: "server log:\n" + server.log()[-3000:])
        watched += server.processes() + _browser_processes(service)
        driver.execute_script("Jupyter.notebook.clear_all_output();"
                              "Jupyter.notebook.execute_all_cells();")
        started = time.monotonic()

        def diagnose():
            return "prompts: %s\nserver log:\n%s" % (driver.execute_script(JS_PROGRESS),
                                                    server.log()[-3000:])

        _wait_done(driver, RUN_TIMEOUT, diagnose)
        # done twice, a moment apart: no output still on its way
        time.sleep(1.0)
        _wait_done(driver, 30, diagnose)
        ran = time.monotonic() - started
        # every chart decoded before the page is judged and photographed
        _wait_js(driver, "return Array.prototype.every.call(document.querySelectorAll("
                         "'.output_area img'), function (i) { return i.complete; });",
                 30, "the images to load")
        report = driver.execute_script(JS_REPORT)
        _full_page_screenshot(driver, shot)
        console = [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]

        assert report["kernel"] == "kiln", report["kernel"]
        assert not report["dialogs"], report["dialogs"]
        assert not report["errors"], report["errors"]
        assert not report["notices"], report["notices"]
        unrun = [c for c in report["cells"] if not isinstance(c["prompt"], int)]
        assert not unrun, "cells without an execution count after Run All: %s" % unrun
        counts = [c["prompt"] for c in report["cells"]]
        assert counts == list(range(counts[0], counts[0] + len(counts))), counts
        images = report["images"]
        assert len(images) >= MIN_CHARTS.get(lab, 1), ("too few charts on the page", images)
        bad = [i for i in images if not (i["png"] and i["complete"] and i["width"] > 100
                                         and i["height"] > 100)]
        assert not bad, ("charts the browser did not decode", bad, console)
        print("%s: %d cells in %.1fs, %d charts, screenshot %s; console errors: %s"
              % (lab, len(counts), ran, len(images), shot, console or "none"))
    except BaseException:
        # the page as it was when the test gave up, if none was taken
        if not shot.exists():
            try:
                shot.parent.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(shot))
            except Exception:  # the browser itself failed: the error says so
                pass
        raise
    finally:
        watched += _browser_processes(service) + _processes_mentioning(profile)
        try:
            driver.quit()
        except Exception:  # chromium already gone: the processes are checked below
            pass
        service.stop()
        watched += _processes_mentioning(profile)
        if server is not None:
            watched += server.processes()
            server.stop()
        left = _stop_all(watched)
    assert not left, "processes left behind: %s" % left
