"""Running a notebook the way papermill does (its Python translator and
parameterize_notebook, then nbclient with raise_on_iopub_timeout=True),
and reading what its cells showed: shared by test_notebooks.py and
test_notebook_examples.py."""

import ast
import base64
import math
import re

import nbformat
from nbclient import NotebookClient

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- papermill's Python translator (papermill/translators.py) ---------------------


def _escape(s):
    s = s.encode("unicode_escape").decode("utf-8")
    return '"{}"'.format(s.replace('"', r"\""))


def translate(val):
    if val is None:
        return "None"
    if isinstance(val, str):
        return _escape(val)
    if isinstance(val, bool):
        return repr(val)
    if isinstance(val, int):
        return str(val)
    if isinstance(val, float):
        if math.isfinite(val):
            return repr(val)
        return "float('%s')" % val
    if isinstance(val, dict):
        return "{" + ", ".join("%s: %s" % (_escape(str(k)), translate(v)) for k, v in val.items()) + "}"
    if isinstance(val, list):
        return "[" + ", ".join(translate(v) for v in val) + "]"
    return _escape(str(val))


def codify(parameters):
    content = "# Parameters\n"
    for name, val in parameters.items():
        content += "%s = %s\n" % (name, translate(val))
    return content


def parameters_of(cell_source):
    """name = literal lines of a parameters cell, as Python values."""
    params = {}
    for line in cell_source.splitlines():
        m = re.match(r"^\s*([A-Za-z_]\w*)\s*=\s*(.+?)\s*$", line)
        if not m:
            continue
        try:
            params[m.group(1)] = ast.literal_eval(m.group(2))
        except (ValueError, SyntaxError):
            continue
    return params


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def inject_parameters(nb, parameters):
    """papermill.parameterize.parameterize_notebook, for the python
    translator: a code cell tagged injected-parameters goes right after the
    first cell tagged parameters (replacing an earlier injected cell), or at
    the top when there is none."""
    newcell = nbformat.v4.new_code_cell(source=codify(parameters))
    newcell.metadata["tags"] = ["injected-parameters"]
    injected = [i for i, c in enumerate(nb.cells) if "injected-parameters" in tags(c)]
    params = [i for i, c in enumerate(nb.cells) if "parameters" in tags(c)]
    if injected:
        before = nb.cells[: injected[0]]
        after = nb.cells[injected[0] + 1 :]
    elif params:
        before = nb.cells[: params[0] + 1]
        after = nb.cells[params[0] + 1 :]
    else:
        before = []
        after = nb.cells
    nb.cells = before + [newcell] + after
    nb.metadata.setdefault("papermill", {})["parameters"] = parameters
    return nb


def execute(nb, workdir, timeout=600):
    """Run nb with the kiln kernel in workdir as papermill does; fails on
    any error output.  Returns nb."""
    client = NotebookClient(
        nb,
        kernel_name="kiln",
        timeout=timeout,
        startup_timeout=60,
        raise_on_iopub_timeout=True,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()
    assert nb.metadata["language_info"]["name"] == "kiln"
    errors = [(i, c.source[:60], o.ename, o.evalue) for i, c in enumerate(nb.cells)
              if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    nbformat.validate(nb)
    return nb


# --- what the cells showed -----------------------------------------------------------


def outputs_of(nb, start):
    """The outputs of the one code cell whose source starts with `start`."""
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(start)]
    assert len(cells) == 1, (start, [c.source[:60] for c in nb.cells if c.cell_type == "code"])
    return cells[0].outputs


def outputs_text(outputs):
    """Streams joined as a front end shows them, and the text/plain of each
    display, a line each."""
    parts = []
    for out in outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/plain", "") + "\n")
    return "".join(parts)


def charts_of(outputs):
    """{title: (PNG bytes, metadata)} of the images among outputs; the
    title is the image's text/plain twin ("<chart: ...>")."""
    found = {}
    for out in outputs:
        if "image/png" in out.get("data", {}):
            png = base64.b64decode(out.data["image/png"])
            assert png.startswith(PNG_SIGNATURE), out.data.get("text/plain")
            meta = out.metadata.get("image/png", {})
            assert meta.get("width", 0) > 0 and meta.get("height", 0) > 0, meta
            found[out.data.get("text/plain", "")] = (png, meta)
    return found
