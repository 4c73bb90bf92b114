"""Where Pause stops a worker that waits for a request (see debugger.py). The debug launch's rules count
this one file as the user's code, so it is the only file of the agent the debugger stops in."""


def between_requests(notify):
    """Gunicorn's heartbeat (worker.notify) called through a frame the debugger may stop in."""
    def heartbeat():
        # Paused between requests: the worker's next request waits until Continue.
        return notify()
    return heartbeat
