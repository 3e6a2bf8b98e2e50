"""The C unit tests (cmocka, tests/<module>/test_*.c) as pytest items: each
meson test of the build-ci tree ($KILN_BUILD) and of the ASan+UBSan tree
($KILN_ASAN_BUILD) is one item, and the whole unit suite under valgrind
(meson test --setup valgrind) is one more."""

import os
import subprocess

import pytest

import conftest


def _tree(var, default):
    path = os.environ.get(var) or ""
    if not path and (conftest.REPO / default / "build.ninja").exists():
        path = str(conftest.REPO / default)
    return path


BUILD = _tree("KILN_BUILD", "build-ci")
ASAN_BUILD = _tree("KILN_ASAN_BUILD", "build-asan")


def _list_tests(build):
    """The meson test names of a tree, or an error string."""
    if not build:
        return []
    r = subprocess.run(
        ["meson", "test", "-C", build, "--list", "--no-rebuild"],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        return "meson test --list failed in %s:\n%s%s" % (build, r.stdout, r.stderr)
    names = []
    for line in r.stdout.splitlines():
        line = line.strip()
        if not line:
            continue
        # "project:suite / name" (or just "name" for a test without suite)
        names.append(line.split(" / ", 1)[1] if " / " in line else line)
    return names


def _params():
    params = []
    for label, build in (("ci", BUILD), ("asan", ASAN_BUILD)):
        names = _list_tests(build)
        if isinstance(names, str) or (build and not names):
            # listing failed or found nothing: one failing item says so
            params.append(pytest.param(label, build, None, id="%s-listing" % label))
            continue
        for name in names:
            params.append(pytest.param(label, build, name, id="%s-%s" % (label, name)))
    return params


def _run(build, args, env_extra=None, timeout=600):
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run(
        ["meson", "test", "-C", build, "--no-rebuild", "--print-errorlogs"] + args,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def _explain(r):
    return "exit %d\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
        r.returncode,
        r.stdout[-20000:],
        r.stderr[-5000:],
    )


@pytest.mark.parametrize("label,build,name", _params())
def test_c_unit(label, build, name):
    if name is None:
        listing = _list_tests(build)
        pytest.fail(listing if isinstance(listing, str) else "no C unit tests in %s" % build)
    env = {}
    if label == "asan":
        env = {"ASAN_OPTIONS": conftest.ASAN_OPTIONS, "UBSAN_OPTIONS": conftest.UBSAN_OPTIONS}
    r = _run(build, [name], env)
    assert r.returncode == 0, "%s (%s build) failed: %s" % (name, label, _explain(r))
    if label == "asan":
        report = conftest.sanitizer_report(r.stdout + r.stderr)
        assert not report, report


@pytest.mark.timeout(1800)
def test_c_units_under_valgrind():
    if not BUILD:
        pytest.skip("kiln: KILN_BUILD is not set")
    names = _list_tests(BUILD)
    assert names and not isinstance(names, str), names
    r = _run(BUILD, ["--setup", "valgrind", "--num-processes", "2"], timeout=1700)
    assert r.returncode == 0, "valgrind run failed: %s" % _explain(r)
    assert "Ok:" in r.stdout, r.stdout[-3000:]
