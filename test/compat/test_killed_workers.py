"""Nothing lost on the newest Gunicorn: 10 × kill -9 and a SIGSEGV of its workers under load, and every total
the agent reports equals the requests Gunicorn's access log recorded (the agent suite's fault test, run on the
venv's Gunicorn)."""
import target  # noqa: F401  (first: points the helpers at the venv)

import unittest

from tests.e2e.test_killed_workers import KilledWorkersTest


class NewestKilledWorkers(KilledWorkersTest):
    """The agent suite's fault tests; run.py picks which of them run here."""


if __name__ == "__main__":
    unittest.main()
