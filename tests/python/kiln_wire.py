"""A small Jupyter wire-protocol client over raw pyzmq sockets.

The tests use it instead of jupyter_client's channels when they need to see
(or forge) exact frames: the kernel's signatures are checked on every
message it sends, and send_frames() puts arbitrary bytes on a socket.

Conventions: a "message" here is a dict with the keys header, parent_header,
metadata, content, buffers, plus "channel" (shell, control, iopub) and
"raw" (the frames after the delimiter).
"""

import hashlib
import hmac
import json
import re
import time
import uuid

import zmq

DELIM = b"<IDS|MSG>"

# jupyter_client's accepted date form (protocol reference §1.5)
DATE_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})?$"
)


class ProtocolError(AssertionError):
    """The kernel sent something that breaks the protocol."""


def endpoint(info, channel):
    """The zmq address of a channel, as jupyter_client builds it."""
    port = info[channel + "_port"]
    if info.get("transport", "tcp") == "ipc":
        return "ipc://%s-%s" % (info["ip"], port)
    return "tcp://%s:%s" % (info["ip"], port)


def new_id():
    return uuid.uuid4().hex


def now_iso():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06dZ" % int(
        (t % 1) * 1e6
    )


def execute_content(code, **kw):
    """A full execute_request content, as jupyter_client sends it."""
    content = {
        "code": code,
        "silent": False,
        "store_history": True,
        "user_expressions": {},
        "allow_stdin": False,
        "stop_on_error": True,
    }
    content.update(kw)
    return content


