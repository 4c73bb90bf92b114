"""The Gunicorns the compat suite runs: one venv per Gunicorn version under the cache root, built once
(keyed by Python, Gunicorn version and requirements) and published atomically, and the agent installed
into each as the wheel `pip wheel` builds from server-agent/ — never from the source tree.

A venv cannot be moved (its scripts name their own path), so each is built in a folder of its own and
then published by atomically replacing a symlink: an interrupted build leaves only an unpublished folder,
removed by the next run."""
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AGENT_SOURCE = os.path.join(ROOT, "server-agent")
DEBIAN_PYTHON = "/usr/bin/python3"

# Frameworks and worker classes the newest Gunicorn is tried with (newest releases at build time). gevent
# and tornado come as Gunicorn's own extras, as its docs install them (27's gevent worker needs
# `packaging`, which only the extra brings).
APPS = ["flask>=3", "django>=5", "fastapi", "starlette", "uvicorn-worker"]


class Target(object):
    """One Gunicorn to test: its version, the CPython minor it runs on, what else its venv holds."""

    def __init__(self, gunicorn, python, extra=(), debian=False, extras=""):
        self.gunicorn = gunicorn
        self.extras = extras
        self.python = python
        self.extra = list(extra)
        # Debian's own gunicorn package, seen from a venv over the system site-packages.
        self.debian = debian

    @property
    def requirements(self):
        return ([] if self.debian else ["gunicorn%s==%s" % ("[%s]" % self.extras if self.extras else "", self.gunicorn)]) + self.extra


# The newest patch of each minor release line (`pip index versions gunicorn`), each on a different
# CPython where one is at hand, so the agent's Python range is covered too. Gunicorn 24+ needs 3.10+,
# Django 6 needs 3.12+.
TARGETS = [
    Target("20.1.0", "3.11", debian=True),
    Target("21.2.0", "3.7"),
    Target("22.0.0", "3.8"),
    Target("23.0.0", "3.9"),
    Target("24.1.1", "3.10"),
    Target("25.3.0", "3.11"),
    Target("26.2.0", "3.12"),
    Target("27.0.1", "3.13", APPS, extras="gevent,tornado"),
]
NEWEST = TARGETS[-1]


def cache_root():
    """$GUNICORN_LIVE_CACHE: scripts/test.mjs sets it from scripts/cache.mjs, the one place that picks it."""
    root = os.environ.get("GUNICORN_LIVE_CACHE")
    if not root:
        raise SystemExit("compat: GUNICORN_LIVE_CACHE is not set; run it as `npm test -- compat`")
    return root


