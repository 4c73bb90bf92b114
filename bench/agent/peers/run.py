"""`npm run bench:agent -- --peers`: gunicorn-live side by side with the tools it replaces, in one run, on
the newest Gunicorn (one venv, peers/venv.py): plain Gunicorn (twice: the noise floor), gunicorn-live,
gunicorn-prometheus-exporter, prometheus_client multiprocess behind a WSGI middleware, Gunicorn's statsd,
OpenTelemetry's WSGI instrumentation with the SDK (one module per configuration in peers/).

All Gunicorns serve bench/agent/hello.py, sync, 2 workers each (2 cores: more workers would only add
context switches, alike for all), and stay up for the whole load part. Each round loads every one in
turn (rotating order) with the same wrk load; per run: Gunicorn's CPU per request from /proc (master +
workers), req/s and p99 from wrk. Every /metrics is scraped once per 15 s of its server's load, as
Prometheus would, inside the measured run. Then each configuration's /metrics is timed at 8 workers after
load, and valgrind counts the instructions per request of each (instructions.py). Prints a table, the
README table, and the JSON (also written to test-output/bench-peers.json)."""
import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

import instructions
from measure import ROOT, Hub, tree_cpu_seconds, wrk

from . import exporter, live, report, venv
from .base import Context
from .registry import KINDS, MODULES
from .scrape import scrape
from .statsd import StatsdSink

SCRAPE_EVERY = 15.0


def log(line):
    print(line, file=sys.stderr, flush=True)


def check_exporter_master(ctx, folder):
    """Whether gunicorn-prometheus-exporter as its README sets it up, its PrometheusMaster in place of
    Gunicorn's Arbiter, boots and answers on this Gunicorn (conf/exporter.py says why it may not)."""
    ctx.exporter_master = True
    try:
        server = exporter.launch(ctx).start(ctx, 1, log=os.path.join(folder, "exporter-documented.log"),
                                            ready_seconds=30)
    except SystemExit as e:
        ctx.exporter_master = False
        return {"boots": False, "error": str(e).replace("bench:agent: ", "")}
    # Its workers answer before the master's main loop first waits for signals: it must stay up.
    time.sleep(3)
    exit_code = server.proc.poll()
    server.stop()
    if exit_code is None:
        return {"boots": True}
    try:
        os.killpg(server.proc.pid, signal.SIGKILL)  # workers the dead master may have left
    except OSError:
        pass
    ctx.exporter_master = False
    return {"boots": False, "error": "Gunicorn answered, then exited with code %s%s" % (exit_code, server.why())}


