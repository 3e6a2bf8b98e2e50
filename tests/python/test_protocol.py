"""The Jupyter messaging protocol, request by request (protocol reference
§0-§2), checked on raw frames: status around every request, parents,
headers, the execute flow and its counters, abort on error, completion,
history, comms, shutdown, restart and both kinds of interrupt."""

import time

import psutil
import pytest

from conftest import ManagedKernel, check_asan_log, samples_for, wait_until
from kiln_wire import RawClient, check_header


def statuses(io):
    return [m["content"]["execution_state"] for m in io if m["msg_type"] == "status"]


def assert_busy_idle(io, msg_id):
    """io (the IOPub messages of one request) is busy ... idle, all with the
    request as parent."""
    assert io, "no IOPub message for the request"
    assert io[0]["msg_type"] == "status" and io[0]["content"]["execution_state"] == "busy", (
        "first IOPub message is %s %s, not status busy" % (io[0]["msg_type"], io[0]["content"])
    )
    assert io[-1]["msg_type"] == "status" and io[-1]["content"]["execution_state"] == "idle"
    assert statuses(io) == ["busy", "idle"], statuses(io)
    for m in io:
        assert m["parent_header"]["msg_id"] == msg_id


def outputs(io):
    return [m for m in io if m["msg_type"] not in ("status", "execute_input")]


# --- status, parents, headers ---------------------------------------------------------


@pytest.mark.parametrize("channel", ["shell", "control"])
def test_kernel_info_busy_idle(kernel, channel):
    c = kernel.client
    msg_id = c.send(channel, "kernel_info_request")
    rep = c.reply(channel, msg_id, 10)
    assert rep is not None, "no kernel_info_reply on " + channel
    assert rep["msg_type"] == "kernel_info_reply"
    assert rep["parent_header"]["msg_id"] == msg_id
    assert rep["parent_header"]["msg_type"] == "kernel_info_request"
    content = rep["content"]
    assert content["status"] == "ok"
    assert content["protocol_version"].split(".")[0] == "5"
    assert isinstance(content["language_info"]["name"], str)
    assert isinstance(content["banner"], str)
    io = c.iopub_until_idle(msg_id, 10)
    assert_busy_idle(io, msg_id)


def test_headers_and_session(kernel, samples):
    """Every message the kernel sends: version >= 5.3, a date, one fixed
    session (not ours), unique msg_ids, reply parents = request headers."""
    c = kernel.client
    c.kernel_info()
    rep, io = c.execute(samples["print"]("hi") + "\n" + samples["result"][0])
    c.request("complete_request", {"code": "x", "cursor_pos": 1})
    c.request("kernel_info_request", channel="control")
    sent = c.log["shell"] + c.log["control"] + c.log["iopub"]
    assert len(sent) >= 10
    session = rep["header"]["session"]
    assert session != c.session, "the kernel echoed the client's session id"
    ids = set()
    for m in sent:
        check_header(m, session)
        assert m["header"]["msg_id"] not in ids, "duplicate msg_id %s" % m["header"]["msg_id"]
        ids.add(m["header"]["msg_id"])
    for m in c.log["shell"] + c.log["control"]:
        assert m["parent_header"].get("session") == c.session
        assert m["parent_header"]["msg_type"].endswith("_request")
        assert m["msg_type"] == m["parent_header"]["msg_type"].replace("_request", "_reply")


def test_execute_order(kernel, samples):
    """busy, execute_input, outputs, (reply), idle; outputs before the reply."""
    c = kernel.client
    code = samples["print"]("hello") + "\n" + samples["result"][0]
    msg_id = c.send_execute(code)
    rep = c.reply("shell", msg_id, 10)
    assert rep["content"]["status"] == "ok"
    # jupyter_kernel_test's way: once the reply is in, IOPub must deliver
    # everything up to idle without pauses.
    io = []
    while True:
        m = c.recv("iopub", 1.0)
        assert m is not None, "IOPub stalled after the reply: %s" % [x["msg_type"] for x in io]
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        io.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    kinds = [m["msg_type"] for m in io]
    assert kinds[0] == "status" and kinds[1] == "execute_input", kinds
    assert kinds[-1] == "status"
    assert "stream" in kinds and "execute_result" in kinds, kinds
    assert kinds.index("stream") < kinds.index("execute_result")
    inp = io[1]["content"]
    assert inp["code"] == code
    n = rep["content"]["execution_count"]
    assert inp["execution_count"] == n
    res = next(m for m in io if m["msg_type"] == "execute_result")
    assert res["content"]["execution_count"] == n
    assert res["content"]["data"]["text/plain"] == samples["result"][1]
    assert isinstance(res["content"]["metadata"], dict)
    # outputs are published before the reply; idle after it
    reply_date = rep["header"]["date"]
    for m in io[:-1]:
        assert m["header"]["date"] <= reply_date, (m["msg_type"], m["header"]["date"], reply_date)
    assert io[-1]["header"]["date"] >= reply_date


