"""Gunicorn's own statsd instrumentation (--statsd-host) sending to a listening UDP sink (StatsdSink)
that counts the datagrams it receives."""
import socket
import threading

from .base import Launch

NAME = "statsd"
LABEL = "Gunicorn's statsd"
SETUP = "--statsd-host to a UDP sink on 127.0.0.1 that counts datagrams"


def launch(ctx):
    return Launch(["--statsd-host", "127.0.0.1:%d" % ctx.statsd.port, "--statsd-prefix", "bench"])


class StatsdSink(object):
    """A UDP socket on 127.0.0.1 that reads and counts every datagram, on a thread of its own."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.datagrams = self.bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="statsd-sink", daemon=True)
        self._thread.start()

    def _read(self):
        while not self._stop.is_set():
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            self.datagrams += 1
            self.bytes += len(data)

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()
