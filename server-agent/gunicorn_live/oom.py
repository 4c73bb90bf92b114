"""Was a SIGKILLed worker taken by the kernel's OOM killer? The wait status cannot say (the OOM killer
sends a plain SIGKILL), but the kernel counts its kills per memory cgroup, in the victim's cgroup, for a
cgroup's limit and for the machine running out alike: `oom_kill` in cgroup v2's memory.events or v1's
memory.oom_control. The master's cgroup is its workers' (they inherit it), so a count there that moved
since shortly before the exit flags it; without a memory cgroup, /proc/vmstat's machine-wide count
stands in. Linux only; elsewhere nothing is flagged."""
import collections
import os

VMSTAT = "/proc/vmstat"
CGROUP_ROOT = "/sys/fs/cgroup"


def _counter(path, key="oom_kill"):
    """The `key N` line of a kernel counter file, or None when the file or line is missing."""
    try:
        with open(path, "rb") as f:
            for line in f:
                name, _, value = line.partition(b" ")
                if name == key.encode():
                    return int(value)
    except (OSError, ValueError):
        pass  # no such counter on this kernel or cgroup: None says "cannot tell", as documented
    return None


def cgroup_counter_file(pid="self", root=CGROUP_ROOT):
    """The file that counts OOM kills in `pid`'s memory cgroup, or None (no cgroup memory controller)."""
    try:
        with open("/proc/%s/cgroup" % pid) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            candidate = os.path.join(root, "memory", path.lstrip("/"), "memory.oom_control")
            if os.path.exists(candidate):
                return candidate
    for line in lines:
        if line.startswith("0::"):
            candidate = os.path.join(root, line[3:].lstrip("/"), "memory.events")
            if os.path.exists(candidate):
                return candidate
    return None


class OomWatch(object):
    """Readings of the OOM-kill counters at each sample; `killed_recently()` compares now with the older
    of the last two, so a kill just before the sample that preceded the exit still counts."""

    def __init__(self, path=None):
        candidates = (path,) if path else (cgroup_counter_file(), VMSTAT)
        self.path = next((p for p in candidates if p and _counter(p) is not None), None)
        self.readings = collections.deque(maxlen=2)
        self.claimed = None  # the count up to which kills were already pinned on an exit
        self.tick()

    def tick(self):
        if self.path:
            self.readings.append(_counter(self.path))

    def killed_recently(self):
        """True: a kill not yet pinned on an exit happened since shortly before; False: none did; None:
        this system does not count them. Each kill explains one exit, so a kill -9 next to an OOM kill
        is not also called one."""
        if not self.path or not self.readings or self.readings[0] is None:
            return None
        now = _counter(self.path)
        if now is None:
            return None
        base = max(self.readings[0], self.claimed if self.claimed is not None else 0)
        if now > base:
            self.claimed = base + 1
            return True
        return False
