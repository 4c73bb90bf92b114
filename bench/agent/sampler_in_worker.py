"""`python3 bench/agent/sampler_in_worker.py`: the profiler's CPU inside a loaded Gunicorn worker, read from the
worker's own threads (/proc/PID/task/TID/stat), so the machine's other load cannot blur it: the
`gl-profiler` thread's CPU against the whole worker's, and per request, at each --hz. Gunicorn 20.1 (Debian's
Python), sync, one worker, the hello-world app, the agent reporting to a stdlib sink; wrk on 127.0.0.1.
What it cannot see: what the sampler costs the worker's main thread (the GIL handed over ~hz times a second,
caches); bench/agent/run.py measures that end to end. Prints JSON."""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import AGENT, Gunicorn, gunicorn_python, tree, wrk  # noqa: E402

sys.path.insert(0, AGENT)
from tests.wsserver import TestHub  # noqa: E402


class Sink(object):
    def __init__(self):
        self.hub = TestHub(token="bench-token", check_frames=False)
        self.url, self.token = self.hub.url, "bench-token"


def threads(pid):
    """{thread name: CPU seconds} of one process, to the nanosecond (schedstat: time on a CPU)."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                name = f.read().strip()
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                ns = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
        out[name] = out.get(name, 0.0) + ns / 1e9
    return out


def one(python, sink, hz, seconds, connections):
    env = {"GUNICORN_LIVE_PROFILE_HZ": str(hz)} if hz else {"GUNICORN_LIVE_PROFILE": "off"}
    server = Gunicorn(python, sink, workers=1, env=env)
    try:
        wrk(server.port, 2, connections, 2)  # warm-up, not measured
        worker = [p for p in tree(server.proc.pid) if p != server.proc.pid][0]
        master0, before = threads(server.proc.pid), threads(worker)
        load = wrk(server.port, seconds, connections, 2)
        master1, after = threads(server.proc.pid), threads(worker)
    finally:
        server.stop()
    used = dict((k, round(after.get(k, 0) - before.get(k, 0), 4)) for k in after)
    total = sum(used.values())
    sampler = used.get("gl-profiler", 0.0)
    master = sum(master1.values()) - sum(master0.values())
    return {"hz": hz or None, "requests": load["requests"], "rps": load["rps"],
            "workerCpuSeconds": round(total, 3), "samplerCpuSeconds": sampler,
            "samplerShareOfWorkerCpu": round(sampler / total, 4) if total else None,
            "samplerUsPerRequest": round(sampler / load["requests"] * 1e6, 2),
            "workerUsPerRequest": round(total / load["requests"] * 1e6, 2),
            "masterCpuSeconds": round(master, 4), "threads": used}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hz", default="0,97,49", help="comma-separated rates; 0 is the profiler off")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    try:
        rates = [float(x) for x in args.hz.split(",")]
    except ValueError:
        parser.error("--hz must be comma-separated numbers")
    if any(not (r == 0 or 1 <= r <= 1000) for r in rates) or not 2 <= args.seconds <= 120 or not 1 <= args.rounds <= 10:
        parser.error("--hz values must be 0 or 1–1000, --seconds 2–120, --rounds 1–10")
    python, sink = gunicorn_python(), Sink()
    try:
        runs = [one(python, sink, hz, args.seconds, args.connections) for _ in range(args.rounds) for hz in rates]
    finally:
        sink.hub.close()
    print(json.dumps({"bench": "sampler-in-worker", "python": python, "cpus": os.cpu_count(),
                      "loadAverage": [round(x, 2) for x in os.getloadavg()], "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
