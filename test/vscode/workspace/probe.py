"""Run by .vscode/launch.json once its preLaunchTask (the `gunicorn` task) is ready: exactly one request,
no retry, so it fails if the task was reported ready before Gunicorn listened and a worker booted."""
import os
import runpy
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
bind = runpy.run_path(os.path.join(here, "gunicorn.conf.py"))["bind"]
try:
    with urllib.request.urlopen(f"http://{bind}/", timeout=20) as response:
        print(f"probe: {response.status} {response.read().decode().strip()}", flush=True)
except Exception as error:  # reported, not raised: an uncaught exception would stop the debugger
    print(f"probe: failed: {error}", flush=True)