class ScrapeClock(object):
    """One scrape per SCRAPE_EVERY seconds of a server's measured load, the first in its first run."""

    def __init__(self):
        self.loaded = {}

    def due(self, kind, seconds):
        before = self.loaded.get(kind, 0.0)
        self.loaded[kind] = before + seconds
        return before == 0 or int(before // SCRAPE_EVERY) != int((before + seconds) // SCRAPE_EVERY)


def one_run(kind, server, args, ctx, clock):
    wrk(server.port, 1, args.connections, args.threads)  # unmeasured: its workers slept while others ran
    scrapes = []
    timer = None
    if server.metrics_url and clock.due(kind, args.duration):
        def scrape_once():
            try:
                scrapes.append(round(scrape(server.metrics_url)["seconds"] * 1e3, 2))
            except (OSError, ValueError) as e:
                scrapes.append("failed: %s" % e)
        timer = threading.Timer(args.duration / 2.0, scrape_once)
    hub_before = tree_cpu_seconds(ctx.hub.proc.pid) if kind == live.NAME else None
    statsd_before = ctx.statsd.datagrams
    cpu_before, wall_before = server.cpu_seconds(), time.monotonic()
    if timer:
        timer.start()
    load = wrk(server.port, args.duration, args.connections, args.threads)
    cpu = server.cpu_seconds() - cpu_before
    out = dict(load, cpuSeconds=round(cpu, 4), wallSeconds=round(time.monotonic() - wall_before, 3),
               cpuPerRequestUs=round(cpu / load["requests"] * 1e6, 2))
    if timer:
        timer.join()
        out["scrapesMs"] = scrapes
    if hub_before is not None:
        out["hubCpuSeconds"] = round(tree_cpu_seconds(ctx.hub.proc.pid) - hub_before, 4)
    if ctx.statsd.datagrams != statsd_before:
        out["statsdDatagrams"] = ctx.statsd.datagrams - statsd_before
    return out


def load_rounds(ctx, args, folder, peers):
    """Starts every configuration (2 workers), runs the rounds, stops them. Returns the rounds."""
    servers = {}
    try:
        for kind in KINDS:
            if peers[kind].get("error"):
                continue
            try:
                servers[kind] = MODULES[kind].launch(ctx).start(ctx, args.workers,
                                                                log=os.path.join(folder, kind + ".log"))
            except SystemExit as e:
                peers[kind]["error"] = "did not start: %s" % str(e).replace("bench:agent: ", "")
                log("peers: %s %s" % (kind, peers[kind]["error"]))
        for server in servers.values():
            if args.warmup:
                wrk(server.port, args.warmup, args.connections, args.threads)
        kinds, clock, rounds = list(servers), ScrapeClock(), []
        for i in range(args.rounds):
            order = kinds[i % len(kinds):] + kinds[:i % len(kinds)]
            one = {"order": "+".join(order)}
            for kind in order:
                one[kind] = one_run(kind, servers[kind], args, ctx, clock)
                log("round %d %-18s %8.1f µs/request %9.0f req/s p99 %6.2f ms" % (
                    i + 1, kind, one[kind]["cpuPerRequestUs"], one[kind]["rps"], (one[kind]["p99"] or 0) * 1e3))
            rounds.append(one)
        return rounds
    finally:
        for server in servers.values():
            server.stop()


def scrape_at(ctx, args, kind, folder):
    """A configuration's /metrics at `--scrape-workers` workers after `--scrape-load` s of wrk's load:
    the median of `--scrapes` GETs in a row."""
    server = MODULES[kind].launch(ctx).start(ctx, args.scrape_workers, log=os.path.join(folder, kind + "-8.log"))
    try:
        load = wrk(server.port, args.scrape_load, args.connections, args.threads)
        time.sleep(2.5)  # the agent samples and sends once a second: the hub has this load when it is scraped
        times, last = [], None
        for _ in range(args.scrapes):
            last = scrape(server.metrics_url)
            times.append(last["seconds"] * 1e3)
            time.sleep(0.05)
        times.sort()
        return {"workers": args.scrape_workers, "loadRequests": load["requests"], "scrapes": len(times),
                "medianMs": round(times[len(times) // 2], 2), "maxMs": round(times[-1], 2),
                "minMs": round(times[0], 2), "bytes": last["bytes"], "samples": last["samples"],
                "url": server.metrics_url.split("?")[0]}
    finally:
        server.stop()


def count_instructions(ctx, args, peers):
    """valgrind's instructions per request for plain and every configuration that started."""
    def launcher(kind):
        return lambda workers, prefix, env: MODULES[kind].launch(ctx).start(
            ctx, workers, prefix=prefix, env=env, ready_seconds=180)
    kinds = [k for k in KINDS if k != "plain2" and not peers[k].get("error")]
    large = args.instructions_requests
    return instructions.measure_kinds(dict((k, launcher(k)) for k in kinds), large // 6, large,
                                      args.instructions_repeats, log=log)


def main(argv):
    parser = argparse.ArgumentParser(prog="bench/agent/run.py --peers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=8, help="rounds; each loads every configuration once (≥ 3)")
    parser.add_argument("--duration", type=int, default=3, help="seconds of measured load per run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load on each server first")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="workers per Gunicorn in the load rounds")
    parser.add_argument("--scrape-workers", type=int, default=8)
    parser.add_argument("--scrape-load", type=int, default=5, help="seconds of load before the scrapes")
    parser.add_argument("--scrapes", type=int, default=20)
    parser.add_argument("--instructions", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--instructions-requests", type=int, default=1200)
    parser.add_argument("--instructions-repeats", type=int, default=2)
    parser.add_argument("--json", default=os.path.join(ROOT, "test-output", "bench-peers.json"))
    args = parser.parse_args(argv)
    if args.rounds < 3 or not 1 <= args.duration <= 60 or not 0 <= args.warmup <= 60 or not 1 <= args.workers <= 16:
        parser.error("--rounds must be at least 3, --duration 1–60, --warmup 0–60 s and --workers 1–16")
    if not 1 <= args.scrape_workers <= 64 or not 1 <= args.scrapes <= 200 or not 1 <= args.scrape_load <= 60:
        parser.error("--scrape-workers must be 1–64, --scrapes 1–200 and --scrape-load 1–60 s")
    if not 600 <= args.instructions_requests <= 20000 or not 1 <= args.instructions_repeats <= 5:
        parser.error("--instructions-requests must be 600–20000 and --instructions-repeats 1–5")
    if shutil.which("wrk") is None:
        raise SystemExit("bench:agent: wrk is not installed (apt-get install wrk)")
    if args.instructions:
        instructions.check_valgrind()
    started = time.monotonic()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    python, shim, versions, built = venv.ensure(log)
    log("peers: %s (%s)" % (python, ", ".join("%s %s" % kv for kv in versions.items())))
    folder = tempfile.mkdtemp(prefix="bench-peers-logs-")
    hub, statsd = Hub(), StatsdSink()
    ctx = Context(python, shim, hub, statsd)
    peers = dict((kind, {"label": MODULES[kind].LABEL + (" (A/A)" if kind == "plain2" else ""),
                         "setup": MODULES[kind].SETUP}) for kind in KINDS)
    if hub.proc is None:
        peers[live.NAME]["error"] = "the hub did not start: %s" % hub.kind
    try:
        documented = check_exporter_master(ctx, folder)
        if not documented["boots"]:
            peers[exporter.NAME]["adapted"] = ("measured with Gunicorn's own Arbiter: its PrometheusMaster, as "
                                               "its README sets it up, does not boot here (%s)" % documented["error"])
        rounds = load_rounds(ctx, args, folder, peers)
        summary = report.summarize(rounds, [k for k in KINDS if not peers[k].get("error")])
        for kind, figures in summary.items():
            if kind in peers:
                peers[kind]["summary"] = figures
        _extras(rounds, peers)
        for kind in KINDS:
            if getattr(MODULES[kind], "METRICS", False) and not peers[kind].get("error"):
                try:
                    peers[kind]["scrape"] = scrape_at(ctx, args, kind, folder)
                except (SystemExit, OSError, ValueError) as e:
                    peers[kind]["scrape"] = {"error": str(e)}
                log("scrape %-18s %s" % (kind, peers[kind]["scrape"]))
        if args.instructions:
            counts = count_instructions(ctx, args, peers)
            for kind in KINDS:
                if kind in counts:
                    peers[kind]["instructions"] = report.instructions_ratios(counts, kind, summary)
    finally:
        hub.close()
        statsd.close()
        shutil.rmtree(folder, ignore_errors=True)
    result = {
        "bench": "agent --peers", "cpus": os.cpu_count(), "loadAverageAtStart": load_at_start,
        "loadAverage": [round(x, 2) for x in os.getloadavg()], "python": python, "versions": versions,
        "venvBuiltSeconds": round(built, 1) if built else None, "hub": hub.kind,
        "app": "bench/agent/hello.py, sync; %d workers per Gunicorn in the load rounds, %d for the scrapes" % (
            args.workers, args.scrape_workers),
        "load": "wrk -t%d -c%d -d%ds --latency per run (after 1 s unmeasured; +%ds warm-up per server) on "
                "127.0.0.1; %d rounds, rotating order" % (args.threads, args.connections, args.duration,
                                                         args.warmup, args.rounds),
        "scrapeDuringLoad": "each /metrics once per %d s of its server's measured load, inside the run" % SCRAPE_EVERY,
        "exporterDocumentedSetup": documented,
        "instructionsMethod": counts["method"] if args.instructions else None,
        "noiseFloor": summary["noiseFloor"], "peers": peers, "rounds": rounds,
        "seconds": round(time.monotonic() - started, 1),
    }
    print(report.table(result))
    print(report.readme_table(result))
    text = json.dumps(result, indent=2)
    print(text)
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        f.write(text + "\n")


def _extras(rounds, peers):
    """What only some configurations have: the hub's CPU (gunicorn-live's, outside Gunicorn) and the
    datagrams statsd sent, per request."""
    runs = [r[live.NAME] for r in rounds if r.get(live.NAME) and "hubCpuSeconds" in r[live.NAME]]
    if runs:
        peers[live.NAME]["hubCpuPerRequestUs"] = round(
            sum(r["hubCpuSeconds"] for r in runs) / sum(r["requests"] for r in runs) * 1e6, 2)
    runs = [r["statsd"] for r in rounds if r.get("statsd")]
    if runs:
        peers["statsd"]["datagramsPerRequest"] = round(
            sum(r.get("statsdDatagrams", 0) for r in runs) / float(sum(r["requests"] for r in runs)), 3)
