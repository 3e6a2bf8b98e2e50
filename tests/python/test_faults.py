"""Faults on the wire: forged, broken and oversized messages on raw zmq
sockets.  After each one the kernel must still be alive and answer
kernel_info; a message with a bad signature must be dropped silently (no
reply, no status).  Then the connection-file variants: an empty key (no
signing), odd key lengths, and the ipc transport."""

import hmac
import json
import time

import pytest

from kiln_wire import DELIM, new_id

BIG = 10 * 1024 * 1024  # 10 MiB


def still_ok(kernel):
    """The kernel is alive and answers kernel_info (shell and control) and
    the heartbeat."""
    assert kernel.alive(), "kernel process died"
    c = kernel.client
    rep = c.kernel_info(timeout=20)
    assert rep["content"]["status"] == "ok"
    rep, _ = c.request("kernel_info_request", channel="control", timeout=20)
    assert rep["content"]["status"] == "ok"
    assert c.heartbeat()
    assert kernel.alive()


def parts_of(c, msg_type="kernel_info_request", content=None, header=None):
    msg = c.make(msg_type, content)
    if header is not None:
        msg["header"] = header
    return [json.dumps(msg[k]).encode() for k in ("header", "parent_header", "metadata", "content")]


def signed(c, parts):
    return [DELIM, c.sign(parts)] + list(parts)


def assert_no_response(c, msg_id, channel="shell", wait=1.0):
    rep = c.reply(channel, msg_id, wait)
    assert rep is None, "the kernel answered a forged message: %s" % rep["content"]
    io = c.iopub_for(msg_id, 0.3)
    assert io == [], "the kernel published for a forged message: %s" % [
        (m["msg_type"], m["content"]) for m in io
    ]


# --- bad signatures -----------------------------------------------------------------


@pytest.mark.parametrize(
    "forge",
    ["zeros", "wrong_key", "empty", "short", "flipped_last", "not_hex", "upper_wrong"],
)
@pytest.mark.parametrize("channel", ["shell", "control"])
def test_bad_signature_is_dropped(kernel, channel, forge):
    c = kernel.client
    msg = c.make("kernel_info_request")
    parts = [json.dumps(msg[k]).encode() for k in ("header", "parent_header", "metadata", "content")]
    good = c.sign(parts)
    sig = {
        "zeros": b"0" * 64,
        "wrong_key": hmac.new(b"not-the-key", b"".join(parts), "sha256").hexdigest().encode(),
        "empty": b"",
        "short": good[:10],
        "flipped_last": good[:-1] + (b"0" if good[-1:] != b"0" else b"1"),
        "not_hex": b"z" * 64,
        "upper_wrong": (b"A" * 64),
    }[forge]
    c.send_frames(channel, [DELIM, sig] + parts)
    assert_no_response(c, msg["header"]["msg_id"], channel)
    still_ok(kernel)


def test_bad_signature_execute_does_not_run(kernel, samples, tmp_path):
    """A forged execute_request must not run: its side effect never happens."""
    c = kernel.client
    msg = c.make("execute_request", {"code": samples["define_x"], "silent": False,
                                     "store_history": True, "user_expressions": {},
                                     "allow_stdin": False, "stop_on_error": True})
    parts = [json.dumps(msg[k]).encode() for k in ("header", "parent_header", "metadata", "content")]
    c.send_frames("shell", [DELIM, b"f" * 64] + parts)
    assert_no_response(c, msg["header"]["msg_id"])
    rep, _ = c.execute("", user_expressions={"x": samples["expr_ok"][0]})
    assert rep["content"]["user_expressions"]["x"]["status"] == "error", (
        "the forged execute ran: x is defined"
    )
    still_ok(kernel)


# --- malformed framing and JSON -----------------------------------------------------


