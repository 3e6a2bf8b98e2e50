"""Debian's jupyter_kernel_test (0.4.5) against the installed kernel "kiln"
and against the ASan+UBSan build ("kiln-asan"), with every sample
attribute set, so that none of its tests is skipped (conftest.py turns such
a skip into a failure)."""

import os
import unittest
from pathlib import Path

import jupyter_kernel_test
import pytest

import conftest


class KilnKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "kiln"
    language_name = "kiln"
    file_extension = ".kiln"

    code_hello_world = "%echo hello, world"
    code_stderr = "!echo oops 1>&2"

    completion_samples = [
        {"text": "%ec", "matches": ["%echo"]},
        {"text": "%lsma", "matches": ["%lsmagic"]},
    ]
    complete_code_samples = ["1 + 1", "x = [1,\n 2]", "%echo hi"]
    incomplete_code_samples = ["x = [1,", "x = (1 +", "y = 2 \\"]
    invalid_code_samples = ["x = )", "x = (]"]

    # `name?` / `?name` answer with a pager payload
    code_page_something = "?echo"

    code_generate_error = "1 / 0"

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "'kiln'", "result": "'kiln'"},
        {"code": "7.5", "result": "7.5"},
        {"code": "[1, 2]", "result": "[1, 2]"},
        {"code": "True", "result": "True"},
    ]

    code_display_data = [
        {"code": "%%html\n<b>hi</b>", "mime": "text/html"},
        {"code": "%%markdown\n# hi", "mime": "text/markdown"},
        {"code": '%%json\n{"a": 1}', "mime": "application/json"},
    ]

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 *?"

    code_inspect_sample = "%echo"
    code_clear_output = "%clear"


class KilnAsanKernelTests(KilnKernelTests):
    """The same suite against the sanitizer build.  Its stderr goes to a log
    per kernel process; test_asan_kernel_stderr_is_clean (below, run after
    this class has shut its kernel down) reads them."""

    kernel_name = "kiln-asan"

    @classmethod
    def setUpClass(cls):
        if not conftest.HAVE_ASAN:
            raise unittest.SkipTest("kiln: KILN_ASAN_BUILD is not set")
        super().setUpClass()
        cls.asan_pid = conftest.kernel_pid(cls.km)
        KilnAsanKernelTests.pids.append(cls.asan_pid)

    pids = []


def test_asan_kernel_stderr_is_clean():
    """After KilnAsanKernelTests: its kernel exited and reported nothing.
    (pytest finishes a unittest class, tearDownClass included, before the
    next item of the module runs.)"""
    if not conftest.HAVE_ASAN:
        pytest.skip("kiln: KILN_ASAN_BUILD is not set")
    assert KilnAsanKernelTests.pids, "the ASan kernel suite did not start a kernel"
    for pid in KilnAsanKernelTests.pids:
        conftest.check_asan_log(pid)


def test_asan_kernelspec_runs_the_sanitizer_build(tmp_path):
    """kiln-asan really is the instrumented binary: its process maps the
    ASan runtime, and its sanitizer options reached it."""
    if not conftest.HAVE_ASAN:
        pytest.skip("kiln: KILN_ASAN_BUILD is not set")
    k = conftest.ManagedKernel("kiln-asan", tmp_path)
    try:
        with open("/proc/%d/maps" % k.pid) as f:
            maps = f.read()
        with open("/proc/%d/environ" % k.pid, "rb") as f:
            environ = f.read().split(b"\0")
        exe = os.readlink("/proc/%d/exe" % k.pid)
    finally:
        k.stop()
    assert exe.startswith(str(Path(conftest.KILN_ASAN_BUILD).resolve())), exe
    assert "libasan" in maps, "the kiln-asan kernel does not map libasan"
    assert ("ASAN_OPTIONS=" + conftest.ASAN_OPTIONS).encode() in environ
