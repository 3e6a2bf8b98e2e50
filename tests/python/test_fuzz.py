"""A short libFuzzer run of every fuzz target (fuzz/fuzz_*.c) on its seed
corpus, so a change that makes a parser crash, leak or trip a sanitizer on
inputs near the seeds fails the suite.  The long runs are by hand (README,
"Fuzzing").

Needs KILN_FUZZ_BUILD, a build configured with -Dfuzz=true under clang
(tools/check makes build-fuzz when clang is installed, as CI's package list
ensures)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import conftest

FUZZ_BUILD = os.environ.get("KILN_FUZZ_BUILD") or ""
TARGETS = sorted(p.stem[len("fuzz_"):] for p in (conftest.REPO / "fuzz").glob("fuzz_*.c"))
# 10 s a target: the suite runs 13 of them; longer runs are by hand.
SECONDS = int(os.environ.get("KILN_FUZZ_SECONDS") or "10")


def test_every_target_has_a_seed_corpus():
    assert TARGETS, "no fuzz targets found"
    for name in TARGETS:
        seeds = conftest.REPO / "fuzz" / "corpus" / name
        assert seeds.is_dir() and any(seeds.iterdir()), "fuzz/corpus/%s is empty" % name


@pytest.mark.skipif(not FUZZ_BUILD, reason="KILN_FUZZ_BUILD is not set (no clang build)")
@pytest.mark.parametrize("name", TARGETS)
def test_fuzz_smoke(name, tmp_path):
    binary = Path(FUZZ_BUILD) / "fuzz" / ("fuzz_" + name)
    assert binary.exists(), "%s was not built" % binary
    corpus = tmp_path / "corpus"
    shutil.copytree(conftest.REPO / "fuzz" / "corpus" / name, corpus)
    env = dict(os.environ,
               ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    proc = subprocess.run(
        [str(binary), str(corpus), "-max_total_time=%d" % SECONDS,
         "-rss_limit_mb=3072", "-timeout=10",
         "-artifact_prefix=%s/" % tmp_path],
        cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=SECONDS * 4 + 60)
    tail = proc.stderr[-4000:]
    assert proc.returncode == 0, "fuzz_%s found a problem:\n%s" % (name, tail)
    assert "Done " in proc.stderr, tail
