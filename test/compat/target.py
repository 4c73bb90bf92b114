"""Points the agent suite's own helpers (server-agent/tests: gunicorn_run, live, …) at one venv's Gunicorn.
Every compat test module imports this first. The runner (run.py) sets COMPAT_VENV and COMPAT_SHIM: the
Gunicorns started then run the venv's gunicorn with the agent its wheel installed (`-c` that copy of
shim.py, no PYTHONPATH)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# The helpers only: the Gunicorns they start never see this path.
sys.path.insert(0, os.path.join(ROOT, "server-agent"))

from tests import gunicorn_run  # noqa: E402

APPS = os.path.join(HERE, "apps")
VENV = os.environ.get("COMPAT_VENV")
GUNICORN_VERSION = os.environ.get("COMPAT_GUNICORN", "")

if VENV:
    gunicorn_run.GUNICORN = os.path.join(VENV, "bin", "gunicorn")
    gunicorn_run.SHIM = os.environ["COMPAT_SHIM"]
    gunicorn_run.AGENT_PATH = None
