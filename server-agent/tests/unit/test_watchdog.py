"""The watchdog's bookkeeping on real parts: a WorkerAgent for Gunicorn's own SyncWorker and ThreadWorker,
requests parsed by Gunicorn and served by SyncWorker.handle_request on threads whose app blocks, the
handoff's real socketpair. Time is moved by handing tick() a later `now`, so nothing here sleeps for it."""
import os
import socket
import threading
import time
import unittest
from time import perf_counter

from gunicorn import glogging
from gunicorn.config import Config
from gunicorn.http.parser import RequestParser
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.sync import SyncWorker

from gunicorn_live import handoff, settings, watchdog
from gunicorn_live.settings import Settings
from gunicorn_live.worker import WorkerAgent

STUCK_AFTER = 3.0


def gunicorn_worker(test, worker_class):
    cfg = Config()
    worker = worker_class(0, os.getpid(), [], None, 30, cfg, glogging.Logger(cfg))
    test.addCleanup(worker.tmp.close)
    return worker


def agent_for(test, worker_class, channel, stuck_after=STUCK_AFTER):
    worker = gunicorn_worker(test, worker_class)
    return WorkerAgent(channel.sender, Settings("ws://x", "", 1.0, "", True, stuck_after=stuck_after), worker)


class Listener(object):
    def getsockname(self):
        return ("127.0.0.1", 8000)


