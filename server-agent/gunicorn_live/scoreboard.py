"""The scoreboard: a slot per worker in memory the master shares with its workers, so a worker's counts
survive however it dies. The master maps it (anonymous, shared) before its first fork, as uWSGI and
Apache httpd keep theirs; every worker inherits the mapping. A worker adds each request it completes to
its own slot — a plain memory write, no syscall, no lock — and the master reads the slot once it has
reaped the worker. What the worker counted but had not yet handed over (at most its last interval) is
then known exactly, after SIGKILL, the OOM killer, a segfault or a timeout's SIGKILL alike.

A slot is 16 unsigned 64-bit cells (128 bytes, so workers never share a cache line):
  PID          the worker's pid, written by the worker itself once (0: it never got that far)
  CLASSES…+9   requests completed, by status class: cell CLASSES + status // 100 (0xx … 9xx)
  DISCONNECTS  requests the client abandoned (stats.py's client disconnects)
  STARTED      a sync worker's request in flight: its start on the perf_counter clock (CLOCK_MONOTONIC, the
               same in every process), as a double; 0.0 when it has none. The master reads it at the
               worker's death: that request was aborted, and its real duration is known (aggregate.py)
The master hands out slots in pre_fork and takes them back when it reaps the worker, so a slot is
written by one live worker at most; the slot freed last is handed out first (a killed worker's
replacement takes its slot, zeroed). Workers beyond the first mapping get a new mapping (made before their
fork, so they inherit it); a worker for whom none can be made runs without a slot, counted and logged.
After USR2 the new master exec()s: it maps a scoreboard of its own and the old one keeps its workers'."""
import mmap
from collections import deque

from .log import once

PID, CLASSES, DISCONNECTS, STARTED = 0, 1, 11, 12
STATUS_CLASSES = 10
CELLS = 16
CELL_BYTES = 8
SEGMENT_SLOTS = 256          # 32 KiB per mapping
MAX_SEGMENTS = 64            # 16,384 workers alive at once


def class_cell(status):
    """The cell that counts a request answered with `status` (an int; anything off the scale is 0xx)."""
    return CLASSES + (status // 100 if 0 <= status <= 999 else 0)


def class_status(index):
    """The status a class stands for on the wire: 200 for 2xx (index 2), 0 for 0xx."""
    return index * 100


def unshared():
    """Cells for a worker without a slot: the request path writes them all the same, nobody reads them."""
    return [0] * CELLS


def starts_of(cells):
    """The same cells read as doubles (STARTED is one), or cells of its own where `cells` is no slot."""
    if isinstance(cells, memoryview):
        return cells.cast("B").cast("d")
    return [0.0] * CELLS


class Final(object):
    """A reaped worker's slot: requests by status class (index = status // 100), client disconnects, and
    the start (perf_counter) of the request a sync worker had in flight as it died, else None."""
    __slots__ = ("classes", "disconnects", "started")

    def __init__(self, classes, disconnects, started=None):
        self.classes = classes
        self.disconnects = disconnects
        self.started = started

    def requests(self):
        return sum(self.classes) + self.disconnects


class Scoreboard(object):
    """Made by the master before its first fork. assign() and release() run on the arbiter's thread, the
    latter possibly inside its SIGCHLD handler (Gunicorn ≤ 23 reaps there): between them they only pop
    from and append to a deque and set or pop a dict entry, each atomic, so either may interrupt the
    other."""

    def __init__(self, segment_slots=SEGMENT_SLOTS, max_segments=MAX_SEGMENTS):
        self.segment_slots = segment_slots
        self.max_segments = max_segments
        self.segments = []
        self.free = deque()
        # Worker (Gunicorn's object, the same in the master and, after fork, in the worker) → slot number.
        self.slots = {}
        # Workers that ran without a slot: no mapping could be made for them.
        self.without_slot = 0
        self._grow()

    def _grow(self):
        if len(self.segments) >= self.max_segments:
            return False
        try:
            mapping = mmap.mmap(-1, self.segment_slots * CELLS * CELL_BYTES)
        except (OSError, ValueError, OverflowError):
            return False
        base = len(self.segments) * self.segment_slots
        # The view keeps the mapping alive (and unclosable) for as long as the process holds it.
        self.segments.append(memoryview(mapping).cast("Q"))
        self.free.extend(range(base + self.segment_slots - 1, base - 1, -1))  # the lowest number first
        return True

    def cells(self, number):
        segment, index = divmod(number, self.segment_slots)
        return self.segments[segment][index * CELLS:(index + 1) * CELLS]

    def assign(self, worker):
        """Master, before forking `worker`: a zeroed slot for it; None when none can be had."""
        try:
            number = self.free.pop()
        except IndexError:
            number = self.free.pop() if self._grow() else None
        if number is None:
            self.without_slot += 1
            once("scoreboard-full", "no scoreboard slot for a new worker (%d workers alive have one); the "
                                    "requests of a worker without one since its last report are lost if it is "
                                    "killed", len(self.slots))
            return None
        cells = self.cells(number)
        for i in range(CELLS):
            cells[i] = 0
        self.slots[worker] = number
        return number

    def claim(self, worker, pid):
        """In the forked worker: its slot's cells, marked with its pid; None if it has no slot."""
        number = self.slots.get(worker)
        if number is None:
            return None
        cells = self.cells(number)
        cells[PID] = pid
        return cells

    def release(self, worker):
        """Master, once `worker` is reaped: what its slot counted (a Final), or None when it never
        claimed one; the slot is free again either way."""
        number = self.slots.pop(worker, None)
        if number is None:
            return None
        cells = self.cells(number)
        final = None
        if cells[PID] and cells[PID] == getattr(worker, "pid", None):
            started = starts_of(cells)[STARTED]
            final = Final(tuple(cells[CLASSES:CLASSES + STATUS_CLASSES]), cells[DISCONNECTS], started or None)
        self.free.append(number)
        return final
