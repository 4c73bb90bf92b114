"""Starts the real Debian Gunicorn with the agent's shim, and always stops it (its whole process group)."""
import http.client
import os
import signal
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT_ROOT = os.path.dirname(HERE)
SHIM = os.path.join(AGENT_ROOT, "gunicorn_live", "shim.py")
APPS = os.path.join(HERE, "apps")
GUNICORN = "/usr/bin/gunicorn"


def start(test, args, env=None, app="app:app"):
    full_env = dict(os.environ, PYTHONPATH=AGENT_ROOT, **(env or {}))
    proc = subprocess.Popen([GUNICORN, "-c", SHIM, "-b", "127.0.0.1:0", "--chdir", APPS] + list(args) + [app],
                            env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    test.addCleanup(stop, proc)
    return proc


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(10)
    if proc.stderr:
        proc.stderr.close()


def get(port, path, timeout=5.0):
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


def wait_until(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
