"""What the environment asks of the agent (GUNICORN_LIVE_*, OTEL_*), read once."""
import os

from .log import logger

# Classic upper bounds (seconds) the agent derives from its exponential histograms for hubs older than
# protocol 1.1 (newer hubs derive their own); the protocol's default, from 0.25 ms so fast requests resolve.
DURATION_BUCKETS = (0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

DEFAULT_INTERVAL = 1.0
STUCK_DEFAULT = "timeout"
STUCK_OFF = "off"
# Samples per second per thread: prime, so the sampler does not run in lock step with the app's or the OS's
# round-numbered timers (and always see, or never see, what they do). Not ~100: each sample makes a busy
# worker hand the GIL over and back, which costs more than the sample itself (README, "What it costs").
DEFAULT_PROFILE_HZ = 29.0
MAX_PROFILE_HZ = 1000.0


class Settings(object):
    def __init__(self, url, token, interval, service_name, trace_workers, buckets=DURATION_BUCKETS,
                 stuck_after=STUCK_DEFAULT, profile_hz=DEFAULT_PROFILE_HZ):
        self.url = url
        self.token = token
        self.interval = interval
        self.service_name = service_name
        self.trace_workers = trace_workers
        self.buckets = tuple(buckets)
        # GUNICORN_LIVE_STUCK_AFTER: seconds, STUCK_OFF, or STUCK_DEFAULT (the worker timeout).
        self.stuck_after = stuck_after
        # The workers' stack sampler (profiler.py): samples per second per thread, None when off.
        self.profile_hz = profile_hz

    def stuck_seconds(self, timeout):
        """Seconds after which a request in flight is reported stuck, or None (never): the env's value, else
        Gunicorn's worker `timeout` when it is > 0."""
        if self.stuck_after is STUCK_OFF:
            return None
        if self.stuck_after is not STUCK_DEFAULT:
            return self.stuck_after
        if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0:
            return float(timeout)
        return None

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


def _stuck_after(raw):
    if raw is None or raw.strip() == "":
        return STUCK_DEFAULT
    if raw.strip().lower() in ("0", "off"):
        return STUCK_OFF
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86400:
        logger.warning("GUNICORN_LIVE_STUCK_AFTER=%r is not a number of seconds in (0, 86400] nor 0/off; using "
                       "the worker timeout", raw)
        return STUCK_DEFAULT
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
        stuck_after=_stuck_after(env.get("GUNICORN_LIVE_STUCK_AFTER")),
        profile_hz=_profile_hz(env.get("GUNICORN_LIVE_PROFILE"), env.get("GUNICORN_LIVE_PROFILE_HZ")),
    )
