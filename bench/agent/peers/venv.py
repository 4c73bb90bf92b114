"""The one venv every configuration of --peers runs on: the newest Gunicorn and the newest release of each
peer, resolved when the bench runs (pip's resolver in --dry-run mode) and installed pinned to exactly those
versions, plus our agent from the wheel the compat suite builds (test/compat/venvs.py). Kept under the
cache root ($GUNICORN_LIVE_CACHE, else ~/.cache/gunicorn-live) in peers-venvs/, keyed by the pins: a new
release anywhere means a new venv; without the package index the newest venv already built is used."""
import glob
import json
import os
import subprocess
import sys

# What scripts/cacheRoot.mjs picks; test/compat/venvs.py reads it from the environment.
os.environ.setdefault("GUNICORN_LIVE_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "gunicorn-live"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))), "test", "compat"))
import venvs  # noqa: E402

FOLDER = "peers-venvs"
PYTHON_MINOR = venvs.NEWEST.python
# Distributions asked for by name; pip resolves the newest of each (the OTel instrumentations exist only as
# pre-releases, "0.66b2", which pip takes when no final release exists).
REQUESTED = ["gunicorn", "gunicorn-prometheus-exporter", "prometheus_client", "opentelemetry-sdk",
             "opentelemetry-instrumentation-wsgi"]
# Versions recorded in the JSON: the requested ones and what they bring that shapes the cost.
RECORDED = REQUESTED + ["opentelemetry-api", "opentelemetry-instrumentation", "psutil", "gunicorn_live"]


def resolve_newest(python):
    """{distribution: version} pip would install now for REQUESTED, or None without the index."""
    run = subprocess.run([python, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
                          "--report", "-"] + REQUESTED, capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        return None
    return pins_from_report(json.loads(run.stdout))


def pins_from_report(report):
    """The requested distributions' versions in a `pip install --report` document, by name as pip
    canonicalises it (lower case, '-' for '_')."""
    out = {}
    for item in report.get("install", []):
        if item.get("requested"):
            meta = item["metadata"]
            out[meta["name"].lower().replace("_", "-")] = meta["version"]
    return out


def _newest_built():
    """The most recently published peers venv, when the index cannot be reached."""
    folder = os.path.join(venvs.cache_root(), FOLDER)
    built = [p for p in glob.glob(os.path.join(folder, "gunicorn-*")) if os.path.exists(os.path.join(p, ".complete"))]
    return max(built, key=os.path.getmtime) if built else None


def ensure(log):
    """(venv python, shim.py installed there, versions, seconds spent building or None)."""
    target = venvs.Target("?", PYTHON_MINOR)
    python, _ = venvs.find_python(target)
    pins = resolve_newest(python)
    if pins is None:
        venv, seconds = _newest_built(), None
        if venv is None:
            raise SystemExit("bench:agent --peers: the package index cannot be reached and no peers venv is built")
        log("peers: the package index cannot be reached; using %s" % venv)
    else:
        target.gunicorn = pins["gunicorn"]
        target.extra = ["%s==%s" % (name, pins[name]) for name in sorted(pins) if name != "gunicorn"]
        venv, seconds = venvs.ensure_venv(target, log, folder=FOLDER)
    wheel, digest = venvs.build_wheel(log)
    venvs.install_agent(venv, wheel, digest)
    return os.path.join(venv, "bin", "python"), venvs.installed_shim(venv), versions(venv), seconds


def versions(venv):
    """{distribution: version} installed in the venv, and the Python it runs."""
    code = ("import importlib.metadata as m, json, platform, sys\n"
            "out = {'python': platform.python_version()}\n"
            "for name in sys.argv[1:]:\n"
            "    try:\n        out[name] = m.version(name)\n"
            "    except m.PackageNotFoundError:\n        out[name] = None\n"
            "print(json.dumps(out))")
    run = subprocess.run([os.path.join(venv, "bin", "python"), "-c", code] + RECORDED, capture_output=True,
                         text=True, timeout=60, cwd="/")
    if run.returncode != 0:
        raise SystemExit("bench:agent --peers: cannot read the venv's versions: %s" % run.stderr[-300:])
    return json.loads(run.stdout)
