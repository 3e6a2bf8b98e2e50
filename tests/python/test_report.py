"""The main job, the last step of the README's first command (tools/setup):
the first lab, labs/01-builtin-algorithms.ipynb, executed headless by
`jupyter nbconvert --to html --execute` with the kiln kernel into an HTML
report whose charts are PNG images in the page and which shows no error.

Two runs, each in a temporary copy: nbconvert by hand, as a user or CI
would type it, and tools/setup itself with its first two steps (apt-get,
meson) replaced by stubs that record their arguments, so the script's own
command line, paths and checks are what is tested."""

import base64
import os
import re
import shutil
import struct
import subprocess
import zlib

import pytest

import conftest

REPO = conftest.REPO
LAB = REPO / "labs" / "01-builtin-algorithms.ipynb"
REPORT_NAME = "01-builtin-algorithms.html"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EMBEDDED_PNG = re.compile(r'<img\s[^>]*src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')


def _need_lab():
    if not LAB.is_file():
        pytest.skip("the first lab, labs/01-builtin-algorithms.ipynb, does not exist yet")


def _jupyter_env():
    """The environment conftest set up (Jupyter's own directories in a
    temporary folder), with the installed kernelspec on JUPYTER_PATH."""
    env = dict(os.environ)
    kernels = conftest.KILN_PREFIX / "share" / "jupyter"
    assert (kernels / "kernels" / "kiln" / "kernel.json").is_file(), kernels
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(kernels)] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p])
    return env


def png_size(data):
    """(width, height) of a PNG after checking it is a whole, valid one:
    the signature, every chunk's CRC, IHDR first and IEND last, and the
    IDAT stream inflating to exactly the rows IHDR describes."""
    assert data.startswith(PNG_SIGNATURE), data[:16]
    pos, chunks = len(PNG_SIGNATURE), []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert len(body) == length and zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND", [k for k, _ in chunks]
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert width > 0 and height > 0 and interlace == 0, (width, height, interlace)
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    pixels = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    # each row: a filter byte, then the row's samples
    assert len(pixels) == height * (1 + (width * channels * depth + 7) // 8), len(pixels)
    return width, height


def check_report(path):
    """The report's embedded PNG charts (bytes); fails on a missing or
    empty report, no chart, a chart that is not a real PNG, or an error
    output on the page."""
    assert path.is_file() and path.stat().st_size > 0, path
    html = path.read_text()
    pngs = [base64.b64decode(re.sub(r"\s", "", m)) for m in EMBEDDED_PNG.findall(html)]
    assert pngs, "no <img src=\"data:image/png;base64,...\"> in %s" % path
    sizes = [png_size(p) for p in pngs]
    assert any(w >= 200 and h >= 200 for w, h in sizes), sizes
    # an error output is a traceback coloured with ANSI red (the lab
    # template) or a div of class output_error (the classic one); the
    # stylesheets name both classes, so they are left out of the search
    page = re.sub(r"<style[^>]*>.*?</style>", "", html, flags=re.S)
    for marker in ("ansi-red", "output_error"):
        assert marker not in page, "%s shows an error (%s): %s" % (
            path.name, marker, page[max(0, page.find(marker) - 400):page.find(marker) + 400])
    return pngs


def test_png_check_catches_damage():
    """png_size rejects what a broken report would hold."""
    # a 1x1 RGB PNG
    raw = zlib.compress(b"\x00\xff\x00\x00")

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    good = PNG_SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) \
        + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    assert png_size(good) == (1, 1)
    for bad in (good[:-6], good.replace(raw, zlib.compress(b"\x00\xff\x00")), b"GIF89a" + good[6:]):
        with pytest.raises(Exception):
            png_size(bad)