class RawClient:
    """Talks to one kernel over shell, control, iopub and heartbeat.

    info is a connection-file dict (key may be str or bytes).
    """

    def __init__(self, info, context=None, identity=None):
        self.info = dict(info)
        key = self.info.get("key", b"")
        self.key = key.encode() if isinstance(key, str) else bytes(key)
        self.session = new_id()
        self.ctx = context or zmq.Context.instance()
        ident = identity or new_id().encode()
        self.sockets = {}
        for channel, kind in (("shell", zmq.DEALER), ("control", zmq.DEALER)):
            s = self.ctx.socket(kind)
            s.setsockopt(zmq.IDENTITY, ident if channel == "shell" else new_id().encode())
            s.setsockopt(zmq.LINGER, 0)
            s.setsockopt(zmq.RECONNECT_IVL, 10)  # the kernel may not have bound yet
            s.connect(endpoint(self.info, channel))
            self.sockets[channel] = s
        sub = self.ctx.socket(zmq.SUB)
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.setsockopt(zmq.LINGER, 0)
        sub.setsockopt(zmq.RECONNECT_IVL, 10)
        sub.connect(endpoint(self.info, "iopub"))
        self.sockets["iopub"] = sub
        # Messages read while looking for something else, per channel.
        self.pending = {"shell": [], "control": [], "iopub": []}
        # Every message the kernel sent us, in arrival order per channel.
        self.log = {"shell": [], "control": [], "iopub": []}

    def close(self):
        for s in self.sockets.values():
            s.close(linger=0)
        self.sockets = {}

    # --- signing and framing ---------------------------------------------

    def sign(self, parts):
        if not self.key:
            return b""
        h = hmac.new(self.key, digestmod=hashlib.sha256)
        for p in parts:
            h.update(p)
        return h.hexdigest().encode()

    def make(self, msg_type, content=None, metadata=None, header_extra=None):
        header = {
            "msg_id": new_id(),
            "session": self.session,
            "username": "kiln-test",
            "date": now_iso(),
            "msg_type": msg_type,
            "version": "5.3",
        }
        if header_extra:
            header.update(header_extra)
        return {
            "header": header,
            "parent_header": {},
            "metadata": metadata or {},
            "content": content if content is not None else {},
        }

    def frames(self, msg, buffers=()):
        parts = [
            json.dumps(msg[k], ensure_ascii=False).encode()
            for k in ("header", "parent_header", "metadata", "content")
        ]
        return [DELIM, self.sign(parts)] + parts + list(buffers)

    def send(self, channel, msg_type, content=None, metadata=None, buffers=()):
        """Send a request; returns its msg_id."""
        msg = self.make(msg_type, content, metadata)
        self.sockets[channel].send_multipart(self.frames(msg, buffers))
        return msg["header"]["msg_id"]

    def send_frames(self, channel, frames):
        """Put arbitrary frames on a socket (after the DEALER's identity)."""
        self.sockets[channel].send_multipart(frames)

    # --- receiving ---------------------------------------------------------

    def _parse(self, channel, frames):
        try:
            i = frames.index(DELIM)
        except ValueError:
            raise ProtocolError("%s: no <IDS|MSG> delimiter in %r" % (channel, frames[:3]))
        rest = frames[i + 1 :]
        if len(rest) < 5:
            raise ProtocolError("%s: only %d frames after the delimiter" % (channel, len(rest)))
        sig, parts = rest[0], rest[1:5]
        expect = self.sign(parts)
        if not hmac.compare_digest(sig, expect):
            raise ProtocolError(
                "%s: bad signature %r on %r (expected %r)" % (channel, sig, parts[0], expect)
            )
        try:
            header, parent, metadata, content = (json.loads(p.decode("utf-8")) for p in parts)
        except (UnicodeDecodeError, ValueError) as e:
            raise ProtocolError("%s: frame is not UTF-8 JSON: %s" % (channel, e))
        msg = {
            "header": header,
            "parent_header": parent,
            "metadata": metadata,
            "content": content,
            "buffers": rest[5:],
            "idents": frames[:i],
            "channel": channel,
            "raw": rest,
            "msg_type": header.get("msg_type"),
        }
        self.log[channel].append(msg)
        return msg

    def recv(self, channel, timeout=5.0):
        """The next message on a channel, or None after timeout seconds."""
        if self.pending[channel]:
            return self.pending[channel].pop(0)
        s = self.sockets[channel]
        if not s.poll(int(timeout * 1000)):
            return None
        return self._parse(channel, s.recv_multipart())

    def drain(self, channel, quiet=0.2):
        """Read until the channel has been quiet for `quiet` seconds."""
        out = []
        while True:
            m = self.recv(channel, quiet)
            if m is None:
                return out
            out.append(m)

    def reply(self, channel, msg_id, timeout=10.0):
        """The reply whose parent is msg_id (other messages are kept)."""
        deadline = time.monotonic() + timeout
        kept = []
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                s = self.sockets[channel]
                if not s.poll(int(left * 1000) + 1):
                    return None
                m = self._parse(channel, s.recv_multipart())
                if m["parent_header"].get("msg_id") == msg_id:
                    return m
                kept.append(m)
        finally:
            self.pending[channel].extend(kept)

    def iopub_until_idle(self, msg_id, timeout=10.0):
        """IOPub messages whose parent is msg_id, up to and including its
        idle status.  Raises ProtocolError if idle does not come in time."""
        deadline = time.monotonic() + timeout
        got = []
        kept = []
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ProtocolError(
                        "no idle for %s within %.1fs; got %s"
                        % (msg_id, timeout, [m["msg_type"] for m in got])
                    )
                m = self.recv("iopub", left)
                if m is None:
                    continue
                if m["parent_header"].get("msg_id") != msg_id:
                    kept.append(m)
                    continue
                got.append(m)
                if m["msg_type"] == "status" and m["content"].get("execution_state") == "idle":
                    return got
        finally:
            self.pending["iopub"] = kept + self.pending["iopub"]

    def iopub_for(self, msg_id, wait=0.5):
        """Every IOPub message with parent msg_id seen within `wait` seconds."""
        got = []
        deadline = time.monotonic() + wait
        kept = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            m = self.recv("iopub", left)
            if m is None:
                break
            if m["parent_header"].get("msg_id") == msg_id:
                got.append(m)
            else:
                kept.append(m)
        self.pending["iopub"] = kept + self.pending["iopub"]
        return got

    # --- requests ------------------------------------------------------------

    def request(self, msg_type, content=None, channel="shell", timeout=10.0):
        """Send a request and return (reply, iopub messages up to idle)."""
        msg_id = self.send(channel, msg_type, content)
        rep = self.reply(channel, msg_id, timeout)
        if rep is None:
            raise ProtocolError("no %s reply to %s within %.1fs" % (channel, msg_type, timeout))
        io = self.iopub_until_idle(msg_id, timeout)
        return rep, io

    def execute(self, code, timeout=30.0, **kw):
        return self.request("execute_request", execute_content(code, **kw), timeout=timeout)

    def send_execute(self, code, **kw):
        """Send an execute_request without waiting; returns its msg_id."""
        return self.send("shell", "execute_request", execute_content(code, **kw))

    def wait_ready(self, timeout=30.0):
        """Like jupyter_client's wait_for_ready: nudge with kernel_info until
        a reply came and IOPub has delivered its idle status (the IOPub
        subscription may take a moment to reach the kernel).  Returns the
        kernel_info reply."""
        deadline = time.monotonic() + timeout
        reply = None
        while time.monotonic() < deadline:
            msg_id = self.send("shell", "kernel_info_request")
            rep = self.reply("shell", msg_id, 1.0)
            if rep is None:
                continue
            reply = rep
            try:
                self.iopub_until_idle(msg_id, 0.1)
            except ProtocolError:
                continue
            self.pending["shell"].clear()
            self.pending["iopub"].clear()
            return reply
        raise ProtocolError("kernel not ready within %.0fs (reply: %r)" % (timeout, reply))

    def kernel_info(self, timeout=10.0):
        rep, _ = self.request("kernel_info_request", timeout=timeout)
        return rep

    def heartbeat(self, timeout=2.0):
        """Ping the heartbeat socket; True when echoed."""
        s = self.ctx.socket(zmq.REQ)
        s.setsockopt(zmq.LINGER, 0)
        s.connect(endpoint(self.info, "hb"))
        try:
            s.send(b"ping")
            if not s.poll(int(timeout * 1000)):
                return False
            return s.recv() == b"ping"
        finally:
            s.close(linger=0)


def check_header(msg, session=None):
    """Checks every kernel-sent header must pass (protocol reference §1.5)."""
    h = msg["header"]
    for k in ("msg_id", "session", "username", "date", "msg_type", "version"):
        assert isinstance(h.get(k), str), "header %s missing or not a string: %r" % (k, h)
    major, minor = (int(x) for x in h["version"].split(".")[:2])
    assert (major, minor) >= (5, 3), "header version %r < 5.3" % h["version"]
    assert DATE_RE.match(h["date"]), "header date %r" % h["date"]
    if session is not None:
        assert h["session"] == session, "session %r != %r" % (h["session"], session)
    assert isinstance(msg["metadata"], dict)
    assert isinstance(msg["content"], dict)
