"""Exceptions that failed requests (request_exceptions.py): a worker counts each distinct one (exception,
traceback, route) instead of keeping every occurrence, bounded; the master reports a first sight at once
and a repeat at most every REPEAT_SECONDS with the count since; the frames are valid request_exception
events; nothing here raises into Gunicorn."""
import os
import unittest

from gunicorn_live import frames, handoff, request_exceptions
from gunicorn_live.request_exceptions import MAX_PENDING, ExceptionLog, ExceptionTable
from gunicorn_live.routes import RouteTable
from tests import schema


def helper():
    raise RuntimeError("boom on purpose")


def view():
    return helper()


def raised(function):
    try:
        function()
    except Exception as e:
        return e
    raise AssertionError("did not raise")


def chained():
    try:
        {}["missing"]
    except KeyError as e:
        raise ValueError("lookup failed") from e


class Unprintable(Exception):
    def __str__(self):
        raise TypeError("no str for you")


HERE = os.path.abspath(__file__).replace(".pyc", ".py")


class ExceptionLogTest(unittest.TestCase):
    def test_one_entry_per_distinct_exception_with_its_count(self):
        log = ExceptionLog()
        for _ in range(3):
            log.note(raised(view), "GET", "/boom")
        log.note(raised(view), "POST", "/boom")
        taken = log.take()
        self.assertEqual(len(taken), 2)
        exception, stack, method, route, count, at = taken[0]
        self.assertEqual((exception, method, route, count), ("RuntimeError: boom on purpose", "GET", "/boom", 3))
        # Outermost first, from where it was caught (raised()) to where it was raised (helper()).
        self.assertEqual([(os.path.abspath(f), fn) for f, _, fn in stack],
                         [(HERE, "raised"), (HERE, "view"), (HERE, "helper")])
        self.assertEqual(stack[-1][1], helper.__code__.co_firstlineno + 1)
        self.assertEqual((taken[1][2], taken[1][4]), ("POST", 1))
        self.assertEqual(log.take(), [], "taken once")

    def test_bounded_between_flushes(self):
        log = ExceptionLog()
        for i in range(MAX_PENDING + 5):
            log.note(raised(view), "GET", "/r%d" % i)
        self.assertEqual(len(log.take()), MAX_PENDING)
        self.assertEqual(log.dropped, 5)

    def test_a_chained_exception_is_the_one_that_reached_the_caller(self):
        log = ExceptionLog()
        log.note(raised(chained), "GET", "/c")
        (exception, stack, _, _, _, _), = log.take()
        self.assertEqual(exception, "ValueError: lookup failed")
        self.assertEqual(stack[-1][2], "chained")

    def test_gunicorns_stop_iteration_means_its_context(self):
        log = ExceptionLog()
        try:
            try:
                helper()
            except RuntimeError:
                raise StopIteration() from None
        except StopIteration as e:
            log.note(e, "GET", "/s")
        self.assertEqual([t[0] for t in log.take()], ["RuntimeError: boom on purpose"])
        log.note(StopIteration(), "GET", "/s")
        self.assertEqual(log.take(), [])

    def test_never_raises(self):
        log = ExceptionLog()
        log.note(raised(lambda: (_ for _ in ()).throw(Unprintable())), "GET", "/u")
        log.note(object(), "GET", "/x")  # not an exception at all
        self.assertEqual([t[0] for t in log.take()], ["Unprintable"])

    def test_labels_from_the_environ_like_post_request(self):
        log = ExceptionLog(RouteTable())
        request_exceptions.log = log
        try:
            request_exceptions.note_environ(raised(view), {"REQUEST_METHOD": "GET", "PATH_INFO": "/items/12",
                                                           "gunicorn_live.route": "/items/<int:id>"})
            request_exceptions.note_environ(raised(view), {"REQUEST_METHOD": "BREW", "PATH_INFO": "/items/13"})
            request_exceptions.note_environ(raised(view), None)  # never raises
        finally:
            request_exceptions.log = None
        self.assertEqual([(t[2], t[3]) for t in log.take()], [("GET", "/items/<int:id>"), ("OTHER", "/items/{id}")])

    def test_nothing_without_a_worker(self):
        request_exceptions.note(raised(view), "GET", "/")  # the master: no log, no error


def message(count, at=1000.0, route="/boom", pid=7, exception="RuntimeError: boom on purpose"):
    return handoff.exception(pid, exception, (("/srv/app.py", 30, "view"), ("/srv/app.py", 12, "helper")), "GET",
                             route, count, at)


class ExceptionTableTest(unittest.TestCase):
    def test_first_sight_now_repeats_every_repeat_seconds_with_the_count_since(self):
        table = ExceptionTable()  # the default: every 10 s, as docs/protocol.md says
        table.absorb(7, message(2, at=1000.0))
        table.absorb(8, message(1, at=1000.5))
        due = table.due(now=100.0)
        self.assertEqual(due, [(8, "GET", "/boom", "RuntimeError: boom on purpose",
                                (("/srv/app.py", 30, "view"), ("/srv/app.py", 12, "helper")), 3, 1000.5)])
        table.absorb(7, message(4, at=1003.0))
        self.assertEqual(table.due(now=105.0), [], "held: reported 5 s ago")
        table.absorb(7, message(1, at=1008.0))
        self.assertEqual([(d[5], d[6]) for d in table.due(now=110.0)], [(5, 1008.0)])
        self.assertEqual(table.due(now=200.0), [], "nothing new, nothing sent")
        table.absorb(7, message(1, at=1100.0))
        self.assertEqual([d[5] for d in table.due(now=200.1)], [1], "quiet for long: at once")

    def test_distinct_by_exception_route_and_stack(self):
        table = ExceptionTable()
        table.absorb(7, message(1))
        table.absorb(7, message(1, route="/other"))
        table.absorb(7, message(1, exception="RuntimeError: other"))
        self.assertEqual(len(table.due(now=1.0)), 3)

    def test_bounded_forgetting_what_has_nothing_to_report(self):
        table = ExceptionTable(limit=2)
        table.absorb(7, message(1, route="/a"))
        table.absorb(7, message(1, route="/b"))
        table.absorb(7, message(1, route="/c"))  # no room: both known ones still have occurrences to report
        self.assertEqual([d[2] for d in table.due(now=1.0)], ["/a", "/b"])
        table.absorb(7, message(1, route="/c"))  # /a is forgotten
        self.assertEqual(list(k[3] for k in table.known), ["/b", "/c"])

    def test_events_are_valid_request_exception_frames(self):
        table = ExceptionTable()
        table.absorb(7, message(3))
        frame = frames.request_exception(*table.due(now=1.0)[0])
        self.assertEqual(schema.check(frame), [])
        self.assertEqual(frame["event"], {
            "type": "request_exception", "pid": 7, "method": "GET", "route": "/boom",
            "exception": "RuntimeError: boom on purpose",
            "stack": [{"file": "/srv/app.py", "line": 30, "function": "view"},
                      {"file": "/srv/app.py", "line": 12, "function": "helper"}],
            "count": 3, "at": 1000.0})

    def test_the_handoff_message_survives_json(self):
        import json
        table = ExceptionTable()
        table.absorb(7, json.loads(json.dumps(message(2))))
        self.assertEqual(table.due(now=1.0)[0][4], (("/srv/app.py", 30, "view"), ("/srv/app.py", 12, "helper")))


if __name__ == "__main__":
    unittest.main()
