"""`python3 bench/agent/exception_cost.py`: what noting a failed request's exception costs on the request's
thread (server-agent/gunicorn_live/request_exceptions.py ExceptionLog.note): its traceback's frames read and
one count, for tracebacks of --depth frames (a Flask view's is ~6, Django's ~12) — a first sight and a
repeat of the same exception; and the flusher's take() of --distinct exceptions. Only failed requests pay
it; a request that succeeds runs none of it. Prints JSON: µs per call."""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "server-agent"))

from gunicorn_live.request_exceptions import ExceptionLog  # noqa: E402


def deep(n):
    if n > 1:
        return deep(n - 1)
    raise RuntimeError("boom on purpose")


def caught(depth):
    try:
        deep(depth)
    except RuntimeError as e:
        return e


def per_call(fn, n):
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--distinct", type=int, default=32)
    args = parser.parse_args()
    out = {"python": sys.version.split()[0], "usPerNote": {}}
    for depth in (6, 12, 40):
        exc = caught(depth)
        log = ExceptionLog()

        def first():
            log.pending.clear()
            log.note(exc, "GET", "/boom")
        repeat = log.note
        out["usPerNote"]["depth%d" % depth] = {
            "firstSight": round(per_call(first, args.calls), 2),
            "repeat": round(per_call(lambda: repeat(exc, "GET", "/boom"), args.calls), 2),
        }
    log = ExceptionLog()
    excs = [caught(12) for _ in range(args.distinct)]

    def fill_and_take():
        for i, e in enumerate(excs):
            log.note(e, "GET", "/r%d" % i)
        log.take()
    out["usToNoteAndTake%dDistinct" % args.distinct] = round(per_call(fill_and_take, max(1, args.calls // 100)), 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