# --- execution_count ---------------------------------------------------------------------


def test_execution_count_rules(kernel, samples):
    c = kernel.client
    rep, io = c.execute(samples["result"][0])
    n1 = rep["content"]["execution_count"]
    assert isinstance(n1, int) and n1 >= 1
    assert [m["content"]["execution_count"] for m in io if m["msg_type"] == "execute_input"] == [n1]

    # silent: no increment, no execute_input, no execute_result
    rep, io = c.execute(samples["result"][0], silent=True, store_history=False)
    assert rep["content"]["status"] == "ok"
    assert rep["content"]["execution_count"] == n1
    kinds = [m["msg_type"] for m in io]
    assert "execute_input" not in kinds and "execute_result" not in kinds, kinds

    rep, io = c.execute(samples["result"][0])
    n2 = rep["content"]["execution_count"]
    assert n2 == n1 + 1

    # an error reply still carries the counter
    rep, io = c.execute(samples["error"])
    assert rep["content"]["status"] == "error"
    assert isinstance(rep["content"]["execution_count"], int)
    assert rep["content"]["execution_count"] == n2 + 1
    for k in ("ename", "evalue", "traceback"):
        assert k in rep["content"]
    assert rep["content"]["ename"] == samples["error_ename"]
    errs = [m for m in io if m["msg_type"] == "error"]
    assert len(errs) == 1 and errs[0]["content"]["ename"] == samples["error_ename"]
    assert isinstance(errs[0]["content"]["traceback"], list)


def test_execute_minimal_content(kernel_name, kernel, samples):
    """Only `code` is required in practice: every other field has a default
    (silent false, store_history true, stop_on_error true)."""
    if kernel_name.startswith("python"):
        pytest.skip("ipykernel requires every field")
    c = kernel.client
    rep, io = c.request("execute_request", {"code": samples["result"][0]})
    assert rep["content"]["status"] == "ok"
    assert "execute_result" in [m["msg_type"] for m in io]
    assert "execute_input" in [m["msg_type"] for m in io]


def test_store_history_false(kernel, samples):
    c = kernel.client
    marker = "store_history_false_%d = 1" % int(time.time())
    rep, io = c.execute(marker, store_history=False)
    assert rep["content"]["status"] == "ok"
    assert isinstance(rep["content"]["execution_count"], int)
    c.execute("after_it = 2")
    rep, _ = c.request(
        "history_request",
        {"output": False, "raw": True, "hist_access_type": "tail", "n": 10},
    )
    inputs = [h[2] for h in rep["content"]["history"]]
    assert marker not in inputs, inputs
    assert "after_it = 2" in inputs


# --- user_expressions ------------------------------------------------------------------


def test_user_expressions(kernel, samples):
    c = kernel.client
    expr, value = samples["expr_ok"]
    rep, _ = c.execute(
        samples["define_x"], user_expressions={"good": expr, "bad": samples["expr_bad"]}
    )
    assert rep["content"]["status"] == "ok"
    ue = rep["content"]["user_expressions"]
    assert set(ue) == {"good", "bad"}
    assert ue["good"]["status"] == "ok"
    assert ue["good"]["data"]["text/plain"] == value
    assert isinstance(ue["good"]["metadata"], dict)
    assert ue["bad"]["status"] == "error"
    for k in ("ename", "evalue", "traceback"):
        assert k in ue["bad"], ue["bad"]


# --- stop_on_error ---------------------------------------------------------------------------


def _queue_after_error(c, samples, stop_on_error):
    first = c.send_execute(samples["slow_error"], stop_on_error=stop_on_error)
    queued = [c.send_execute(samples["print"]("queued %d" % i)) for i in (1, 2)]
    replies = [c.reply("shell", m, 15) for m in [first] + queued]
    assert all(r is not None for r in replies), replies
    ios = [c.iopub_until_idle(m, 10) for m in [first] + queued]
    return replies, ios, queued


