"""A copy of Gunicorn's stderr in a file while it starts, so whoever launched it (VS Code's task) can say
why it exited before it served: "Connection in use: ('127.0.0.1', 8000)", an app that would not import.
Its log handlers write to sys.stderr, which this wraps before Gunicorn sets them up; forked workers
inherit the wrapper, so their boot errors land in the same file. Only the first MAX_BYTES are copied: an
early exit says why within them, and a long-running server does not grow a file."""
import os
import sys

ENV_VAR = "GUNICORN_LIVE_STDERR_COPY"
MAX_BYTES = 64 * 1024


class StderrCopy(object):
    """Writes through to the real stderr, and to `fd` until MAX_BYTES went there. Never raises."""

    def __init__(self, stream, fd):
        self._stream = stream
        self._fd = fd
        self._copied = 0

    def write(self, text):
        written = self._stream.write(text)
        if self._fd is not None:
            try:
                data = text.encode("utf-8", "replace")
                if self._copied + len(data) > MAX_BYTES:
                    os.close(self._fd)
                    self._fd = None
                else:
                    os.write(self._fd, data)
                    self._copied += len(data)
            except Exception:  # noqa: BLE001 - a copy that fails must not break Gunicorn's logging
                self._fd = None
        return written

    def __getattr__(self, name):
        return getattr(self._stream, name)


def install(environ=os.environ):
    """Wraps sys.stderr when the launch asked for a copy (ENV_VAR names the file). Returns the wrapper."""
    path = environ.get(ENV_VAR)
    if not path or isinstance(sys.stderr, StderrCopy) or sys.stderr is None:
        return None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        return None
    sys.stderr = StderrCopy(sys.stderr, fd)
    return sys.stderr
