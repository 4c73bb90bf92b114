"""`npm run bench:agent`: what the agent costs Gunicorn. Alternating A/B runs against Gunicorns started
side by side — plain, and with the agent (-c shim, reporting to a real hub) — same interpreter, same
hello-world WSGI app, sync, 2 workers, load from wrk on 127.0.0.1 only, each run bounded in time.
Per run: Gunicorn's CPU per request (master + workers, utime+stime from /proc before and after the
load), req/s and p99 from wrk. Prints a table and JSON (also written to test-output/bench-agent.json).

Targets: CPU/request ≤ 1.02× plain and req/s ≥ 0.98× plain, judged on the median of the per-round
ratios. All servers stay up for the whole benchmark and each round's runs follow each other in rotating
order, so the other load on a shared machine (and its drift) falls on all alike. Two plain Gunicorns are
measured: their mean is the baseline of each round, and their ratio to each other (A/A) is the noise
floor of this very run — a difference between plain and agent smaller than that is not a measurement.
Last, the agent's own cost per request is timed inside the workers (probe_conf.py), which no other load
on the machine can blur."""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import HERE, ROOT, Gunicorn, Hub, gunicorn_python, wrk  # noqa: E402

CPU_TARGET = 1.02
RPS_TARGET = 0.98
KINDS = ("plain", "agent", "plain2")


def one_run(server, args):
    # A second of unmeasured load first: the server's workers were asleep while the others ran.
    wrk(server.port, 1, args.connections, args.threads)
    cpu_before, wall_before = server.cpu_seconds(), time.monotonic()
    load = wrk(server.port, args.duration, args.connections, args.threads)
    cpu = server.cpu_seconds() - cpu_before
    wall = time.monotonic() - wall_before
    return dict(load, cpuSeconds=round(cpu, 3), wallSeconds=round(wall, 3),
                cpuPerRequestUs=round(cpu / load["requests"] * 1e6, 2))


def probe(python, hub, args):
    """The agent's own cost per request, timed inside the workers of a third Gunicorn under the same
    load (bench/agent/probe_conf.py): medians in µs, immune to the machine's other load."""
    prefix = os.path.join(tempfile.mkdtemp(prefix="bench-agent-"), "probe")
    server = Gunicorn(python, hub, config=os.path.join(HERE, "probe_conf.py"), env={"BENCH_PROBE_OUT": prefix})
    try:
        wrk(server.port, args.duration * 3, args.connections, args.threads)
    finally:
        server.stop()
    workers = []
    for path in glob.glob(prefix + ".*.json"):
        with open(path) as f:
            workers.append(json.load(f))
        os.unlink(path)
    os.rmdir(os.path.dirname(prefix))
    if not workers:
        return None
    out = dict((k, round(statistics.mean(w[k] for w in workers), 3)) for k in workers[0] if k != "requests")
    bracket = out.pop("empty_bracket", 0.0)
    for k in out:
        out[k] = round(max(0.0, out[k] - bracket), 3)
    out["agentNet"] = round(out["agent_pre"] + out["agent_post"] - out["gunicorn_default_pre"], 3)
    out["requests"] = sum(w["requests"] for w in workers)
    return out


def ratios(pairs, kind, field, baseline):
    """Per round: `kind`'s figure over the baseline's (the first plain server, or both plains' mean)."""
    out = []
    for p in pairs:
        if baseline == "plains":
            values = [p[k][field] for k in ("plain", "plain2") if p[k][field] is not None]
            base = sum(values) / len(values) if values else None
        else:
            base = p[baseline][field]
        value = p[kind][field]
        out.append(round(value / base, 4) if base and value is not None else None)
    return out


def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 4) if values else None


def pooled(pairs, kind):
    runs = [p[kind] for p in pairs]
    return sum(r["cpuSeconds"] for r in runs) / sum(r["requests"] for r in runs) * 1e6


def summarize(pairs):
    summary = {}
    for kind, baseline in (("agent", "plains"), ("plain2", "plain")):
        cpu, rps, p99 = (ratios(pairs, kind, f, baseline) for f in ("cpuPerRequestUs", "rps", "p99"))
        base = (pooled(pairs, "plain") + pooled(pairs, "plain2")) / 2 if baseline == "plains" else pooled(pairs, "plain")
        summary[kind] = {
            "baseline": "mean of both plain servers" if baseline == "plains" else "the first plain server",
            "cpuPerRequestRatio": {"median": median(cpu), "pooled": round(pooled(pairs, kind) / base, 4),
                                   "pairs": cpu},
            "rpsRatio": {"median": median(rps), "pairs": rps},
            "p99Ratio": {"median": median(p99), "pairs": p99},
        }
    summary["cpuPerRequestUs"] = dict((kind, round(pooled(pairs, kind), 2)) for kind in KINDS)
    agent = summary["agent"]
    summary["targets"] = {"cpuPerRequest": "<= %.2fx" % CPU_TARGET, "rps": ">= %.2fx" % RPS_TARGET,
                          "cpuMet": agent["cpuPerRequestRatio"]["median"] <= CPU_TARGET,
                          "rpsMet": agent["rpsRatio"]["median"] >= RPS_TARGET}
    return summary