def test_stop_on_error_aborts_queue(kernel_name, kernel, samples):
    c = kernel.client
    replies, ios, queued = _queue_after_error(c, samples, True)
    assert replies[0]["content"]["status"] == "error"
    for rep, io, mid in zip(replies[1:], ios[1:], queued):
        assert rep["content"]["status"] == "aborted", rep["content"]
        if not kernel_name.startswith("python"):  # ipykernel sends no count
            assert isinstance(rep["content"].get("execution_count"), int), rep["content"]
        kinds = [m["msg_type"] for m in io]
        assert kinds == ["status", "status"], "aborted request published %s" % kinds
        assert_busy_idle(io, mid)
    # later requests run normally
    rep, io = c.execute(samples["print"]("after"))
    assert rep["content"]["status"] == "ok"
    assert any(m["msg_type"] == "stream" and "after" in m["content"]["text"] for m in io)


def test_stop_on_error_false_runs_queue(kernel, samples):
    c = kernel.client
    replies, ios, _ = _queue_after_error(c, samples, False)
    assert replies[0]["content"]["status"] == "error"
    for i, (rep, io) in enumerate(zip(replies[1:], ios[1:]), 1):
        assert rep["content"]["status"] == "ok", rep["content"]
        text = "".join(m["content"]["text"] for m in io if m["msg_type"] == "stream")
        assert "queued %d" % i in text


# --- is_complete, complete, inspect ------------------------------------------------------


def test_is_complete(kernel, samples):
    c = kernel.client
    cases = [
        (samples["result"][0], "complete"),
        (samples["incomplete"], "incomplete"),
        (samples["invalid"], "invalid"),
    ]
    for code, want in cases:
        rep, io = c.request("is_complete_request", {"code": code})
        assert rep["content"]["status"] == want, (code, rep["content"])
        if want == "incomplete":
            assert isinstance(rep["content"].get("indent"), str)
        assert_busy_idle(io, rep["parent_header"]["msg_id"])


def test_complete(kernel, samples):
    c = kernel.client
    prefix, match = samples["complete"]
    rep, io = c.request("complete_request", {"code": prefix, "cursor_pos": len(prefix)})
    content = rep["content"]
    assert content["status"] == "ok"
    assert match in content["matches"], content["matches"]
    assert content["cursor_start"] == 0 and content["cursor_end"] == len(prefix)
    assert isinstance(content["metadata"], dict)
    assert_busy_idle(io, rep["parent_header"]["msg_id"])


@pytest.mark.parametrize(
    "before", ["x = 'é'\n", "s = 'naïve — 😀 ü'\n", "# ünïcødé 😀😀\n\n"]
)
def test_complete_cursor_in_code_points(kernel, samples, before):
    """cursor_pos, cursor_start and cursor_end count code points (5.2+), not
    bytes and not UTF-16 units (the emoji is 4 bytes, 2 UTF-16 units)."""
    c = kernel.client
    prefix, match = samples["complete"]
    code = before + prefix
    rep, _ = c.request("complete_request", {"code": code, "cursor_pos": len(code)})
    content = rep["content"]
    assert match in content["matches"], (code, content)
    assert content["cursor_end"] == len(code), (code, content)
    assert content["cursor_start"] == len(code) - len(prefix), (code, content)
    # the cursor in the middle: more non-ASCII text follows it
    code2 = code + "\nmore = 'ü😀'"
    rep, _ = c.request("complete_request", {"code": code2, "cursor_pos": len(code)})
    assert match in rep["content"]["matches"], (code2, rep["content"])
    assert rep["content"]["cursor_start"] == len(code) - len(prefix), rep["content"]
    assert rep["content"]["cursor_end"] == len(code), rep["content"]


def test_inspect(kernel, samples):
    c = kernel.client
    code = samples["inspect"]
    for level in (0, 1):
        rep, io = c.request(
            "inspect_request", {"code": code, "cursor_pos": len(code), "detail_level": level}
        )
        content = rep["content"]
        assert content["status"] == "ok"
        assert content["found"] is True
        assert content["data"].get("text/plain")
        assert isinstance(content["metadata"], dict)
        assert_busy_idle(io, rep["parent_header"]["msg_id"])
    rep, _ = c.request(
        "inspect_request", {"code": "", "cursor_pos": 0, "detail_level": 0}
    )
    assert rep["content"]["status"] == "ok"
    assert rep["content"]["found"] is False


