"""The compat suite (`npm test -- compat`): the agent, installed as its wheel, on real Gunicorn releases
from the package index (venvs.py) and Debian's 20.1.0. One unittest process per job, several side by
side: test_every_version.py for each Gunicorn, and each case of test_newest.py on the newest. Each job's
output is printed whole when it ends; last come the matrix (version × test → result) and unittest's
summary, which scripts/test.mjs counts.

Environment: GUNICORN_LIVE_CACHE (set by scripts/test.mjs), COMPAT_JOBS (processes at once, default 3),
COMPAT_ONLY (comma-separated Gunicorn versions to run, default all)."""
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import venvs
from test_newest import CASES
from test_request_stuck import CASES as STUCK_REQUESTS
from test_timeout_stacks import CASES as STUCK
from test_profiler import CASES as PROFILED
from test_request_exceptions import CASES as EXCEPTIONS

HERE = os.path.dirname(os.path.abspath(__file__))
JOB_TIMEOUT = 600
# `test_x (module.Class.test_x)`, the first line of its docstring if any (test_every_version.py and
# test_newest.py give each expected failure its reason there), ` ... result`.
RESULT = re.compile(r"^(test_\w+) \(([\w.]+?)\)(?:\n(.*?))? \.\.\. (ok|FAIL|ERROR|expected failure|unexpected success|skipped.*)$",
                    re.M)
RAN = re.compile(r"^Ran (\d+) tests? in", re.M)


def log(line):
    print(line, flush=True)


def prepare(target, wheel, digest):
    """(venv, shim, seconds the venv took to build or None when cached) for a target."""
    venv, seconds = venvs.ensure_venv(target, log)
    venvs.install_agent(venv, wheel, digest)
    venvs.gunicorn_script(venv)
    return venv, venvs.installed_shim(venv), seconds


def run_job(label, target, venv, shim, names):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(COMPAT_VENV=venv, COMPAT_SHIM=shim, COMPAT_GUNICORN=target.gunicorn)
    started = time.monotonic()
    try:
        out = subprocess.run([sys.executable, "-m", "unittest", "-v"] + names, cwd=HERE, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=JOB_TIMEOUT)
        output, code = out.stdout, out.returncode
    except subprocess.TimeoutExpired as e:
        output, code = (e.stdout or b"").decode(errors="replace") + "\ntimed out after %d s\n" % JOB_TIMEOUT, 1
    seconds = time.monotonic() - started
    results = [(m.group(1), m.group(4), m.group(3)) for m in RESULT.finditer(output)]
    ran = RAN.search(output)
    # A job that died before reporting (or reported less than it ran) is one error.
    if not ran or len(results) < int(ran.group(1)) or (code != 0 and all(r in ("ok", "expected failure") or
                                                                          r.startswith("skipped") for _, r, _ in results)):
        results.append((label, "ERROR", None))
    # Indented, so the only lines starting with `Ran N tests` are the suite's own summary.
    log("--- %s (%.1f s) ---\n%s" % (label, seconds, "\n".join("  " + line for line in output.rstrip().splitlines())))
    return label, results, seconds


