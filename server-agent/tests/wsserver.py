"""A small stdlib WebSocket server standing in for the hub in tests: checks the Bearer token, insists on
masked client frames, records every message, validates each against the protocol's JSON Schema (as the
real hub validates with zod), and can ping, send fragmented messages and close."""
import base64
import hashlib
import json
import queue
import socket
import struct
import threading
import time

from tests import schema

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def server_frame(opcode, payload, fin=True):
    head = bytearray([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head.append(n)
    elif n < 1 << 16:
        head.append(126)
        head += struct.pack("!H", n)
    else:
        head.append(127)
        head += struct.pack("!Q", n)
    return bytes(head) + payload


class Connection(object):
    def __init__(self, hub, sock, headers):
        self.hub = hub
        self.sock = sock
        self.headers = headers
        self.messages = []
        self.pongs = []
        self.unmasked = 0
        self.close_code = None
        self.closed = threading.Event()
        self._lock = threading.Lock()

    def send_raw(self, data):
        with self._lock:
            self.sock.sendall(data)

    def send_text(self, text, fragments=1):
        data = text.encode("utf-8")
        if fragments <= 1:
            return self.send_raw(server_frame(0x1, data))
        size = max(1, len(data) // fragments)
        parts = [data[i:i + size] for i in range(0, len(data), size)]
        out = b""
        for i, part in enumerate(parts):
            out += server_frame(0x1 if i == 0 else 0x0, part, fin=i == len(parts) - 1)
        self.send_raw(out)

    def ping(self, payload=b"hi"):
        self.send_raw(server_frame(0x9, payload))

    def close(self, code=1000, reason=""):
        try:
            self.send_raw(server_frame(0x8, struct.pack("!H", code) + reason.encode()))
        except OSError:
            pass

    def drop(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def _read_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError()
            data += chunk
        return data

    def serve(self):
        fragments = None
        try:
            while True:
                b0, b1 = self._read_exact(2)
                n = b1 & 0x7F
                if n == 126:
                    n = struct.unpack("!H", self._read_exact(2))[0]
                elif n == 127:
                    n = struct.unpack("!Q", self._read_exact(8))[0]
                if not b1 & 0x80:
                    self.unmasked += 1
                    key = b"\0\0\0\0"
                else:
                    key = self._read_exact(4)
                payload = bytes(b ^ key[i % 4] for i, b in enumerate(self._read_exact(n)))
                opcode = b0 & 0x0F
                if opcode == 0x8:
                    self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                    try:
                        self.send_raw(server_frame(0x8, payload[:2]))
                    except OSError:
                        pass
                    break
                if opcode == 0x9:
                    self.send_raw(server_frame(0xA, payload))
                elif opcode == 0xA:
                    self.pongs.append(payload)
                elif opcode == 0x0:
                    fragments += payload
                    if b0 & 0x80:
                        self._message(fragments)
                        fragments = None
                elif b0 & 0x80:
                    self._message(payload)
                else:
                    fragments = payload
        except (EOFError, OSError):
            pass
        finally:
            self.closed.set()
            try:
                self.sock.close()
            except OSError:
                pass

    def _message(self, payload):
        text = payload.decode("utf-8")
        self.messages.append(text)
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        if self.hub.check_frames:
            found = ["not JSON"] if obj is None else schema.check(obj)
            if found:
                self.hub.invalid.append((text[:2000], found))
        self.hub.inbox.put((self, obj))


class TestHub(object):
    def __init__(self, token="t0ken", port=0, stall=False, check_frames=True, protocol="1.3"):
        """`stall`: accept and upgrade, then never read — a hub that has stopped keeping up.
        `protocol`: the version the hub names in its 101 answer, as the real hub does since 1.2; None: a hub
        older than that (no header).
        `check_frames`: every message must be an agent frame the hub accepts; `next()` and
        `assert_frames_valid()` fail on the first that is not. Off only for tests of the bare WebSocket."""
        self.token = token
        self.protocol = protocol
        self.stall = stall
        self.check_frames = check_frames
        self.invalid = []
        self.inbox = queue.Queue()
        self.connections = []
        self.refused = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.url = "ws://127.0.0.1:%d/ws/agent" % self.port
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._stopped:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handshake, args=(sock,), daemon=True).start()

    def _handshake(self, sock):
        try:
            sock.settimeout(10)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    return sock.close()
                data += chunk
            head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            if headers.get("authorization") != "Bearer %s" % self.token:
                self.refused += 1
                sock.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return sock.close()
            accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + GUID).encode()).digest())
            version = b"" if self.protocol is None else b"X-Gunicorn-Live-Protocol: " + self.protocol.encode() + b"\r\n"
            sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         b"Sec-WebSocket-Accept: " + accept + b"\r\n" + version + b"\r\n")
            sock.settimeout(None)
            conn = Connection(self, sock, headers)
            self.connections.append(conn)
            if self.stall:
                while not self._stopped:
                    time.sleep(0.05)
                return sock.close()
            conn.serve()
        except OSError:
            sock.close()

    def next(self, predicate=lambda c, m: True, timeout=10.0):
        """The next (connection, message) matching predicate; AssertionError after timeout, or as soon as
        an invalid frame has arrived."""
        deadline = time.monotonic() + timeout
        while True:
            self.assert_frames_valid()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("no matching message within %.1fs" % timeout)
            try:
                conn, message = self.inbox.get(timeout=remaining)
            except queue.Empty:
                continue
            self.assert_frames_valid()
            if predicate(conn, message):
                return conn, message

    def assert_frames_valid(self):
        if self.invalid:
            text, found = self.invalid[0]
            raise AssertionError("%d frame(s) the hub would refuse; the first: %s\n%s"
                                 % (len(self.invalid), "; ".join(found[:10]), text))

    def wait_connections(self, n, timeout=10.0):
        deadline = time.monotonic() + timeout
        while len(self.connections) < n:
            if time.monotonic() > deadline:
                raise AssertionError("only %d connections within %.1fs" % (len(self.connections), timeout))
            time.sleep(0.01)
        return self.connections[n - 1]

    def close(self):
        self._stopped = True
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in the other thread
        except OSError:
            pass
        self.listener.close()
        for conn in list(self.connections):
            conn.drop()
