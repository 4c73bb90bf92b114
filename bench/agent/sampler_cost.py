"""`python3 bench/agent/sampler_cost.py`: the profiler's own CPU (server-agent/gunicorn_live/profiler.py), its
real sampler thread in this process at 100 Hz, with 1, 4 and 16 other threads to sample. Each thread waits
(as a request thread waiting for work or on I/O does) at the bottom of a stack of --depth Python frames;
one more burns the CPU in one variant, so the sampler also has to win the GIL. The sampler's CPU is read
from its own thread's CPU clock; its datagrams go to a socket a reader drains, as the master does. Prints
JSON: CPU as a share of one core, µs per sample and per thread sampled, and the rate reached; and, as the
floor, the CPU a thread costs that only wakes at the same rate (the OS's timer and scheduler, per machine)."""
import argparse
import json
import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "server-agent"))

from gunicorn_live import handoff, osthread  # noqa: E402
from gunicorn_live.profiler import Profiler  # noqa: E402
from gunicorn_live.routes import RouteTable  # noqa: E402


def deep(n, until):
    if n > 0:
        return deep(n - 1, until)
    until.wait()


def burn(until):
    while not until.is_set():
        sum(i * i for i in range(500))


def measure(threads, depth, seconds, hz, busy):
    until = threading.Event()
    workers = [threading.Thread(target=deep, args=(depth, until), daemon=True) for _ in range(threads)]
    if busy:
        workers.append(threading.Thread(target=burn, args=(until,), daemon=True))
    for t in workers:
        t.start()
    receiver, sender = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.settimeout(0.2)
    received = []

    def master():
        while not until.is_set():
            try:
                received.append(len(receiver.recv(handoff.MAX_DATAGRAM)))
            except OSError:
                pass
    reader = threading.Thread(target=master, daemon=True)
    reader.start()
    before = set(osthread.AGENT_THREADS)
    profiler = Profiler(os.getpid(), hz, 1.0, RouteTable(), sender, main_serves=True)
    profiler.start()
    deadline = time.monotonic() + 5
    while not (set(osthread.AGENT_THREADS) - before) and time.monotonic() < deadline:
        time.sleep(0.001)
    ident = (set(osthread.AGENT_THREADS) - before).pop()
    clock = time.pthread_getcpuclockid(ident)
    cpu0, wall0, samples0 = time.clock_gettime(clock), time.monotonic(), profiler.samples
    time.sleep(seconds)
    cpu, wall, samples = time.clock_gettime(clock) - cpu0, time.monotonic() - wall0, profiler.samples - samples0
    profiler.stop()
    until.set()
    for t in workers + [reader]:
        t.join(5)
    receiver.close()
    sender.close()
    sampled = threads + 1 + (1 if busy else 0)  # the threads, this main thread, the burner
    return {"threads": threads, "busyThread": busy, "threadsSampled": sampled, "depth": depth,
            "cpuShareOfOneCore": round(cpu / wall, 5), "samplesPerSecond": round(samples / wall, 1),
            "usPerSample": round(cpu / max(1, samples) * 1e6, 1),
            "usPerThreadSample": round(cpu / max(1, samples * sampled) * 1e6, 2),
            "datagramsPerSecond": round(len(received) / wall, 2)}


def wake_only(seconds, hz):
    """The same thread waking at the same rate and doing nothing: what the OS charges for the wake-ups alone."""
    stop, box = threading.Event(), {}

    def run():
        box["clock"] = time.pthread_getcpuclockid(threading.get_ident())
        period, next_at = 1.0 / hz, time.monotonic()
        while not stop.is_set():
            next_at += period
            delay = next_at - time.monotonic()
            if delay > 0:
                osthread.sleep(delay)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    time.sleep(0.1)
    cpu0, wall0 = time.clock_gettime(box["clock"]), time.monotonic()
    time.sleep(seconds)
    cpu, wall = time.clock_gettime(box["clock"]) - cpu0, time.monotonic() - wall0
    stop.set()
    thread.join(5)
    return {"cpuShareOfOneCore": round(cpu / wall, 5), "usPerWake": round(cpu / (wall * hz) * 1e6, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hz", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--depth", type=int, default=40, help="Python frames under each waiting thread")
    args = parser.parse_args()
    if not 1 <= args.hz <= 1000 or not 1 <= args.seconds <= 120 or not 1 <= args.depth <= 500:
        parser.error("--hz must be 1–1000, --seconds 1–120, --depth 1–500")
    baseline = wake_only(args.seconds, args.hz)
    runs = [measure(n, args.depth, args.seconds, args.hz, busy) for busy in (False, True) for n in (1, 4, 16)]
    print(json.dumps({"bench": "sampler", "python": sys.version.split()[0], "hz": args.hz, "seconds": args.seconds,
                      "cpus": os.cpu_count(), "loadAverage": [round(x, 2) for x in os.getloadavg()],
                      "wakeOnly": baseline, "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