def _malformed_cases():
    """name -> function(client) returning the frames to send."""

    def truncated(n):
        return lambda c: signed(c, parts_of(c))[: 1 + n]

    cases = {
        "only_delimiter": lambda c: [DELIM],
        "truncated_1": truncated(1),
        "truncated_2": truncated(2),
        "truncated_3": truncated(3),
        "truncated_4": truncated(4),
        "missing_delimiter": lambda c: signed(c, parts_of(c))[1:],
        "missing_delimiter_idents": lambda c: [b"id1", b"id2"] + signed(c, parts_of(c))[1:],
        "delimiter_typo": lambda c: [b"<IDS|MSG"] + signed(c, parts_of(c))[1:],
        "empty_frames": lambda c: [b"", b"", b"", b"", b"", b""],
        "delimiter_then_empty": lambda c: [DELIM, b"", b"", b"", b"", b""],
        "non_json_header": lambda c: signed(c, [b"this is not json {"] + parts_of(c)[1:]),
        "non_json_content": lambda c: signed(c, parts_of(c)[:3] + [b"\x00\x01\x02 garbage"]),
        "non_json_parent": lambda c: signed(c, [parts_of(c)[0], b"{{{"] + parts_of(c)[2:]),
        "non_json_metadata": lambda c: signed(c, parts_of(c)[:2] + [b"]"] + parts_of(c)[3:]),
        "invalid_utf8_header": lambda c: signed(
            c, [b'{"msg_id": "\xff\xfe", "msg_type": "kernel_info_request", "session": "s",'
                b' "username": "u", "date": "", "version": "5.3"}'] + parts_of(c)[1:]
        ),
        "invalid_utf8_content": lambda c: signed(
            c, parts_of(c, "execute_request")[:3] + [b'{"code": "\xc3\x28 \xed\xa0\x80"}']
        ),
        "header_array": lambda c: signed(c, [b"[1, 2, 3]"] + parts_of(c)[1:]),
        "header_number": lambda c: signed(c, [b"42"] + parts_of(c)[1:]),
        "header_string": lambda c: signed(c, [b'"kernel_info_request"'] + parts_of(c)[1:]),
        "header_null": lambda c: signed(c, [b"null"] + parts_of(c)[1:]),
        "content_array": lambda c: signed(c, parts_of(c, "execute_request")[:3] + [b"[]"]),
        "content_null": lambda c: signed(c, parts_of(c, "complete_request")[:3] + [b"null"]),
        "parent_array": lambda c: signed(c, [parts_of(c)[0], b"[]"] + parts_of(c)[2:]),
        "metadata_string": lambda c: signed(c, parts_of(c)[:2] + [b'"meta"'] + parts_of(c)[3:]),
        "header_without_msg_type": lambda c: signed(
            c, parts_of(c, header={"msg_id": new_id(), "session": "s", "username": "u",
                                   "date": "2026-01-01T00:00:00Z", "version": "5.3"})
        ),
        "msg_type_not_string": lambda c: signed(
            c, parts_of(c, header={"msg_id": new_id(), "session": "s", "username": "u",
                                   "date": "2026-01-01T00:00:00Z", "version": "5.3",
                                   "msg_type": 42})
        ),
        "msg_id_not_string": lambda c: signed(
            c, parts_of(c, header={"msg_id": {"a": 1}, "session": 7, "username": None,
                                   "date": 3, "version": 5, "msg_type": "kernel_info_request"})
        ),
        "empty_header_object": lambda c: signed(c, [b"{}"] + parts_of(c)[1:]),
        "deeply_nested_content": lambda c: signed(
            c, parts_of(c)[:3] + [b'{"a": ' + b"[" * 100000 + b"]" * 100000 + b"}"]
        ),
        "nul_in_json": lambda c: signed(c, parts_of(c, "execute_request", {"code": "x\x00y = 1"})),
        "execute_code_not_string": lambda c: signed(
            c, parts_of(c, "execute_request", {"code": 42, "silent": "yes",
                                               "user_expressions": [1]})
        ),
        "complete_cursor_out_of_range": lambda c: signed(
            c, parts_of(c, "complete_request", {"code": "é%ec", "cursor_pos": 10**9})
        ),
        "complete_cursor_negative": lambda c: signed(
            c, parts_of(c, "complete_request", {"code": "é%ec", "cursor_pos": -5})
        ),
        "inspect_cursor_out_of_range": lambda c: signed(
            c, parts_of(c, "inspect_request", {"code": "%echo", "cursor_pos": 99,
                                               "detail_level": 7})
        ),
        "history_bad_fields": lambda c: signed(
            c, parts_of(c, "history_request", {"hist_access_type": "range", "n": -1,
                                               "start": "a", "stop": None, "session": -7})
        ),
        "history_huge_n": lambda c: signed(
            c, parts_of(c, "history_request", {"hist_access_type": "tail", "n": 2**62})
        ),
        "comm_open_no_fields": lambda c: signed(c, parts_of(c, "comm_open", {})),
        "interrupt_on_shell_with_junk": lambda c: signed(
            c, parts_of(c, "interrupt_request", {"restart": "maybe"})
        ),
        "unknown_msg_type": lambda c: signed(c, parts_of(c, "frobnicate_request", {"x": [1]})),
        "reply_type_on_shell": lambda c: signed(c, parts_of(c, "execute_reply", {"status": "ok"})),
        "extra_buffers": lambda c: signed(c, parts_of(c)) + [b"\x00" * 100, b"buffer two"],
    }
    return cases


MALFORMED = _malformed_cases()


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_message(kernel, case):
    c = kernel.client
    frames = MALFORMED[case](c)
    c.send_frames("shell", frames)
    # whatever the kernel sends back must still be well-formed and signed
    # (RawClient checks every message it reads)
    time.sleep(0.1)
    c.drain("shell", 0.1)
    c.drain("iopub", 0.1)
    still_ok(kernel)


@pytest.mark.parametrize("case", ["truncated_2", "missing_delimiter", "non_json_header",
                                  "header_without_msg_type", "unknown_msg_type"])
def test_malformed_on_control(kernel, case):
    c = kernel.client
    c.send_frames("control", MALFORMED[case](c))
    time.sleep(0.1)
    c.drain("control", 0.1)
    still_ok(kernel)