def _version(python):
    try:
        out = subprocess.run([python, "-c", "import sys, venv; print('%d.%d.%d' % sys.version_info[:3])"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find_python(target):
    """(interpreter, full version): Debian's for Debian's Gunicorn; else python3.X on PATH or under pyenv;
    else the runner's own Python (and the report says so)."""
    if target.debian:
        return DEBIAN_PYTHON, _version(DEBIAN_PYTHON)
    pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates = [shutil.which("python" + target.python)]
    candidates += sorted(glob.glob(os.path.join(pyenv, "versions", target.python + ".*", "bin", "python" + target.python)),
                         reverse=True)
    for candidate in filter(None, candidates):
        version = _version(candidate)  # a pyenv shim for a version not selected fails here
        if version and version.startswith(target.python + "."):
            return candidate, version
    return sys.executable, _version(sys.executable)


def _key(*parts):
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:12]


def _run(command, what, **kwargs):
    out = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if out.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s" % (what, out.returncode, (out.stderr or out.stdout)[-2000:]))
    return out


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _sweep(folder):
    """Removes the build folders no published venv points at and no live build owns."""
    used = set(os.path.realpath(p) for p in glob.glob(os.path.join(folder, "*")) if os.path.islink(p))
    for build in glob.glob(os.path.join(folder, "*.build-*")):
        pid = build.rsplit("-", 1)[-1]
        if os.path.realpath(build) not in used and not (pid.isdigit() and _alive(int(pid))):
            shutil.rmtree(build, ignore_errors=True)


def ensure_venv(target, log, folder="compat-venvs"):
    """The target's venv, built now if no complete one is published, in `folder` under the cache root.
    Returns (path, seconds built or None)."""
    python, version = find_python(target)
    folder = os.path.join(cache_root(), folder)
    os.makedirs(folder, exist_ok=True)
    name = "gunicorn-%s-py%s-%s" % (target.gunicorn, version, _key(python, version, target.requirements,
                                                                      target.debian))
    published = os.path.join(folder, name)
    if os.path.exists(os.path.join(published, ".complete")):
        return published, None
    _sweep(folder)
    started = time.monotonic()
    build = "%s.build-%d" % (published, os.getpid())
    shutil.rmtree(build, ignore_errors=True)
    try:
        _run([python, "-m", "venv"] + (["--system-site-packages"] if target.debian else []) + [build],
             "venv for Gunicorn %s" % target.gunicorn, timeout=300)
        if target.requirements:
            _run([os.path.join(build, "bin", "python"), "-m", "pip", "install", "-q"] + target.requirements,
                 "pip install %s" % " ".join(target.requirements), timeout=900)
        with open(os.path.join(build, ".complete"), "w") as f:
            f.write(json.dumps({"python": python, "version": version, "requirements": target.requirements}))
        link = "%s.link-%d" % (published, os.getpid())
        os.symlink(os.path.basename(build), link)
        os.replace(link, published)  # atomic: the name points at a complete venv, or at nothing
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    seconds = time.monotonic() - started
    log("venv Gunicorn %s on Python %s (%s): built in %.1f s" % (target.gunicorn, version, python, seconds))
    return published, seconds


def agent_digest():
    """What the wheel is built from: the package's sources and its pyproject."""
    h = hashlib.sha256()
    files = [os.path.join(AGENT_SOURCE, "pyproject.toml")] + sorted(glob.glob(os.path.join(AGENT_SOURCE, "gunicorn_live", "*.py")))
    for path in files:
        h.update(os.path.relpath(path, AGENT_SOURCE).encode() + b"\0")
        with open(path, "rb") as f:
            h.update(f.read() + b"\0")
    return h.hexdigest()[:16]


def build_wheel(log):
    """The agent's wheel, built with pip from a copy of server-agent/ (the build writes build/ and
    egg-info where it runs), once per version of the sources."""
    digest = agent_digest()
    out = os.path.join(cache_root(), "compat-wheels", digest)
    wheels = glob.glob(os.path.join(out, "gunicorn_live-*.whl"))
    if wheels:
        return wheels[0], digest
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gunicorn-live-wheel-") as tmp:
        source = os.path.join(tmp, "server-agent")
        os.makedirs(os.path.join(source, "gunicorn_live"))
        shutil.copy(os.path.join(AGENT_SOURCE, "pyproject.toml"), source)
        for path in glob.glob(os.path.join(AGENT_SOURCE, "gunicorn_live", "*.py")):
            shutil.copy(path, os.path.join(source, "gunicorn_live"))
        built = os.path.join(tmp, "wheel")
        _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", built, source], "pip wheel", timeout=600)
        wheel = glob.glob(os.path.join(built, "gunicorn_live-*.whl"))[0]
        os.makedirs(out, exist_ok=True)
        partial = os.path.join(out, os.path.basename(wheel) + ".partial")
        shutil.copy(wheel, partial)
        os.replace(partial, os.path.join(out, os.path.basename(wheel)))
    log("agent wheel %s built in %.1f s" % (os.path.basename(wheel), time.monotonic() - started))
    return os.path.join(out, os.path.basename(wheel)), digest


def install_agent(venv, wheel, digest):
    """The wheel into the venv, unless this very build of it is there already."""
    marker = os.path.join(venv, ".agent")
    try:
        with open(marker) as f:
            if f.read() == digest:
                return False
    except OSError:
        pass
    _run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
          "--force-reinstall", wheel], "pip install %s" % os.path.basename(wheel), timeout=300)
    with open(marker, "w") as f:
        f.write(digest)
    return True


def gunicorn_script(venv):
    """The venv's `gunicorn`. A venv over Debian's site-packages has none of its own: this one runs
    Debian's Gunicorn on the venv's Python, so the wheel installed there is what it imports."""
    script = os.path.join(venv, "bin", "gunicorn")
    if not os.path.exists(script):
        partial = script + ".partial-%d" % os.getpid()
        with open(partial, "w") as f:
            f.write("#!%s\nimport sys\nfrom gunicorn.app.wsgiapp import run\nsys.exit(run())\n"
                    % os.path.join(venv, "bin", "python"))
        os.chmod(partial, 0o755)
        os.replace(partial, script)
    return script


def installed_shim(venv):
    """shim.py as pip installed it in the venv (checked to be there, not in this checkout)."""
    out = _run([os.path.join(venv, "bin", "python"), "-c",
                "import importlib.util, os; print(os.path.realpath(importlib.util.find_spec('gunicorn_live').origin))"],
               "finding gunicorn_live in %s" % venv, cwd="/", env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    package = os.path.dirname(out.stdout.strip())
    if not package.startswith(os.path.realpath(venv) + os.sep):
        raise RuntimeError("gunicorn_live in %s comes from %s, not the venv" % (venv, package))
    return os.path.join(package, "shim.py")
