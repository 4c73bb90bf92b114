"""The uplink to the hub: a bounded outbound buffer and one thread that connects, sends hello first on
every connection, replays what is buffered at a pace the hub accepts, answers commands, and reconnects
with exponential backoff and jitter. Nothing here ever blocks Gunicorn's arbiter: the arbiter only
appends to the buffer."""
import os
import random
import select
import socket
import threading
import time
from collections import deque

from . import commands, frames
from .log import logger
from .wsclient import ConnectionClosed, WebSocketClient, WebSocketError

# Held only while the uplink creates its socket (no I/O) and by every fork, so a child never inherits
# a socket the master has not yet recorded (and so cannot close in the child).
_birth = threading.Lock()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_birth.acquire, after_in_parent=_birth.release, after_in_child=_birth.release)

# The hub allows 200 frames/s with a burst of 200; replay stays well below that.
SEND_RATE = 100.0
SEND_BURST = 50.0


_SAMPLE_PREFIX = '{"type":"sample"'


class OutboundBuffer(object):
    """Frames (JSON text) waiting for the hub. When full the oldest is dropped and counted (`dropped`;
    `dropped_samples` of them samples, which the samples themselves report). The lock is held only for
    deque operations, never across I/O."""

    def __init__(self, capacity):
        self.capacity = max(1, int(capacity))
        self._frames = deque()
        self._lock = threading.Lock()
        self.dropped = 0
        self.dropped_samples = 0

    def put(self, text):
        with self._lock:
            if len(self._frames) >= self.capacity:
                oldest = self._frames.popleft()
                self.dropped += 1
                if oldest.startswith(_SAMPLE_PREFIX):
                    self.dropped_samples += 1
            self._frames.append(text)

    def peek(self):
        with self._lock:
            return self._frames[0] if self._frames else None

    def pop(self, text):
        """Removes `text` if it is still the oldest (it may have been dropped meanwhile)."""
        with self._lock:
            if self._frames and self._frames[0] is text:
                self._frames.popleft()

    def __len__(self):
        return len(self._frames)


class Transport(object):
    def __init__(self, url, token, hello, buffer, backoff_base=0.5, backoff_cap=30.0, connect_timeout=5.0,
                 kill=None):
        self.url = url
        self.token = token
        self.hello = hello  # callable → hello frame dict, built fresh for each connection
        self.buffer = buffer
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.connect_timeout = connect_timeout
        self.kill = kill
        self.connections = 0
        # (major, minor) of the hub connected now, from its handshake (frames.hub_version).
        self.hub_version = (1, 1)
        self.ws = None
        self._socket = None
        self._stop = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self._run, name="gunicorn-live-uplink", daemon=True)
        self.thread.start()

    def wake(self):
        try:
            self._wake_w.send(b".")
        except OSError:
            pass  # the wake pipe is full (a wake is pending anyway) or closed (the uplink stopped)

    def stop(self, timeout=2.0):
        self._stop.set()
        self.wake()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout)
        ws = self.ws
        if ws is not None:
            ws.abort()
        self._close_wake()

    def close_after_fork(self):
        """In a forked child: the thread does not exist there; just release the inherited sockets."""
        sock = self._socket
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass  # closed already: the child only drops its copy
        self._close_wake()

    def _new_socket(self, family, kind, proto):
        with _birth:
            sock = self._socket = socket.socket(family, kind, proto)
        return sock

    def _close_wake(self):
        for s in (self._wake_r, self._wake_w):
            try:
                s.close()
            except OSError:
                pass  # closed already

    def _backoff(self, attempt):
        delay = min(self.backoff_cap, self.backoff_base * (2 ** min(attempt, 16)))
        return random.uniform(delay / 2.0, delay)

    def _run(self):
        attempt = 0
        outage_logged = False
        while not self._stop.is_set():
            try:
                ws = WebSocketClient.connect(self.url, self.token, timeout=self.connect_timeout,
                                             new_socket=self._new_socket)
            except (OSError, WebSocketError, ValueError) as e:
                if not outage_logged:
                    status = getattr(e, "status", None)
                    hint = " (wrong token?)" if status == 401 else ""
                    logger.warning("cannot reach the hub at %s: %s%s; retrying with backoff", self.url, e, hint)
                    outage_logged = True
                self._stop.wait(self._backoff(attempt))
                attempt += 1
                continue
            self.hub_version = frames.hub_version(ws.headers)
            self.ws = ws
            self.connections += 1
            attempt = 0
            if outage_logged or self.connections == 1:
                logger.info("connected to the hub at %s", self.url)
            outage_logged = False
            try:
                ws.send_text(frames.encode(self.hello()))
                self._pump(ws)
            except ConnectionClosed as e:
                logger.warning("the hub closed the connection: %s %s", e.code, e.reason)
                outage_logged = True
            except (OSError, WebSocketError) as e:
                logger.warning("lost the hub connection: %s", e)
                outage_logged = True
            except Exception:
                logger.exception("uplink error; reconnecting")
                outage_logged = True
            finally:
                if self._stop.is_set():
                    ws.close(1001, "gunicorn stopping", timeout=0.5)
                ws.abort()
                self.ws = None
            if self.buffer.dropped:
                logger.warning("%d frames dropped so far while the hub was unreachable", self.buffer.dropped)
            self._stop.wait(self._backoff(0))

    def _pump(self, ws):
        tokens = SEND_BURST
        last = time.monotonic()
        while not self._stop.is_set():
            now = time.monotonic()
            tokens = min(SEND_BURST, tokens + (now - last) * SEND_RATE)
            last = now
            # Notice a hub that went away before writing into a dead socket: a frame written there is lost,
            # one still in the buffer is replayed after the reconnect.
            self._incoming(ws, 0)
            while tokens >= 1:
                text = self.buffer.peek()
                if text is None:
                    break
                ws.send_text(text)
                self.buffer.pop(text)
                tokens -= 1
            # recv() consumes every complete frame, so select() sees all there is to read.
            wait = 1.0 if self.buffer.peek() is None else max(0.001, (1 - tokens) / SEND_RATE)
            self._incoming(ws, wait)

    def _incoming(self, ws, wait):
        ready, _, _ = select.select([ws.sock, self._wake_r], [], [], wait)
        if self._wake_r in ready:
            try:
                while self._wake_r.recv(4096):
                    pass  # only empties the wake pipe: the wake itself is the message
            except OSError:
                pass  # BlockingIOError: emptied
        if ws.sock in ready:
            message = ws.recv(timeout=0)
            while message is not None:
                self._command(ws, message)
                message = ws.recv(timeout=0)

    def _command(self, ws, message):
        if not isinstance(message, str):
            return
        ack = commands.handle(message, kill=self.kill) if self.kill is not None else commands.handle(message)
        if ack is not None:
            ws.send_text(frames.encode(ack))
