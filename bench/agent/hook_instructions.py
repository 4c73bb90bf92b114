"""Instructions the agent's request hooks execute per request, alone: valgrind counts a Python that calls
the sync worker's pre_request and post_request N times on one request Gunicorn parsed and answered (the
hot-cache path every repeated request takes), minus the same Python looping N times without them.
Nothing here depends on time (no flusher, no sampler, no accept loop), so the figure repeats to the
instruction: what a change to the request path costs, where the whole-server count (instructions.py)
moves by ±0.3 % from run to run.

    python3 bench/agent/hook_instructions.py [--requests N] [--agent PATH/server-agent]"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "server-agent")

# Runs in the measured Python: sys.argv = [agent folder, "hooks" | "loop", N].
PROGRAM = r'''
import os, socket, sys
sys.path.insert(0, sys.argv[1])
from gunicorn.config import Config
from gunicorn.http import wsgi
from gunicorn.http.parser import RequestParser
from gunicorn_live.recorder import Recorder
from gunicorn_live.routes import RouteTable
from gunicorn_live.settings import DURATION_BUCKETS
from gunicorn_live.stats import RequestStats
extra = {}
try:  # the worker's scoreboard slot, where this agent has one
    from gunicorn_live.scoreboard import Scoreboard
    class Worker(object):
        pid = None
    worker, board = Worker(), Scoreboard()
    board.assign(worker)
    extra["board"] = board.claim(worker, os.getpid())
except ImportError:
    pass
cfg = Config()
server_side, client_side = socket.socketpair()
try:
    stats = RequestStats()
except TypeError:  # an agent before exponential histograms takes the classic bounds
    stats = RequestStats(DURATION_BUCKETS)
recorder = Recorder(stats, RouteTable(), threaded=True, single_thread=True, **extra)
pre, post = recorder.pre_request_hook(None), recorder.post_request_hook(None)
req = next(RequestParser(cfg, [b"GET /items/7 HTTP/1.1\r\nHost: bench\r\n\r\n"], ("127.0.0.1", 9)))
resp, environ = wsgi.create(req, server_side, ("127.0.0.1", 9), ("127.0.0.1", 8000), cfg)
resp.start_response("200 OK", [("Content-Length", "2")])
resp.write(b"ok")
client_side.recv(64)
n = int(sys.argv[3])
if sys.argv[2] == "hooks":
    for _ in range(n):
        pre(None, req)
        post(None, req, environ, resp)
    assert recorder.stats.totals()[1] == n
else:
    for _ in range(n):
        pass
'''


def count(python, agent, mode, n):
    with tempfile.NamedTemporaryFile(prefix="hook-instructions-") as out:
        run = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=" + out.name,
                              python, "-c", PROGRAM, agent, mode, str(n)],
                             env=dict(os.environ, PYTHONHASHSEED="0"), capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit("hook_instructions: the measured Python failed: %s" % run.stderr[-500:])
        for line in open(out.name):
            if line.startswith("summary:"):
                return int(line.split()[1])
    raise SystemExit("hook_instructions: valgrind wrote no summary")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50000)
    parser.add_argument("--agent", default=AGENT, help="the server-agent folder to measure")
    args = parser.parse_args()
    if not 1000 <= args.requests <= 1000000:
        parser.error("--requests must be 1000–1000000")
    sys.path.insert(0, HERE)
    from instructions import check_valgrind
    from measure import gunicorn_python
    check_valgrind()
    python = gunicorn_python()
    hooks, loop = (count(python, os.path.abspath(args.agent), mode, args.requests) for mode in ("hooks", "loop"))
    print("%.0f instructions per request in the agent's pre_request + post_request (%s, %d requests)" % (
        (hooks - loop) / float(args.requests), args.agent, args.requests))


if __name__ == "__main__":
    main()