class Serving(object):
    """One request on its own thread: the agent's pre_request, Gunicorn's SyncWorker.handle_request with an
    app that blocks in `report_card` until released, the agent's post_request."""

    def __init__(self, test, path, make_agent=None):
        self.test = test
        self.entered, self.release, self.done = threading.Event(), threading.Event(), threading.Event()
        self.path = path
        self.make_agent = make_agent
        self.agent = None
        self.started = None
        server_side, client_side = socket.socketpair()
        test.addCleanup(server_side.close)
        test.addCleanup(client_side.close)
        self.sock = server_side

    def start(self, agent=None):
        self.agent = agent
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        self.test.assertTrue(self.entered.wait(5))
        self.test.addCleanup(self.thread.join, 5)
        self.test.addCleanup(self.release.set)
        return self

    def report_card(self):
        self.entered.set()
        self.release.wait(10)

    def run(self):
        if self.make_agent is not None:  # a sync worker's agent is made on the thread that serves
            self.agent = self.make_agent()
        server = gunicorn_worker(self.test, SyncWorker)
        cfg = server.cfg

        def app(environ, start_response):
            self.report_card()
            start_response("200 OK", [("Content-Length", "2")])
            return [b"ok"]
        server.wsgi = app
        req = next(RequestParser(cfg, [("GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % self.path).encode()], ("127.0.0.1", 9)))
        self.started = perf_counter()
        self.agent.recorder.begin(req)
        try:
            server.handle_request(Listener(), req, self.sock, ("127.0.0.1", 9))
        finally:
            self.agent.recorder.end(req, {}, None)
            self.done.set()

    def finish(self):
        self.release.set()
        self.test.assertTrue(self.done.wait(5))


class WatchdogTest(unittest.TestCase):
    def setUp(self):
        self.channel = handoff.Channel()
        self.addCleanup(self.channel.close)

    def messages(self, kind):
        return [m for m in handoff.drain(self.channel.receiver) if m["type"] == kind]

    def test_each_stuck_request_is_reported_once_with_its_stack(self):
        agent = agent_for(self, ThreadWorker, self.channel)
        dog = watchdog.Watchdog(agent, STUCK_AFTER, 30)
        a = Serving(self, "/reports/7").start(agent)
        b = Serving(self, "/export").start(agent)
        start = max(a.started, b.started)
        self.assertEqual(len(dog.tick(start + STUCK_AFTER - 0.5)), 0)
        self.assertEqual(self.messages(handoff.STUCK), [])
        dog.tick(start + STUCK_AFTER + 0.1)
        stuck = sorted(self.messages(handoff.STUCK), key=lambda m: m["route"])
        self.assertEqual([(m["pid"], m["method"], m["route"]) for m in stuck],
                         [(os.getpid(), "GET", "/export"), (os.getpid(), "GET", "/reports/{id}")])
        for m in stuck:
            self.assertGreaterEqual(m["elapsed"], STUCK_AFTER)
            mine = [f["function"] for f in m["stack"] if f["file"] == __file__]
            self.assertEqual(mine[-2:], ["app", "report_card"], m["stack"])
            self.assertEqual([f for f in m["stack"] if "gunicorn_live" + os.sep in f["file"]], [])
        dog.tick(start + STUCK_AFTER + 5)
        self.assertEqual(self.messages(handoff.STUCK), [], "each request once")
        # gthread: pool threads are not the worker's main thread, so no stack is kept for a timeout.
        self.assertEqual(self.messages(handoff.STACK), [])
        a.finish()
        dog.tick(start + STUCK_AFTER + 6)
        self.assertEqual(len(dog.reported), 1, "a finished request is forgotten")

    def test_the_next_request_on_the_same_thread_is_its_own(self):
        agent = agent_for(self, ThreadWorker, self.channel)
        dog = watchdog.Watchdog(agent, STUCK_AFTER, 30)
        first = Serving(self, "/a").start(agent)
        dog.tick(first.started + STUCK_AFTER + 0.1)
        self.assertEqual([m["route"] for m in self.messages(handoff.STUCK)], ["/a"])
        first.finish()
        second = Serving(self, "/a").start(agent)
        dog.tick(second.started + STUCK_AFTER + 0.1)
        self.assertEqual([m["route"] for m in self.messages(handoff.STUCK)], ["/a"])

    def test_a_request_blocking_a_sync_worker_sends_its_stack_from_half_the_timeout(self):
        made = {}

        def make():
            made["agent"] = agent_for(self, SyncWorker, self.channel, stuck_after=settings.STUCK_OFF)
            return made["agent"]
        s = Serving(self, "/slow", make_agent=make).start()
        agent = made["agent"]
        self.assertTrue(agent.threaded)
        dog = watchdog.Watchdog(agent, None, 10, main_ident=s.thread.ident)
        dog.tick(s.started + 4.9)
        self.assertEqual(self.messages(handoff.STACK), [])
        dog.tick(s.started + 5.1)
        dog.tick(s.started + 6.1)
        stacks = self.messages(handoff.STACK)
        self.assertEqual(len(stacks), 2, "every tick while it blocks")
        self.assertEqual([f["function"] for f in stacks[0]["stack"] if f["file"] == __file__][-1], "report_card")
        self.assertEqual(self.messages(handoff.STUCK), [], "stuckAfter off: no request_stuck")

    def test_the_watchdog_is_an_os_thread_named_gl_watchdog_that_stops_with_the_worker(self):
        agent = agent_for(self, ThreadWorker, self.channel)
        dog = watchdog.Watchdog(agent, 0.2, None)
        dog.start()
        def names():
            out = []
            for task in os.listdir("/proc/self/task"):
                with open("/proc/self/task/%s/comm" % task) as f:
                    out.append(f.read().strip())
            return out
        deadline = time.monotonic() + 5
        while "gl-watchdog" not in names() and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertIn("gl-watchdog", names())
        agent.stopping = True
        deadline = time.monotonic() + 5
        while "gl-watchdog" in names() and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertNotIn("gl-watchdog", names())


class Thresholds(unittest.TestCase):
    def test_period(self):
        self.assertEqual(watchdog.period(30, 30), 1.0)
        self.assertEqual(watchdog.period(2, 2), 0.25)
        self.assertEqual(watchdog.period(None, 30), 1.0)
        self.assertEqual(watchdog.period(0.1, None), 0.05)

    def test_stuck_after_from_the_environment(self):
        def seconds(raw, timeout):
            return settings.from_env({} if raw is None else {"GUNICORN_LIVE_STUCK_AFTER": raw}).stuck_seconds(timeout)
        self.assertEqual(seconds(None, 30), 30.0)
        self.assertEqual(seconds("", 45), 45.0)
        self.assertIsNone(seconds(None, 0), "no timeout, no default")
        self.assertEqual(seconds("2.5", 30), 2.5)
        self.assertEqual(seconds("7", 0), 7.0)
        self.assertIsNone(seconds("off", 30))
        self.assertIsNone(seconds("0", 30))
        with self.assertLogs("gunicorn_live", "WARNING") as logged:
            self.assertEqual(seconds("soon", 30), 30.0)
        self.assertIn("GUNICORN_LIVE_STUCK_AFTER='soon'", logged.output[0])


if __name__ == "__main__":
    unittest.main()
