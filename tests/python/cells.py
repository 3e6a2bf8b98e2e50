"""Running cells in a test's kernel and reading what they showed: shared
by the Python tests that drive magics (test_deploy, test_tune) and the
notebook checks."""


def run(kernel, code, timeout=300):
    """(execute_reply content, the cell's iopub messages)."""
    rep, io_ = kernel.client.execute(code, timeout=timeout)
    return rep["content"], io_


def ok(kernel, code, timeout=300):
    """The cell's iopub messages; fails with its errors unless it ran ok."""
    content, io_ = run(kernel, code, timeout)
    errors = [m["content"] for m in io_ if m["msg_type"] == "error"]
    assert content["status"] == "ok", (content, errors)
    return io_


def of(io_, kind):
    """The contents of the messages of one type ("display_data", ...)."""
    return [m["content"] for m in io_ if m["msg_type"] == kind]


def text_of(io_):
    """The cell's text: streams, and the text/plain of what it displayed
    (a line each)."""
    out = []
    for m in io_:
        c = m["content"]
        if m["msg_type"] == "stream":
            out.append(c["text"])
        elif m["msg_type"] in ("display_data", "execute_result"):
            out.append(c["data"].get("text/plain", "") + "\n")
    return "".join(out)


def metrics_table(outputs):
    """{metric: value} from %predict's metrics table (its text/plain), among
    outputs that carry "data": display_data contents or notebook outputs."""
    texts = []
    for out in outputs:
        lines = out.get("data", {}).get("text/plain", "").splitlines()
        texts.append("\n".join(lines[:3]))
        if lines and lines[0].split()[:2] == ["metric", "value"]:
            table = {}
            for line in lines[2:]:
                name, _, value = line.rstrip().rpartition(" ")
                if name.strip():
                    table[name.strip()] = float(value)
            return table
    raise AssertionError("no metrics table in %r" % "\n".join(texts)[:2000])