def test_all_faults_in_a_row(kernel):
    """Every malformed message on one kernel, back to back, without waiting."""
    c = kernel.client
    for case in sorted(MALFORMED):
        c.send_frames("shell", MALFORMED[case](c))
    time.sleep(0.5)
    c.drain("shell", 0.3)
    c.drain("iopub", 0.3)
    still_ok(kernel)


def test_unknown_msg_type_gets_status(kernel):
    c = kernel.client
    msg_id = c.send("shell", "frobnicate_request", {"x": 1})
    io = c.iopub_until_idle(msg_id, 10)
    assert [m["content"]["execution_state"] for m in io if m["msg_type"] == "status"] == [
        "busy",
        "idle",
    ]
    still_ok(kernel)


# --- huge messages -------------------------------------------------------------------


def test_huge_kernel_info(kernel):
    c = kernel.client
    rep, io = c.request("kernel_info_request", {"pad": "x" * BIG}, timeout=60)
    assert rep["content"]["status"] == "ok"
    still_ok(kernel)


def test_huge_execute(kernel):
    """A 10 MiB comment: runs, echoes it in execute_input, replies ok."""
    c = kernel.client
    code = "# " + "k" * BIG
    rep, io = c.execute(code, timeout=120)
    assert rep["content"]["status"] == "ok", rep["content"]
    inputs = [m for m in io if m["msg_type"] == "execute_input"]
    assert inputs and inputs[0]["content"]["code"] == code
    still_ok(kernel)


def test_huge_unknown_and_comm(kernel):
    c = kernel.client
    for msg_type, content in (
        ("frobnicate_request", {"blob": "y" * BIG}),
        ("comm_msg", {"comm_id": "nope", "data": {"blob": "z" * BIG}}),
        ("is_complete_request", {"code": "[" * (BIG // 10)}),
    ):
        msg_id = c.send("shell", msg_type, content)
        c.iopub_until_idle(msg_id, 60)
    c.drain("shell", 0.2)
    still_ok(kernel)


# --- connection files ------------------------------------------------------------------


def _exercise(k, samples):
    c = k.client
    rep = c.kernel_info()
    assert rep["content"]["status"] == "ok"
    rep, io = c.execute(samples["result"][0])
    assert rep["content"]["status"] == "ok"
    res = [m for m in io if m["msg_type"] == "execute_result"]
    assert res and res[0]["content"]["data"]["text/plain"] == samples["result"][1]
    assert c.heartbeat()


def test_empty_key_means_no_signing(hand_kernel, samples):
    k = hand_kernel(key="")
    c = k.client
    assert c.key == b""
    _exercise(k, samples)
    # every message the kernel sent carries an empty signature
    for m in c.log["shell"] + c.log["iopub"]:
        assert m["raw"][0] == b"", "signature %r with an empty key" % m["raw"][0]
    # with signing off, the signature frame is not checked at all
    msg = c.make("kernel_info_request")
    parts = [json.dumps(msg[x]).encode() for x in ("header", "parent_header", "metadata", "content")]
    c.send_frames("shell", [DELIM, b"deadbeef"] + parts)
    assert c.reply("shell", msg["header"]["msg_id"], 5) is not None
    assert k.alive()


@pytest.mark.parametrize("key", ["k", "x" * 64, "a-much-longer-key-" * 8, "ünïcode-kéy"])
def test_key_lengths(hand_kernel, samples, key):
    """The key is the connection file's string as bytes, of any length
    (HMAC hashes keys longer than the SHA-256 block of 64 bytes)."""
    k = hand_kernel(key=key)
    _exercise(k, samples)


def test_ipc_transport(hand_kernel, samples, tmp_path):
    k = hand_kernel(transport="ipc")
    assert k.info["transport"] == "ipc"
    _exercise(k, samples)
    # the ipc endpoints are files <ip>-<port>
    for ch in ("shell", "iopub", "control", "hb"):
        assert (tmp_path / ("kiln-ipc-%d" % k.info[ch + "_port"])).exists()
    # and it shuts down cleanly over ipc too
    c = k.client
    msg_id = c.send("control", "shutdown_request", {"restart": False})
    rep = c.reply("control", msg_id, 5)
    assert rep["content"]["status"] == "ok"
    k.proc.wait(5)
    assert k.proc.returncode == 0


def test_bad_signature_logged_once(hand_kernel, kernel_name):
    """A dropped message leaves one line on stderr (kiln; ipykernel logs
    several)."""
    k = hand_kernel()
    c = k.client
    msg = c.make("kernel_info_request")
    parts = [json.dumps(msg[x]).encode() for x in ("header", "parent_header", "metadata", "content")]
    c.send_frames("shell", [DELIM, b"0" * 64] + parts)
    assert_no_response(c, msg["header"]["msg_id"])
    assert k.alive()
    if kernel_name == "kiln":
        time.sleep(0.2)
        lines = [ln for ln in k.stderr().splitlines() if "signature" in ln.lower()]
        assert len(lines) == 1, k.stderr()
