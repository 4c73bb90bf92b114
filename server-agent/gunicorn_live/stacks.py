"""A request's stack as the protocol sends it ([{file, line, function}], outermost first), without the
agent's own frames (its app wrappers sit between the server's frames and the app's; its hooks and threads
are never the user's code), read from a live frame chain or a suspended coroutine's await chain."""
import os

# The innermost frames kept: a stuck request's story is at the inner end.
MAX_FRAMES = 64
_AGENT_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def agent_frame(frame):
    return frame.f_code.co_filename.startswith(_AGENT_DIR)


def of_frame(frame, limit=MAX_FRAMES):
    """The stack whose innermost frame is `frame` (walked outwards through f_back)."""
    if frame is None:
        return []
    chain = []
    while frame is not None and len(chain) < limit * 4:
        if not agent_frame(frame):
            chain.append(frame)
        frame = frame.f_back
    return _summary(chain[:limit])


def of_frames(frames, limit=MAX_FRAMES):
    """The stack of `frames`, innermost first (a suspended task's await chain, coroutine by coroutine)."""
    return _summary([f for f in frames if not agent_frame(f)][:limit])


def await_chain(coro, limit=MAX_FRAMES * 4):
    """The frames of a suspended coroutine and of what it awaits, innermost first: a waiting asyncio
    task's frames have no f_back, so its stack is read down the cr_await links instead."""
    outermost_first = []
    while coro is not None and len(outermost_first) < limit:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None) or getattr(coro, "ag_frame", None)
        if frame is None:
            break
        outermost_first.append(frame)
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None) or getattr(coro, "ag_await", None)
    outermost_first.reverse()
    return outermost_first


def _summary(innermost_first):
    out = []
    for frame in reversed(innermost_first):
        code = frame.f_code
        out.append({"file": code.co_filename, "line": frame.f_lineno or 0, "function": code.co_name})
    return out

