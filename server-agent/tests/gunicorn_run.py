"""Starts the real Debian Gunicorn (with the agent's shim, or a config of the test's choosing), and always
stops it (its whole process group). Gunicorn's log goes to a file, never to an unread pipe that could
fill up and stall the master."""
import http.client
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT_ROOT = os.path.dirname(HERE)
SHIM = os.path.join(AGENT_ROOT, "gunicorn_live", "shim.py")
APPS = os.path.join(os.path.dirname(AGENT_ROOT), "test", "apps")
GUNICORN = "/usr/bin/gunicorn"


def start(test, args, env=None, app="app:app", config=SHIM, cgroup_procs=None):
    """Gunicorn on 127.0.0.1:<free port> with `args`; `config` None runs it without -c; `cgroup_procs`:
    the cgroup.procs file of a cgroup to start it in."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_LIVE_", "OTEL_"))}
    full_env.update(PYTHONPATH=AGENT_ROOT, **(env or {}))
    log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)
    test.addCleanup(os.unlink, log.name)
    command = [GUNICORN] + (["-c", config] if config else []) + ["-b", "127.0.0.1:0", "--chdir", APPS] + \
        list(args) + [app]
    def enter_cgroup():
        with open(cgroup_procs, "w") as f:
            f.write(str(os.getpid()))
    proc = subprocess.Popen(command, env=full_env, stdout=log, stderr=log, start_new_session=True,
                            preexec_fn=enter_cgroup if cgroup_procs else None)
    log.close()
    proc.log_path = log.name
    test.addCleanup(stop, proc)
    return proc


def free_port():
    """A loopback port nothing listens on now."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def read_log(proc):
    with open(proc.log_path, errors="replace") as f:
        return f.read()


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(10)


def get(port, path, timeout=10.0):
    """(status, body) of one GET on a fresh connection; (None, error) when the connection broke."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException) as e:
        return None, e
    finally:
        conn.close()


def get_async(port, path, timeout=30.0):
    """Starts one GET in a thread; `.join()` then `.result` is (status, body)."""
    thread = threading.Thread(target=lambda: setattr(thread, "result", get(port, path, timeout)), daemon=True)
    thread.result = None
    thread.start()
    return thread


def abandon(port, path):
    """Sends a request and resets the connection at once (SO_LINGER 0): the client goes away before
    the response is written."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(("GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" % path).encode())
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()


def wait_until(predicate, timeout, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
