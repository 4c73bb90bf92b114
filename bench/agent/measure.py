"""The benchmark's instruments: a Gunicorn to measure (plain or instrumented), the hub it reports to, wrk's
load and its report, and the CPU time of Gunicorn's whole process tree from /proc. Stdlib only."""
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
AGENT = os.path.join(ROOT, "server-agent")
SHIM = os.path.join(AGENT, "gunicorn_live", "shim.py")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def gunicorn_python():
    """The interpreter both Gunicorns run on: $GUNICORN_LIVE_PYTHON, else Debian's /usr/bin/python3."""
    for candidate in (os.environ.get("GUNICORN_LIVE_PYTHON"), "/usr/bin/python3", "python3"):
        if candidate and subprocess.run([candidate, "-c", "import gunicorn"], capture_output=True).returncode == 0:
            return candidate
    raise SystemExit("bench:agent: no Python here can import gunicorn (apt-get install python3-gunicorn)")


def free_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


# ---- /proc ---------------------------------------------------------------------------------------

def _stat(pid):
    with open("/proc/%d/stat" % pid, "rb") as f:
        raw = f.read()
    return raw[raw.rfind(b")") + 2:].split()


def _children(pid):
    found = []
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                found += [int(p) for p in f.read().split()]
        except OSError:
            pass
    return found


def tree(pid):
    """pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            todo += _children(p)
        except OSError:
            pass
    return out


def tree_cpu_seconds(pid):
    """utime+stime of the master and every live descendant, plus what the master's reaped children used
    (cutime+cstime), so a worker that exits mid-run still counts."""
    ticks = 0
    for p in tree(pid):
        try:
            fields = _stat(p)
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
        if p == pid:
            ticks += int(fields[13]) + int(fields[14])
    return ticks / float(CLK_TCK)


# ---- the hub ---------------------------------------------------------------------------------------

class Hub(object):
    """The real hub (`node bin/gunicorn-live.js serve --port 0`, or its TypeScript entry through tsx when
    the CLI is not built); the agent reports to it in the instrumented runs. Falls back to the tests'
    stdlib WebSocket sink when Node is missing or the hub does not start."""

    def __init__(self, prefix=()):
        self.proc = None
        self.sink = None
        try:
            self._start_node(prefix)
            self.kind = "gunicorn-live serve"
        except (OSError, RuntimeError) as e:
            sys.path.insert(0, AGENT)
            from tests.wsserver import TestHub
            self.sink = TestHub(token="bench-token", check_frames=False)  # a sink: validating would cost the bench CPU
            self.url, self.token, self.kind = self.sink.url, "bench-token", "stdlib sink (%s)" % e

    def _start_node(self, prefix):
        if os.path.exists(os.path.join(ROOT, "dist", "cli.js")):
            cli = ["node", os.path.join(ROOT, "bin", "gunicorn-live.js")]
        else:
            cli = ["node", "--import", "tsx", os.path.join(ROOT, "extension", "cli", "main.ts")]
        args = list(prefix) + cli + ["serve", "--port", "0"]
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        found, deadline, buffered = {}, time.monotonic() + 30, b""
        while len(found) < 3:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("the hub did not start: %s" % buffered.decode(errors="replace")[-300:])
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                buffered += chunk
                for key in ("GUNICORN_LIVE_URL=", "GUNICORN_LIVE_TOKEN=", "metrics: "):
                    match = re.search((key + r"(\S+)").encode(), buffered)
                    if match:
                        found[key] = match.group(1).decode()
        self.url, self.token = found["GUNICORN_LIVE_URL="], found["GUNICORN_LIVE_TOKEN="]
        self.metrics_url = found["metrics: "]

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self.sink is not None:
            self.sink.close()


# ---- Gunicorn --------------------------------------------------------------------------------------

class Gunicorn(object):
    """`python -m gunicorn` on the hello-world app, sync, 2 workers; with the agent's -c shim when
    `hub` is given. `extra_args` go before the app (a peer's -c, --statsd-host), `app` may be a wrapped hello
    world, `worker_class=None` leaves the worker class to the config file, and `log` keeps Gunicorn's
    output in a file (else /dev/null) so a failed boot can say why."""

    def __init__(self, python, hub=None, workers=2, config=SHIM, env=None, prefix=(), ready_seconds=60,
                 extra_args=(), app="hello:app", worker_class="sync", log=None):
        self.port = free_port()
        self.log_path = log
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_LIVE_", "OTEL_", "PROMETHEUS_"))}
        full_env.update(env or {})
        # prefix: what runs the interpreter (taskset, valgrind); it must exec it in the same process.
        args = list(prefix) + [python, "-m", "gunicorn"]
        if hub is not None:
            full_env.update(PYTHONPATH=AGENT, GUNICORN_LIVE_URL=hub.url, GUNICORN_LIVE_TOKEN=hub.token)
            args += ["-c", config]
        args += list(extra_args) + (["-k", worker_class] if worker_class else [])
        args += ["-w", str(workers), "-b", "127.0.0.1:%d" % self.port, "--chdir", HERE, "--log-level", "warning", app]
        self.workers = workers
        self.log = open(log or os.devnull, "wb")
        self.proc = subprocess.Popen(args, env=full_env, stdout=self.log, stderr=self.log, start_new_session=True)
        self._wait_ready(ready_seconds)

    def _wait_ready(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.close()
                raise SystemExit("bench:agent: Gunicorn exited with code %s%s" % (self.proc.returncode, self.why()))
            if len(tree(self.proc.pid)) == self.workers + 1 and _answers(self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise SystemExit("bench:agent: Gunicorn did not start within %d s" % seconds)

    def why(self):
        """The first error line Gunicorn wrote (an exception, or "Error: …"), when it logs to a file: the
        cause, where later lines are what it set off."""
        if not self.log_path:
            return ""
        with open(self.log_path, errors="replace") as f:
            lines = [line.strip() for line in f if re.match(r"\s*(\w+(Error|Exception)\b|Error:)", line)]
        return ": " + lines[0] if lines else ""

    def cpu_seconds(self):
        return tree_cpu_seconds(self.proc.pid)

    def stop(self):
        if self.proc.poll() is not None:
            return
        try:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(30)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.log.close()


def _answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
            return sock.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


# ---- wrk ---------------------------------------------------------------------------------------------

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def wrk(port, seconds, connections, threads, prefix=()):
    """wrk's figures for one bounded run against 127.0.0.1: requests, req/s, p50/p99 latency (seconds)."""
    run = subprocess.run(list(prefix) + ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds, "--latency",
                          "http://127.0.0.1:%d/" % port], capture_output=True, text=True, timeout=seconds + 60)
    out = run.stdout
    requests = re.search(r"^\s*(\d+) requests in", out, re.M)
    rate = re.search(r"^Requests/sec:\s*([\d.]+)", out, re.M)
    if run.returncode != 0 or not requests or not rate:
        raise SystemExit("bench:agent: wrk failed: %s" % (run.stderr or out)[-300:])
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"requests": int(requests.group(1)), "rps": float(rate.group(1)),
            "p50": _latency(out, "50%"), "p99": _latency(out, "99%"),
            "non2xx": int(errors.group(1)) if errors else 0,
            "socketErrors": socket_errors.group(1).strip() if socket_errors else None}


def _latency(out, percentile):
    match = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s|m)\s*$" % re.escape(percentile), out, re.M)
    return float(match.group(1)) * _UNITS[match.group(2)] if match else None
