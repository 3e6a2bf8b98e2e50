"""jupyter console, driven once through a pty (Debian's pexpect): it starts
kiln, runs two cells, and exits cleanly, taking the kernel down with it."""

import os

import pexpect
import psutil

import conftest


def test_jupyter_console(tmp_path):
    env = dict(os.environ)
    env["TERM"] = "dumb"
    env["COLUMNS"] = "200"
    child = pexpect.spawn(
        "/usr/bin/jupyter",
        ["console", "--kernel", os.environ.get("KILN_CONSOLE_KERNEL", "kiln"), "--simple-prompt"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 200),
    )
    log = tmp_path / "console.log"
    child.logfile_read = open(log, "w", buffering=1)
    try:
        child.expect(r"In \[1\]: ")
        kernels = [
            p for p in psutil.Process(child.pid).children(recursive=True)
        ]
        assert kernels, "jupyter console started no kernel process"

        child.sendline("6 * 7")
        child.expect(r"Out\[1\]: 42")
        child.expect(r"In \[2\]: ")

        child.sendline(os.environ.get("KILN_CONSOLE_ECHO", "%echo hi"))
        child.expect(r"\bhi\b")
        child.expect(r"In \[3\]: ")

        child.sendeof()
        child.expect(r"Do you really want to exit")
        child.sendline("y")
        child.expect(pexpect.EOF, timeout=30)
    finally:
        child.close()
        child.logfile_read.close()
    assert child.exitstatus == 0, (child.exitstatus, child.signalstatus, log.read_text())
    # the console owned the kernel: it is gone too
    assert conftest.wait_until(lambda: not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in kernels), 10), [
        (p.pid, p.name()) for p in kernels if p.is_running()
    ]
