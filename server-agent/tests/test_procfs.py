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

    def test_rss_of_a_child_matches_its_own_status_not_ours(self):
        child = self.spawn(HOLD_64_MIB, wait_ready=True)
        rss = procfs.rss_bytes(child.pid)
        direct = status_field(child.pid, "VmRSS:")
        self.assertLess(abs(rss - direct), 0.02 * direct)
        self.assertGreater(rss, 64 << 20)
        self.assertGreater(abs(rss - procfs.rss_bytes(os.getpid())), 16 << 20)

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
