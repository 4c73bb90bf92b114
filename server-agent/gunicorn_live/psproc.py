"""The same readings as procfs.py, through psutil, for systems without /proc (macOS, BSD). psutil is
optional: the agent stays stdlib-only and uses it only when it is installed. None when unreadable."""
psutil = None
_ERRORS = (Exception,)


def available():
    """Imports psutil on first use only: on Linux the agent never needs it."""
    global psutil
    if psutil is None:
        try:
            import psutil as module
        except Exception:  # not installed, or broken: the caller says so once
            return False
        psutil = module
    return True


def _process(pid):
    try:
        return psutil.Process(pid)
    except _ERRORS:
        return None


def cpu_ticks(pid, clk_tck):
    """user + system CPU of the process, in clock ticks (a float: psutil reports seconds)."""
    process = _process(pid)
    try:
        times = process.cpu_times()
        return (times.user + times.system) * clk_tck
    except _ERRORS:
        return None


def rss_bytes(pid):
    process = _process(pid)
    try:
        return int(process.memory_info().rss)
    except _ERRORS:
        return None


def pss_bytes(pid):
    """Proportional set size where the platform has it (Linux); None elsewhere."""
    process = _process(pid)
    try:
        pss = getattr(process.memory_full_info(), "pss", None)
    except _ERRORS:
        return None
    return int(pss) if pss is not None else None


def start_time(pid):
    process = _process(pid)
    try:
        return float(process.create_time())
    except _ERRORS:
        return None


def children(pid):
    process = _process(pid)
    try:
        return set(child.pid for child in process.children())
    except _ERRORS:
        return set()