# --- history --------------------------------------------------------------------------------


def _history(c, **kw):
    content = {"output": False, "raw": True}
    content.update(kw)
    rep, io = c.request("history_request", content)
    assert rep["content"]["status"] == "ok"
    assert_busy_idle(io, rep["parent_header"]["msg_id"])
    h = rep["content"]["history"]
    for entry in h:
        assert len(entry) == 3, entry
    return h


def test_history(kernel_name, kernel):
    c = kernel.client
    codes = ["h_a = 1", "h_dup = 2", "h_b = 3", "h_dup = 2", "h_c = 4", "h_dup = 2"]
    for code in codes:
        rep, _ = c.execute(code)
        assert rep["content"]["status"] == "ok"

    tail = _history(c, hist_access_type="tail", n=3)
    assert [e[2] for e in tail] == codes[-3:]
    lines = [e[1] for e in tail]
    assert lines == sorted(lines) and len(set(lines)) == 3

    tail_out = _history(c, hist_access_type="tail", n=2, output=True)
    assert all(len(e[2]) == 2 for e in tail_out), tail_out

    session, start = tail[0][0], tail[0][1]
    rng = _history(c, hist_access_type="range", session=session, start=start, stop=start + 2)
    assert [e[1] for e in rng] == [start, start + 1]
    assert [e[2] for e in rng] == codes[-3:-1]
    if not kernel_name.startswith("python"):  # IPython answers 0 = "this session"
        assert all(e[0] == session for e in rng), (session, rng)

    found = _history(c, hist_access_type="search", pattern="h_dup*")
    assert [e[2] for e in found] == ["h_dup = 2"] * 3
    uniq = _history(c, hist_access_type="search", pattern="h_dup*", unique=True)
    assert [e[2] for e in uniq] == ["h_dup = 2"]
    last2 = _history(c, hist_access_type="search", pattern="h_*", n=2)
    assert [e[2] for e in last2] == codes[-2:]
    none = _history(c, hist_access_type="search", pattern="no_such_code_*")
    assert none == []


# --- comms, unknown requests -------------------------------------------------------------


def test_comm_info(kernel):
    c = kernel.client
    for content in ({}, {"target_name": "jupyter.widget"}):
        rep, io = c.request("comm_info_request", content)
        assert rep["content"]["status"] == "ok"
        assert rep["content"]["comms"] == {}
        assert_busy_idle(io, rep["parent_header"]["msg_id"])


def test_comm_open_unknown_target(kernel):
    c = kernel.client
    comm_id = "kiln-test-comm-1"
    msg_id = c.send(
        "shell", "comm_open", {"comm_id": comm_id, "target_name": "no.such.target", "data": {}}
    )
    io = c.iopub_until_idle(msg_id, 10)
    closes = [m for m in io if m["msg_type"] == "comm_close"]
    assert len(closes) == 1, [m["msg_type"] for m in io]
    assert closes[0]["content"]["comm_id"] == comm_id
    assert isinstance(closes[0]["content"].get("data", {}), dict)
    assert statuses(io) == ["busy", "idle"]
    # comm_msg / comm_close to an unknown comm: no reply needed, no crash
    for kind in ("comm_msg", "comm_close"):
        mid = c.send("shell", kind, {"comm_id": "nope", "data": {}})
        c.iopub_until_idle(mid, 10)
    assert c.kernel_info()["content"]["status"] == "ok"


def test_unknown_msg_type(kernel):
    c = kernel.client
    msg_id = c.send("shell", "no_such_request", {"x": 1})
    io = c.iopub_until_idle(msg_id, 10)
    assert statuses(io) == ["busy", "idle"]
    msg_id = c.send("control", "no_such_request", {})
    c.iopub_until_idle(msg_id, 10)
    assert c.kernel_info()["content"]["status"] == "ok"
    assert kernel.alive()


def test_heartbeat(kernel):
    assert kernel.client.heartbeat()


# --- shutdown and restart ----------------------------------------------------------------


