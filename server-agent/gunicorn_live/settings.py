"""What the environment asks of the agent (GUNICORN_LIVE_*, OTEL_*), read once."""
import os

from .log import logger

# Classic upper bounds (seconds) the agent derives from its exponential histograms for hubs older than
# protocol 1.1 (newer hubs derive their own); the protocol's default, from 0.25 ms so fast requests resolve.
DURATION_BUCKETS = (0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

DEFAULT_INTERVAL = 1.0


class Settings(object):
    def __init__(self, url, token, interval, service_name, trace_workers, buckets=DURATION_BUCKETS):
        self.url = url
        self.token = token
        self.interval = interval
        self.service_name = service_name
        self.trace_workers = trace_workers
        self.buckets = tuple(buckets)

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


def from_env(environ=None):
    env = os.environ if environ is None else environ
    trace = env.get("OTEL_GUNICORN_TRACE_WORKERS", "").strip().lower()
    return Settings(
        url=env.get("GUNICORN_LIVE_URL", "").strip(),
        token=env.get("GUNICORN_LIVE_TOKEN", "").strip(),
        interval=_interval(env.get("GUNICORN_LIVE_INTERVAL")),
        service_name=env.get("OTEL_SERVICE_NAME", "").strip(),
        trace_workers=trace not in ("false", "0", "no", "off"),
    )
