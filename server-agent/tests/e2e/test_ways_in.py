"""Both ways in, on the real Gunicorn 20.1.0 — the -c shim and GunicornInstrumentor().instrument() in the
user's own gunicorn.conf.py, with uninstrument() taking it out again — and the environment variables."""
import os
import tempfile
import time
import unittest

from tests.gunicorn_run import APPS, get, read_log, start, wait_until
from tests.live import Session, master_threads_and_fds, parallel
from tests.wsserver import TestHub


def socket_fds(pid):
    count = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith("socket:"):
                count += 1
        except OSError:
            pass
    return count


class WaysInTest(unittest.TestCase):
    def test_ways_in_and_environment(self):
        parallel(("instrument() and uninstrument()", self.instrument_in_own_config),
                 ("environment", self.environment),
                 ("no URL", self.inert_without_url),
                 ("wrong token", self.wrong_token),
                 ("debug log", self.gunicorns_own_pre_request_still_logs_at_debug))

    def instrument_in_own_config(self):
        marker = tempfile.NamedTemporaryFile(delete=False)
        marker.close()
        self.addCleanup(os.unlink, marker.name)
        s = Session(self, [], {"USER_HOOK_MARKER": marker.name, "UNINSTRUMENT_ON_HUP": "1"}, use_shim=False,
                    config=os.path.join(APPS, "instrumented_conf.py"))
        pids = set(w["pid"] for w in s.live_sample(2)["workers"])
        self.assertEqual([get(s.port, "/items/%d" % i)[0] for i in range(4)], [200] * 4)
        self.assertEqual(s.count_requests(4)[0], {("GET", "/items/{id}", 200): 4})
        self.assertEqual(set(int(line) for line in _read(marker.name).split()), pids)
        # The agent's sampler and uplink threads; its sockets: the datagram pair, the uplink's wake-up pair
        # and the WebSocket, beside Gunicorn's one listener.
        self.assertEqual((master_threads_and_fds(s.master)[0], socket_fds(s.master)), (3, 6))

        # HUP runs the config's on_reload, which uninstruments: the agent says goodbye and is gone.
        os.kill(s.master, 1)
        self.assertTrue(s.conn.closed.wait(20))
        self.assertEqual(s.conn.close_code, 1001)
        self.assertTrue(wait_until(lambda: master_threads_and_fds(s.master)[0] == 1 and socket_fds(s.master) == 1, 20))
        # Gunicorn and the user's hooks carry on without it.
        self.assertTrue(wait_until(lambda: len(_read(marker.name).split()) == 4, 20))
        self.assertEqual(get(s.port, "/")[0], 200)
        frames = len(s.conn.messages)
        time.sleep(1.0)  # several sampling intervals: nothing more arrives
        self.assertEqual((len(s.conn.messages), len(s.hub.connections)), (frames, 1))

    def environment(self):
        s = Session(self, ["-w", "2"], {"OTEL_SERVICE_NAME": "shop", "GUNICORN_LIVE_INTERVAL": "0.5",
                                        "OTEL_GUNICORN_TRACE_WORKERS": "false"})
        self.assertEqual((s.hello["server"]["serviceName"], s.hello["server"]["interval"]), ("shop", 0.5))
        samples = []
        s.sample(lambda m: samples.append(m) or len(samples) == 4 and all(len(x["workers"]) == 2 for x in samples[1:]))
        gaps = [b["at"] - a["at"] for a, b in zip(samples, samples[1:])]
        self.assertTrue(all(0.3 < gap < 0.8 for gap in gaps), gaps)
        for w in samples[-1]["workers"]:
            self.assertEqual((w["cpuPercent"], w["rssBytes"], w["pssBytes"]), (None, None, None))
        self.assertGreater(samples[-1]["master"]["rssBytes"], 0)
        default = Session(self, ["-w", "1"], {"GUNICORN_LIVE_INTERVAL": ""})
        self.assertEqual((default.hello["server"]["interval"], default.hello["server"]["serviceName"]), (1.0, "app"))

    def inert_without_url(self):
        proc = start(self, ["-w", "1"], {"GUNICORN_LIVE_URL": ""})
        port = wait_until(lambda: _port(read_log(proc)), 30)
        self.assertEqual(get(port, "/")[0], 200)
        os.kill(proc.pid, 1)  # a reload re-reads the shim: still one line
        self.assertTrue(wait_until(lambda: read_log(proc).count("Booting worker") == 2, 20))
        self.assertEqual(read_log(proc).count("GUNICORN_LIVE_URL is not set; gunicorn-live stays inert"), 1)
        self.assertEqual(master_threads_and_fds(proc.pid)[0], 1)
        self.assertEqual(get(port, "/")[0], 200)

    def wrong_token(self):
        hub = TestHub(token="right")
        self.addCleanup(hub.close)
        proc = start(self, ["-w", "1"], {"GUNICORN_LIVE_URL": hub.url, "GUNICORN_LIVE_TOKEN": "wrong",
                                         "GUNICORN_LIVE_INTERVAL": "0.2"})
        port = wait_until(lambda: _port(read_log(proc)), 30)
        self.assertTrue(wait_until(lambda: hub.refused >= 2, 20))
        self.assertEqual(read_log(proc).count("(wrong token?)"), 1)
        self.assertEqual(get(port, "/")[0], 200)


    def gunicorns_own_pre_request_still_logs_at_debug(self):
        # The agent skips Gunicorn's default pre_request only where its debug line would not be logged.
        s = Session(self, ["-w", "1", "--log-level", "debug"])
        self.assertEqual(get(s.port, "/items/77")[0], 200)
        self.assertEqual(s.count_requests(1)[0], {("GET", "/items/{id}", 200): 1})
        self.assertTrue(wait_until(lambda: "[DEBUG] GET /items/77" in s.log(), 10))


def _read(path):
    with open(path) as f:
        return f.read()


def _port(log):
    for line in log.splitlines():
        if "Listening at: http://127.0.0.1:" in line:
            return int(line.split("127.0.0.1:")[1].split()[0])
    return None