def test_shutdown_request(kernel):
    c = kernel.client
    msg_id = c.send("control", "shutdown_request", {"restart": False})
    rep = c.reply("control", msg_id, 5)
    assert rep is not None, "no shutdown_reply"
    assert rep["content"]["status"] == "ok"
    assert rep["content"]["restart"] is False
    t0 = time.monotonic()
    proc = kernel.km.provisioner.process
    assert wait_until(lambda: proc.poll() is not None, 2.0), "kernel still running 2 s after shutdown"
    code = proc.returncode
    assert code == 0, "kernel exited with status %s after shutdown_request" % code
    assert time.monotonic() - t0 < 2.0


def test_shutdown_restart_flag(kernel):
    c = kernel.client
    msg_id = c.send("control", "shutdown_request", {"restart": True})
    rep = c.reply("control", msg_id, 5)
    assert rep["content"] == {"status": "ok", "restart": True} or (
        rep["content"]["status"] == "ok" and rep["content"]["restart"] is True
    )
    proc = kernel.km.provisioner.process
    assert wait_until(lambda: proc.poll() is not None, 2.0)


def test_restart(kernel_name, tmp_path):
    k = ManagedKernel(kernel_name, tmp_path)
    pids = [k.pid]
    try:
        before = k.ready["header"]["session"]
        k.client.close()
        k.km.restart_kernel(now=False)
        k.pid = k.km.provisioner.process.pid
        pids.append(k.pid)
        k.client = RawClient(k.km.get_connection_info())
        after = k.client.wait_ready(60)["header"]["session"]
        assert after != before, "the restarted kernel kept its session id"
        rep, io = k.client.execute(samples_for(kernel_name)["result"][0])
        assert rep["content"]["status"] == "ok"
        assert rep["content"]["execution_count"] == 1
    finally:
        k.stop()
    if kernel_name == "kiln-asan":
        check_asan_log(pids[0])


# --- interrupts ------------------------------------------------------------------------


def _descendants(pid):
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _start_sleep(kernel, samples):
    c = kernel.client
    msg_id = c.send_execute(samples["sleep"])
    # wait until the sleep runs
    assert wait_until(
        lambda: any(p.name() == "sleep" for p in _descendants(kernel.pid)), 10
    ), "no sleep process under the kernel"
    return msg_id


def _check_interrupted(kernel, samples, msg_id, t0):
    c = kernel.client
    rep = c.reply("shell", msg_id, 3.0)
    assert rep is not None, "no execute_reply within 3 s of the interrupt"
    assert time.monotonic() - t0 < 3.5
    assert rep["content"]["status"] == "error", rep["content"]
    assert rep["content"]["ename"] == samples["interrupted_ename"], rep["content"]
    io = c.iopub_until_idle(msg_id, 5)
    errs = [m for m in io if m["msg_type"] == "error"]
    assert errs and errs[0]["content"]["ename"] == samples["interrupted_ename"]
    # no leftover child process
    assert wait_until(lambda: not _descendants(kernel.pid), 2.0), [
        (p.pid, p.name()) for p in _descendants(kernel.pid)
    ]
    # and the kernel still works
    rep, io = c.execute(samples["result"][0])
    assert rep["content"]["status"] == "ok"
    assert kernel.alive()


def test_interrupt_signal(kernel, samples):
    msg_id = _start_sleep(kernel, samples)
    t0 = time.monotonic()
    kernel.km.interrupt_kernel()
    _check_interrupted(kernel, samples, msg_id, t0)


def test_interrupt_request_on_control(kernel_name, kernel, samples):
    c = kernel.client
    msg_id = _start_sleep(kernel, samples)
    t0 = time.monotonic()
    int_id = c.send("control", "interrupt_request", {})
    rep = c.reply("control", int_id, 3.0)
    assert rep is not None, "no interrupt_reply on control while shell is busy"
    assert rep["msg_type"] == "interrupt_reply"
    if not kernel_name.startswith("python"):  # ipykernel 6.17 replies {}
        assert rep["content"]["status"] == "ok", rep["content"]
    _check_interrupted(kernel, samples, msg_id, t0)


def test_sigint_while_idle_is_harmless(kernel, samples):
    """jupyter_client interrupts before every shutdown: an idle kernel must
    survive SIGINT."""
    kernel.km.interrupt_kernel()
    time.sleep(0.3)
    assert kernel.alive()
    rep, _ = kernel.client.execute(samples["result"][0])
    assert rep["content"]["status"] == "ok"
