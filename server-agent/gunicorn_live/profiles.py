"""Profile tables (frames, stacks, samples) as the worker hands them to the master and the master sends
them to the hub: each table set is self-contained, grows until its JSON would pass a size budget, then
a new one starts. The worker builds datagrams with them (profiler.py), the master merges the workers'
datagrams of an interval into `profile` frames (ProfileBuffer)."""
from . import frames as wire

# The protocol's bounds (extension/protocol/agent.ts, PROFILE_LIMITS).
MAX_FRAMES = 50000
MAX_STACKS = 20000
MAX_STACK_DEPTH = 128
MAX_SAMPLES = 50000
MAX_TRUNCATED = 1024
MAX_HZ = 1000.0
IDLE_ROUTE = "(idle)"
NO_REQUEST_ROUTE = "(no request)"
# Of the hub's 1 MiB per frame (MAX_AGENT_FRAME_BYTES): the estimates below are upper bounds, with room.
FRAME_BYTES = 768 * 1024
# Samples the master holds between two ticks; beyond that a worker's samples count as truncated.
MAX_PENDING_SAMPLES = 200000


def json_chars(text):
    """An upper bound on the length of `text` as a JSON string (quotes excluded): escapes take ≤ 6 characters."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return len(text)
    return 6 * len(text)


class ProfileTables(object):
    """One self-contained set of frames, stacks and samples, and an upper bound of its JSON size."""

    def __init__(self):
        self.frames = {}   # (file, line, function) → index
        self.stacks = {}   # (frame index, …) outermost first → index
        self.samples = {}  # (pid, method, route, stack index) → [wall, cpu]
        self.size = 200

    def cost(self, pid, method, route, stack):
        """What adding this sample would add to the size at most (its new frames included)."""
        size = 90 + json_chars(method) + json_chars(route) + 7 * len(stack)
        for frame in stack:
            if frame not in self.frames:
                size += 50 + json_chars(frame[0]) + json_chars(frame[2])
        return size

    def full(self, added_size, budget, added_frames=MAX_STACK_DEPTH):
        return (self.samples and self.size + added_size > budget) or len(self.samples) >= MAX_SAMPLES or \
            len(self.stacks) >= MAX_STACKS or len(self.frames) + added_frames > MAX_FRAMES

    def add(self, pid, method, route, stack, wall, cpu):
        """`stack`: (file, line, function) tuples, outermost first."""
        self.size += self.cost(pid, method, route, stack)
        frames = self.frames
        indexes = []
        for frame in stack:
            index = frames.get(frame)
            if index is None:
                index = frames[frame] = len(frames)
            indexes.append(index)
        indexes = tuple(indexes)
        index = self.stacks.get(indexes)
        if index is None:
            index = self.stacks[indexes] = len(self.stacks)
        key = (pid, method, route, index)
        counts = self.samples.get(key)
        if counts is None:
            self.samples[key] = [wall, cpu]
        else:
            counts[0] += wall
            counts[1] += cpu

    def frame_list(self):
        return [list(f) for f in self.frames]

    def stack_list(self):
        return [list(s) for s in self.stacks]


def pack(items, budget):
    """`items`: (pid, method, route, stack, wall, cpu); → a list of ProfileTables, each under `budget`."""
    out = [ProfileTables()]
    for pid, method, route, stack, wall, cpu in items:
        current = out[-1]
        if current.full(current.cost(pid, method, route, stack), budget, len(stack)):
            current = ProfileTables()
            out.append(current)
        current.add(pid, method, route, stack, wall, cpu)
    return [t for t in out if t.samples]


class ProfileBuffer(object):
    """The master's side: the workers' profile datagrams of one interval, until the tick sends them."""

    def __init__(self):
        self.items = []
        self.truncated = {}
        self.pending = 0

    def absorb(self, message):
        """A worker's `profile` datagram (handoff.py); malformed parts are skipped."""
        pid = message["pid"]
        lost = int(message.get("truncated") or 0)
        frames = [(wire._text(f[0], 4096), max(0, int(f[1] or 0)), wire._text(f[2], 512))
                  for f in message.get("frames", ())]
        stacks = []
        for s in message.get("stacks", ()):
            stack = tuple(frames[i] for i in s[-MAX_STACK_DEPTH:])
            stacks.append(stack)
        for method, route, stack, wall, cpu in message.get("samples", ()):
            wall, cpu = int(wall), int(cpu)
            if wall <= 0 or not stacks[stack]:
                continue
            if self.pending + wall > MAX_PENDING_SAMPLES:
                lost += wall
                continue
            self.pending += wall
            self.items.append((pid, wire._text(method, 32), wire._text(route, 512), stacks[stack], wall,
                               min(wall, max(0, cpu))))
        if lost > 0:
            self.truncated[pid] = self.truncated.get(pid, 0) + lost

    def take(self, at, hz):
        """The `profile` frames of what arrived since the last call (none when nothing did)."""
        items, truncated = self.items, self.truncated
        self.items, self.truncated, self.pending = [], {}, 0
        out = []
        for tables in pack(items, FRAME_BYTES):
            out.append(wire.profile(at, hz, tables.frame_list(), tables.stack_list(),
                                    [(pid, method, route, stack, counts[0], counts[1])
                                     for (pid, method, route, stack), counts in tables.samples.items()]))
        lost = sorted(truncated.items())[:MAX_TRUNCATED]
        if lost:
            if not out:
                out.append(wire.profile(at, hz, [], [], []))
            out[0]["truncated"] = [{"pid": pid, "samples": n} for pid, n in lost]
        return out
