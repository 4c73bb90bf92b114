"""gunicorn-live: our agent, installed from its wheel in the peers venv, loaded with its -c shim and
reporting to the real hub; its /metrics is the hub's."""
from .base import Launch

NAME = "gunicorn-live"
LABEL = "gunicorn-live"
SETUP = "the agent's wheel, -c shim.py, reporting to `gunicorn-live serve`; /metrics is the hub's"
METRICS = True  # has a /metrics to scrape


def launch(ctx):
    return Launch(["-c", ctx.shim], {"GUNICORN_LIVE_URL": ctx.hub.url, "GUNICORN_LIVE_TOKEN": ctx.hub.token},
                  metrics=ctx.hub.metrics_url)
