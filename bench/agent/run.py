"""`npm run bench:agent`: what the agent costs Gunicorn. Alternating A/B runs against Gunicorns started
side by side — plain, and with the agent (-c shim, reporting to a real hub) — same interpreter, same
hello-world WSGI app, sync, 2 workers, load from wrk on 127.0.0.1 only, each run bounded in time.
Per run: Gunicorn's CPU per request (master + workers, utime+stime from /proc before and after the
load), req/s and p99 from wrk. Prints a table and JSON (also written to test-output/bench-agent.json).

Targets: CPU/request ≤ 1.02× plain and req/s ≥ 0.98× plain, judged on the median of the per-round
ratios, with the profiler on at its default rate; and the profiler's own share: a fourth Gunicorn runs the
agent with GUNICORN_LIVE_PROFILE=off, and instructions per request with the profiler on are ≤ 1.01× off.
All servers stay up for the whole benchmark and each round's runs follow each other in rotating
order, so the other load on a shared machine (and its drift) falls on all alike. Two plain Gunicorns are
measured: their mean is the baseline of each round, and their ratio to each other (A/A) is the noise
floor of this very run — a difference between plain and agent smaller than that is not a measurement.
With --pin the Gunicorns run on CPU 1 and wrk and the hub on CPU 0, so load and server never take each
other's core (but other load on CPU 1 then falls on the server alone). Then the agent's own cost per
request is timed inside the workers (probe_conf.py), and last valgrind counts the instructions each
Gunicorn executes per request (instructions.py): a measure no other load on the machine can change."""
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
import instructions  # noqa: E402
from measure import HERE, ROOT, Gunicorn, Hub, gunicorn_python, wrk  # noqa: E402

CPU_TARGET = 1.02
PROFILER_TARGET = 1.01
RPS_TARGET = 0.98
# agent: the agent as shipped (profiler on at its default rate); noprof: the same with GUNICORN_LIVE_PROFILE=off.
KINDS = ("plain", "agent", "plain2", "noprof")
KIND_ENV = {"noprof": {"GUNICORN_LIVE_PROFILE": "off"}}


# CPUs with --pin: Gunicorn on one, wrk and the hub on the other.
SERVER_CPU, LOAD_CPU = "1", "0"


def taskset(args, cpu):
    return ("taskset", "-c", cpu) if args.pin else ()


def one_run(server, args):
    # A second of unmeasured load first: the server's workers were asleep while the others ran.
    wrk(server.port, 1, args.connections, args.threads, taskset(args, LOAD_CPU))
    cpu_before, wall_before = server.cpu_seconds(), time.monotonic()
    load = wrk(server.port, args.duration, args.connections, args.threads, taskset(args, LOAD_CPU))
    cpu = server.cpu_seconds() - cpu_before
    wall = time.monotonic() - wall_before
    return dict(load, cpuSeconds=round(cpu, 3), wallSeconds=round(wall, 3),
                cpuPerRequestUs=round(cpu / load["requests"] * 1e6, 2))