def main():
    started = time.monotonic()
    only = [v for v in os.environ.get("COMPAT_ONLY", "").split(",") if v]
    unknown = sorted(set(only) - set(t.gunicorn for t in venvs.TARGETS))
    if unknown:
        raise SystemExit("compat: COMPAT_ONLY names %s; the versions tested are %s"
                         % (", ".join(unknown), ", ".join(t.gunicorn for t in venvs.TARGETS)))
    targets = [t for t in venvs.TARGETS if not only or t.gunicorn in only]
    try:
        jobs = max(1, int(os.environ.get("COMPAT_JOBS") or 3))
    except ValueError:
        raise SystemExit("compat: COMPAT_JOBS must be a whole number, not %r" % os.environ["COMPAT_JOBS"])
    wheel, digest = venvs.build_wheel(log)

    prepared, failed_targets = {}, []
    with ThreadPoolExecutor(jobs) as pool:
        futures = [(t, pool.submit(prepare, t, wheel, digest)) for t in targets]
        for target, future in futures:
            try:
                prepared[target.gunicorn] = future.result()
            except Exception as e:
                log("compat: Gunicorn %s: %s" % (target.gunicorn, e))
                failed_targets.append(target.gunicorn)
    built = [s for _, _, s in prepared.values() if s is not None]
    log("venvs ready in %.1f s (%d built, %.1f s of builds; %d cached)"
        % (time.monotonic() - started, len(built), sum(built), len(prepared) - len(built)))

    work = []
    for target in targets:
        if target.gunicorn not in prepared:
            continue
        venv, shim, _ = prepared[target.gunicorn]
        work.append((target.gunicorn + " exits", target, venv, shim, ["test_every_version.ExitCauses"]))
        work.append((target.gunicorn, target, venv, shim, ["test_every_version.RequestCounts",
                                                           "test_every_version.WaysIn", "test_every_version.BusyIdle",
                                                           "test_every_version.AsgiWorker"]))
        if target is venvs.NEWEST:
            work.append(("agent", target, venv, shim, ["test_slotted_request"]))
            work.append(("%s killed workers" % target.gunicorn, target, venv, shim,
                         ["test_killed_workers.NewestKilledWorkers.test_requests_of_killed_workers_add_up_to_the_access_log"]))
            work += [("%s %s" % (target.gunicorn, case[0]), target, venv, shim,
                      ["test_newest.NewestWorkerClasses.test_" + case[0]]) for case in CASES]
            work += [("%s %s timeout" % (target.gunicorn, case[0]), target, venv, shim,
                      ["test_timeout_stacks.TimeoutStacks.test_" + case[0]]) for case in STUCK]
            work += [("%s %s stuck" % (target.gunicorn, case[0]), target, venv, shim,
                      ["test_request_stuck.RequestStuck.test_" + case[0]]) for case in STUCK_REQUESTS]
            work += [("%s %s profiler" % (target.gunicorn, case[0]), target, venv, shim,
                      ["test_profiler.ProfilerClasses.test_" + case[0]]) for case in PROFILED]
            work += [("%s %s exceptions" % (target.gunicorn, case[0]), target, venv, shim,
                      ["test_request_exceptions.RequestExceptions.test_" + case[0]]) for case in EXCEPTIONS]
    tests_started = time.monotonic()
    with ThreadPoolExecutor(jobs) as pool:
        done = list(pool.map(lambda job: run_job(*job), work))
    log("tests took %.1f s" % (time.monotonic() - tests_started))

    counts = {"failures": 0, "errors": len(failed_targets), "expected failures": 0, "skipped": 0}
    total = len(failed_targets)
    reasons = []
    log("\nmatrix (Gunicorn version [worker class_app] · test → result):")
    for version in failed_targets:
        log("  %-28s %-55s %s" % (version, "venv", "ERROR"))
    for label, results, seconds in done:
        for name, result, why in results:
            log("  %-28s %-55s %s" % (label, name, result))
            if result == "expected failure":
                reasons.append("%s %s: %s" % (label, name, why))
            total += 1
            if result == "FAIL":
                counts["failures"] += 1
            elif result in ("ERROR", "unexpected success"):
                counts["errors"] += 1
            elif result == "expected failure":
                counts["expected failures"] += 1
            elif result.startswith("skipped"):
                counts["skipped"] += 1
    for reason in reasons:
        log("  expected failure, %s" % reason)
    log("compat took %.1f s" % (time.monotonic() - started))
    log("-" * 70)
    log("Ran %d tests in %.3fs\n" % (total, time.monotonic() - started))
    summary = ", ".join("%s=%d" % (k, v) for k, v in counts.items() if v)
    bad = counts["failures"] + counts["errors"]
    log(("FAILED (%s)" % summary) if bad else ("OK (%s)" % summary if summary else "OK"))
    return 1 if bad or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
