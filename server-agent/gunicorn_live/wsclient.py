"""A small RFC 6455 WebSocket client (stdlib): ws:// only, masked client frames, text messages,
ping → pong, close handshake, fragmented messages, and timeouts that never lose a partial frame."""
import base64
import hashlib
import os
import select
import socket
import struct
import time
from urllib.parse import urlsplit

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MAX_HEADER_BYTES = 16 * 1024


class WebSocketError(Exception):
    pass


class HandshakeError(WebSocketError):
    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class ConnectionClosed(WebSocketError):
    def __init__(self, code=None, reason=""):
        super().__init__("closed (%s%s)" % (code, ": " + reason if reason else ""))
        self.code = code
        self.reason = reason


def accept_key(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode("ascii")).digest()).decode("ascii")


def parse_url(url):
    """(host, port, resource) of a ws:// URL; ValueError with a clear message otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "ws":
        raise ValueError("only ws:// URLs are supported, not %r" % url)
    if not parts.hostname:
        raise ValueError("no host in %r" % url)
    resource = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    return parts.hostname, parts.port or 80, resource


def mask(payload, key):
    """XOR with the 4-byte key, word-wide (fast enough for 1 MiB frames in pure Python)."""
    n = len(payload)
    if n == 0:
        return b""
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")


def encode_frame(opcode, payload, fin=True, key=None):
    """A client frame (always masked)."""
    key = os.urandom(4) if key is None else key
    n = len(payload)
    head = bytearray([(0x80 if fin else 0) | opcode])
    if n < 126:
        head.append(0x80 | n)
    elif n < 1 << 16:
        head.append(0x80 | 126)
        head += struct.pack("!H", n)
    else:
        head.append(0x80 | 127)
        head += struct.pack("!Q", n)
    return bytes(head) + key + mask(payload, key)


class WebSocketClient(object):
    def __init__(self, sock, leftover=b"", max_message=16 * 1024 * 1024, headers=None):
        self.sock = sock
        # The handshake answer's header fields, names lower-cased.
        self.headers = headers or {}
        self._buf = bytearray(leftover)
        self._fragments = None  # (opcode, [parts]) while a fragmented message is being read
        self._max = max_message
        self.closed = False

    @classmethod
    def connect(cls, url, token=None, timeout=5.0, headers=None, new_socket=socket.socket):
        """`new_socket(family, type, proto)` makes the TCP socket, so a caller can track it from birth."""
        host, port, resource = parse_url(url)
        sock = _open(host, port, timeout, new_socket)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            key = base64.b64encode(os.urandom(16)).decode("ascii")
            lines = ["GET %s HTTP/1.1" % resource,
                     "Host: %s:%d" % (host if ":" not in host else "[%s]" % host, port),
                     "Upgrade: websocket", "Connection: Upgrade",
                     "Sec-WebSocket-Key: %s" % key, "Sec-WebSocket-Version: 13"]
            if token:
                lines.append("Authorization: Bearer %s" % token)
            for name, value in (headers or {}).items():
                lines.append("%s: %s" % (name, value))
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            head, leftover = cls._read_head(sock)
            return cls(sock, leftover, headers=cls._check_head(head, key))
        except BaseException:
            sock.close()
            raise

    @staticmethod
    def _read_head(sock):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                raise HandshakeError("the server closed the connection during the handshake")
            data += chunk
            if len(data) > MAX_HEADER_BYTES:
                raise HandshakeError("handshake response headers too large")
        head, _, leftover = data.partition(b"\r\n\r\n")
        return head.decode("latin-1"), leftover

    @staticmethod
    def _check_head(head, key):
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise HandshakeError("not an HTTP response: %r" % lines[0][:80])
        status = int(parts[1]) if parts[1].isdigit() else None
        if status != 101:
            raise HandshakeError("the server answered %s instead of 101" % lines[0][9:80], status)
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if fields.get("upgrade", "").lower() != "websocket" or \
                "upgrade" not in [t.strip() for t in fields.get("connection", "").lower().split(",")]:
            raise HandshakeError("the server did not upgrade to websocket", status)
        if fields.get("sec-websocket-accept") != accept_key(key):
            raise HandshakeError("wrong Sec-WebSocket-Accept", status)
        return fields

    def fileno(self):
        return self.sock.fileno()

    def buffered(self):
        """True when bytes already read may hold a frame (select() would not see them)."""
        return len(self._buf) > 0

    def send_text(self, text):
        self._send(OP_TEXT, text.encode("utf-8"))

    def ping(self, payload=b""):
        self._send(OP_PING, payload)

    def _send(self, opcode, payload, fin=True):
        if self.closed:
            raise ConnectionClosed(None, "already closed")
        self.sock.sendall(encode_frame(opcode, payload, fin))

    def recv(self, timeout=None):
        """The next text (str) or binary (bytes) message; None when `timeout` passes first.
        Pings are answered, pongs skipped; a close frame is answered and raises ConnectionClosed."""
        deadline = None if timeout is None else _now() + timeout
        while True:
            frame = self._parse()
            if frame is not None:
                message = self._handle(*frame)
                if message is not None:
                    return message
                continue
            remaining = None if deadline is None else max(0.0, deadline - _now())
            if remaining is not None:
                ready, _, _ = select.select([self.sock], [], [], remaining)
                if not ready:
                    return None
            chunk = self.sock.recv(65536)
            if not chunk:
                self.closed = True
                raise ConnectionClosed(1006, "connection lost")
            self._buf += chunk

    def _parse(self):
        """(fin, opcode, payload) of one complete frame at the head of the buffer, else None."""
        buf = self._buf
        if len(buf) < 2:
            return None
        b0, b1 = buf[0], buf[1]
        if b0 & 0x70:
            raise self._fail(1002, "reserved bits set")
        if b1 & 0x80:
            raise self._fail(1002, "the server masked a frame")
        n = b1 & 0x7F
        offset = 2
        if n == 126:
            if len(buf) < 4:
                return None
            n = struct.unpack_from("!H", buf, 2)[0]
            offset = 4
        elif n == 127:
            if len(buf) < 10:
                return None
            n = struct.unpack_from("!Q", buf, 2)[0]
            offset = 10
        if n > self._max:
            raise self._fail(1009, "message too big")
        if len(buf) < offset + n:
            return None
        payload = bytes(buf[offset:offset + n])
        del buf[:offset + n]
        return bool(b0 & 0x80), b0 & 0x0F, payload

    def _handle(self, fin, opcode, payload):
        if opcode >= 0x8:
            if not fin or len(payload) > 125:
                raise self._fail(1002, "bad control frame")
            if opcode == OP_PING:
                self._send(OP_PONG, payload)
            elif opcode == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                reason = payload[2:].decode("utf-8", "replace")
                self._reply_close(payload[:2] if len(payload) >= 2 else b"")
                raise ConnectionClosed(code, reason)
            elif opcode != OP_PONG:
                raise self._fail(1002, "unknown control opcode %d" % opcode)
            return None
        if opcode == OP_CONT:
            if self._fragments is None:
                raise self._fail(1002, "continuation without a message")
            self._fragments[1].append(payload)
            if sum(len(p) for p in self._fragments[1]) > self._max:
                raise self._fail(1009, "message too big")
            if not fin:
                return None
            opcode, parts = self._fragments
            self._fragments = None
            payload = b"".join(parts)
        elif opcode in (OP_TEXT, OP_BINARY):
            if self._fragments is not None:
                raise self._fail(1002, "new message inside a fragmented one")
            if not fin:
                self._fragments = (opcode, [payload])
                return None
        else:
            raise self._fail(1002, "unknown opcode %d" % opcode)
        if opcode == OP_TEXT:
            try:
                return payload.decode("utf-8")
            except UnicodeDecodeError:
                raise self._fail(1007, "text message is not UTF-8") from None
        return payload

    def _reply_close(self, code_bytes):
        if not self.closed:
            try:
                self.sock.sendall(encode_frame(OP_CLOSE, code_bytes))
            except OSError:
                pass  # the peer is gone already: the socket is dropped below all the same
        self.abort()

    def _fail(self, code, reason):
        try:
            self.sock.sendall(encode_frame(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:120]))
        except OSError:
            pass  # the peer is gone already: the caller raises the returned error either way
        self.abort()
        return ConnectionClosed(code, reason)

    def close(self, code=1000, reason="", timeout=1.0):
        """Close handshake: send close, wait briefly for the server's, then drop the socket."""
        if self.closed:
            return
        try:
            self.sock.sendall(encode_frame(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:120]))
            deadline = _now() + timeout
            while _now() < deadline:
                if self.recv(timeout=max(0.0, deadline - _now())) is None:
                    break
        except (OSError, WebSocketError):
            pass  # a close handshake is a courtesy: the socket is dropped below either way
        self.abort()

    def abort(self):
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass  # closed already


_now = time.monotonic


def _open(host, port, timeout, new_socket):
    error = OSError("no address for %s" % host)
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        sock = new_socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as e:
            sock.close()
            error = e
    raise error