def probe(python, hub, args):
    """The agent's own cost per request, timed inside the workers of a third Gunicorn under the same
    load (bench/agent/probe_conf.py): medians in µs, immune to the machine's other load."""
    prefix = os.path.join(tempfile.mkdtemp(prefix="bench-agent-"), "probe")
    server = Gunicorn(python, hub, config=os.path.join(HERE, "probe_conf.py"), env={"BENCH_PROBE_OUT": prefix},
                      prefix=taskset(args, SERVER_CPU))
    try:
        wrk(server.port, args.duration * 3, args.connections, args.threads, taskset(args, LOAD_CPU))
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
    for kind, baseline in (("agent", "plains"), ("plain2", "plain"), ("noprof", "plains"), ("agent", "noprof")):
        cpu, rps, p99 = (ratios(pairs, kind, f, baseline) for f in ("cpuPerRequestUs", "rps", "p99"))
        base = (pooled(pairs, "plain") + pooled(pairs, "plain2")) / 2 if baseline == "plains" else pooled(pairs, baseline)
        summary[kind if baseline != "noprof" else "profiler"] = {
            "baseline": {"plains": "mean of both plain servers", "plain": "the first plain server",
                         "noprof": "the agent with its profiler off"}[baseline],
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
    # The range the two identical plain servers' per-round ratios spanned in this run.
    summary["noiseFloor"] = {}
    for field in ("cpuPerRequestRatio", "rpsRatio"):
        values = [v for v in summary["plain2"][field]["pairs"] if v is not None]
        summary["noiseFloor"][field] = [min(values), max(values)] if values else None
    return summary


def table(pairs, summary):
    lines = ["round  order                       µs/request: plain  agent  plain2 noprof    req/s: plain  agent  plain2"
             " noprof    p99 ms: plain  agent  plain2 noprof"]
    for i, p in enumerate(pairs):
        cells = [p[k]["cpuPerRequestUs"] for k in KINDS] + [p[k]["rps"] for k in KINDS] + \
            [(p[k]["p99"] or 0) * 1e3 for k in KINDS]
        lines.append("%-6d %-28s %17.1f %6.1f %7.1f %6.1f %14.0f %6.0f %7.0f %6.0f %15.2f %6.2f %7.2f %6.2f"
                     % tuple([i + 1, p["order"]] + cells))
    for kind, label in (("agent", "agent / mean(plain, plain2)"), ("plain2", "plain2 / plain (A/A: the noise floor)"),
                        ("noprof", "agent, profiler off / mean(plain, plain2)"),
                        ("profiler", "agent, profiler on / off")):
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
    ins = summary.get("instructionsPerRequest")
    if ins:
        lines.append("valgrind, instructions per request (workers + master): plain %.0f (%.0f + %.0f), agent %.0f "
                     "(%.0f + %.0f): %.4f× (workers alone %.4f×; %.4f× with the master's %.0f instructions/s spread "
                     "over wrk's req/s)" % (
                         ins["plain"]["total"], ins["plain"]["workers"], ins["plain"]["master"], ins["agent"]["total"],
                         ins["agent"]["workers"], ins["agent"]["master"], ins["ratio"], ins["workersRatio"],
                         ins.get("ratioAtMeasuredRate", float("nan")), ins["agent"]["masterPerSecond"]))
    if ins and "profilerRatio" in ins:
        lines.append("valgrind, profiler on / off: %.4f× (%.4f× at wrk's req/s; the sampler works per second)" % (
            ins["profilerRatio"], ins.get("profilerRatioAtMeasuredRate", float("nan"))))
    t, floor = summary["targets"], summary["noiseFloor"]
    lines.append("targets (wall clock): CPU/request ≤ %.2f: %s; req/s ≥ %.2f: %s (A/A per-round range: CPU/request "
                 "%s, req/s %s)" % (
                     CPU_TARGET, "met" if t["cpuMet"] else "NOT met", RPS_TARGET, "met" if t["rpsMet"] else "NOT met",
                     _span(floor["cpuPerRequestRatio"]), _span(floor["rpsRatio"])))
    if "instructionsMet" in t:
        lines.append("target (instructions): ≤ %.2f: %s; profiler on/off ≤ %.2f: %s" % (
            CPU_TARGET, "met" if t["instructionsMet"] else "NOT met", PROFILER_TARGET,
            "met" if t["profilerInstructionsMet"] else "NOT met"))
    return "\n".join(lines)


def _span(pair):
    return "%.3f–%.3f" % tuple(pair) if pair else "n/a"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=15, help="rounds, each one A/B pair plus the A/A run (≥ 5)")
    parser.add_argument("--duration", type=int, default=3, help="seconds of measured load per run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load on each server first")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--pin", action="store_true",
                        help="Gunicorn on CPU 1, wrk and the hub on CPU 0 (on a shared machine, whatever else lands "
                             "on CPU 1 then halves the server's req/s: off by default)")
    parser.add_argument("--instructions", action=argparse.BooleanOptionalAction, default=True,
                        help="count instructions per request with valgrind (needs valgrind)")
    parser.add_argument("--instructions-requests", type=int, default=1800,
                        help="requests in the longer valgrind run (the shorter one has a sixth of them)")
    parser.add_argument("--instructions-repeats", type=int, default=3)
    parser.add_argument("--json", default=os.path.join(ROOT, "test-output", "bench-agent.json"))
    args = parser.parse_args()
    if args.pairs < 5 or not 1 <= args.duration <= 60 or not 0 <= args.warmup <= 60:
        parser.error("--pairs must be at least 5, --duration 1–60 and --warmup 0–60 seconds")
    if not 600 <= args.instructions_requests <= 20000 or not 1 <= args.instructions_repeats <= 5:
        parser.error("--instructions-requests must be 600–20000 and --instructions-repeats 1–5")
    if subprocess.run(["which", "wrk"], capture_output=True).returncode != 0:
        raise SystemExit("bench:agent: wrk is not installed (apt-get install wrk)")
    if args.instructions:
        instructions.check_valgrind()
    if args.pin and (os.cpu_count() or 1) < 2:
        parser.error("--pin needs 2 CPUs")
    python = gunicorn_python()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    hub = Hub(taskset(args, LOAD_CPU))
    servers = {}
    pairs = []
    counts = None
    try:
        for kind in KINDS:
            servers[kind] = Gunicorn(python, hub if kind in ("agent", "noprof") else None, env=KIND_ENV.get(kind),
                                     prefix=taskset(args, SERVER_CPU))
        for server in servers.values():
            if args.warmup:
                wrk(server.port, args.warmup, args.connections, args.threads, taskset(args, LOAD_CPU))  # not measured
        for i in range(args.pairs):
            order = KINDS[i % len(KINDS):] + KINDS[:i % len(KINDS)]   # rotates, so no kind always runs first
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
        if args.instructions:
            large = args.instructions_requests
            counts = instructions.measure(python, hub, small=large // 6, large=large,
                                          repeats=args.instructions_repeats,
                                          log=lambda line: print(line, file=sys.stderr, flush=True))
    finally:
        for server in servers.values():
            if server.proc.poll() is None:
                server.stop()
        hub.close()
    summary = summarize(pairs)
    summary["inSituMicroseconds"] = in_situ
    if in_situ:
        summary["inSituNetShare"] = round(in_situ["agentNet"] / summary["cpuPerRequestUs"]["plain"], 4)
    if counts:
        # The master's agent works per second, not per request: valgrind's slow pace (~400 req/s) inflates
        # its share, so it is also spread over the req/s wrk measured (median), which is closer to the truth.
        rps = dict((k, statistics.median(p[k]["rps"] for p in pairs)) for k in ("plain", "agent"))
        at_rate = dict((k, counts[k]["workers"] + counts[k]["masterPerSecond"] / rps[k]) for k in rps)
        counts["ratioAtMeasuredRate"] = round(at_rate["agent"] / at_rate["plain"], 4)
        # The profiler samples per second: what it adds under valgrind, per valgrind's second,
        # spread over wrk's req/s instead.
        off, on = counts["noprof"], counts["agent"]
        per_second = (on["total"] - off["total"]) * on["requestsPerSecond"]
        counts["profilerRatioAtMeasuredRate"] = round(
            (off["total"] + per_second / rps["agent"]) / off["total"], 4)
        summary["instructionsPerRequest"] = counts
        summary["targets"]["instructions"] = "<= %.2fx" % CPU_TARGET
        summary["targets"]["instructionsMet"] = counts["ratio"] <= CPU_TARGET
        summary["targets"]["profilerInstructions"] = "<= %.2fx" % PROFILER_TARGET
        summary["targets"]["profilerInstructionsMet"] = counts["profilerRatio"] <= PROFILER_TARGET
    versions = subprocess.run([python, "-c", "import gunicorn, platform; print(platform.python_version(), "
                                             "gunicorn.__version__)"], capture_output=True, text=True).stdout.split()
    result = {"bench": "agent", "python": python, "pythonVersion": versions[0], "gunicorn": versions[1],
              "hub": hub.kind, "app": "bench/agent/hello.py (sync, 2 workers)",
              "load": "wrk -t%d -c%d -d%ds --latency per run (after 1 s unmeasured; +%ds warm-up per server) on 127.0.0.1" % (
                  args.threads, args.connections, args.duration, args.warmup),
              "pinned": "Gunicorn on CPU %s, wrk and the hub on CPU %s" % (SERVER_CPU, LOAD_CPU) if args.pin else None,
              "cpus": os.cpu_count(), "loadAverageAtStart": load_at_start,
              "loadAverage": [round(x, 2) for x in os.getloadavg()],
              "summary": summary, "pairs": pairs}
    print(table(pairs, summary))
    text = json.dumps(result, indent=2)
    print(text)
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
