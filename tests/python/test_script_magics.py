"""%%script, %%bash and %%writefile: cells that are scripts or files, as
IPython's cell magics.  The oracle is the program itself: Python run
directly on the same source prints the same."""

import glob
import subprocess
import time

from cells import of, ok, run, text_of

PY = "import sys\nprint(sum(i * i for i in range(10)))\nprint('args', len(sys.argv))\n"


def test_script_runs_the_body_with_the_program(kernel):
    want = subprocess.run(["/usr/bin/python3", "-c", PY], capture_output=True,
                          text=True, check=True).stdout
    before = set(glob.glob("/tmp/kiln-script-*"))
    io_ = ok(kernel, "%%script /usr/bin/python3\n" + PY)
    assert text_of(io_) == want
    # the temporary file is gone
    assert set(glob.glob("/tmp/kiln-script-*")) <= before


def test_substitution_exit_status_and_stderr(kernel):
    ok(kernel, "n = 3")
    io_ = ok(kernel, "%%bash\nfor i in $(seq $n); do echo line $i; done\n"
                     "echo \"home=${HOME:+set}\"\necho oops >&2\nexit 4")
    out = "".join(c["text"] for c in of(io_, "stream") if c["name"] == "stdout")
    err = "".join(c["text"] for c in of(io_, "stream") if c["name"] == "stderr")
    # $n is the kernel's variable; ${HOME:+set} is left for bash
    assert out == "line 1\nline 2\nline 3\nhome=set\n", out
    assert "oops" in err and "exit status 4" in err, err


def test_writefile_writes_and_appends(kernel, tmp_path):
    path = tmp_path / "f.py"
    ok(kernel, "x = 'kiln'")
    io_ = ok(kernel, f"%%writefile {path}\nprint('$x')")
    assert path.read_text() == "print('kiln')\n"
    assert f"Writing {path}" in text_of(io_)
    ok(kernel, f"%%writefile {path} --append\nprint(2)\n")
    assert path.read_text() == "print('kiln')\nprint(2)\n"
    content, _ = run(kernel, f"%%writefile {tmp_path}/no/such/dir/f\nx")
    assert content["status"] == "error", content
    assert "cannot write" in content["evalue"] and "no/such/dir" in content["evalue"]


def test_script_needs_a_program_and_stops_on_interrupt(kernel):
    content, _ = run(kernel, "%%script\nprint(1)")
    assert content["status"] == "error" and content["ename"] == "UsageError"
    assert "PROGRAM" in content["evalue"]
    msg_id = kernel.client.send_execute(
        "%%script /usr/bin/python3\nimport time\nprint('start', flush=True)\n"
        "time.sleep(60)\n")
    time.sleep(1.5)
    t0 = time.monotonic()
    kernel.km.interrupt_kernel()
    rep = kernel.client.reply("shell", msg_id, 10.0)
    assert rep is not None, "no execute_reply after the interrupt"
    assert time.monotonic() - t0 < 3.0
    assert rep["content"]["status"] == "error", rep["content"]
    assert rep["content"]["ename"] == "Interrupted", rep["content"]
    kernel.client.iopub_until_idle(msg_id, 10)
    # the kernel goes on
    assert text_of(ok(kernel, "%echo alive")) == "alive\n"
