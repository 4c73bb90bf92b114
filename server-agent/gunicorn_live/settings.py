"""What the environment asks of the agent (GUNICORN_LIVE_*, OTEL_*), read once."""
import os

from .log import logger

# Classic upper bounds (seconds) the agent derives from its exponential histograms for hubs older than
# protocol 1.1 (newer hubs derive their own); the protocol's default, from 0.25 ms so fast requests resolve.
DURATION_BUCKETS = (0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

DEFAULT_INTERVAL = 1.0
# Samples per second per thread: near 100, but prime, so the sampler does not run in lock step with the
# app's or the OS's round-numbered timers (and always see, or never see, what they do).
DEFAULT_PROFILE_HZ = 97.0
MAX_PROFILE_HZ = 1000.0


class Settings(object):
    def __init__(self, url, token, interval, service_name, trace_workers, buckets=DURATION_BUCKETS,
                 profile_hz=DEFAULT_PROFILE_HZ):
        self.url = url
        self.token = token
        self.interval = interval
        self.service_name = service_name
        self.trace_workers = trace_workers
        self.buckets = tuple(buckets)
        # The workers' stack sampler (profiler.py): samples per second per thread, None when off.
        self.profile_hz = profile_hz

    @property
    def enabled(self):
        return bool(self.url)


def _interval(raw):
    if raw is None or raw.strip() == "":
        return DEFAULT_INTERVAL
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.05 <= value <= 3600:
        logger.warning("GUNICORN_LIVE_INTERVAL=%r is not a number of seconds in [0.05, 3600]; using %s",
                       raw, DEFAULT_INTERVAL)
        return DEFAULT_INTERVAL
    return value


def _profile_hz(switch, raw):
    switch = (switch or "").strip().lower()
    if switch in ("off", "0", "false", "no"):
        return None
    if switch not in ("", "on", "1", "true", "yes"):
        logger.warning("GUNICORN_LIVE_PROFILE=%r is neither on nor off; the profiler stays on", switch)
    if raw is None or raw.strip() == "":
        return DEFAULT_PROFILE_HZ
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 1.0 <= value <= MAX_PROFILE_HZ:
        logger.warning("GUNICORN_LIVE_PROFILE_HZ=%r is not a rate in [1, %d] samples per second; using %s",
                       raw, MAX_PROFILE_HZ, DEFAULT_PROFILE_HZ)
        return DEFAULT_PROFILE_HZ
    return value


def from_env(environ=None):
    env = os.environ if environ is None else environ
    trace = env.get("OTEL_GUNICORN_TRACE_WORKERS", "").strip().lower()
    return Settings(
        url=env.get("GUNICORN_LIVE_URL", "").strip(),
        token=env.get("GUNICORN_LIVE_TOKEN", "").strip(),
        interval=_interval(env.get("GUNICORN_LIVE_INTERVAL")),
        service_name=env.get("OTEL_SERVICE_NAME", "").strip(),
        trace_workers=trace not in ("false", "0", "no", "off"),
        profile_hz=_profile_hz(env.get("GUNICORN_LIVE_PROFILE"), env.get("GUNICORN_LIVE_PROFILE_HZ")),
    )
