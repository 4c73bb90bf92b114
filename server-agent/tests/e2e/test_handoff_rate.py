"""The worker → master handoff under load, on a real Gunicorn: a worker serving hundreds of requests hands
its counts to the master at most once per interval (1 s), never per request, and does no file I/O per
request. The datagrams are counted where they arrive: a user config wraps the master's drain of the
handoff socket and notes each one (with the time it arrived) in a file the test reads."""
import json
import os
import tempfile
import time
import unittest

from tests.gunicorn_run import get, wait_until
from tests.live import Session

REQUESTS = 300
LOAD_SECONDS = 2.5
INTERVAL = 1.0

# Runs in the master (loaded by the shim as the user's config). Names start with "_" so none is a setting.
COUNTING_CONFIG = '''
import json as _json, os as _os, time as _time
import gunicorn_live.handoff as _handoff

_drain = _handoff.drain


def _counting_drain(sock, limit=10000):
    messages = _drain(sock, limit)
    if messages:
        now = _time.time()
        with open(_os.environ["HANDOFF_LOG"], "a") as f:
            for m in messages:
                f.write(_json.dumps({"k": m.get("k"), "pid": m.get("pid"), "at": m.get("at"),
                                     "nr": m.get("nr"), "received": now}) + "\\n")
    return messages


_handoff.drain = _counting_drain
'''


def io_counters(pid):
    """The worker's /proc/PID/io: syscalls and bytes through read()/write()-family calls (files and pipes,
    not sockets' send/recv)."""
    with open("/proc/%d/io" % pid) as f:
        return dict((k, int(v)) for k, v in (line.split(":") for line in f if line.strip()))


class HandoffRateTest(unittest.TestCase):
    def test_a_busy_worker_hands_off_at_most_once_a_second_and_does_no_io_per_request(self):
        folder = tempfile.mkdtemp(prefix="handoff-")
        config, log = os.path.join(folder, "counting.conf.py"), os.path.join(folder, "handoff.log")
        with open(config, "w") as f:
            f.write(COUNTING_CONFIG)
        self.addCleanup(lambda: [os.unlink(p) for p in (config, log) if os.path.exists(p)] and None)
        session = Session(self, ["-w", "1"], env={"GUNICORN_LIVE_INTERVAL": str(INTERVAL),
                                                  "GUNICORN_LIVE_USER_CONFIG": config, "HANDOFF_LOG": log})
        pid = session.live_sample(1)["workers"][0]["pid"]

        def received():
            with open(log) as f:
                return [json.loads(line) for line in f]

        io_before = io_counters(pid)
        started = time.time()
        for i in range(REQUESTS):
            self.assertEqual(get(session.port, "/items/%d" % i)[0], 200)
            time.sleep(max(0.0, started + LOAD_SECONDS * (i + 1) / REQUESTS - time.time()))
        io_after = io_counters(pid)
        self.assertGreaterEqual(time.time() - started, LOAD_SECONDS)

        # Every request reaches the master, in the worker's cumulative count.
        mine = lambda: [m for m in received() if m["pid"] == pid]  # noqa: E731
        self.assertTrue(wait_until(lambda: any(m["k"] == "stats" and m["nr"] == REQUESTS for m in mine()),
                                   timeout=5 * INTERVAL), mine()[-3:])
        messages = mine()
        spawns = [m for m in messages if m["k"] == "spawn"]
        stats = [m for m in messages if m["k"] == "stats"]
        self.assertEqual(len(spawns), 1, messages[:3])
        # The flusher sleeps an interval before each send, so from the worker's spawn to the last arrival
        # there is at least one interval per stats datagram.
        lifetime = stats[-1]["received"] - spawns[0]["at"]
        self.assertLessEqual(len(stats), lifetime / INTERVAL + 1,
                             "%d stats datagrams in %.2f s" % (len(stats), lifetime))
        during_load = [m for m in stats if started <= m["received"] <= started + LOAD_SECONDS]
        self.assertLessEqual(len(during_load), LOAD_SECONDS / INTERVAL + 1)
        self.assertEqual([m["nr"] for m in stats], sorted(m["nr"] for m in stats), "counts are cumulative")

        # No file or pipe I/O on the request path: reads and writes of the worker did not grow with requests.
        for key in ("syscr", "syscw"):
            self.assertLess(io_after[key] - io_before[key], REQUESTS // 10, (key, io_before, io_after))


if __name__ == "__main__":
    unittest.main()