def table(pairs, summary):
    lines = ["round  order                 µs/request: plain  agent  plain2    req/s: plain  agent  plain2"
             "    p99 ms: plain  agent  plain2"]
    for i, p in enumerate(pairs):
        cells = [p[k]["cpuPerRequestUs"] for k in KINDS] + [p[k]["rps"] for k in KINDS] + \
            [(p[k]["p99"] or 0) * 1e3 for k in KINDS]
        lines.append("%-6d %-21s %17.1f %6.1f %7.1f %14.0f %6.0f %7.0f %15.2f %6.2f %7.2f" % tuple([i + 1, p["order"]] + cells))
    for kind, label in (("agent", "agent / mean(plain, plain2)"), ("plain2", "plain2 / plain (A/A: the noise floor)")):
        s = summary[kind]
        lines.append("%s: CPU/request median %.3f (pooled %.3f), req/s median %.3f, p99 median %s" % (
            label, s["cpuPerRequestRatio"]["median"], s["cpuPerRequestRatio"]["pooled"], s["rpsRatio"]["median"],
            "%.3f" % s["p99Ratio"]["median"] if s["p99Ratio"]["median"] else "n/a"))
    probe_ = summary.get("inSituMicroseconds")
    if probe_:
        lines.append("in situ, per request (median µs): agent pre_request %.2f + post_request %.2f − Gunicorn's "
                     "default pre_request skipped %.2f = %.2f net, %.1f%% of plain CPU/request" % (
                         probe_["agent_pre"], probe_["agent_post"], probe_["gunicorn_default_pre"], probe_["agentNet"],
                         summary["inSituNetShare"] * 100))
    t = summary["targets"]
    lines.append("targets: CPU/request ≤ %.2f: %s; req/s ≥ %.2f: %s" % (
        CPU_TARGET, "met" if t["cpuMet"] else "NOT met", RPS_TARGET, "met" if t["rpsMet"] else "NOT met"))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=10, help="rounds, each one A/B pair plus the A/A run (≥ 5)")
    parser.add_argument("--duration", type=int, default=3, help="seconds of measured load per run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load on each server first")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--json", default=os.path.join(ROOT, "test-output", "bench-agent.json"))
    args = parser.parse_args()
    if args.pairs < 5 or not 1 <= args.duration <= 60 or not 0 <= args.warmup <= 60:
        parser.error("--pairs must be at least 5, --duration 1–60 and --warmup 0–60 seconds")
    if subprocess.run(["which", "wrk"], capture_output=True).returncode != 0:
        raise SystemExit("bench:agent: wrk is not installed (apt-get install wrk)")
    python = gunicorn_python()
    hub = Hub()
    servers = {}
    pairs = []
    try:
        servers["plain"] = Gunicorn(python)
        servers["agent"] = Gunicorn(python, hub)
        servers["plain2"] = Gunicorn(python)
        for server in servers.values():
            if args.warmup:
                wrk(server.port, args.warmup, args.connections, args.threads)   # not measured
        for i in range(args.pairs):
            order = KINDS[i % 3:] + KINDS[:i % 3]   # rotates, so no kind always runs first
            pair = {"order": "+".join(order)}
            for kind in order:
                pair[kind] = one_run(servers[kind], args)
                print("round %d %-6s %8.1f µs/request %9.0f req/s p99 %.2f ms" % (
                    i + 1, kind, pair[kind]["cpuPerRequestUs"], pair[kind]["rps"], (pair[kind]["p99"] or 0) * 1e3),
                    file=sys.stderr, flush=True)
            pairs.append(pair)
        for server in servers.values():
            server.stop()
        in_situ = probe(python, hub, args)
    finally:
        for server in servers.values():
            if server.proc.poll() is None:
                server.stop()
        hub.close()
    summary = summarize(pairs)
    summary["inSituMicroseconds"] = in_situ
    if in_situ:
        summary["inSituNetShare"] = round(in_situ["agentNet"] / summary["cpuPerRequestUs"]["plain"], 4)
    versions = subprocess.run([python, "-c", "import gunicorn, platform; print(platform.python_version(), "
                                             "gunicorn.__version__)"], capture_output=True, text=True).stdout.split()
    result = {"bench": "agent", "python": python, "pythonVersion": versions[0], "gunicorn": versions[1],
              "hub": hub.kind, "app": "bench/agent/hello.py (sync, 2 workers)",
              "load": "wrk -t%d -c%d -d%ds --latency per run (after 1 s unmeasured; +%ds warm-up per server) on 127.0.0.1" % (
                  args.threads, args.connections, args.duration, args.warmup),
              "cpus": os.cpu_count(), "loadAverage": [round(x, 2) for x in os.getloadavg()],
              "summary": summary, "pairs": pairs}
    print(table(pairs, summary))
    text = json.dumps(result, indent=2)
    print(text)
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
