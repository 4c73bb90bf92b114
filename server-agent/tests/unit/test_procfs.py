"""procfs readings of real child processes, compared with what /proc/PID/status says directly."""
import os
import subprocess
import sys
import time
import unittest

from gunicorn_live import procfs

HOLD_64_MIB = "import sys,time; x = bytearray(b'\\x01' * (64 << 20)); print('ready', flush=True); time.sleep(30)"
# Burns CPU in a thread; answers each stdin line with its own CPU clock (the ground truth).
BURN = """import sys, threading, time
def burn():
    end = time.time() + 30
    while time.time() < end:
        pass
threading.Thread(target=burn, daemon=True).start()
for line in sys.stdin:
    print(time.process_time(), flush=True)
"""


def status_field(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024


class ProcfsTest(unittest.TestCase):
    def spawn(self, code, wait_ready=False):
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
        self.addCleanup(child.stdout.close)
        self.addCleanup(child.wait, 10)
        self.addCleanup(child.kill)
        if wait_ready:
            self.assertEqual(child.stdout.readline().strip(), b"ready")
        return child

    def test_rss_of_a_child_matches_its_own_status_not_anothers(self):
        child = self.spawn(HOLD_64_MIB, wait_ready=True)
        small = self.spawn(HOLD_64_MIB.replace("64 << 20", "1"), wait_ready=True)
        rss = procfs.rss_bytes(child.pid)
        direct = status_field(child.pid, "VmRSS:")
        self.assertLess(abs(rss - direct), 0.02 * direct)
        self.assertGreater(rss, 64 << 20)
        # Each pid's own: the same interpreter without the 64 MiB reads 64 MiB less.
        self.assertGreater(rss - procfs.rss_bytes(small.pid), 60 << 20)

    def test_pss_of_a_private_allocation(self):
        child = self.spawn(HOLD_64_MIB, wait_ready=True)
        pss = procfs.pss_bytes(child.pid)
        if pss is None:
            self.skipTest("no /proc/PID/smaps_rollup on this kernel")
        self.assertGreater(pss, 64 << 20)
        self.assertLessEqual(pss, procfs.rss_bytes(child.pid) + (1 << 20))

    def test_cpu_percent_of_a_busy_child_matches_its_own_cpu_clock(self):
        child = subprocess.Popen([sys.executable, "-c", BURN], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.addCleanup(child.stdout.close)
        self.addCleanup(child.stdin.close)
        self.addCleanup(child.wait, 10)
        self.addCleanup(child.kill)

        def own_cpu_clock():
            child.stdin.write(b"?\n")
            child.stdin.flush()
            return float(child.stdout.readline())
        meter = procfs.CpuMeter()
        time.sleep(0.3)
        before, wall = own_cpu_clock(), time.monotonic()
        self.assertIsNone(meter.percent(child.pid))  # the first reading has no interval yet
        time.sleep(1.5)
        percent = meter.percent(child.pid)
        truth = (own_cpu_clock() - before) / (time.monotonic() - wall) * 100.0
        self.assertGreater(truth, 5.0)                # it really is burning CPU (even on a busy machine)
        self.assertLess(abs(percent - truth), 8.0, (percent, truth))

    def test_cpu_percent_of_a_sleeping_child_is_near_zero(self):
        child = self.spawn(HOLD_64_MIB, wait_ready=True)
        meter = procfs.CpuMeter()
        meter.percent(child.pid)
        time.sleep(0.5)
        self.assertLess(meter.percent(child.pid), 5.0)

    def test_start_time_children_and_gone_processes(self):
        before = time.time()
        child = self.spawn(HOLD_64_MIB, wait_ready=True)
        started = procfs.start_time(child.pid)
        self.assertGreater(started, before - 0.05)
        self.assertLess(started, time.time())
        self.assertIn(child.pid, procfs.children(os.getpid()))
        child.kill()
        child.wait()
        self.assertIsNone(procfs.rss_bytes(child.pid))
        self.assertIsNone(procfs.cpu_ticks(child.pid))
        self.assertIsNone(procfs.start_time(child.pid))
        self.assertNotIn(child.pid, procfs.children(os.getpid()))


class WithoutProcTest(unittest.TestCase):
    """No /proc (macOS, BSD): the same readings through psutil when it is installed; none, said once,
    when it is not."""

    def setUp(self):
        self.addCleanup(setattr, procfs, "PROC", procfs.PROC)
        self.addCleanup(procfs.reset_backend)
        procfs.reset_backend()
        from gunicorn_live import log
        log.forget_after_fork()
        self.child = subprocess.Popen([sys.executable, "-c", HOLD_64_MIB], stdout=subprocess.PIPE)
        self.addCleanup(self.child.stdout.close)
        self.addCleanup(self.child.wait, 10)
        self.addCleanup(self.child.kill)
        self.assertEqual(self.child.stdout.readline().strip(), b"ready")

    def readings(self):
        pid = self.child.pid
        return (procfs.rss_bytes(pid), procfs.pss_bytes(pid), procfs.start_time(pid), procfs.cpu_ticks(pid),
                procfs.children(os.getpid()))

    def test_psutil_gives_the_same_readings(self):
        from gunicorn_live import psproc
        if not psproc.available():
            self.skipTest("psutil is not installed")
        self.assertEqual(procfs.backend(), "proc")
        rss, pss, started, ticks, children = self.readings()
        procfs.PROC = "/nonexistent"
        procfs.reset_backend()
        self.assertEqual(procfs.backend(), "psutil")
        rss2, pss2, started2, ticks2, children2 = self.readings()
        self.assertLess(abs(rss2 - rss), 0.02 * rss)
        self.assertLess(abs(pss2 - pss), 0.05 * pss)
        self.assertLess(abs(started2 - started), 1.0)  # psutil counts from /proc/stat's whole-second btime
        self.assertLess(abs(ticks2 - ticks), 5)
        self.assertEqual(children2, children)
        self.assertIn(self.child.pid, children2)
        meter = procfs.CpuMeter()
        self.assertIsNone(meter.percent(self.child.pid))
        self.assertLess(meter.percent(self.child.pid), 5.0)

    def test_neither_proc_nor_psutil(self):
        from gunicorn_live import psproc
        self.addCleanup(setattr, psproc, "available", psproc.available)
        psproc.available = lambda: False
        procfs.PROC = "/nonexistent"
        with self.assertLogs("gunicorn_live", "WARNING") as logs:
            self.assertEqual(self.readings()[:4], (None, None, None, None))
            self.assertEqual(self.readings()[4], set())
        self.assertEqual(len(logs.records), 1)
        self.assertIn("install psutil", logs.output[0])
