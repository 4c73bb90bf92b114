"""Readings of one process: CPU ticks, RSS, PSS, start time, children. From /proc on Linux; through
psutil where there is no /proc (macOS, BSD) and psutil is installed; else None, said once in the log."""
import os
import time

from . import psproc
from .log import once

try:
    CLK_TCK = os.sysconf("SC_CLK_TCK")
except (AttributeError, ValueError, OSError):
    CLK_TCK = 100

PROC = "/proc"
_backend = []


def backend():
    """'proc', 'psutil' or None, decided once per process."""
    if not _backend:
        if os.path.exists(os.path.join(PROC, "self", "stat")):
            _backend.append("proc")
        elif psproc.available():
            _backend.append("psutil")
        else:
            once("no-proc", "no /proc and no psutil here: worker CPU and memory are not sampled "
                            "(install psutil to get them)")
            _backend.append(None)
    return _backend[0]


def reset_backend():
    del _backend[:]


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _stat_fields(pid):
    """Fields of /proc/PID/stat after the command name (which may contain spaces and parentheses)."""
    raw = _read("%s/%d/stat" % (PROC, pid))
    if raw is None:
        return None
    end = raw.rfind(b")")
    if end < 0:
        return None
    # fields[0] is field 3 (state) of proc(5).
    return raw[end + 2:].split()


def cpu_ticks(pid):
    """utime + stime of the process (all its threads), in clock ticks."""
    if backend() != "proc":
        return psproc.cpu_ticks(pid, CLK_TCK) if backend() else None
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 13:
        return None
    try:
        return int(fields[11]) + int(fields[12])
    except ValueError:
        return None


def _status_kib(pid, key):
    raw = _read("%s/%d/status" % (PROC, pid))
    if raw is None:
        return None
    for line in raw.splitlines():
        if line.startswith(key):
            try:
                return int(line.split()[1]) * 1024
            except (IndexError, ValueError):
                return None
    return None


def rss_bytes(pid):
    """VmRSS from /proc/PID/status (absent for zombies and kernel threads)."""
    if backend() != "proc":
        return psproc.rss_bytes(pid) if backend() else None
    return _status_kib(pid, b"VmRSS:")


def pss_bytes(pid):
    """Pss from /proc/PID/smaps_rollup (Linux ≥ 4.14); None when the kernel or permissions say no."""
    if backend() != "proc":
        return psproc.pss_bytes(pid) if backend() else None
    raw = _read("%s/%d/smaps_rollup" % (PROC, pid))
    if raw is None:
        return None
    for line in raw.splitlines():
        if line.startswith(b"Pss:"):
            try:
                return int(line.split()[1]) * 1024
            except (IndexError, ValueError):
                return None
    return None


def start_time(pid):
    """When the process started, in seconds since the epoch (clock-tick precision)."""
    if backend() != "proc":
        return psproc.start_time(pid) if backend() else None
    fields = _stat_fields(pid)
    uptime = _read("%s/uptime" % PROC)
    if fields is None or len(fields) < 20 or uptime is None:
        return None
    try:
        started_after_boot = int(fields[19]) / float(CLK_TCK)
        now_after_boot = float(uptime.split()[0])
    except (ValueError, IndexError):
        return None
    return time.time() - (now_after_boot - started_after_boot)


def children(pid):
    """Direct children of a process, from every thread's /proc/PID/task/TID/children."""
    if backend() != "proc":
        return psproc.children(pid) if backend() else set()
    found = set()
    try:
        tids = os.listdir("%s/%d/task" % (PROC, pid))
    except OSError:
        return found
    for tid in tids:
        raw = _read("%s/%d/task/%s/children" % (PROC, pid, tid))
        if raw:
            found.update(int(p) for p in raw.split())
    return found


class CpuMeter(object):
    """CPU % of one core per process, from utime+stime deltas over wall-clock time between readings."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._last = {}

    def percent(self, pid):
        """None on the first reading of a pid (no interval yet) or when /proc is unreadable."""
        ticks = cpu_ticks(pid)
        now = self._clock()
        last = self._last.get(pid)
        if ticks is None:
            self._last.pop(pid, None)
            return None
        self._last[pid] = (ticks, now)
        if last is None or now <= last[1] or ticks < last[0]:
            return None
        return round((ticks - last[0]) / float(CLK_TCK) / (now - last[1]) * 100.0, 2)

    def forget(self, live_pids):
        for pid in list(self._last):
            if pid not in live_pids:
                del self._last[pid]
