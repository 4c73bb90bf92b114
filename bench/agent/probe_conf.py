"""A Gunicorn config for the benchmark's in-situ probe (never for production): turns the agent on and
times, inside each worker under load, the agent's own part of pre_request and post_request, and
Gunicorn's default pre_request (which the agent skips when debug logging is off). Each worker writes
the medians to $BENCH_PROBE_OUT.<pid>.json when it exits. The timing brackets cost a little themselves;
an empty bracket is timed too, so it can be subtracted."""
import json
import os
import statistics
import time

from gunicorn.config import PreRequest

from gunicorn_live import GunicornInstrumentor, recorder

_clock = time.perf_counter
_times = {"agent_pre": [], "agent_post": [], "gunicorn_default_pre": [], "empty_bracket": []}
_original_pre, _original_post = recorder.Recorder.pre_request_hook, recorder.Recorder.post_request_hook


def _timed_pre(self, user_hook):
    agent = _original_pre(self, None)
    default = PreRequest.default

    def pre_request(worker, req):
        t = _clock()
        agent(worker, req)
        t1 = _clock()
        default(worker, req)
        t2 = _clock()
        _clock()
        t3 = _clock()
        _times["agent_pre"].append(t1 - t)
        _times["gunicorn_default_pre"].append(t2 - t1)
        _times["empty_bracket"].append(t3 - t2)
        if user_hook is not None and user_hook is not default:
            return user_hook(worker, req)
    return pre_request


def _timed_post(self, user_hook):
    agent = _original_post(self, None)

    def post_request(worker, req, environ, resp):
        t = _clock()
        agent(worker, req, environ, resp)
        _times["agent_post"].append(_clock() - t)
        if user_hook is not None:
            return user_hook(worker, req, environ, resp)
    return post_request


recorder.Recorder.pre_request_hook = _timed_pre
recorder.Recorder.post_request_hook = _timed_post
GunicornInstrumentor().instrument()


def worker_exit(server, worker):
    out = os.environ.get("BENCH_PROBE_OUT")
    if not out or not _times["agent_post"]:
        return
    medians = dict((k, round(statistics.median(v) * 1e6, 3)) for k, v in _times.items() if v)
    medians["requests"] = len(_times["agent_post"])
    with open("%s.%d.json" % (out, os.getpid()), "w") as f:
        json.dump(medians, f)