def test_first_lab_to_html_with_nbconvert(tmp_path):
    """The first lab, from a copy of labs/, through nbconvert as a user
    types it: exit status 0, and a report with real PNG charts and no
    error."""
    _need_lab()
    labs = tmp_path / "labs"
    shutil.copytree(REPO / "labs", labs)
    out = tmp_path / "report"
    r = subprocess.run(
        ["/usr/bin/jupyter", "nbconvert", "--to", "html", "--execute",
         "--ExecutePreprocessor.kernel_name=kiln",
         "--ExecutePreprocessor.timeout=600",
         "--output-dir", str(out), str(labs / LAB.name)],
        capture_output=True, text=True, timeout=900, cwd=str(tmp_path), env=_jupyter_env(),
    )
    assert r.returncode == 0, r.stdout + r.stderr
    check_report(out / REPORT_NAME)


STUB = """#!/bin/sh
echo "{name} $*" >> "{log}"
"""


def test_setup_runs_the_first_lab(tmp_path):
    """tools/setup in a copy of the repository's tools/ and labs/, with
    apt-get, sudo and meson stubbed: it installs the listed packages, builds
    and installs into ~/.local, runs the lab in build/main-job (the copy of
    labs/ stays as it was), prints the report's path, and the report has
    real PNG charts and no error."""
    _need_lab()
    root = tmp_path / "repo"
    (root / "tools").mkdir(parents=True)
    for name in ("setup", "debian-packages.txt"):
        shutil.copy2(REPO / "tools" / name, root / "tools" / name)
    shutil.copytree(REPO / "labs", root / "labs")
    before = sorted(p.relative_to(root) for p in (root / "labs").rglob("*"))

    bin_dir, log = tmp_path / "stubs", tmp_path / "stubs.log"
    bin_dir.mkdir()
    for name in ("apt-get", "meson"):
        (bin_dir / name).write_text(STUB.format(name=name, log=log))
    (bin_dir / "sudo").write_text('#!/bin/sh\nexec "$@"\n')
    for stub in bin_dir.iterdir():
        stub.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    env = _jupyter_env()
    env.update(HOME=str(home), PATH="%s:%s" % (bin_dir, env["PATH"]))

    r = subprocess.run(["bash", str(root / "tools" / "setup")], capture_output=True,
                       text=True, timeout=900, cwd=str(tmp_path), env=env)
    assert r.returncode == 0, r.stdout + r.stderr

    calls = log.read_text().splitlines()
    prefix = home / ".local"
    assert "apt-get update" in calls, calls
    install = next(c for c in calls if c.startswith("apt-get install"))
    assert "-y" in install.split() and "meson" in install.split(), install
    assert "meson setup build --prefix %s" % prefix in calls, calls
    assert calls[-2:] == ["meson compile -C build", "meson install -C build"], calls

    report = root / "build" / "report" / REPORT_NAME
    assert re.search(r"^report:\s+%s$" % re.escape(str(report)), r.stdout, re.M), r.stdout
    check_report(report)
    assert (root / "build" / "main-job" / LAB.name).is_file()
    after = sorted(p.relative_to(root) for p in (root / "labs").rglob("*"))
    assert after == before, set(after) ^ set(before)


def test_setup_names_a_missing_lab(tmp_path):
    """Without the lab, tools/setup stops before installing anything and
    says which file it wanted."""
    root = tmp_path / "repo"
    (root / "tools").mkdir(parents=True)
    shutil.copy2(REPO / "tools" / "setup", root / "tools" / "setup")
    bin_dir, log = tmp_path / "stubs", tmp_path / "stubs.log"
    bin_dir.mkdir()
    for name in ("apt-get", "meson", "sudo"):
        (bin_dir / name).write_text(STUB.format(name=name, log=log))
        (bin_dir / name).chmod(0o755)
    env = dict(os.environ, HOME=str(tmp_path), PATH="%s:%s" % (bin_dir, os.environ["PATH"]))
    r = subprocess.run(["bash", str(root / "tools" / "setup")], capture_output=True,
                       text=True, timeout=60, env=env)
    assert r.returncode != 0
    assert "the first lab, labs/01-builtin-algorithms.ipynb, is missing" in r.stderr, r.stderr
    assert not log.exists(), log.read_text()
