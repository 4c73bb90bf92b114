"""The scoreboard (scoreboard.py): slots in memory shared across a real fork, read after the child was
killed; handed out again zeroed, grown on demand, and a counted fallback when no slot can be had. And the
master's side: what a dead worker counted but never handed over becomes route `(lost at worker exit)`."""
import os
import signal
import unittest

from gunicorn_live import exphist, scoreboard
from gunicorn_live.aggregate import LOST_METHOD, LOST_ROUTE, ServerRequests, WorkerLedger
from gunicorn_live.recorder import Recorder
from gunicorn_live.routes import RouteTable
from gunicorn_live.scoreboard import CLASSES, DISCONNECTS, PID, Scoreboard
from gunicorn_live.stats import RequestStats


class Worker(object):
    """What the scoreboard keys on: Gunicorn's worker object, with the pid the master gives it."""
    pid = None


def fork_and_kill(board, worker, counts):
    """Forks like the arbiter: the child claims its slot, counts (cell → n) and is killed by SIGKILL
    before it could hand anything over. Returns what the master reads after reaping it."""
    pid = os.fork()
    if pid == 0:
        try:
            cells = board.claim(worker, os.getpid())
            for cell, n in counts.items():
                for _ in range(n):
                    cells[cell] += 1
        finally:
            os.kill(os.getpid(), signal.SIGKILL)
    worker.pid = pid
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    return board.release(worker)


class ScoreboardTest(unittest.TestCase):
    def test_a_killed_childs_counts_are_read_by_the_parent(self):
        board = Scoreboard()
        worker = Worker()
        board.assign(worker)
        final = fork_and_kill(board, worker, {CLASSES + 2: 40, CLASSES + 5: 3, DISCONNECTS: 2})
        self.assertEqual(final.classes, (0, 0, 40, 0, 0, 3, 0, 0, 0, 0))
        self.assertEqual((final.disconnects, final.requests()), (2, 45))
        self.assertNotIn(worker, board.slots)

    def test_a_freed_slot_is_handed_out_again_zeroed(self):
        board = Scoreboard()
        first, second = Worker(), Worker()
        number = board.assign(first)
        fork_and_kill(board, first, {CLASSES + 2: 7})
        self.assertEqual(board.assign(second), number)               # the slot freed last goes first
        self.assertEqual(list(board.cells(number)), [0] * scoreboard.CELLS)
        final = fork_and_kill(board, second, {CLASSES + 4: 1})
        self.assertEqual(final.classes, (0, 0, 0, 0, 1, 0, 0, 0, 0, 0))

    def test_a_worker_that_never_claimed_its_slot_has_no_final_counts(self):
        board = Scoreboard()
        worker = Worker()
        worker.pid = 12345
        number = board.assign(worker)
        board.cells(number)[CLASSES + 2] = 9                     # not its pid in the PID cell: not its counts
        self.assertIsNone(board.release(worker))
        self.assertIsNone(board.release(worker))                 # released once
        self.assertIsNone(board.release(Worker()))               # never assigned

    def test_it_grows_for_more_workers_and_a_child_forked_later_shares_the_new_mapping(self):
        board = Scoreboard(segment_slots=2, max_segments=8)
        workers = [Worker() for _ in range(5)]
        numbers = [board.assign(w) for w in workers]
        self.assertEqual((numbers, len(board.segments)), ([0, 1, 2, 3, 4], 3))
        final = fork_and_kill(board, workers[4], {CLASSES + 3: 5})
        self.assertEqual(final.classes[3], 5)

    def test_without_a_mapping_to_be_had_a_worker_runs_unshared_and_is_counted(self):
        board = Scoreboard(segment_slots=2, max_segments=1)
        workers = [Worker() for _ in range(4)]
        with self.assertLogs("gunicorn_live", "WARNING") as logged:
            numbers = [board.assign(w) for w in workers]
        self.assertEqual((numbers, board.without_slot), ([0, 1, None, None], 2))
        self.assertIn("no scoreboard slot for a new worker (2 workers alive have one)", logged.output[0])
        self.assertEqual(len(logged.output), 1)                  # once
        self.assertIsNone(board.claim(workers[2], 999))
        # The request path counts into cells of its own all the same.
        recorder = Recorder(RequestStats(), RouteTable(), threaded=False, board=None)
        recorder.finish(recorder.start(), "GET", "/", None, 200, 5, None, False)
        self.assertEqual(recorder.board[CLASSES + 2], 1)

    def test_status_classes(self):
        self.assertEqual([scoreboard.class_cell(s) for s in (0, 99, 100, 200, 302, 404, 503, 999, 1000, -1)],
                         [CLASSES + c for c in (0, 0, 1, 2, 3, 4, 5, 9, 0, 0)])
        self.assertEqual(PID, 0)


class LostAtExitTest(unittest.TestCase):
    def setUp(self):
        self.requests = ServerRequests()

    def group(self, count):
        """A worker's cumulative group as it hands it over: `count` requests of 1 ms."""
        return [count, 0.1 * count, 10 * count, 0, 0.001, 0.001, exphist.to_wire({exphist.key(0.001): count})]

    def final(self, classes, disconnects=0):
        cells = [0] * scoreboard.STATUS_CLASSES
        for index, n in classes.items():
            cells[index] = n
        return scoreboard.Final(tuple(cells), disconnects)

    def test_what_was_not_handed_over_counts_under_the_lost_route_by_status_class(self):
        ledger = WorkerLedger(7)
        self.requests.absorb(ledger, ("GET", "/a", 200), self.group(3))
        self.requests.absorb(ledger, ("GET", "/b", 201), self.group(2))
        self.requests.absorb(ledger, ("GET", "/a", 404), self.group(1))
        self.requests.absorb_disconnects(ledger, 1)
        self.requests.take()
        lost = self.requests.absorb_final(ledger, self.final({2: 9, 4: 1, 5: 2}, disconnects=3))
        self.assertEqual(lost, 4 + 0 + 2 + 2)
        groups, disconnects, _ = self.requests.take()
        # No durations are known for them: an empty histogram.
        self.assertEqual([(g[0], g[1], g[2], g[3], g[4], g[5], g[8]) for g in groups],
                         [(LOST_METHOD, LOST_ROUTE, 200, 4, 0.0, {}, None),
                          (LOST_METHOD, LOST_ROUTE, 500, 2, 0.0, {}, None)])
        self.assertEqual(disconnects, 2)

    def test_a_worker_that_never_reported_lost_everything_and_one_that_handed_all_over_nothing(self):
        self.assertEqual(self.requests.absorb_final(None, self.final({2: 5}, disconnects=1)), 6)
        ledger = WorkerLedger(8)
        self.requests.absorb(ledger, ("GET", "/a", 200), self.group(5))
        self.assertEqual(self.requests.absorb_final(ledger, self.final({2: 5})), 0)
        groups, disconnects, _ = self.requests.take()
        self.assertEqual([(g[1], g[2], g[3]) for g in groups], [(LOST_ROUTE, 200, 5), ("/a", 200, 5)])
        self.assertEqual(disconnects, 1)


if __name__ == "__main__":
    unittest.main()
