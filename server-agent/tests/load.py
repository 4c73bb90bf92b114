"""A bounded load generator for the fault tests: a few threads, each a keep-alive HTTP client on
127.0.0.1 that sends its paths in turn until stopped or until its deadline (Gunicorn's sync worker closes
every connection after its response: the client opens the next one). A request cut off by a dying worker
is noted and the client carries on."""
import http.client
import threading
import time


class Load(object):
    def __init__(self, port, paths, clients=8, max_seconds=60.0):
        self.port = port
        self.paths = list(paths)
        self.deadline = time.monotonic() + max_seconds
        self.stopping = threading.Event()
        self.answered = {}      # status → responses read whole
        self.broken = 0         # requests cut off (connection reset, closed mid-response)
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client, args=(i,), name="load-%d" % i, daemon=True)
                        for i in range(clients)]
        for thread in self.threads:
            thread.start()

    def _client(self, n):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        i = n
        while not self.stopping.is_set() and time.monotonic() < self.deadline:
            path = self.paths[i % len(self.paths)]
            i += 1
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                with self._lock:
                    self.answered[response.status] = self.answered.get(response.status, 0) + 1
            except (OSError, http.client.HTTPException):
                with self._lock:
                    self.broken += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.close()

    def stop(self):
        """Stops every client and waits for their last requests to end."""
        self.stopping.set()
        for thread in self.threads:
            thread.join(15)
        return sum(self.answered.values())
