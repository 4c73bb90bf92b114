"""Every way a worker leaves, on the real Gunicorn 20.1.0, with the cause the agent reports: several
Gunicorns run at once, each seen through its own test hub."""
import os
import signal
import unittest

from gunicorn_live import procfs
from tests.gunicorn_run import get, get_async
from tests.live import Session, parallel


class ExitCausesTest(unittest.TestCase):
    def test_every_exit_cause(self):
        parallel(("timeout", self.timeout_with_stack),
                 ("kill, segfault, exit code", self.kill_segfault_and_exit_code),
                 ("max_requests", self.max_requests),
                 ("ttou, hup, term", self.scale_down_reload_shutdown))

    def timeout_with_stack(self):
        s = Session(self, ["-w", "2", "--timeout", "2", "--graceful-timeout", "2"])
        s.live_sample(2)
        get_async(s.port, "/hang", 30)
        event = s.event(lambda e: e["type"] == "worker_exit", timeout=30)
        self.assertEqual((event["reason"], event.get("exitCode")), ("timeout", 1))
        innermost = event["stack"][-1]
        self.assertEqual((os.path.basename(innermost["file"]), innermost["function"]), ("app.py", "app"))
        # The frames run from Gunicorn's worker loop down to the app (outermost first).
        self.assertIn("handle_request", [f["function"] for f in event["stack"]])
        self.assertIn("worker %d timed out" % event["pid"], s.log())

    def kill_segfault_and_exit_code(self):
        s = Session(self, ["-w", "2"])
        victim = [w["pid"] for w in s.live_sample(2)["workers"]][0]
        os.kill(victim, signal.SIGKILL)
        event = s.exit_of(victim)
        # The kernel counted no OOM kill: a kill -9 is not called one.
        self.assertEqual((event["reason"], event.get("signal"), event.get("exitCode"), event.get("oom")),
                         ("signal", "SIGKILL", None, False))
        replacement = s.event(lambda e: e["type"] == "worker_spawn")
        self.assertIn(replacement["pid"], procfs.children(s.master))
        self.assertIn("worker %d was killed by SIGKILL\n" % victim, s.log())

        s.live_sample(2)
        self.assertEqual(get(s.port, "/segv")[0], None)  # the worker died mid-request
        event = s.event(lambda e: e["type"] == "worker_exit")
        self.assertEqual((event["reason"], event.get("signal")), ("signal", "SIGSEGV"))

        s.live_sample(2)
        self.assertEqual(get(s.port, "/exit7")[0], None)
        event = s.event(lambda e: e["type"] == "worker_exit")
        self.assertEqual((event["reason"], event.get("exitCode"), event.get("signal")), ("crash", 7, None))
        self.assertIn("worker %d exited with code 7" % event["pid"], s.log())

    def max_requests(self):
        s = Session(self, ["-w", "1", "--max-requests", "3", "--max-requests-jitter", "0"])
        pid = s.live_sample(1)["workers"][0]["pid"]
        self.assertEqual([get(s.port, "/")[0] for _ in range(3)], [200, 200, 200])
        event = s.exit_of(pid)
        self.assertEqual((event["reason"], event.get("exitCode")), ("max_requests", 0))
        # Its last requests were counted before it left.
        counts = s.count_requests(3)[0]
        self.assertEqual(counts, {("GET", "/", 200): 3})

    def scale_down_reload_shutdown(self):
        s = Session(self, ["-w", "3", "--graceful-timeout", "5"])
        workers = s.live_sample(3)["workers"]
        oldest = min(workers, key=lambda w: w["age"])["pid"]
        os.kill(s.master, signal.SIGTTOU)
        event = s.event(lambda e: e["type"] == "worker_exit")
        self.assertEqual((event["pid"], event["reason"]), (oldest, "scale_down"))
        # Gunicorn repeats the SIGTERM until it reaps the worker; one landing during interpreter shutdown
        # ends it by the signal instead of exit code 0. Either is a clean scale-down.
        self.assertIn((event.get("exitCode"), event.get("signal")), [(0, None), (None, "SIGTERM")])
        after = s.sample(lambda m: len(m["workers"]) == 2)
        self.assertEqual(after["targetWorkers"], 2)

        before = set(w["pid"] for w in after["workers"])
        os.kill(s.master, signal.SIGHUP)
        self.assertEqual(set(e["reason"] for e in s.exits_of(before).values()), {"reload"})
        # Gunicorn's reload re-reads the config, so the worker count is the configured 3 again.
        reloaded = s.sample(lambda m: len(m["workers"]) == 3 and not before & set(w["pid"] for w in m["workers"]))
        self.assertEqual((reloaded["reloads"], reloaded["targetWorkers"]), (1, 3))

        last = set(w["pid"] for w in reloaded["workers"])
        os.kill(s.master, signal.SIGTERM)
        self.assertEqual([e["reason"] for e in s.exits_of(last).values()], ["shutdown"] * 3)
        self.assertEqual(s.proc.wait(20), 0)
        received = [m["event"]["signal"] for m in s.frames if m["type"] == "event" and m["event"]["type"] == "signal"
                    and m["event"]["signal"] != "SIGCHLD"]
        self.assertEqual(received, ["SIGTTOU", "SIGHUP", "SIGTERM"])
