# The exact-latency test's Gunicorn config: the user's own request hooks, chained after the agent's, time
# every request on the same clock the agent uses and write the truth where the test reads it.
import os
import time

workers = 1


def pre_request(worker, req):
    req.truth_t0 = time.perf_counter()


def post_request(worker, req, environ, resp):
    seconds = time.perf_counter() - req.truth_t0
    with open(os.path.join(os.environ["LATENCY_TRUTH_DIR"], "truth.%d" % os.getpid()), "a") as f:
        f.write("%s %.9f\n" % (req.path, seconds))
