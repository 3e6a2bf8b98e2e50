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


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_kernel_session_is_valgrind_clean(tmp_path):
    binary = conftest.KILN_PREFIX / "bin" / "kiln-kernel"
    log = tmp_path / "valgrind.log"
    spec_dir = tmp_path / "share" / "kernels" / "kiln-valgrind"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": ["valgrind", "--leak-check=full",
                 "--show-leak-kinds=definite,indirect",
                 "--errors-for-leak-kinds=definite,indirect",
                 "--track-origins=yes", "--log-file=%s" % log,
                 str(binary), "-f", "{connection_file}"],
        "display_name": "Kiln (valgrind)",
        "language": "kiln",
        "interrupt_mode": "signal",
    }))
    ksm = jupyter_client.kernelspec.KernelSpecManager(
        kernel_dirs=[str(tmp_path / "share" / "kernels")])
    km = jupyter_client.KernelManager(kernel_name="kiln-valgrind",
                                      kernel_spec_manager=ksm)
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
        msg_id = kc.execute("!sleep 30")
        time.sleep(2)
        km.interrupt_kernel()
        while True:
            reply = kc.get_shell_msg(timeout=60)
            if reply["parent_header"]["msg_id"] == msg_id:
                break
        assert reply["content"]["ename"] == "Interrupted"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)

    text = log.read_text()
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    assert summary, "valgrind wrote no summary (killed before exit?):\n" + text[-3000:]
    assert summary.group(1) == "0", text[-6000:]
    assert "definitely lost" not in text or "definitely lost: 0 bytes" in text, text[-6000:]
